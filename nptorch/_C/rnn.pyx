# cython: language_level=3
"""LSTM and GRU time loops: the recurrent half of a layer, for one layer and direction.

Notation:
    T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate rows.
    LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
    Every array is feature-major, (features, time, batch): a step's slice [:, t, :] is then a
    (features, B) matrix with rows of B contiguous values. In that layout the per-step product
    has the batch as BLAS's short dimension, the shape OpenBLAS runs fastest, and the gate
    arithmetic (rnn_rows.h) runs along contiguous rows.
    xw      (G, T, B): the input projection W_ih @ x_t plus biases, for all steps at once (the
            GRU's b_hn is kept apart, since it sits inside r * (W_hn @ h + b_hn)).
    w_hh    (G, H): the recurrent weight, row-major; one BLAS call per step.
    hs      (H, T + 1, B): hidden states, hs[:, t] before step t (hs[:, 0] = h0).

Everything here runs without the GIL on C-contiguous buffers validated by the caller
(nptorch._ops.cython_recurrent).
"""
from cython cimport floating
from libc.string cimport memcpy
from scipy.linalg.cython_blas cimport sgemm, dgemm

cdef extern from "rnn_rows.h" nogil:
    void lstm_forward_row_f(Py_ssize_t n, float *i, float *f, float *g, float *o,
                            float *c_prev, float *c_next, float *h_next)
    void lstm_forward_row_d(Py_ssize_t n, double *i, double *f, double *g, double *o,
                            double *c_prev, double *c_next, double *h_next)
    void lstm_backward_row_f(Py_ssize_t n, float *i, float *f, float *g, float *o,
                             float *c_prev, float *c_next, float *dh_out, float *dc_out,
                             float *dh, float *dc, float *di, float *df, float *dg, float *d_o)
    void lstm_backward_row_d(Py_ssize_t n, double *i, double *f, double *g, double *o,
                             double *c_prev, double *c_next, double *dh_out, double *dc_out,
                             double *dh, double *dc, double *di, double *df, double *dg,
                             double *d_o)
    void gru_forward_row_f(Py_ssize_t n, float *r, float *z, float *nn, float *hr, float *hz,
                           float *hh_n, float b_hn, float *hn, float *h_prev, float *h_next)
    void gru_forward_row_d(Py_ssize_t n, double *r, double *z, double *nn, double *hr,
                           double *hz, double *hh_n, double b_hn, double *hn, double *h_prev,
                           double *h_next)
    void gru_backward_row_f(Py_ssize_t n, float *r, float *z, float *nn, float *hn,
                            float *h_prev, float *dh_out, float *dh, float *dr, float *dz,
                            float *dn, float *dnh)
    void gru_backward_row_d(Py_ssize_t n, double *r, double *z, double *nn, double *hn,
                            double *h_prev, double *dh_out, double *dh, double *dr, double *dz,
                            double *dn, double *dnh)

EXTENSION_ABI = 3


cdef inline void _step_product(floating *out, int ldo, floating *state, int lds,
                               floating *w, int G, int K, int B, floating beta) noexcept nogil:
    """out (G, B) = beta * out + w @ state, with w (G, K) row-major and state (K, B); out and
    state are rows of B values, ldo and lds apart.

    Column-major BLAS sees the row-major (rows, B) matrices as their (B, rows) transposes:
    out^T (B, G) = state^T (B, K) @ w^T (K, G), and row-major w is column-major w^T.
    """
    cdef floating one = 1
    if floating is float:
        sgemm(b"N", b"N", &B, &G, &K, &one, state, &lds, w, &K, &beta, out, &ldo)
    else:
        dgemm(b"N", b"N", &B, &G, &K, &one, state, &lds, w, &K, &beta, out, &ldo)


def lstm_forward(floating[:, :, ::1] gates, floating[:, ::1] w_hh, floating[:, :, ::1] hs,
                 floating[:, :, ::1] cs):
    """Run the LSTM recurrence. gates holds xw on entry and the activated gates on return;
    reads hs[:, 0], cs[:, 0] and writes the later states."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, j
    with nogil:
        for t in range(T):
            _step_product(&gates[0, t, 0], T * B, &hs[0, t, 0], (T + 1) * B, &w_hh[0, 0],
                          G, H, B, 1)
            for j in range(H):
                if floating is float:
                    lstm_forward_row_f(B, &gates[j, t, 0], &gates[H + j, t, 0],
                                       &gates[2 * H + j, t, 0], &gates[3 * H + j, t, 0],
                                       &cs[j, t, 0], &cs[j, t + 1, 0], &hs[j, t + 1, 0])
                else:
                    lstm_forward_row_d(B, &gates[j, t, 0], &gates[H + j, t, 0],
                                       &gates[2 * H + j, t, 0], &gates[3 * H + j, t, 0],
                                       &cs[j, t, 0], &cs[j, t + 1, 0], &hs[j, t + 1, 0])


def lstm_backward(floating[:, :, ::1] gates, floating[:, :, ::1] cs, floating[:, ::1] w_hh_t,
                  floating[:, :, ::1] dhs, floating[:, :, ::1] dcs, floating[:, ::1] dh,
                  floating[:, ::1] dc, floating[:, :, ::1] dgates):
    """Backpropagate through time. w_hh_t (H, G) is w_hh transposed. dhs, dcs (H, T, B):
    gradients of h and c after each step (the outputs, and the final states of sequences that
    end early); dh, dc (H, B): gradients of h_T and c_T on entry, of h0 and c0 on return.
    Writes the pre-activation gate gradients dgates (G, T, B); the weight gradients are
    products of those with the inputs and hidden states, left to the caller."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh_t.shape[0], t, j
    with nogil:
        for t in range(T - 1, -1, -1):
            for j in range(H):
                if floating is float:
                    lstm_backward_row_f(
                        B, &gates[j, t, 0], &gates[H + j, t, 0], &gates[2 * H + j, t, 0],
                        &gates[3 * H + j, t, 0], &cs[j, t, 0], &cs[j, t + 1, 0], &dhs[j, t, 0],
                        &dcs[j, t, 0], &dh[j, 0], &dc[j, 0], &dgates[j, t, 0],
                        &dgates[H + j, t, 0], &dgates[2 * H + j, t, 0], &dgates[3 * H + j, t, 0])
                else:
                    lstm_backward_row_d(
                        B, &gates[j, t, 0], &gates[H + j, t, 0], &gates[2 * H + j, t, 0],
                        &gates[3 * H + j, t, 0], &cs[j, t, 0], &cs[j, t + 1, 0], &dhs[j, t, 0],
                        &dcs[j, t, 0], &dh[j, 0], &dc[j, 0], &dgates[j, t, 0],
                        &dgates[H + j, t, 0], &dgates[2 * H + j, t, 0], &dgates[3 * H + j, t, 0])
            # h_t reaches the loss only through this step's gates (and the output dhs[:, t - 1])
            _step_product(&dh[0, 0], B, &dgates[0, t, 0], T * B, &w_hh_t[0, 0], H, G, B, 0)


def gru_forward(floating[:, :, ::1] gates, floating[:, ::1] w_hh, floating[::1] b_hn,
                floating[:, :, ::1] hs, floating[:, :, ::1] hn, floating[:, ::1] hh):
    """Run the GRU recurrence. gates holds xw on entry and the activated gates r, z, n on
    return; reads hs[:, 0], writes the later states and hn (H, T, B) = W_hn @ h + b_hn, which
    backward needs. hh (G, B) is scratch for the step's product."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, j
    with nogil:
        for t in range(T):
            _step_product(&hh[0, 0], B, &hs[0, t, 0], (T + 1) * B, &w_hh[0, 0], G, H, B, 0)
            for j in range(H):
                if floating is float:
                    gru_forward_row_f(B, &gates[j, t, 0], &gates[H + j, t, 0],
                                      &gates[2 * H + j, t, 0], &hh[j, 0], &hh[H + j, 0],
                                      &hh[2 * H + j, 0], b_hn[j], &hn[j, t, 0], &hs[j, t, 0],
                                      &hs[j, t + 1, 0])
                else:
                    gru_forward_row_d(B, &gates[j, t, 0], &gates[H + j, t, 0],
                                      &gates[2 * H + j, t, 0], &hh[j, 0], &hh[H + j, 0],
                                      &hh[2 * H + j, 0], b_hn[j], &hn[j, t, 0], &hs[j, t, 0],
                                      &hs[j, t + 1, 0])


def gru_backward(floating[:, :, ::1] gates, floating[:, :, ::1] hn, floating[:, :, ::1] hs,
                 floating[:, ::1] w_hh_t, floating[:, :, ::1] dhs, floating[:, ::1] dh,
                 floating[:, :, ::1] dgx, floating[:, :, ::1] dgh):
    """Backpropagate through time. w_hh_t (H, G) is w_hh transposed. dhs (H, T, B): gradients
    of the outputs; dh (H, B): of h_T on entry, of h0 on return. Writes the pre-activation
    gradients of the input side dgx and of the recurrent side dgh (G, T, B; they differ in the
    n gate, where r scales the recurrent term)."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh_t.shape[0], t, j
    with nogil:
        for t in range(T - 1, -1, -1):
            for j in range(H):
                if floating is float:
                    gru_backward_row_f(
                        B, &gates[j, t, 0], &gates[H + j, t, 0], &gates[2 * H + j, t, 0],
                        &hn[j, t, 0], &hs[j, t, 0], &dhs[j, t, 0], &dh[j, 0], &dgx[j, t, 0],
                        &dgx[H + j, t, 0], &dgx[2 * H + j, t, 0], &dgh[2 * H + j, t, 0])
                else:
                    gru_backward_row_d(
                        B, &gates[j, t, 0], &gates[H + j, t, 0], &gates[2 * H + j, t, 0],
                        &hn[j, t, 0], &hs[j, t, 0], &dhs[j, t, 0], &dh[j, 0], &dgx[j, t, 0],
                        &dgx[H + j, t, 0], &dgx[2 * H + j, t, 0], &dgh[2 * H + j, t, 0])
            for j in range(2 * H):  # r and z enter both sides alike
                memcpy(&dgh[j, t, 0], &dgx[j, t, 0], B * sizeof(floating))
            _step_product(&dh[0, 0], B, &dgh[0, t, 0], T * B, &w_hh_t[0, 0], H, G, B, 1)
