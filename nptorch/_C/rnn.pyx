# cython: language_level=3
"""LSTM and GRU time loops: the recurrent half of a layer, for one layer and direction.

Notation:
    T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate features.
    LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
    Every array is batch-major, (time, batch, features), PyTorch's layout: a step's slice [t]
    is one contiguous (B, features) block, which the step's product writes and the gate
    arithmetic (rnn_rows.h) then reads in memory order, H units of a batch item at a time.
    xw      (T, B, G): the GRU's input projection x_t @ W_ih^T plus biases, for all steps at
            once (b_hn kept apart, since it sits inside r * (W_hn @ h + b_hn)).
    z       (T + 1, B, I + H): the LSTM's inputs and states side by side, z[t] = [x_t | h_{t-1}]
            (h_{-1} = h0), so that one product per step also does the input projection, at
            the packed kernel's rate (one BLAS product over the sequence ran 20-30% slower).
    w_hh    (G, H): the recurrent weight, row-major. Each kernel packs its weight once per
            sequence (packed_gemm.h), for the steps' products h @ W_hh^T (forward) or
            dgates @ W_hh (backward), which then write straight into the step's rows.
    hs      (T + 1, B, H): the GRU's hidden states, hs[t] before step t (hs[0] = h0).

Everything here runs without the GIL on C-contiguous buffers validated by the caller
(nptorch._ops.cython_recurrent).
"""
import numpy as np
from cython cimport floating
from libc.string cimport memcpy

cdef extern from "rnn_rows.h" nogil:
    void lstm_forward_row_f(Py_ssize_t n, float *i, float *f, float *g, float *o,
                            const float *c_prev, float *c_next, float *h_next)
    void lstm_forward_row_d(Py_ssize_t n, double *i, double *f, double *g, double *o,
                            const double *c_prev, double *c_next, double *h_next)
    void lstm_backward_row_f(Py_ssize_t n, const float *i, const float *f, const float *g,
                             const float *o, const float *c_prev, const float *c_next,
                             const float *dh_out, const float *dc_out, const float *dh,
                             float *dc, float *di, float *df, float *dg, float *d_o)
    void lstm_backward_row_d(Py_ssize_t n, const double *i, const double *f, const double *g,
                             const double *o, const double *c_prev, const double *c_next,
                             const double *dh_out, const double *dc_out, const double *dh,
                             double *dc, double *di, double *df, double *dg, double *d_o)
    void gru_forward_row_f(Py_ssize_t n, float *r, float *z, float *nn, const float *hr,
                           const float *hz, const float *hh_n, const float *b_hn, float *hn,
                           const float *h_prev, float *h_next)
    void gru_forward_row_d(Py_ssize_t n, double *r, double *z, double *nn, const double *hr,
                           const double *hz, const double *hh_n, const double *b_hn,
                           double *hn, const double *h_prev, double *h_next)
    void gru_backward_row_f(Py_ssize_t n, const float *r, const float *z, const float *nn,
                            const float *hn, const float *h_prev, const float *dh_out,
                            float *dh, float *dr, float *dz, float *dn, float *dnh)
    void gru_backward_row_d(Py_ssize_t n, const double *r, const double *z, const double *nn,
                            const double *hn, const double *h_prev, const double *dh_out,
                            double *dh, double *dr, double *dz, double *dn, double *dnh)

cdef extern from "packed_gemm.h" nogil:
    Py_ssize_t packed_length_f(Py_ssize_t M, Py_ssize_t K)
    Py_ssize_t packed_length_d(Py_ssize_t M, Py_ssize_t K)
    void pack_panels_f(float *packed, const float *w, Py_ssize_t M, Py_ssize_t K,
                       Py_ssize_t stride_m, Py_ssize_t stride_k)
    void pack_panels_d(double *packed, const double *w, Py_ssize_t M, Py_ssize_t K,
                       Py_ssize_t stride_m, Py_ssize_t stride_k)
    void packed_product_f(Py_ssize_t B, Py_ssize_t M, Py_ssize_t K, const float *a,
                          Py_ssize_t lda, const float *packed, const float *bias, float *out,
                          Py_ssize_t ldo, int accumulate)
    void packed_product_d(Py_ssize_t B, Py_ssize_t M, Py_ssize_t K, const double *a,
                          Py_ssize_t lda, const double *packed, const double *bias,
                          double *out, Py_ssize_t ldo, int accumulate)

EXTENSION_ABI = 12


cdef floating[::1] _packed(const floating[:, ::1] w, bint transposed):
    """w (M, K), or its transpose with transposed, in packed_gemm.h's panels."""
    cdef Py_ssize_t M = w.shape[1] if transposed else w.shape[0]
    cdef Py_ssize_t K = w.shape[0] if transposed else w.shape[1]
    cdef Py_ssize_t stride_m = 1 if transposed else K, stride_k = M if transposed else 1
    cdef floating[::1] packed
    if floating is float:
        packed = np.empty(packed_length_f(M, K), np.float32)
        with nogil:
            pack_panels_f(&packed[0], &w[0, 0], M, K, stride_m, stride_k)
    else:
        packed = np.empty(packed_length_d(M, K), np.float64)
        with nogil:
            pack_panels_d(&packed[0], &w[0, 0], M, K, stride_m, stride_k)
    return packed


cdef inline void _step_product(floating *out, Py_ssize_t ldo, const floating *a,
                               Py_ssize_t lda, floating[::1] packed, const floating *bias,
                               Py_ssize_t B, Py_ssize_t M, Py_ssize_t K,
                               bint accumulate) noexcept nogil:
    """out (B, M, row stride ldo) = bias + a (B, K, row stride lda) @ w^T, or += with
    accumulate; packed holds w (M, K) (or its first M rows) by _packed; bias (M) or NULL.

    It runs on one thread. Spread over two cores (a parallel region per step, or one per
    sequence with OpenMP's barriers between the steps' halves), the benchmark's LSTM layer
    ran no faster (24-26 ms): idle OpenMP threads sleep between steps, and NumPy's BLAS
    threads still spin from the products before the loop. Barriers that only spin ran it in
    21-23 ms, but two processes sharing the cores twice as slowly."""
    if floating is float:
        packed_product_f(B, M, K, a, lda, &packed[0], bias, out, ldo, accumulate)
    else:
        packed_product_d(B, M, K, a, lda, &packed[0], bias, out, ldo, accumulate)


def lstm_forward(floating[:, :, ::1] z, const floating[:, ::1] w, const floating[::1] bias,
                 floating[:, :, ::1] cs, floating[:, :, ::1] gates):
    """Run the LSTM recurrence with its input projection. Row t of z (T + 1, B, I + H) holds
    x_t and h_{t-1} side by side, so that a step's gates are one product, bias + z[t] @ w^T
    with w (G, I + H) = [W_ih | W_hh] (z[T]'s inputs are not read). Reads z[0]'s state and
    cs[0]; writes the later states and the activated gates (T, B, G)."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t K = w.shape[1], H = cs.shape[2], I = K - H, t, b
    cdef floating[::1] packed = _packed(w, False)
    cdef floating* q
    with nogil:
        for t in range(T):
            _step_product(&gates[t, 0, 0], G, &z[t, 0, 0], K, packed, &bias[0], B, G, K,
                          False)
            for b in range(B):
                q = &gates[t, b, 0]
                if floating is float:
                    lstm_forward_row_f(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                       &cs[t + 1, b, 0], &z[t + 1, b, I])
                else:
                    lstm_forward_row_d(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                       &cs[t + 1, b, 0], &z[t + 1, b, I])


def lstm_backward(const floating[:, :, ::1] gates, const floating[:, :, ::1] cs,
                  const floating[:, ::1] w, const floating[:, :, ::1] dhs,
                  const floating[:, :, ::1] dcs, const floating[:, ::1] dh,
                  floating[:, ::1] dc, floating[:, :, ::1] dgates, floating[:, :, ::1] dz,
                  bint h0_grad):
    """Backpropagate through time. dhs, dcs (T, B, H): gradients of h and c after each step
    (the outputs, and the final states of sequences that end early); dh, dc (B, H): gradients
    of h_T and c_T; dc becomes c0's. Writes the pre-activation gate gradients dgates (T, B, G)
    and dz[t] = dgates[t] @ w for w (G, M) = [W_ih | W_hh] or W_hh alone: the gradients of x_t
    (the first M - H columns) and of h_{t-1} (the last H; at t = 0 only with h0_grad). The
    weight gradients are products of dgates with the inputs and states, left to the caller."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t M = w.shape[1], H = cs.shape[2], I = M - H, t, b
    cdef floating[::1] packed = _packed(w, True)
    cdef const floating* q
    cdef const floating* dh_next
    cdef floating* d
    with nogil:
        for t in range(T - 1, -1, -1):
            for b in range(B):
                q, d = &gates[t, b, 0], &dgates[t, b, 0]
                dh_next = &dh[b, 0] if t == T - 1 else &dz[t + 1, b, I]
                if floating is float:
                    lstm_backward_row_f(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                        &cs[t + 1, b, 0], &dhs[t, b, 0], &dcs[t, b, 0],
                                        dh_next, &dc[b, 0], d, d + H, d + 2 * H, d + 3 * H)
                else:
                    lstm_backward_row_d(H, q, q + H, q + 2 * H, q + 3 * H, &cs[t, b, 0],
                                        &cs[t + 1, b, 0], &dhs[t, b, 0], &dcs[t, b, 0],
                                        dh_next, &dc[b, 0], d, d + H, d + 2 * H, d + 3 * H)
            # h0 reaches the loss only through step 0's gates: its part of dz[0] is skipped
            # unless asked for
            if t > 0 or h0_grad or I > 0:
                _step_product(&dz[t, 0, 0], M, &dgates[t, 0, 0], G, packed, NULL, B,
                              M if t > 0 or h0_grad else I, G, False)


def gru_forward(floating[:, :, ::1] gates, const floating[:, ::1] w_hh,
                const floating[::1] b_hn,
                floating[:, :, ::1] hs, floating[:, :, ::1] hn, floating[:, ::1] hh):
    """Run the GRU recurrence. gates holds xw on entry and the activated gates r, z, n on
    return; reads hs[0], writes the later states and hn (T, B, H) = h @ W_hn^T + b_hn, which
    backward needs. hh (B, G) holds the step's product."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, b
    cdef floating[::1] packed = _packed(w_hh, False)
    cdef floating* q
    cdef floating* p
    with nogil:
        for t in range(T):
            _step_product(&hh[0, 0], G, &hs[t, 0, 0], H, packed, NULL, B, G, H, False)
            for b in range(B):
                q, p = &gates[t, b, 0], &hh[b, 0]
                if floating is float:
                    gru_forward_row_f(H, q, q + H, q + 2 * H, p, p + H, p + 2 * H, &b_hn[0],
                                      &hn[t, b, 0], &hs[t, b, 0], &hs[t + 1, b, 0])
                else:
                    gru_forward_row_d(H, q, q + H, q + 2 * H, p, p + H, p + 2 * H, &b_hn[0],
                                      &hn[t, b, 0], &hs[t, b, 0], &hs[t + 1, b, 0])


def gru_backward(const floating[:, :, ::1] gates, const floating[:, :, ::1] hn,
                 const floating[:, :, ::1] hs, const floating[:, ::1] w_hh,
                 const floating[:, :, ::1] dhs, floating[:, ::1] dh,
                 floating[:, :, ::1] dgx, floating[:, :, ::1] dgh, bint h0_grad):
    """Backpropagate through time. dhs (T, B, H): gradients of the outputs; dh (B, H): of h_T
    on entry, of h0 on return (left unfinished without h0_grad). Writes the pre-activation
    gradients of the input side dgx and of the recurrent side dgh (T, B, G; they differ in the
    n gate, where r scales the recurrent term)."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], G = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, b
    cdef floating[::1] packed = _packed(w_hh, True)
    cdef const floating* q
    cdef floating* d
    with nogil:
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
                _step_product(&dh[0, 0], H, &dgh[t, 0, 0], G, packed, NULL, B, H, G, True)
