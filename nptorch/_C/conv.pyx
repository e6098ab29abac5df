"""im2col / col2im: the data movement around the matmuls of convolution. Twin of
``nptorch._ops.reference.Ops.im2col`` / ``col2im``. Imports nothing from nptorch; every shape is
checked by ``nptorch._ops.cython_ops`` before these run.

Notation:
    N batch, C channels, H W input height and width,
    KH KW kernel height and width, OH OW output height and width,
    SH SW stride, PH PW padding, DH DW dilation.
    Input row of (oh, kh): ih = oh * SH - PH + kh * DH; input column iw = ow * SW - PW + kw * DW.
    Columns are laid out (N, C, KH, KW, OH, OW), so that one batch item is a (C*KH*KW, OH*OW) matrix.
"""
from cython cimport floating
from cython.parallel cimport prange

EXTENSION_ABI = 2


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


def im2col(const floating[:, :, :, ::1] x, floating[:, :, :, :, :, ::1] col,
           Py_ssize_t SH, Py_ssize_t SW, Py_ssize_t PH, Py_ssize_t PW,
           Py_ssize_t DH, Py_ssize_t DW):
    """Fill ``col`` (N, C, KH, KW, OH, OW) from ``x`` (N, C, H, W); zero on padding."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t KH = col.shape[2], KW = col.shape[3], OH = col.shape[4], OW = col.shape[5]
    cdef Py_ssize_t nc, n, c, kh, kw, oh, ow, ih, iw0, lo, hi
    cdef const floating* xrow
    cdef floating* crow
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for kh in range(KH):
                for kw in range(KW):
                    iw0 = kw * DW - PW
                    lo = _first_column(OW, SW, PW, kw * DW)
                    hi = _end_column(W, OW, SW, PW, kw * DW)
                    for oh in range(OH):
                        crow = &col[n, c, kh, kw, oh, 0]
                        ih = oh * SH - PH + kh * DH
                        if ih < 0 or ih >= H:
                            for ow in range(OW):
                                crow[ow] = 0
                            continue
                        xrow = &x[n, c, ih, 0]
                        for ow in range(lo):
                            crow[ow] = 0
                        if SW == 1:  # the common case: a contiguous copy gcc vectorises
                            for ow in range(lo, hi):
                                crow[ow] = xrow[iw0 + ow]
                        else:
                            for ow in range(lo, hi):
                                crow[ow] = xrow[iw0 + ow * SW]
                        for ow in range(hi, OW):
                            crow[ow] = 0


def col2im(const floating[:, :, :, :, :, ::1] col, floating[:, :, :, ::1] x,
           Py_ssize_t SH, Py_ssize_t SW, Py_ssize_t PH, Py_ssize_t PW,
           Py_ssize_t DH, Py_ssize_t DW):
    """Add every value of ``col`` (N, C, KH, KW, OH, OW) into its place of ``x`` (zeroed by the caller)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t KH = col.shape[2], KW = col.shape[3], OH = col.shape[4], OW = col.shape[5]
    cdef Py_ssize_t nc, n, c, kh, kw, oh, ow, ih, iw0, lo, hi
    cdef floating* xrow
    cdef const floating* crow
    with nogil:
        for nc in prange(N * C, schedule="static"):
            n = nc // C
            c = nc % C
            for kh in range(KH):
                for kw in range(KW):
                    iw0 = kw * DW - PW
                    lo = _first_column(OW, SW, PW, kw * DW)
                    hi = _end_column(W, OW, SW, PW, kw * DW)
                    for oh in range(OH):
                        ih = oh * SH - PH + kh * DH
                        if ih < 0 or ih >= H:
                            continue
                        crow = &col[n, c, kh, kw, oh, 0]
                        xrow = &x[n, c, ih, 0]
                        if SW == 1:
                            for ow in range(lo, hi):
                                xrow[iw0 + ow] += crow[ow]
                        else:
                            for ow in range(lo, hi):
                                xrow[iw0 + ow * SW] += crow[ow]
