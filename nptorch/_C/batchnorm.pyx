"""Batch normalization: per-channel statistics, the normalized output and its gradients. Twin of
``nptorch._ops.reference.Ops.normalize`` / ``normalize_backward`` for statistics over axes
(0, 2) with a per-channel affine. Imports nothing from nptorch; every shape is checked by
``nptorch._ops.cython_ops`` before these run.

Notation:
    N batch, C channels, S values per image and channel (H * W ...), M = N * S per channel.
    Arrays are (N, C, S); the N rows of S values of channel c are C * S apart.
    mean, var: the biased statistics of a channel; invstd = 1 / sqrt(var + eps);
    xhat = (x - mean) * invstd; y = xhat * w + b.

The forward makes two passes over the input (statistics, then output), the backward two
(sums, then gradient), each in memory order over a block of channels: rows are S values long,
and hopping from one channel's row to its next (C * S apart) defeats the cache. The statistics
are moments around the channel's first value, a sample of it: E[(x - x0)^2] - E[x - x0]^2
cancels only when x0 lies many deviations from the mean, and then one more pass over that
channel takes them around the mean.

``work`` (C, 4) float64 holds per channel the two sums of the first pass, then the
coefficients of the second.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport sqrt

cdef extern from "batchnorm_rows.h" nogil:
    void bn_moments_f(Py_ssize_t n, const float *x, float m, double *sums)
    void bn_moments_d(Py_ssize_t n, const double *x, double m, double *sums)
    void bn_grad_sums_f(Py_ssize_t n, const float *g, const float *x, float m, double *sums)
    void bn_grad_sums_d(Py_ssize_t n, const double *g, const double *x, double m, double *sums)
    void bn_affine_f(Py_ssize_t n, const float *x, float m, float a, float c, float *y)
    void bn_affine_d(Py_ssize_t n, const double *x, double m, double a, double c, double *y)
    void bn_affine2_f(Py_ssize_t n, const float *g, const float *x, float m, float a, float c,
                      float d, float *gx)
    void bn_affine2_d(Py_ssize_t n, const double *g, const double *x, double m, double a,
                      double c, double d, double *gx)

EXTENSION_ABI = 12

cdef double SHIFT_RATIO = 16.0
# channels per parallel task: their rows are read in memory order
cdef Py_ssize_t CHANNEL_BLOCK = 16


cdef inline void _moments(const floating* x, Py_ssize_t S, floating m, double* sums) noexcept nogil:
    if floating is float:
        bn_moments_f(S, x, m, sums)
    else:
        bn_moments_d(S, x, m, sums)


cdef inline void _affine(const floating* x, Py_ssize_t S, floating m, double* ac,
                         floating* y) noexcept nogil:
    if floating is float:
        bn_affine_f(S, x, m, <float>ac[0], <float>ac[1], y)
    else:
        bn_affine_d(S, x, m, ac[0], ac[1], y)


cdef inline void _forward_block(const floating* x, floating* y, Py_ssize_t N, Py_ssize_t C,
                                Py_ssize_t S, Py_ssize_t c0, Py_ssize_t c1, const floating* w,
                                const floating* b, double eps, floating* mean_out,
                                floating* var_out, floating* invstd_out,
                                double* work) noexcept nogil:
    """Normalize channels c0 to c1 and give their statistics."""
    cdef double M = N * S, mean, var, invstd, shift
    cdef double* wc
    cdef Py_ssize_t n, c
    for c in range(c0, c1):
        work[4 * c] = work[4 * c + 1] = 0
    for n in range(N):
        for c in range(c0, c1):
            _moments(x + (n * C + c) * S, S, x[c * S], work + 4 * c)
    for c in range(c0, c1):
        wc, shift = work + 4 * c, x[c * S]
        mean = shift + wc[0] / M
        var = wc[1] / M - (wc[0] / M) * (wc[0] / M)
        if (mean - shift) * (mean - shift) > SHIFT_RATIO * var:
            shift = <floating>mean  # a far shift cancels: once more around the mean
            wc[0] = wc[1] = 0
            for n in range(N):
                _moments(x + (n * C + c) * S, S, <floating>shift, wc)
            mean = shift + wc[0] / M
            var = wc[1] / M - (wc[0] / M) * (wc[0] / M)
        if var < 0:
            var = 0
        invstd = 1 / sqrt(var + eps)
        wc[2], wc[3] = invstd * w[c], b[c]
        mean_out[c], var_out[c], invstd_out[c] = <floating>mean, <floating>var, <floating>invstd
    for n in range(N):
        for c in range(c0, c1):
            _affine(x + (n * C + c) * S, S, mean_out[c], work + 4 * c + 2, y + (n * C + c) * S)


def batch_norm_forward(const floating[:, :, ::1] x, const floating[::1] w,
                       const floating[::1] b, double eps, floating[:, :, ::1] y,
                       floating[::1] mean, floating[::1] var, floating[::1] invstd,
                       double[:, ::1] work):
    """y = (x - mean) * invstd * w + b per channel, with the statistics (C,) of each."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], S = x.shape[2], blk
    with nogil:
        for blk in prange((C + CHANNEL_BLOCK - 1) // CHANNEL_BLOCK, schedule="static"):
            _forward_block(&x[0, 0, 0], &y[0, 0, 0], N, C, S, blk * CHANNEL_BLOCK,
                           min(C, (blk + 1) * CHANNEL_BLOCK), &w[0], &b[0], eps, &mean[0],
                           &var[0], &invstd[0], &work[0, 0])


cdef inline void _backward_block(const floating* g, const floating* x, floating* gx,
                                 Py_ssize_t N, Py_ssize_t C, Py_ssize_t S, Py_ssize_t c0,
                                 Py_ssize_t c1, const floating* mean, const floating* invstd,
                                 const floating* w, floating* sum_g, floating* sum_gxhat,
                                 double* work) noexcept nogil:
    """sum(g) and sum(g * xhat) of channels c0 to c1 and, when gx is not NULL,
    gx = invstd * w * (g - mean(g) - xhat * mean(g * xhat)), as a g + c (x - mean) + d."""
    cdef double M = N * S, scale, k
    cdef double* wc
    cdef Py_ssize_t n, c, i
    for c in range(c0, c1):
        work[4 * c] = work[4 * c + 1] = 0
    for n in range(N):
        for c in range(c0, c1):
            i = (n * C + c) * S
            if floating is float:
                bn_grad_sums_f(S, g + i, x + i, mean[c], work + 4 * c)
            else:
                bn_grad_sums_d(S, g + i, x + i, mean[c], work + 4 * c)
    for c in range(c0, c1):
        wc = work + 4 * c
        wc[1] *= invstd[c]
        sum_g[c], sum_gxhat[c] = <floating>wc[0], <floating>wc[1]
        scale = <double>invstd[c] * w[c]
        k = scale * invstd[c] * wc[1] / M
        wc[1], wc[2], wc[3] = scale, -k, -scale * wc[0] / M
    if gx == NULL:
        return
    for n in range(N):
        for c in range(c0, c1):
            i, wc = (n * C + c) * S, work + 4 * c
            if floating is float:
                bn_affine2_f(S, g + i, x + i, mean[c], <float>wc[1], <float>wc[2], <float>wc[3],
                             gx + i)
            else:
                bn_affine2_d(S, g + i, x + i, mean[c], wc[1], wc[2], wc[3], gx + i)


def batch_norm_backward(const floating[:, :, ::1] gy, const floating[:, :, ::1] x,
                        const floating[::1] mean, const floating[::1] invstd,
                        const floating[::1] w, floating[:, :, ::1] gx, floating[::1] sum_g,
                        floating[::1] sum_gxhat, double[:, ::1] work):
    """sum(gy) and sum(gy * xhat) per channel (the gradients of b and w) and, unless gx is
    None, the gradient of x; mean and invstd as batch_norm_forward gave them."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], S = x.shape[2], blk
    cdef floating* gx0 = NULL if gx is None else &gx[0, 0, 0]
    with nogil:
        for blk in prange((C + CHANNEL_BLOCK - 1) // CHANNEL_BLOCK, schedule="static"):
            _backward_block(&gy[0, 0, 0], &x[0, 0, 0], gx0, N, C, S, blk * CHANNEL_BLOCK,
                            min(C, (blk + 1) * CHANNEL_BLOCK), &mean[0], &invstd[0], &w[0],
                            &sum_g[0], &sum_gxhat[0], &work[0, 0])
