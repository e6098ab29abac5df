# cython: language_level=3
"""LSTM and GRU time loops: the recurrent half of a layer, for one layer and direction.

Notation:
    T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate rows.
    LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
    xw[t]   (B, G): the input projection x_t @ W_ih^T plus biases, computed for all steps at
            once by one matrix product before the loop (the GRU's b_hn is kept apart, since
            it sits inside r * (h @ W_hn^T + b_hn)).
    w_hh    (G, H): the recurrent weight, row-major; h @ w_hh^T is one BLAS call per step.
    hs[t]   (B, H): hidden state before step t (hs[0] = h0, hs[T] = h_T).

Everything here runs without the GIL on C-contiguous buffers validated by the caller
(nptorch._ops.cython_ops); the gate arithmetic of a step is one fused loop.
"""
from cython cimport floating
from libc.math cimport exp
from libc.string cimport memcpy


cdef extern from "fastmath.h" nogil:
    float nptorch_expf(float x)
from scipy.linalg.cython_blas cimport sgemm, dgemm

EXTENSION_ABI = 2


cdef inline floating _sigmoid(floating x) noexcept nogil:
    if floating is float:
        return 1 / (1 + nptorch_expf(-x))
    return 1 / (1 + exp(-x))


cdef inline floating _tanh(floating x) noexcept nogil:
    # glibc's tanhf costs about four expf: tanh(x) = 1 - 2 / (1 + e^2x) instead, with the
    # series near 0 where that form cancels (both branches computed: the select vectorises)
    cdef floating x2 = x * x
    cdef floating series = x * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 - x2 * (17.0 / 315))))
    cdef floating e
    if floating is float:
        e = nptorch_expf(2 * x)
    else:
        e = exp(2 * x)
    return series if x2 < 0.00390625 else 1 - 2 / (1 + e)


cdef inline void _gemm(char *ta, char *tb, int m, int n, int k, floating alpha,
                       floating *a, int lda, floating *b, int ldb, floating beta,
                       floating *c, int ldc) noexcept nogil:
    # column-major BLAS on row-major buffers: see the callers for the transposition argument
    if floating is float:
        sgemm(ta, tb, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc)
    else:
        dgemm(ta, tb, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc)


cdef inline void _recurrent(floating[:, ::1] out, floating[:, ::1] h, floating[:, ::1] w_hh,
                            floating beta) noexcept nogil:
    """out (B, G) = beta * out + h (B, H) @ w_hh^T (H, G).

    Row-major out is column-major out^T (G, B) = w_hh (G, H) @ h^T (H, B); row-major w_hh is
    column-major w_hh^T, hence its "T" flag.
    """
    cdef int G = w_hh.shape[0], H = w_hh.shape[1], B = h.shape[0]
    _gemm(b"T", b"N", G, B, H, 1, &w_hh[0, 0], H, &h[0, 0], H, beta, &out[0, 0], G)


cdef inline void _back_recurrent(floating[:, ::1] out, floating[:, ::1] dgates,
                                 floating[:, ::1] w_hh) noexcept nogil:
    """out (B, H) += dgates (B, G) @ w_hh (G, H).

    Column-major out^T (H, B) = w_hh^T (H, G) @ dgates^T (G, B): both buffers as they are.
    """
    cdef int G = w_hh.shape[0], H = w_hh.shape[1], B = dgates.shape[0]
    _gemm(b"N", b"N", H, B, G, 1, &w_hh[0, 0], H, &dgates[0, 0], G, 1, &out[0, 0], H)


cdef inline void _sigmoid_n(floating *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        a[k] = _sigmoid(a[k])


cdef inline void _tanh_n(floating *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        a[k] = _tanh(a[k])


def lstm_forward(floating[:, :, ::1] xw, floating[:, ::1] w_hh, floating[:, :, ::1] hs,
                 floating[:, :, ::1] cs, floating[:, :, ::1] gates):
    """Run the LSTM recurrence. Reads hs[0], cs[0]; writes hs[1:], cs[1:] and the activated
    gates (T, B, 4H) that backward needs."""
    cdef Py_ssize_t T = xw.shape[0], B = xw.shape[1], H = w_hh.shape[1], t, b, j
    cdef floating *gate
    cdef floating *c_prev
    cdef floating *c_next
    cdef floating *h_next
    cdef floating c
    with nogil:
        for t in range(T):
            memcpy(&gates[t, 0, 0], &xw[t, 0, 0], B * 4 * H * sizeof(floating))
            _recurrent(gates[t], hs[t], w_hh, 1)
            for b in range(B):
                # activations over contiguous runs (i and f, g, o), then the cell: both
                # loops are plain enough for gcc to vectorise
                gate = &gates[t, b, 0]
                _sigmoid_n(gate, 2 * H)
                _tanh_n(gate + 2 * H, H)
                _sigmoid_n(gate + 3 * H, H)
                c_prev, c_next, h_next = &cs[t, b, 0], &cs[t + 1, b, 0], &hs[t + 1, b, 0]
                for j in range(H):
                    c = gate[H + j] * c_prev[j] + gate[j] * gate[2 * H + j]
                    c_next[j] = c
                    h_next[j] = gate[3 * H + j] * _tanh(c)


def lstm_backward(floating[:, :, ::1] gates, floating[:, :, ::1] cs, floating[:, ::1] w_hh,
                  floating[:, :, ::1] dhs, floating[:, :, ::1] dcs, floating[:, ::1] dh,
                  floating[:, ::1] dc, floating[:, :, ::1] dgates):
    """Backpropagate through time. dhs, dcs (T, B, H): gradients of h and c after each step
    (the outputs, and the final states of sequences that end early); dh, dc (B, H): gradients
    of h_T and c_T on entry, of h0 and c0 on return. Writes the pre-activation gate gradients
    dgates (T, B, 4H); the weight gradients are products of those with the inputs and hidden
    states, left to the caller."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], H = w_hh.shape[1], t, b, j
    cdef floating *gate
    cdef floating *dgate
    cdef floating *c_prev
    cdef floating *c_next
    cdef floating *dh_row
    cdef floating *dc_row
    cdef floating *dh_out
    cdef floating *dc_out
    cdef floating i, f, g, o, tc, dht, dct
    with nogil:
        for t in range(T - 1, -1, -1):
            for b in range(B):
                gate, dgate = &gates[t, b, 0], &dgates[t, b, 0]
                c_prev, c_next = &cs[t, b, 0], &cs[t + 1, b, 0]
                dh_row, dc_row = &dh[b, 0], &dc[b, 0]
                dh_out, dc_out = &dhs[t, b, 0], &dcs[t, b, 0]
                for j in range(H):
                    i, f, g, o = gate[j], gate[H + j], gate[2 * H + j], gate[3 * H + j]
                    tc = _tanh(c_next[j])
                    dht = dh_out[j] + dh_row[j]
                    dct = dht * o * (1 - tc * tc) + dc_row[j] + dc_out[j]
                    dgate[j] = dct * g * i * (1 - i)
                    dgate[H + j] = dct * c_prev[j] * f * (1 - f)
                    dgate[2 * H + j] = dct * i * (1 - g * g)
                    dgate[3 * H + j] = dht * tc * o * (1 - o)
                    dc_row[j] = dct * f
                    dh_row[j] = 0
            _back_recurrent(dh, dgates[t], w_hh)


def gru_forward(floating[:, :, ::1] xw, floating[:, ::1] w_hh, floating[::1] b_hn,
                floating[:, :, ::1] hs, floating[:, :, ::1] gates, floating[:, :, ::1] hn):
    """Run the GRU recurrence. Reads hs[0]; writes hs[1:], the activated gates r, z, n
    (T, B, 3H) and hn (T, B, H) = h @ W_hn^T + b_hn, which backward needs."""
    cdef Py_ssize_t T = xw.shape[0], B = xw.shape[1], H = w_hh.shape[1], t, b, j
    cdef floating r, z, n, hh
    with nogil:
        for t in range(T):
            _recurrent(gates[t], hs[t], w_hh, 0)
            for b in range(B):
                for j in range(H):
                    hh = gates[t, b, 2 * H + j] + b_hn[j]
                    r = _sigmoid(xw[t, b, j] + gates[t, b, j])
                    z = _sigmoid(xw[t, b, H + j] + gates[t, b, H + j])
                    n = _tanh(xw[t, b, 2 * H + j] + r * hh)
                    gates[t, b, j] = r
                    gates[t, b, H + j] = z
                    gates[t, b, 2 * H + j] = n
                    hn[t, b, j] = hh
                    hs[t + 1, b, j] = (1 - z) * n + z * hs[t, b, j]


def gru_backward(floating[:, :, ::1] gates, floating[:, :, ::1] hn, floating[:, :, ::1] hs,
                 floating[:, ::1] w_hh, floating[:, :, ::1] dhs, floating[:, ::1] dh,
                 floating[:, :, ::1] dgx, floating[:, :, ::1] dgh):
    """Backpropagate through time. dhs (T, B, H): gradients of the outputs; dh (B, H): of h_T
    on entry, of h0 on return. Writes the pre-activation gradients of the input side dgx and
    of the recurrent side dgh (T, B, 3H; they differ in the n gate, where r scales the
    recurrent term)."""
    cdef Py_ssize_t T = gates.shape[0], B = gates.shape[1], H = w_hh.shape[1], t, b, j
    cdef floating r, z, n, dht, dn, dr
    with nogil:
        for t in range(T - 1, -1, -1):
            for b in range(B):
                for j in range(H):
                    r = gates[t, b, j]
                    z = gates[t, b, H + j]
                    n = gates[t, b, 2 * H + j]
                    dht = dhs[t, b, j] + dh[b, j]
                    dn = dht * (1 - z) * (1 - n * n)
                    dr = dn * hn[t, b, j] * r * (1 - r)
                    dgx[t, b, j] = dr
                    dgx[t, b, H + j] = dht * (hs[t, b, j] - n) * z * (1 - z)
                    dgx[t, b, 2 * H + j] = dn
                    dgh[t, b, j] = dr
                    dgh[t, b, H + j] = dgx[t, b, H + j]
                    dgh[t, b, 2 * H + j] = dn * r
                    dh[b, j] = dht * z
            _back_recurrent(dh, dgh[t], w_hh)
