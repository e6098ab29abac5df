# cython: language_level=3
"""LSTM and GRU time loops: the recurrent half of a layer, for one layer and direction.

Notation:
    T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate rows.
    LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
    Every array is feature-major, (features, time, batch): a step's slice [:, t, :] is then a
    (features, B) matrix with rows of B contiguous values. In that layout the per-step product
    has the batch as BLAS's short dimension, the shape OpenBLAS runs fastest, and the gate
    arithmetic runs along contiguous rows.
    xw      (G, T, B): the input projection W_ih @ x_t plus biases, for all steps at once (the
            GRU's b_hn is kept apart, since it sits inside r * (W_hn @ h + b_hn)).
    w_hh    (G, H): the recurrent weight, row-major; one BLAS call per step.
    hs      (H, T + 1, B): hidden states, hs[:, t] before step t (hs[:, 0] = h0).

Everything here runs without the GIL on C-contiguous buffers validated by the caller
(nptorch._ops.cython_recurrent).
"""
from cython cimport floating
from libc.math cimport exp
from libc.string cimport memcpy


cdef extern from "fastmath.h" nogil:
    float nptorch_expf(float x)
from scipy.linalg.cython_blas cimport sgemm, dgemm

EXTENSION_ABI = 3


# Literals in arithmetic are cast to floating: Cython writes a bare 1 as the double 1.0, which
# would turn float kernels into double arithmetic that does not vectorise.
cdef inline floating _sigmoid(floating x) noexcept nogil:
    cdef floating one = 1
    if floating is float:
        return one / (one + nptorch_expf(-x))
    return one / (one + exp(-x))


cdef inline floating _tanh(floating x) noexcept nogil:
    # glibc's tanhf costs about four expf: tanh(x) = 1 - 2 / (1 + e^2x) instead, with the
    # series near 0 where that form cancels (both branches computed: the select vectorises)
    cdef floating one = 1, two = 2, x2 = x * x
    cdef floating series = x * (one + x2 * (<floating>(-1.0 / 3) + x2 * (
        <floating>(2.0 / 15) - x2 * <floating>(17.0 / 315))))
    cdef floating e
    if floating is float:
        e = nptorch_expf(two * x)
    else:
        e = exp(two * x)
    return series if x2 < <floating>0.00390625 else one - two / (one + e)


cdef inline void _sigmoid_n(floating *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        a[k] = _sigmoid(a[k])


cdef inline void _tanh_n(floating *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        a[k] = _tanh(a[k])


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
    cdef Py_ssize_t H = w_hh.shape[1], t, j, b
    cdef floating *i_row
    cdef floating *f_row
    cdef floating *g_row
    cdef floating *o_row
    cdef floating *c_prev
    cdef floating *c_next
    cdef floating *h_next
    with nogil:
        for t in range(T):
            _step_product(&gates[0, t, 0], T * B, &hs[0, t, 0], (T + 1) * B, &w_hh[0, 0],
                          G, H, B, 1)
            for j in range(H):
                i_row, f_row = &gates[j, t, 0], &gates[H + j, t, 0]
                g_row, o_row = &gates[2 * H + j, t, 0], &gates[3 * H + j, t, 0]
                c_prev, c_next, h_next = &cs[j, t, 0], &cs[j, t + 1, 0], &hs[j, t + 1, 0]
                _sigmoid_n(i_row, B)
                _sigmoid_n(f_row, B)
                _tanh_n(g_row, B)
                _sigmoid_n(o_row, B)
                for b in range(B):
                    c_next[b] = f_row[b] * c_prev[b] + i_row[b] * g_row[b]
                memcpy(h_next, c_next, B * sizeof(floating))
                _tanh_n(h_next, B)
                for b in range(B):
                    h_next[b] *= o_row[b]


def lstm_backward(floating[:, :, ::1] gates, floating[:, :, ::1] cs, floating[:, ::1] w_hh_t,
                  floating[:, :, ::1] dhs, floating[:, :, ::1] dcs, floating[:, ::1] dh,
                  floating[:, ::1] dc, floating[:, :, ::1] dgates):
    """Backpropagate through time. w_hh_t (H, G) is w_hh transposed. dhs, dcs (H, T, B):
    gradients of h and c after each step (the outputs, and the final states of sequences that
    end early); dh, dc (H, B): gradients of h_T and c_T on entry, of h0 and c0 on return.
    Writes the pre-activation gate gradients dgates (G, T, B); the weight gradients are
    products of those with the inputs and hidden states, left to the caller."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh_t.shape[0], t, j, b
    cdef floating *i_row
    cdef floating *f_row
    cdef floating *g_row
    cdef floating *o_row
    cdef floating *dh_row
    cdef floating *dc_row
    cdef floating *dh_out
    cdef floating *dc_out
    cdef floating *c_prev
    cdef floating *di_row
    cdef floating *df_row
    cdef floating *tc
    cdef floating *dct
    cdef floating i, f, g, o, one = 1
    with nogil:
        for t in range(T - 1, -1, -1):
            for j in range(H):
                i_row, f_row = &gates[j, t, 0], &gates[H + j, t, 0]
                g_row, o_row = &gates[2 * H + j, t, 0], &gates[3 * H + j, t, 0]
                dh_row, dc_row, dh_out, dc_out = &dh[j, 0], &dc[j, 0], &dhs[j, t, 0], &dcs[j, t, 0]
                c_prev, di_row, df_row = &cs[j, t, 0], &dgates[j, t, 0], &dgates[H + j, t, 0]
                # dgates' o and g rows hold tanh(c_t) and the cell gradient until the end
                tc, dct = &dgates[3 * H + j, t, 0], &dgates[2 * H + j, t, 0]
                memcpy(tc, &cs[j, t + 1, 0], B * sizeof(floating))
                _tanh_n(tc, B)
                for b in range(B):
                    dh_row[b] += dh_out[b]
                    dct[b] = dh_row[b] * o_row[b] * (one - tc[b] * tc[b]) + dc_row[b] + dc_out[b]
                for b in range(B):
                    i, f, g, o = i_row[b], f_row[b], g_row[b], o_row[b]
                    di_row[b] = dct[b] * g * i * (one - i)
                    df_row[b] = dct[b] * c_prev[b] * f * (one - f)
                    dc_row[b] = dct[b] * f
                    tc[b] = dh_row[b] * tc[b] * o * (one - o)
                    dct[b] = dct[b] * i * (one - g * g)
            _step_product(&dh[0, 0], B, &dgates[0, t, 0], T * B, &w_hh_t[0, 0], H, G, B, 0)


def gru_forward(floating[:, :, ::1] gates, floating[:, ::1] w_hh, floating[::1] b_hn,
                floating[:, :, ::1] hs, floating[:, :, ::1] hn, floating[:, ::1] hh):
    """Run the GRU recurrence. gates holds xw on entry and the activated gates r, z, n on
    return; reads hs[:, 0], writes the later states and hn (H, T, B) = W_hn @ h + b_hn, which
    backward needs. hh (G, B) is scratch for the step's product."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh.shape[1], t, j, b
    cdef floating *r_row
    cdef floating *z_row
    cdef floating *n_row
    cdef floating *hn_row
    cdef floating *h_prev
    cdef floating *h_next
    cdef floating *hr_row
    cdef floating *hz_row
    cdef floating *hh_n_row
    with nogil:
        for t in range(T):
            _step_product(&hh[0, 0], B, &hs[0, t, 0], (T + 1) * B, &w_hh[0, 0], G, H, B, 0)
            for j in range(H):
                r_row, z_row, n_row = &gates[j, t, 0], &gates[H + j, t, 0], &gates[2 * H + j, t, 0]
                hn_row, h_prev, h_next = &hn[j, t, 0], &hs[j, t, 0], &hs[j, t + 1, 0]
                hr_row, hz_row, hh_n_row = &hh[j, 0], &hh[H + j, 0], &hh[2 * H + j, 0]
                for b in range(B):
                    r_row[b] += hr_row[b]
                    z_row[b] += hz_row[b]
                    hn_row[b] = hh_n_row[b] + b_hn[j]
                _sigmoid_n(r_row, B)
                _sigmoid_n(z_row, B)
                for b in range(B):
                    n_row[b] += r_row[b] * hn_row[b]
                _tanh_n(n_row, B)
                for b in range(B):
                    h_next[b] = n_row[b] + z_row[b] * (h_prev[b] - n_row[b])


def gru_backward(floating[:, :, ::1] gates, floating[:, :, ::1] hn, floating[:, :, ::1] hs,
                 floating[:, ::1] w_hh_t, floating[:, :, ::1] dhs, floating[:, ::1] dh,
                 floating[:, :, ::1] dgx, floating[:, :, ::1] dgh):
    """Backpropagate through time. w_hh_t (H, G) is w_hh transposed. dhs (H, T, B): gradients
    of the outputs; dh (H, B): of h_T on entry, of h0 on return. Writes the pre-activation
    gradients of the input side dgx and of the recurrent side dgh (G, T, B; they differ in the
    n gate, where r scales the recurrent term)."""
    cdef Py_ssize_t G = gates.shape[0], T = gates.shape[1], B = gates.shape[2]
    cdef Py_ssize_t H = w_hh_t.shape[0], t, j, b
    cdef floating *r_row
    cdef floating *z_row
    cdef floating *n_row
    cdef floating *dh_row
    cdef floating *dh_out
    cdef floating *hn_row
    cdef floating *h_prev
    cdef floating *dr_row
    cdef floating *dz_row
    cdef floating *dn_row
    cdef floating *dnh_row
    cdef floating r, z, n, dht, dn, one = 1
    with nogil:
        for t in range(T - 1, -1, -1):
            for j in range(H):
                r_row, z_row, n_row = &gates[j, t, 0], &gates[H + j, t, 0], &gates[2 * H + j, t, 0]
                dh_row, dh_out, hn_row, h_prev = &dh[j, 0], &dhs[j, t, 0], &hn[j, t, 0], &hs[j, t, 0]
                dr_row, dz_row, dn_row = &dgx[j, t, 0], &dgx[H + j, t, 0], &dgx[2 * H + j, t, 0]
                dnh_row = &dgh[2 * H + j, t, 0]
                for b in range(B):
                    r, z, n = r_row[b], z_row[b], n_row[b]
                    dht = dh_out[b] + dh_row[b]
                    dn = dht * (one - z) * (one - n * n)
                    dr_row[b] = dn * hn_row[b] * r * (one - r)
                    dz_row[b] = dht * (h_prev[b] - n) * z * (one - z)
                    dn_row[b] = dn
                    dnh_row[b] = dn * r
                    dh_row[b] = dht * z
                # r and z enter both sides alike
                memcpy(&dgh[j, t, 0], dr_row, B * sizeof(floating))
                memcpy(&dgh[H + j, t, 0], dz_row, B * sizeof(floating))
            _step_product(&dh[0, 0], B, &dgh[0, t, 0], T * B, &w_hh_t[0, 0], H, G, B, 1)
