"""im2col / col2im: the data movement around the matmuls of convolution. Twin of
``nptorch._ops.reference.Ops.im2col`` / ``col2im``. Imports nothing from nptorch; every shape is
checked by ``nptorch._ops.cython_ops`` before these run.

Notation:
    N batch, C channels, H W input height and width,
    KH KW kernel height and width, OH OW output height and width,
    SH SW stride, PH PW padding, DH DW dilation.
    Input row of (oh, kh): ih = oh * SH - PH + kh * DH; input column iw = ow * SW - PW + kw * DW.
    Columns are laid out (N, C, KH, KW, OH, OW), so that one batch item is a (C*KH*KW, OH*OW) matrix.

Convolution calls im2col on a few images at a time (``nptorch._ops.cython_ops``), so that the
columns stay in cache between im2col and the matmul that consumes them.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.string cimport memcpy, memset

EXTENSION_ABI = 10


cdef struct Window:
    Py_ssize_t KH, KW, SH, SW, PH, PW, DH, DW


cdef inline Py_ssize_t _ceil_div_clamped(Py_ssize_t a, Py_ssize_t b, Py_ssize_t hi) noexcept nogil:
    """ceil(a / b) clamped to [0, hi] (b > 0)."""
    if a <= 0:
        return 0
    a = (a + b - 1) // b
    return a if a < hi else hi


cdef inline void _shifted_copy(const floating* x, floating* block, Py_ssize_t H, Py_ssize_t W,
                               Py_ssize_t OH, Py_ssize_t ih0, Py_ssize_t iw0, Py_ssize_t lo,
                               Py_ssize_t hi) noexcept nogil:
    """The (OH, W) block ``block[oh, ow] = x[oh + ih0, ow + iw0]`` (zero outside ``x``) of a
    stride-1 im2col whose output width is W: one contiguous copy, then the edge columns
    ``ow < lo`` and ``ow >= hi`` (where the copy wrapped around rows) are zeroed."""
    cdef Py_ssize_t first = _ceil_div_clamped(-ih0, 1, OH), end = _ceil_div_clamped(H - ih0, 1, OH)
    cdef Py_ssize_t start, count, a, b, i, oh, ow
    for i in range(first * W):
        block[i] = 0
    for i in range(end * W, OH * W):
        block[i] = 0
    if end <= first:
        return
    start = (first + ih0) * W + iw0          # the flat source of block[first, 0]
    count = (end - first) * W
    a = start if start > 0 else 0            # clip the flat range to the plane
    b = start + count if start + count < H * W else H * W
    block += first * W
    for i in range(a - start):
        block[i] = 0
    for i in range(b - a):
        block[a - start + i] = x[a + i]
    for i in range(b - start, count):
        block[i] = 0
    if lo > 0 or hi < W:
        for oh in range(end - first):
            for ow in range(lo):
                block[oh * W + ow] = 0
            for ow in range(hi, W):
                block[oh * W + ow] = 0


cdef inline void _im2col_plane(const floating* x, floating* col, Py_ssize_t H, Py_ssize_t W,
                               Py_ssize_t OH, Py_ssize_t OW, Window k) noexcept nogil:
    """Columns (KH, KW, OH, OW) of one (H, W) plane; zero on padding."""
    cdef Py_ssize_t kh, kw, oh, ow, ih, iw0, lo, hi
    cdef const floating* xrow
    cdef floating* crow
    for kh in range(k.KH):
        for kw in range(k.KW):
            iw0 = kw * k.DW - k.PW
            lo = _ceil_div_clamped(-iw0, k.SW, OW)       # first ow with iw >= 0
            hi = _ceil_div_clamped(W - iw0, k.SW, OW)    # one past the last ow with iw < W
            if k.SH == 1 and k.SW == 1 and OW == W:
                _shifted_copy(x, col + (kh * k.KW + kw) * OH * OW, H, W, OH,
                              kh * k.DH - k.PH, iw0, lo, hi)
                continue
            for oh in range(OH):
                crow = col + ((kh * k.KW + kw) * OH + oh) * OW
                ih = oh * k.SH - k.PH + kh * k.DH
                if ih < 0 or ih >= H:
                    for ow in range(OW):
                        crow[ow] = 0
                    continue
                xrow = x + ih * W
                for ow in range(lo):
                    crow[ow] = 0
                if k.SW == 1:  # the common case: one contiguous copy
                    if hi > lo:
                        memcpy(crow + lo, xrow + iw0 + lo, (hi - lo) * sizeof(floating))
                else:
                    for ow in range(lo, hi):
                        crow[ow] = xrow[iw0 + ow * k.SW]
                for ow in range(hi, OW):
                    crow[ow] = 0


cdef inline void _col2im_plane(const floating* col, floating* x, Py_ssize_t H, Py_ssize_t W,
                               Py_ssize_t OH, Py_ssize_t OW, Window k) noexcept nogil:
    """The plane ``x`` (H, W): the sum of the columns (KH, KW, OH, OW) that read each place."""
    cdef Py_ssize_t kh, kw, oh, ow, ih, iw0, lo, hi
    cdef floating* xrow
    cdef const floating* crow
    memset(x, 0, H * W * sizeof(floating))
    for kh in range(k.KH):
        for kw in range(k.KW):
            iw0 = kw * k.DW - k.PW
            lo = _ceil_div_clamped(-iw0, k.SW, OW)
            hi = _ceil_div_clamped(W - iw0, k.SW, OW)
            for oh in range(OH):
                ih = oh * k.SH - k.PH + kh * k.DH
                if ih < 0 or ih >= H:
                    continue
                crow = col + ((kh * k.KW + kw) * OH + oh) * OW
                xrow = x + ih * W
                if k.SW == 1:
                    for ow in range(lo, hi):
                        xrow[iw0 + ow] += crow[ow]
                else:
                    for ow in range(lo, hi):
                        xrow[iw0 + ow * k.SW] += crow[ow]


cdef inline Window _window(Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SH, Py_ssize_t SW,
                           Py_ssize_t PH, Py_ssize_t PW, Py_ssize_t DH, Py_ssize_t DW):
    cdef Window k
    k.KH, k.KW, k.SH, k.SW, k.PH, k.PW, k.DH, k.DW = KH, KW, SH, SW, PH, PW, DH, DW
    return k


def im2col(const floating[:, :, :, ::1] x, floating[:, :, :, :, :, ::1] col,
           Py_ssize_t SH, Py_ssize_t SW, Py_ssize_t PH, Py_ssize_t PW,
           Py_ssize_t DH, Py_ssize_t DW):
    """Fill ``col`` (N, C, KH, KW, OH, OW) from ``x`` (N, C, H, W); zero on padding."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = col.shape[4], OW = col.shape[5], nc
    cdef Window k = _window(col.shape[2], col.shape[3], SH, SW, PH, PW, DH, DW)
    if N * C == 0 or col.size == 0:
        return
    with nogil:
        for nc in prange(N * C, schedule="static"):
            _im2col_plane(&x[0, 0, 0, 0] + nc * H * W,
                          &col[0, 0, 0, 0, 0, 0] + nc * k.KH * k.KW * OH * OW, H, W, OH, OW, k)


def col2im(const floating[:, :, :, :, :, ::1] col, floating[:, :, :, ::1] x,
           Py_ssize_t SH, Py_ssize_t SW, Py_ssize_t PH, Py_ssize_t PW,
           Py_ssize_t DH, Py_ssize_t DW):
    """Write into ``x`` (N, C, H, W) the sum of the values of ``col`` (N, C, KH, KW, OH, OW)
    that read each place."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OH = col.shape[4], OW = col.shape[5], nc
    cdef Window k = _window(col.shape[2], col.shape[3], SH, SW, PH, PW, DH, DW)
    if N * C == 0 or col.size == 0:
        return
    with nogil:
        for nc in prange(N * C, schedule="static"):
            _col2im_plane(&col[0, 0, 0, 0, 0, 0] + nc * k.KH * k.KW * OH * OW,
                          &x[0, 0, 0, 0] + nc * H * W, H, W, OH, OW, k)
