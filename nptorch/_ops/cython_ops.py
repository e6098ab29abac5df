"""``CythonOps``: the compiled CPU twins of ``Ops``' convolution and pooling kernels.

Each method checks in Python everything the nogil kernel relies on (dtype, rank, sizes, window
arguments, index ranges), makes its inputs contiguous and allocates the outputs; dtypes other than
float32 and float64 go to the reference code.
"""
import numpy as np

from .. import _backend
from .cython_recurrent import CythonRecurrentOps
from .reference import Ops, adaptive_bounds, avg_divisor

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _check(condition, message):
    if not condition:
        raise ValueError(message)


def _check_window(name, win, dilated=True):
    _check(win.KH > 0 and win.KW > 0 and win.SH > 0 and win.SW > 0 and win.PH >= 0
           and win.PW >= 0 and win.DH > 0 and win.DW > 0 and (dilated or win.DH == win.DW == 1),
           f"{name}: invalid window {tuple(win)}")


def _check_4d(name, array):
    _check(array.ndim == 4, f"{name}: expected a 4-D array, got shape {array.shape}")


def _check_output_size(name, OH, OW):
    # the kernels clip every window to the input, so any size is memory-safe
    _check(OH >= 0 and OW >= 0, f"{name}: output size ({OH}, {OW}) must not be negative")


class CythonOps(CythonRecurrentOps, Ops):
    """Convolution and pooling kernels compiled with Cython (``nptorch._C.conv`` / ``pool``)."""

    def __init__(self):
        self._conv = _backend.load_extension("conv")
        self._pool = _backend.load_extension("pool")

    # -- convolution -----------------------------------------------------------------------
    def im2col(self, x, OH, OW, win):
        if x.dtype not in _FLOATS:
            return super().im2col(x, OH, OW, win)
        _check_4d("im2col", x)
        _check_window("im2col", win)
        N, C, H, W = x.shape
        _check_output_size("im2col", OH, OW)
        col = np.empty((N, C, win.KH, win.KW, OH, OW), x.dtype)
        self._conv.im2col(np.ascontiguousarray(x), col, win.SH, win.SW, win.PH, win.PW,
                          win.DH, win.DW)
        return col

    def col2im(self, col, H, W, win):
        if col.dtype not in _FLOATS:
            return super().col2im(col, H, W, win)
        _check(col.ndim == 6 and col.shape[2:4] == (win.KH, win.KW),
               f"col2im: expected columns (N, C, {win.KH}, {win.KW}, OH, OW), got {col.shape}")
        _check_window("col2im", win)
        _check(H > 0 and W > 0, f"col2im: invalid output size ({H}, {W})")
        _check_output_size("col2im", col.shape[4], col.shape[5])
        x = np.zeros(col.shape[:2] + (H, W), col.dtype)
        self._conv.col2im(np.ascontiguousarray(col), x, win.SH, win.SW, win.PH, win.PW,
                          win.DH, win.DW)
        return x

    # -- max pooling -----------------------------------------------------------------------
    def max_pool2d(self, x, OH, OW, win):
        if x.dtype not in _FLOATS:
            return super().max_pool2d(x, OH, OW, win)
        _check_4d("max_pool2d", x)
        _check_window("max_pool2d", win)
        N, C, H, W = x.shape
        _check_output_size("max_pool2d", OH, OW)
        y = np.empty((N, C, OH, OW), x.dtype)
        indices = np.empty((N, C, OH, OW), np.int64)
        self._pool.max_pool2d(np.ascontiguousarray(x), y, indices, win.KH, win.KW, win.SH,
                              win.SW, win.PH, win.PW, win.DH, win.DW)
        return y, indices

    def max_pool2d_backward(self, gy, indices, H, W):
        if gy.dtype not in _FLOATS:
            return super().max_pool2d_backward(gy, indices, H, W)
        _check_4d("max_pool2d_backward", gy)
        _check(indices.shape == gy.shape and indices.dtype == np.int64,
               f"max_pool2d_backward: indices {indices.shape} {indices.dtype} do not match {gy.shape}")
        _check(indices.size == 0 or (0 <= indices.min() and indices.max() < H * W),
               f"max_pool2d_backward: an index is outside the ({H}, {W}) plane")
        gx = np.zeros(gy.shape[:2] + (H, W), gy.dtype)
        self._pool.scatter_add_planes(np.ascontiguousarray(gy), np.ascontiguousarray(indices), gx)
        return gx

    def adaptive_max_pool2d(self, x, OH, OW):
        if x.dtype not in _FLOATS:
            return super().adaptive_max_pool2d(x, OH, OW)
        N, C, H, W = self._check_adaptive("adaptive_max_pool2d", x, OH, OW)
        y = np.empty((N, C, OH, OW), x.dtype)
        indices = np.empty((N, C, OH, OW), np.int64)
        self._pool.adaptive_max_pool2d(np.ascontiguousarray(x), y, indices,
                                       *self._bounds(H, W, OH, OW))
        return y, indices

    # -- average pooling -------------------------------------------------------------------
    def avg_pool2d(self, x, OH, OW, win, count_include_pad=True, divisor_override=None):
        if x.dtype not in _FLOATS:
            return super().avg_pool2d(x, OH, OW, win, count_include_pad, divisor_override)
        _check_4d("avg_pool2d", x)
        _check_window("avg_pool2d", win, dilated=False)
        N, C, H, W = x.shape
        _check_output_size("avg_pool2d", OH, OW)
        y = np.zeros((N, C, OH, OW), x.dtype)
        self._pool.sum_pool2d(np.ascontiguousarray(x), y, win.KH, win.KW, win.SH, win.SW,
                              win.PH, win.PW)
        y /= avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override).astype(x.dtype)
        return y

    def avg_pool2d_backward(self, gy, H, W, win, count_include_pad=True, divisor_override=None):
        if gy.dtype not in _FLOATS:
            return super().avg_pool2d_backward(gy, H, W, win, count_include_pad, divisor_override)
        _check_4d("avg_pool2d_backward", gy)
        _check_window("avg_pool2d_backward", win, dilated=False)
        N, C, OH, OW = gy.shape
        _check(H > 0 and W > 0, f"avg_pool2d_backward: invalid input size ({H}, {W})")
        _check_output_size("avg_pool2d_backward", OH, OW)
        g = gy / avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override
                             ).astype(gy.dtype)
        gx = np.zeros((N, C, H, W), gy.dtype)
        self._pool.sum_pool2d_backward(g, gx, win.KH, win.KW, win.SH, win.SW, win.PH, win.PW)
        return gx

    def adaptive_avg_pool2d(self, x, OH, OW):
        if x.dtype not in _FLOATS:
            return super().adaptive_avg_pool2d(x, OH, OW)
        N, C, H, W = self._check_adaptive("adaptive_avg_pool2d", x, OH, OW)
        y = np.empty((N, C, OH, OW), x.dtype)
        self._pool.adaptive_avg_pool2d(np.ascontiguousarray(x), y, *self._bounds(H, W, OH, OW))
        return y

    def adaptive_avg_pool2d_backward(self, gy, H, W):
        if gy.dtype not in _FLOATS:
            return super().adaptive_avg_pool2d_backward(gy, H, W)
        _check_4d("adaptive_avg_pool2d_backward", gy)
        N, C, OH, OW = gy.shape
        _check(H > 0 and W > 0 and OH > 0 and OW > 0,
               f"adaptive_avg_pool2d_backward: invalid sizes ({H}, {W}) -> ({OH}, {OW})")
        gx = np.zeros((N, C, H, W), gy.dtype)
        self._pool.adaptive_avg_pool2d_backward(np.ascontiguousarray(gy), gx,
                                                *self._bounds(H, W, OH, OW))
        return gx

    @staticmethod
    def _check_adaptive(name, x, OH, OW):
        _check_4d(name, x)
        _check(min(x.shape[2:]) > 0 and OH >= 0 and OW >= 0,
               f"{name}: invalid sizes {x.shape[2:]} -> ({OH}, {OW})")
        return x.shape

    @staticmethod
    def _bounds(H, W, OH, OW):
        hs, he = adaptive_bounds(H, OH)
        ws, we = adaptive_bounds(W, OW)
        return [b.astype(np.intp) for b in (hs, he, ws, we)]
