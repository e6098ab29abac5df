# cython: language_level=3
"""LSTM and GRU time loops: the recurrent half of a layer, for one layer and direction.

Notation:
    T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate features.
    LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
    Every array is batch-major, (time, batch, features), PyTorch's layout: a step's slice [t]
    is one contiguous (B, features) block, which the step's product writes and the gate
    arithmetic (rnn_rows.h) then reads in memory order, H units of a batch item at a time.
    xw      (T, B, G): the input projection x_t @ W_ih^T plus biases, for all steps at once (the
            GRU's b_hn is kept apart, since it sits inside r * (W_hn @ h + b_hn)).
    w_hh    (G, H): the recurrent weight, row-major; one BLAS call per step. Backward multiplies
            by its transpose, which it copies once per sequence into a (H, G) buffer:
            OpenBLAS packs that operand on every call, and packing rows of the transpose is a
            plain copy where packing w_hh's would transpose (1.4x the time of a backward
            step's product).
    hs      (T + 1, B, H): hidden states, hs[t] before step t (hs[0] = h0).

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
                           float *hh_n, float *b_hn, float *hn, float *h_prev, float *h_next)
    void gru_forward_row_d(Py_ssize_t n, double *r, double *z, double *nn, double *hr,
                           double *hz, double *hh_n, double *b_hn, double *hn, double *h_prev,
                           double *h_next)
    void gru_backward_row_f(Py_ssize_t n, float *r, float *z, float *nn, float *hn,
                            float *h_prev, float *dh_out, float *dh, float *dr, float *dz,
                            float *dn, float *dnh)
    void gru_backward_row_d(Py_ssize_t n, double *r, double *z, double *nn, double *hn,
                            double *h_prev, double *dh_out, double *dh, double *dr, double *dz,
                            double *dn, double *dnh)

EXTENSION_ABI = 9


cdef void _transpose(floating *dst, floating *src, Py_ssize_t rows, Py_ssize_t cols) noexcept nogil:
    """dst (cols, rows) = src (rows, cols)^T, both row-major, in 32 x 32 tiles that stay in L1
    (NumPy's transposing copy goes an element at a time: 4x slower here)."""
    cdef Py_ssize_t r0, c0, r, c, r1, c1
    for r0 in range(0, rows, 32):
        r1 = r0 + 32 if r0 + 32 < rows else rows
        for c0 in range(0, cols, 32):
            c1 = c0 + 32 if c0 + 32 < cols else cols
            for c in range(c0, c1):
                for r in range(r0, r1):
                    dst[c * rows + r] = src[r * cols + c]


cdef inline void _step_product(floating *out, floating *scratch, floating *state, floating *w,
                               int M, int K, int B, bint accumulate) noexcept nogil:
    """out (B, M) = state (B, K) @ w^T, or += with accumulate; w (M, K); all row-major and
    contiguous.

    BLAS computes the product as scratch (M, B) = (state @ w^T)^T: column-major BLAS sees that
    as its (B, M) transpose, with the batch as the short first dimension, where OpenBLAS runs
    1.3-1.5x faster than with M first; one pass through the cache then transposes it into
    out.
    """
    cdef floating one = 1, zero = 0
    cdef Py_ssize_t m0, m1, b, m
    if floating is float:
        sgemm(b"T", b"N", &B, &M, &K, &one, state, &K, w, &K, &zero, scratch, &B)
    else:
        dgemm(b"T", b"N", &B, &M, &K, &one, state, &K, w, &K, &zero, scratch, &B)
    for m0 in range(0, M, 128):  # blocks of 128 rows of scratch stay in L1 across b
        m1 = m0 + 128 if m0 + 128 < M else M
        for b in range(B):
            if accumulate:
                for m in range(m0, m1):
                    out[b * M + m] += scratch[m * B + b]
            else:
                for m in range(m0, m1):
                    out[b * M + m] = scratch[m * B + b]


def lstm_forward(floating[:, :, ::1] gates, floating[:, ::1] w_hh, floating[:, :, ::1] hs,
                 floating[:, :, ::1] cs, floating[:, ::1] scratch):
    """Run the LSTM recurrence. gates holds xw on entry and the activated gates on return;
    reads hs[0], cs[0] and writes the later states. scratch (G, B) holds a step's product."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, b
    cdef floating* q
    with nogil:
        for t in range(T):
            _step_product(&gates[t, 0, 0], &scratch[0, 0], &hs[t, 0, 0], &w_hh[0, 0], G, H, B,
                          True)
            for b in range(B):
                q = &gates[t, b, 0]
                if floating is float:
                    lstm_forward_row_f(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                       &cs[t + 1, b, 0], &hs[t + 1, b, 0])
                else:
                    lstm_forward_row_d(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                       &cs[t + 1, b, 0], &hs[t + 1, b, 0])


def lstm_backward(floating[:, :, ::1] gates, floating[:, :, ::1] cs, floating[:, ::1] w_hh,
                  floating[:, :, ::1] dhs, floating[:, :, ::1] dcs, floating[:, ::1] dh,
                  floating[:, ::1] dc, floating[:, :, ::1] dgates, floating[:, ::1] w_hh_t,
                  floating[:, ::1] scratch, bint h0_grad):
    """Backpropagate through time. dhs, dcs (T, B, H): gradients of h and c after each step
    (the outputs, and the final states of sequences that end early); dh, dc (B, H): gradients
    of h_T and c_T on entry, of h0 (left unfinished without h0_grad) and c0 on return. Writes
    the pre-activation gate gradients dgates (T, B, G); the weight gradients are products of
    those with the inputs and hidden states, left to the caller. w_hh_t (H, G) receives w_hh's
    transpose, scratch (H, B) a step's product."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, b
    cdef floating* q
    cdef floating* d
    with nogil:
        _transpose(&w_hh_t[0, 0], &w_hh[0, 0], G, H)
        for t in range(T - 1, -1, -1):
            for b in range(B):
                q, d = &gates[t, b, 0], &dgates[t, b, 0]
                if floating is float:
                    lstm_backward_row_f(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                        &cs[t + 1, b, 0], &dhs[t, b, 0], &dcs[t, b, 0],
                                        &dh[b, 0], &dc[b, 0], d, d + H, d + 2 * H, d + 3 * H)
                else:
                    lstm_backward_row_d(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                        &cs[t + 1, b, 0], &dhs[t, b, 0], &dcs[t, b, 0],
                                        &dh[b, 0], &dc[b, 0], d, d + H, d + 2 * H, d + 3 * H)
            # h_t reaches the loss only through this step's gates (and the output dhs[t - 1])
            if t > 0 or h0_grad:
                _step_product(&dh[0, 0], &scratch[0, 0], &dgates[t, 0, 0], &w_hh_t[0, 0], H, G,
                              B, False)


def gru_forward(floating[:, :, ::1] gates, floating[:, ::1] w_hh, floating[::1] b_hn,
                floating[:, :, ::1] hs, floating[:, :, ::1] hn, floating[:, ::1] hh,
                floating[:, ::1] scratch):
    """Run the GRU recurrence. gates holds xw on entry and the activated gates r, z, n on
    return; reads hs[0], writes the later states and hn (T, B, H) = h @ W_hn^T + b_hn, which
    backward needs. hh (B, G) holds the step's product, scratch (G, B) its transpose."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, b
    cdef floating* q
    cdef floating* p
    with nogil:
        for t in range(T):
            _step_product(&hh[0, 0], &scratch[0, 0], &hs[t, 0, 0], &w_hh[0, 0], G, H, B, False)
            for b in range(B):
                q, p = &gates[t, b, 0], &hh[b, 0]
                if floating is float:
                    gru_forward_row_f(H, q, q + H, q + 2 * H, p, p + H, p + 2 * H, &b_hn[0],
                                      &hn[t, b, 0], &hs[t, b, 0], &hs[t + 1, b, 0])
                else:
                    gru_forward_row_d(H, q, q + H, q + 2 * H, p, p + H, p + 2 * H, &b_hn[0],
                                      &hn[t, b, 0], &hs[t, b, 0], &hs[t + 1, b, 0])


def gru_backward(floating[:, :, ::1] gates, floating[:, :, ::1] hn, floating[:, :, ::1] hs,
                 floating[:, ::1] w_hh, floating[:, :, ::1] dhs, floating[:, ::1] dh,
                 floating[:, :, ::1] dgx, floating[:, :, ::1] dgh, floating[:, ::1] w_hh_t,
                 floating[:, ::1] scratch, bint h0_grad):
    """Backpropagate through time. dhs (T, B, H): gradients of the outputs; dh (B, H): of h_T
    on entry, of h0 on return (left unfinished without h0_grad). Writes the pre-activation
    gradients of the input side dgx and of the recurrent side dgh (T, B, G; they differ in the
    n gate, where r scales the recurrent term). w_hh_t (H, G) receives w_hh's transpose,
    scratch (H, B) a step's product."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, b
    cdef floating* q
    cdef floating* d
    with nogil:
        _transpose(&w_hh_t[0, 0], &w_hh[0, 0], G, H)
        for t in range(T - 1, -1, -1):
            for b in range(B):
                q, d = &gates[t, b, 0], &dgx[t, b, 0]
                if floating is float:
                    gru_backward_row_f(H, q, q + H, q + 2 * H, &hn[t, b, 0], &hs[t, b, 0],
                                       &dhs[t, b, 0], &dh[b, 0], d, d + H, d + 2 * H,
                                       &dgh[t, b, 2 * H])
                else:
                    gru_backward_row_d(H, q, q + H, q + 2 * H, &hn[t, b, 0], &hs[t, b, 0],
                                       &dhs[t, b, 0], &dh[b, 0], d, d + H, d + 2 * H,
                                       &dgh[t, b, 2 * H])
                # r and z enter both sides alike
                memcpy(&dgh[t, b, 0], d, 2 * H * sizeof(floating))
            if t > 0 or h0_grad:
                _step_product(&dh[0, 0], &scratch[0, 0], &dgh[t, 0, 0], &w_hh_t[0, 0], H, G, B,
                              True)
