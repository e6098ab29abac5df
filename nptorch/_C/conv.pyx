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

cdef extern from "conv_rows.h" nogil:
    void gather_rows_f(Py_ssize_t rows, Py_ssize_t width, const float* x, Py_ssize_t x_stride,
                       float* col, Py_ssize_t col_stride)
    void gather_rows_d(Py_ssize_t rows, Py_ssize_t width, const double* x,
                       Py_ssize_t x_stride, double* col, Py_ssize_t col_stride)
    void scatter_add_rows_f(Py_ssize_t rows, Py_ssize_t width, const float* col,
                            Py_ssize_t col_stride, float* x, Py_ssize_t x_stride)
    void scatter_add_rows_d(Py_ssize_t rows, Py_ssize_t width, const double* col,
                            Py_ssize_t col_stride, double* x, Py_ssize_t x_stride)

EXTENSION_ABI = 12


cdef struct Window:
    Py_ssize_t KH, KW, SH, SW, PH, PW, DH, DW


cdef inline Py_ssize_t _ceil_div_clamped(Py_ssize_t a, Py_ssize_t b, Py_ssize_t hi) noexcept nogil:
    """ceil(a / b) clamped to [0, hi] (b > 0)."""
    if a <= 0:
        return 0
    a = (a + b - 1) // b
    return a if a < hi else hi


cdef inline void _zero(floating* a, Py_ssize_t n) noexcept nogil:
    if n > 0:
        memset(a, 0, n * sizeof(floating))


cdef inline void _shifted_copy(const floating* x, floating* block, Py_ssize_t H, Py_ssize_t W,
                               Py_ssize_t OH, Py_ssize_t ih0, Py_ssize_t iw0, Py_ssize_t lo,
                               Py_ssize_t hi) noexcept nogil:
    """The (OH, W) block ``block[oh, ow] = x[oh + ih0, ow + iw0]`` (zero outside ``x``) of a
    stride-1 im2col whose output width is W: one contiguous copy, then the edge columns
    ``ow < lo`` and ``ow >= hi`` (where the copy wrapped around rows) are zeroed."""
    cdef Py_ssize_t first = _ceil_div_clamped(-ih0, 1, OH), end = _ceil_div_clamped(H - ih0, 1, OH)
    cdef Py_ssize_t start, count, a, b, oh
    _zero(block, first * W)
    _zero(block + end * W, (OH - end) * W)
    if end <= first:
        return
    start = (first + ih0) * W + iw0          # the flat source of block[first, 0]
    count = (end - first) * W
    a = start if start > 0 else 0            # clip the flat range to the plane
    b = start + count if start + count < H * W else H * W
    block += first * W
    _zero(block, a - start)
    memcpy(block + a - start, x + a, (b - a) * sizeof(floating))
    _zero(block + b - start, count - (b - start))
    if lo > 0 or hi < W:
        for oh in range(end - first):
            _zero(block + oh * W, lo)
            _zero(block + oh * W + hi, W - hi)


cdef inline void _gather_rows(Py_ssize_t rows, Py_ssize_t width, const floating* x,
                              Py_ssize_t x_stride, floating* col,
                              Py_ssize_t col_stride) noexcept nogil:
    if floating is float:
        gather_rows_f(rows, width, x, x_stride, col, col_stride)
    else:
        gather_rows_d(rows, width, x, x_stride, col, col_stride)


cdef inline void _scatter_add_rows(Py_ssize_t rows, Py_ssize_t width, const floating* col,
                                   Py_ssize_t col_stride, floating* x,
                                   Py_ssize_t x_stride) noexcept nogil:
    if floating is float:
        scatter_add_rows_f(rows, width, col, col_stride, x, x_stride)
    else:
        scatter_add_rows_d(rows, width, col, col_stride, x, x_stride)


cdef inline void _im2col_plane(const floating* x, floating* col, Py_ssize_t H, Py_ssize_t W,
                               Py_ssize_t OH, Py_ssize_t OW, Window k) noexcept nogil:
    """Columns (KH, KW, OH, OW) of one (H, W) plane; zero on padding."""
    cdef Py_ssize_t kh, kw, oh, ow, ih, iw0, first, end, lo, hi, reused
    cdef floating* block
    for kh in range(k.KH):
        for kw in range(k.KW):
            block = col + (kh * k.KW + kw) * OH * OW
            iw0 = kw * k.DW - k.PW
            lo = _ceil_div_clamped(-iw0, k.SW, OW)       # first ow with iw >= 0
            hi = _ceil_div_clamped(W - iw0, k.SW, OW)    # one past the last ow with iw < W
            if k.SH == 1 and k.SW == 1 and OW == W:
                _shifted_copy(x, block, H, W, OH, kh * k.DH - k.PH, iw0, lo, hi)
                continue
            reused = 0
            if k.SH == 1 and kh > 0 and k.DH < OH:
                # at vertical stride 1, row oh of window row kh is row oh + DH of window row
                # kh - 1: copied from the columns just written (short rows cost more to gather)
                reused = OH - k.DH
                memcpy(block, block - k.KW * OH * OW + k.DH * OW, reused * OW * sizeof(floating))
            # rows [first, end) read the input: ih = oh * SH - PH + kh * DH in [0, H)
            first = max(reused, _ceil_div_clamped(k.PH - kh * k.DH, k.SH, OH))
            end = max(first, _ceil_div_clamped(H + k.PH - kh * k.DH, k.SH, OH))
            _zero(block + reused * OW, (first - reused) * OW)
            _zero(block + end * OW, (OH - end) * OW)
            if lo > 0 or hi < OW:
                for oh in range(first, end):
                    _zero(block + oh * OW, lo)
                    _zero(block + oh * OW + hi, OW - hi)
            if end == first or hi == lo:
                continue
            ih = first * k.SH - k.PH + kh * k.DH
            if k.SW == 1:
                _gather_rows(end - first, hi - lo, x + ih * W + iw0 + lo, k.SH * W,
                             block + first * OW + lo, OW)
                continue
            for oh in range(end - first):
                for ow in range(lo, hi):
                    block[(first + oh) * OW + ow] = x[(ih + oh * k.SH) * W + iw0 + ow * k.SW]


cdef inline void _col2im_plane(const floating* col, floating* x, Py_ssize_t H, Py_ssize_t W,
                               Py_ssize_t OH, Py_ssize_t OW, Window k) noexcept nogil:
    """The plane ``x`` (H, W): the sum of the columns (KH, KW, OH, OW) that read each place."""
    cdef Py_ssize_t kh, kw, oh, ow, ih0, iw0, first, end, lo, hi
    cdef const floating* block
    _zero(x, H * W)
    for kh in range(k.KH):
        first = _ceil_div_clamped(k.PH - kh * k.DH, k.SH, OH)
        end = _ceil_div_clamped(H + k.PH - kh * k.DH, k.SH, OH)
        ih0 = first * k.SH - k.PH + kh * k.DH
        for kw in range(k.KW):
            block = col + (kh * k.KW + kw) * OH * OW
            iw0 = kw * k.DW - k.PW
            lo = _ceil_div_clamped(-iw0, k.SW, OW)
            hi = _ceil_div_clamped(W - iw0, k.SW, OW)
            if end == first or hi == lo:
                continue
            if k.SW == 1:
                _scatter_add_rows(end - first, hi - lo, block + first * OW + lo, OW,
                                  x + ih0 * W + iw0 + lo, k.SH * W)
                continue
            for oh in range(end - first):
                for ow in range(lo, hi):
                    x[(ih0 + oh * k.SH) * W + iw0 + ow * k.SW] += block[(first + oh) * OW + ow]


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
