"""Winograd F(2x2, 3x3) tile transforms (their arithmetic is in winograd_tiles.h): the data
movement around the 16 matrix products of a 3x3, stride-1 convolution. Twins of
``nptorch._ops.reference.ArrayOps.winograd_input`` / ``winograd_output`` /
``winograd_output_adjoint``. Imports nothing from nptorch; every shape is
checked by ``nptorch._ops.cython_ops`` before these run.

Notation:
    N batch, C channels of a plane's array, TH TW tiles per column and row of a plane,
    T = N * TH * TW tiles, numbered t = (n * TH + th) * TW + tw.
    Tile (th, tw) reads the 4x4 input block at rows 2 th - PH + 0..3, columns 2 tw - PW + 0..3
    (zero outside the plane), and writes the 2x2 output block at rows 2 th + 0..1, columns
    2 tw + 0..1 (the parts inside OH x OW).
    Transformed tiles are laid out (16, C, T): entry xi = 4 a + b of every tile of one channel is
    a contiguous row, so that each xi is a (C, T) matrix for the products.
    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]: input tiles d -> B^T d B.
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]: product tiles m -> A^T m A (2x2).
"""
from cython cimport floating
from cython.parallel cimport prange

cdef extern from "winograd_tiles.h" nogil:
    void winograd_input_plane_f(const float *x, float *v, Py_ssize_t H, Py_ssize_t W,
                                Py_ssize_t TH, Py_ssize_t TW, Py_ssize_t PH, Py_ssize_t PW,
                                Py_ssize_t stride)
    void winograd_input_plane_d(const double *x, double *v, Py_ssize_t H, Py_ssize_t W,
                                Py_ssize_t TH, Py_ssize_t TW, Py_ssize_t PH, Py_ssize_t PW,
                                Py_ssize_t stride)
    void winograd_output_plane_f(const float *m, float *y, Py_ssize_t OH, Py_ssize_t OW,
                                 Py_ssize_t TH, Py_ssize_t TW, Py_ssize_t stride, float bias)
    void winograd_output_plane_d(const double *m, double *y, Py_ssize_t OH, Py_ssize_t OW,
                                 Py_ssize_t TH, Py_ssize_t TW, Py_ssize_t stride, double bias)
    void winograd_output_adjoint_plane_f(const float *g, float *v, Py_ssize_t OH, Py_ssize_t OW,
                                         Py_ssize_t TH, Py_ssize_t TW, Py_ssize_t stride)
    void winograd_output_adjoint_plane_d(const double *g, double *v, Py_ssize_t OH,
                                         Py_ssize_t OW, Py_ssize_t TH, Py_ssize_t TW,
                                         Py_ssize_t stride)

EXTENSION_ABI = 12


def winograd_input(const floating[:, :, :, ::1] x, floating[:, :, ::1] v, Py_ssize_t PH,
                   Py_ssize_t PW, Py_ssize_t TH, Py_ssize_t TW):
    """Fill ``v`` (16, C, N*TH*TW) with the transformed input tiles of ``x`` (N, C, H, W)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t T = N * TH * TW, nc
    cdef const floating* src
    cdef floating* dst
    if N * C == 0 or T == 0:
        return
    with nogil:
        for nc in prange(N * C, schedule="static"):
            src = &x[0, 0, 0, 0] + nc * H * W
            dst = &v[0, 0, 0] + (nc % C) * T + (nc // C) * TH * TW
            if floating is float:
                winograd_input_plane_f(src, dst, H, W, TH, TW, PH, PW, C * T)
            else:
                winograd_input_plane_d(src, dst, H, W, TH, TW, PH, PW, C * T)


def winograd_output(const floating[:, :, ::1] m, floating[:, :, :, ::1] y,
                    const floating[::1] bias, Py_ssize_t TH, Py_ssize_t TW):
    """Fill ``y`` (N, O, OH, OW) from the product tiles ``m`` (16, O, N*TH*TW), plus ``bias``
    (O,)."""
    cdef Py_ssize_t N = y.shape[0], O = y.shape[1], OH = y.shape[2], OW = y.shape[3]
    cdef Py_ssize_t T = N * TH * TW, no
    cdef const floating* src
    cdef floating* dst
    if N * O == 0 or OH * OW == 0:
        return
    with nogil:
        for no in prange(N * O, schedule="static"):
            src = &m[0, 0, 0] + (no % O) * T + (no // O) * TH * TW
            dst = &y[0, 0, 0, 0] + no * OH * OW
            if floating is float:
                winograd_output_plane_f(src, dst, OH, OW, TH, TW, O * T, bias[no % O])
            else:
                winograd_output_plane_d(src, dst, OH, OW, TH, TW, O * T, bias[no % O])


def winograd_output_adjoint(const floating[:, :, :, ::1] g, floating[:, :, ::1] v,
                            Py_ssize_t TH, Py_ssize_t TW):
    """Fill ``v`` (16, O, N*TH*TW) with the adjoint of ``winograd_output`` (without its bias)
    applied to ``g`` (N, O, OH, OW): the gradient of the product tiles."""
    cdef Py_ssize_t N = g.shape[0], O = g.shape[1], OH = g.shape[2], OW = g.shape[3]
    cdef Py_ssize_t T = N * TH * TW, no
    cdef const floating* src
    cdef floating* dst
    if N * O == 0 or T == 0:
        return
    with nogil:
        for no in prange(N * O, schedule="static"):
            src = &g[0, 0, 0, 0] + no * OH * OW
            dst = &v[0, 0, 0] + (no % O) * T + (no // O) * TH * TW
            if floating is float:
                winograd_output_adjoint_plane_f(src, dst, OH, OW, TH, TW, O * T)
            else:
                winograd_output_adjoint_plane_d(src, dst, OH, OW, TH, TW, O * T)
