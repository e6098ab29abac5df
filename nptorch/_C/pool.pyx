"""Max, sum (average) and adaptive pooling, forward and backward. Twin of the pooling kernels of
``nptorch._ops.reference.Ops``. Imports nothing from nptorch; every shape and index is checked by
``nptorch._ops.cython_ops`` before these run.

Notation:
    N batch, C channels, H W input height and width, OH OW output height and width,
    KH KW kernel height and width, SH SW stride, PH PW padding, DH DW dilation.
    Input row of (oh, kh): ih = oh * SH - PH + kh * DH; input column iw = ow * SW - PW + kw * DW.
    Places outside [0, H) x [0, W) (padding, ceil_mode overhang) are skipped.
    Indices are flat positions ih * W + iw in each H * W plane, as PyTorch's.
    Adaptive windows: rows [floor(oh * H / OH), ceil((oh + 1) * H / OH)), columns alike.

Sum pooling runs over one output row at a time with the output column innermost (contiguous
when the stride is 1); max pooling keeps each window's running maximum in registers, and the
common 2x2 stride-2 window has its own branch-free plane loop (``pool_rows.h``) that gcc
vectorises.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.math cimport INFINITY
from libc.stdint cimport int32_t, int64_t

cdef extern from "pool_rows.h" nogil:
    void max_plane_2x2_f(const float* x, float* y, int64_t* idx, Py_ssize_t OH, Py_ssize_t OW,
                         int32_t W)
    void max_plane_2x2_d(const double* x, double* y, int64_t* idx, Py_ssize_t OH,
                         Py_ssize_t OW, int32_t W)

EXTENSION_ABI = 12


cdef inline Py_ssize_t _ceil_div_clamped(Py_ssize_t a, Py_ssize_t b, Py_ssize_t hi) noexcept nogil:
    """ceil(a / b) clamped to [0, hi] (b > 0)."""
    if a <= 0:
        return 0
    a = (a + b - 1) // b
    return a if a < hi else hi


cdef inline Py_ssize_t _first_column(Py_ssize_t OW, Py_ssize_t SW, Py_ssize_t PW,
                                     Py_ssize_t offset) noexcept nogil:
    """The first output column whose input column ow * SW - PW + offset is >= 0."""
    return _ceil_div_clamped(PW - offset, SW, OW)


cdef inline Py_ssize_t _end_column(Py_ssize_t W, Py_ssize_t OW, Py_ssize_t SW, Py_ssize_t PW,
                                   Py_ssize_t offset) noexcept nogil:
    """One past the last output column whose input column ow * SW - PW + offset is < W."""
    return _ceil_div_clamped(W + PW - offset, SW, OW)


cdef inline Py_ssize_t _first_inside(Py_ssize_t start, Py_ssize_t step) noexcept nogil:
    """The first of start, start + step, ... that is >= 0."""
    if start < 0:
        start += ((-start + step - 1) // step) * step
    return start


cdef void _max_pool_2x2(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y,
                        int64_t[:, :, :, ::1] idx):
    """The common 2x2 window, stride 2, no padding (W < 2**31): no bounds tests, vectorised."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = y.shape[2], OW = y.shape[3], nc
    with nogil:
        for nc in prange(N * C, schedule="static"):
            if floating is float:
                max_plane_2x2_f(&x[0, 0, 0, 0] + nc * H * W, &y[0, 0, 0, 0] + nc * OH * OW,
                                &idx[0, 0, 0, 0] + nc * OH * OW, OH, OW, <int32_t>W)
            else:
                max_plane_2x2_d(&x[0, 0, 0, 0] + nc * H * W, &y[0, 0, 0, 0] + nc * OH * OW,
                                &idx[0, 0, 0, 0] + nc * OH * OW, OH, OW, <int32_t>W)


def max_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y, int64_t[:, :, :, ::1] idx,
               Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SH, Py_ssize_t SW,
               Py_ssize_t PH, Py_ssize_t PW, Py_ssize_t DH, Py_ssize_t DW):
    """Window maxima into ``y`` and their plane indices into ``idx`` (first maximum; NaN wins)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = y.shape[2], OW = y.shape[3]
    cdef Py_ssize_t nc, n, c, kh, kw, oh, ow, ih, iw, first_row, pos, arg
    cdef floating v, best
    cdef bint take
    cdef const floating* plane
    if (KH == KW == SH == SW == 2 and PH == PW == 0 and DH == DW == 1 and 2 * OH <= H
            and 2 * OW <= W < 2 ** 31 and N * C * OH * OW > 0):
        _max_pool_2x2(x, y, idx)
        return
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            plane = &x[n, c, 0, 0]
            for oh in range(OH):
                # PyTorch's index for a window of -inf only: its first place inside the input
                # (clamped into the plane for windows that lie on padding only)
                first_row = min(_first_inside(oh * SH - PH, DH), H - 1) * W
                for ow in range(OW):
                    # best and arg stay in registers and are updated by selects, not branches:
                    # on random data a branch here mispredicts half the time
                    best = -INFINITY
                    arg = first_row + min(_first_inside(ow * SW - PW, DW), W - 1)
                    for kh in range(KH):
                        ih = oh * SH - PH + kh * DH
                        if ih < 0 or ih >= H:
                            continue
                        for kw in range(KW):
                            iw = ow * SW - PW + kw * DW
                            if iw < 0 or iw >= W:
                                continue
                            pos = ih * W + iw
                            v = plane[pos]
                            take = (v > best) | (v != v)
                            best = v if take else best
                            arg = pos if take else arg
                    y[n, c, oh, ow] = best
                    idx[n, c, oh, ow] = arg


def scatter_add_planes(const floating[:, :, :, ::1] gy, const int64_t[:, :, :, ::1] idx,
                       floating[:, :, :, ::1] gx):
    """``gx[n, c].flat[idx[n, c, i, j]] += gy[n, c, i, j]`` (indices checked by the caller)."""
    cdef Py_ssize_t N = gy.shape[0], C = gy.shape[1], L = gy.shape[2] * gy.shape[3]
    cdef Py_ssize_t nc, n, c, l
    cdef const floating* g
    cdef const int64_t* i
    cdef floating* out
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            if L == 0:
                continue
            g = &gy[n, c, 0, 0]
            i = &idx[n, c, 0, 0]
            out = &gx[n, c, 0, 0]
            for l in range(L):
                out[i[l]] += g[l]


def sum_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y,
               Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SH, Py_ssize_t SW,
               Py_ssize_t PH, Py_ssize_t PW):
    """Window sums into ``y`` (zeroed by the caller); the caller divides."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = y.shape[2], OW = y.shape[3]
    cdef Py_ssize_t nc, n, c, kh, kw, oh, ow, ih, iw0, lo, hi
    cdef const floating* xrow
    cdef floating* yrow
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for oh in range(OH):
                yrow = &y[n, c, oh, 0]
                for kh in range(KH):
                    ih = oh * SH - PH + kh
                    if ih < 0 or ih >= H:
                        continue
                    xrow = &x[n, c, ih, 0]
                    for kw in range(KW):
                        iw0 = kw - PW
                        lo = _first_column(OW, SW, PW, kw)
                        hi = _end_column(W, OW, SW, PW, kw)
                        for ow in range(lo, hi):
                            yrow[ow] += xrow[iw0 + ow * SW]


def sum_pool2d_backward(const floating[:, :, :, ::1] gy, floating[:, :, :, ::1] gx,
                        Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SH, Py_ssize_t SW,
                        Py_ssize_t PH, Py_ssize_t PW):
    """Add every ``gy`` value to each input place of its window in ``gx`` (zeroed by the caller)."""
    cdef Py_ssize_t N = gx.shape[0], C = gx.shape[1], H = gx.shape[2], W = gx.shape[3]
    cdef Py_ssize_t OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t nc, n, c, kh, kw, oh, ow, ih, iw0, lo, hi
    cdef floating* xrow
    cdef const floating* yrow
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for oh in range(OH):
                yrow = &gy[n, c, oh, 0]
                for kh in range(KH):
                    ih = oh * SH - PH + kh
                    if ih < 0 or ih >= H:
                        continue
                    xrow = &gx[n, c, ih, 0]
                    for kw in range(KW):
                        iw0 = kw - PW
                        lo = _first_column(OW, SW, PW, kw)
                        hi = _end_column(W, OW, SW, PW, kw)
                        for ow in range(lo, hi):
                            xrow[iw0 + ow * SW] += yrow[ow]


def adaptive_avg_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y,
                        const Py_ssize_t[::1] hs, const Py_ssize_t[::1] he,
                        const Py_ssize_t[::1] ws, const Py_ssize_t[::1] we):
    """Mean of every adaptive window [hs, he) x [ws, we)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], OH = y.shape[2], OW = y.shape[3]
    cdef Py_ssize_t nc, n, c, oh, ow, ih, iw
    cdef floating acc
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for oh in range(OH):
                for ow in range(OW):
                    acc = 0
                    for ih in range(hs[oh], he[oh]):
                        for iw in range(ws[ow], we[ow]):
                            acc = acc + x[n, c, ih, iw]
                    y[n, c, oh, ow] = acc / ((he[oh] - hs[oh]) * (we[ow] - ws[ow]))


def adaptive_avg_pool2d_backward(const floating[:, :, :, ::1] gy, floating[:, :, :, ::1] gx,
                                 const Py_ssize_t[::1] hs, const Py_ssize_t[::1] he,
                                 const Py_ssize_t[::1] ws, const Py_ssize_t[::1] we):
    """Spread every ``gy`` value evenly over its window of ``gx`` (zeroed by the caller)."""
    cdef Py_ssize_t N = gy.shape[0], C = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t nc, n, c, oh, ow, ih, iw
    cdef floating g
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for oh in range(OH):
                for ow in range(OW):
                    g = gy[n, c, oh, ow] / ((he[oh] - hs[oh]) * (we[ow] - ws[ow]))
                    for ih in range(hs[oh], he[oh]):
                        for iw in range(ws[ow], we[ow]):
                            gx[n, c, ih, iw] += g


def adaptive_max_pool2d(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] y,
                        int64_t[:, :, :, ::1] idx,
                        const Py_ssize_t[::1] hs, const Py_ssize_t[::1] he,
                        const Py_ssize_t[::1] ws, const Py_ssize_t[::1] we):
    """Maximum of every adaptive window and its plane index (first maximum; NaN wins)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], W = x.shape[3]
    cdef Py_ssize_t OH = y.shape[2], OW = y.shape[3]
    cdef Py_ssize_t nc, n, c, oh, ow, ih, iw, arg
    cdef floating v, best
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for oh in range(OH):
                for ow in range(OW):
                    best = -INFINITY
                    arg = hs[oh] * W + ws[ow]
                    for ih in range(hs[oh], he[oh]):
                        for iw in range(ws[ow], we[ow]):
                            v = x[n, c, ih, iw]
                            if v > best or v != v:
                                best = v
                                arg = ih * W + iw
                    y[n, c, oh, ow] = best
                    idx[n, c, oh, ow] = arg
