"""``CythonOps``: the compiled CPU twins of ``Ops``' convolution, pooling, ReLU and batch-norm
kernels.

Each method checks in Python everything the nogil kernel relies on (dtype, rank, sizes, window
arguments, index ranges), makes its inputs contiguous and allocates the outputs; dtypes other than
float32 and float64 go to the reference code.
"""
import numpy as np

from .. import _backend
from . import checks
from .checks import FLOATS
from .chunked_conv import ChunkedConvolution, flipped_kernel
from .direct_conv import DirectConvolution
from .cython_recurrent import CythonRecurrentOps
from .reference import ArrayOps, adaptive_bounds, avg_divisor
from .winograd import WinogradConvolution


class _SameConvolutionInputGradient:
    """Mixin: the input gradient of a stride-1 "same" convolution with C >= O as the same
    convolution of gy with the flipped, transposed weight; its matmul has the inner dimension
    O/groups*KH*KW instead of O/groups, which pays while C >= O (up to 20% here). Where the
    sizes differ it would compute on padding (4x slower on LeNet's 6->16 5x5 layer)."""

    def conv2d_input(self, gy, w, H, W, win, groups):
        if gy.dtype not in FLOATS or w.dtype != gy.dtype:
            return super().conv2d_input(gy, w, H, W, win, groups)
        N, O, OH, OW, C = checks.conv2d_input(gy, w, H, W, win, groups)
        if win.SH == win.SW == 1 and (OH, OW) == (H, W) and C >= O:
            return self.conv2d(gy, flipped_kernel(w, groups), None, H, W, win, groups)
        return self._input_grad_by_columns(gy, w, H, W, win, groups, (N, O, OH, OW, C))


class CythonOps(DirectConvolution, WinogradConvolution, _SameConvolutionInputGradient,
                ChunkedConvolution, CythonRecurrentOps, ArrayOps):
    """Convolution, pooling, ReLU and batch-norm kernels compiled with Cython
    (``nptorch._C.conv``, ``direct_conv``, ``winograd``, ``pool``, ``pointwise``,
    ``batchnorm``)."""

    def __init__(self):
        self._conv = _backend.load_extension("conv")
        self._direct = _backend.load_extension("direct_conv")
        self._winograd = _backend.load_extension("winograd")
        self._pool = _backend.load_extension("pool")
        self._bn = _backend.load_extension("batchnorm")
        self._pointwise = _backend.load_extension("pointwise")

    # -- convolution -----------------------------------------------------------------------
    # Convolution runs im2col on a few images at a time into one reused buffer, then NumPy's
    # matmul while the columns are still in cache. The columns of the whole batch are never held: backward recomputes them instead of
    # saving them. 3x3 stride-1 convolutions take Winograd's transforms instead, chunked alike.
    CHUNK_BYTES = 1 << 22

    def _im2col(self, x, col, win):
        self._conv.im2col(x, col, *win[2:])

    def _col2im(self, col, x, win):
        self._conv.col2im(col, x, *win[2:])

    def winograd_input(self, x, v, PH, PW, TH, TW):
        checks.winograd_tiles("winograd_input", x, v, TH, TW)
        self._winograd.winograd_input(np.ascontiguousarray(x), v, PH, PW, TH, TW)

    def winograd_output(self, m, y, bias, TH, TW):
        checks.winograd_output(m, y, bias, TH, TW)
        self._winograd.winograd_output(np.ascontiguousarray(m), y, np.ascontiguousarray(bias),
                                       TH, TW)

    def winograd_output_adjoint(self, g, v, TH, TW):
        checks.winograd_output_adjoint(g, v, TH, TW)
        self._winograd.winograd_output_adjoint(np.ascontiguousarray(g), v, TH, TW)

    # -- max pooling -----------------------------------------------------------------------
    def max_pool2d(self, x, OH, OW, win):
        if x.dtype not in FLOATS:
            return super().max_pool2d(x, OH, OW, win)
        N, C, H, W = checks.windowed("max_pool2d", x, OH, OW, win)
        y = np.empty((N, C, OH, OW), x.dtype)
        indices = np.empty((N, C, OH, OW), np.int64)
        self._pool.max_pool2d(np.ascontiguousarray(x), y, indices, win.KH, win.KW, win.SH,
                              win.SW, win.PH, win.PW, win.DH, win.DW)
        return y, indices

    def max_pool2d_backward(self, gy, indices, H, W):
        if gy.dtype not in FLOATS:
            return super().max_pool2d_backward(gy, indices, H, W)
        checks.max_pool2d_backward(gy, indices, H, W)
        gx = np.zeros(gy.shape[:2] + (H, W), gy.dtype)
        self._pool.scatter_add_planes(np.ascontiguousarray(gy), np.ascontiguousarray(indices), gx)
        return gx

    def adaptive_max_pool2d(self, x, OH, OW):
        if x.dtype not in FLOATS:
            return super().adaptive_max_pool2d(x, OH, OW)
        N, C, H, W = checks.adaptive("adaptive_max_pool2d", x, OH, OW)
        y = np.empty((N, C, OH, OW), x.dtype)
        indices = np.empty((N, C, OH, OW), np.int64)
        self._pool.adaptive_max_pool2d(np.ascontiguousarray(x), y, indices,
                                       *self._bounds(H, W, OH, OW))
        return y, indices

    # -- average pooling -------------------------------------------------------------------
    def avg_pool2d(self, x, OH, OW, win, count_include_pad=True, divisor_override=None):
        if x.dtype not in FLOATS:
            return super().avg_pool2d(x, OH, OW, win, count_include_pad, divisor_override)
        N, C, H, W = checks.windowed("avg_pool2d", x, OH, OW, win, dilated=False)
        y = np.zeros((N, C, OH, OW), x.dtype)
        self._pool.sum_pool2d(np.ascontiguousarray(x), y, win.KH, win.KW, win.SH, win.SW,
                              win.PH, win.PW)
        y /= avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override).astype(x.dtype)
        return y

    def avg_pool2d_backward(self, gy, H, W, win, count_include_pad=True, divisor_override=None):
        if gy.dtype not in FLOATS:
            return super().avg_pool2d_backward(gy, H, W, win, count_include_pad, divisor_override)
        N, C, OH, OW = checks.avg_pool2d_backward(gy, H, W, win)
        g = gy / avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override
                             ).astype(gy.dtype)
        gx = np.zeros((N, C, H, W), gy.dtype)
        self._pool.sum_pool2d_backward(g, gx, win.KH, win.KW, win.SH, win.SW, win.PH, win.PW)
        return gx

    def adaptive_avg_pool2d(self, x, OH, OW):
        if x.dtype not in FLOATS:
            return super().adaptive_avg_pool2d(x, OH, OW)
        N, C, H, W = checks.adaptive("adaptive_avg_pool2d", x, OH, OW)
        y = np.empty((N, C, OH, OW), x.dtype)
        self._pool.adaptive_avg_pool2d(np.ascontiguousarray(x), y, *self._bounds(H, W, OH, OW))
        return y

    def adaptive_avg_pool2d_backward(self, gy, H, W):
        if gy.dtype not in FLOATS:
            return super().adaptive_avg_pool2d_backward(gy, H, W)
        N, C, OH, OW = checks.adaptive_backward("adaptive_avg_pool2d_backward", gy, H, W)
        gx = np.zeros((N, C, H, W), gy.dtype)
        self._pool.adaptive_avg_pool2d_backward(np.ascontiguousarray(gy), gx,
                                                *self._bounds(H, W, OH, OW))
        return gx

    @staticmethod
    def _bounds(H, W, OH, OW):
        hs, he = adaptive_bounds(H, OH)
        ws, we = adaptive_bounds(W, OW)
        return [b.astype(np.intp) for b in (hs, he, ws, we)]

    # -- activation ------------------------------------------------------------------------
    def relu(self, x):
        if x.dtype not in FLOATS or not x.flags.c_contiguous:  # keeps a strided input's layout
            return super().relu(x)
        y = np.empty(x.shape, x.dtype)
        self._pointwise.relu(x.reshape(-1), y.reshape(-1))
        return y

    def relu_backward(self, gy, y):
        if y.dtype not in FLOATS or gy.dtype != y.dtype or gy.shape != y.shape or not y.size:
            return super().relu_backward(gy, y)
        gx = np.empty(y.shape, y.dtype)
        g = gy.reshape(-1)  # a view where it can be: one broadcast value keeps stride 0
        if g.size and g.strides[0] not in (0, g.itemsize):
            g = np.ascontiguousarray(g)
        self._pointwise.relu_backward(g, np.ascontiguousarray(y).reshape(-1), gx.reshape(-1))
        return gx

    def add_scaled(self, dst, src, alpha):
        if (dst.dtype not in FLOATS or src.dtype != dst.dtype or src.shape != dst.shape
                or not (dst.flags.c_contiguous and src.flags.c_contiguous)
                or np.may_share_memory(dst, src)):
            return super().add_scaled(dst, src, alpha)
        self._pointwise.add_scaled(dst.reshape(-1), src.reshape(-1), alpha)

    def adam_update(self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, beta2,
                    step_size, bias_correction2_sqrt, eps):
        arrays = [a for a in (param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq) if a is not None]
        if (param.dtype not in FLOATS
                or any(a.dtype != param.dtype or a.shape != param.shape
                       or not a.flags.c_contiguous for a in arrays)
                or any(np.may_share_memory(a, b) for i, a in enumerate(arrays)
                       for b in arrays[i + 1:])):
            return super().adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1,
                                       beta2, step_size, bias_correction2_sqrt, eps)
        flat = [a.reshape(-1) for a in arrays]
        if max_exp_avg_sq is None:
            flat.append(None)
        self._pointwise.adam_update(*flat, beta1, beta2, step_size, bias_correction2_sqrt, eps)

    # -- batch normalization ---------------------------------------------------------------
    # The kernels run along rows of S values; shorter rows (BatchNorm1d's S = 1) are faster in
    # NumPy's reductions over the batch axis.
    MIN_ROW = 16

    def _per_channel(self, x, axes, *affine):
        """Whether the batch-norm kernels apply: a float (N, C, S >= MIN_ROW) input with
        statistics over (0, 2) and a per-channel affine (shape (1, C, 1), or None) of its dtype."""
        return (x.dtype in FLOATS and x.ndim == 3 and axes == (0, 2) and x.size > 0
                and x.shape[2] >= self.MIN_ROW
                and all(a is None or (a.shape == (1, x.shape[1], 1) and a.dtype == x.dtype)
                        for a in affine))

    @staticmethod
    def _channels(a, C, dtype, fill):
        return np.full(C, fill, dtype) if a is None else np.ascontiguousarray(a).reshape(C)

    def normalize(self, x, w, b, axes, eps):
        if not self._per_channel(x, axes, w, b):
            return super().normalize(x, w, b, axes, eps)
        C = x.shape[1]
        y = np.empty(x.shape, x.dtype)
        mean, var, invstd = np.empty((3, C), x.dtype)
        self._bn.batch_norm_forward(np.ascontiguousarray(x), self._channels(w, C, x.dtype, 1),
                                    self._channels(b, C, x.dtype, 0), eps, y, mean, var, invstd,
                                    np.empty((C, 4)))
        return (y,) + tuple(s.reshape(1, C, 1) for s in (mean, var, invstd))

    def normalize_backward(self, gy, x, w, b_shape, mean, invstd, axes, needs):
        C = x.shape[1] if x.ndim == 3 else 0
        if not (self._per_channel(x, axes, w, mean, invstd) and b_shape in (None, (1, C, 1))
                and gy.shape == x.shape and gy.dtype == x.dtype):
            return super().normalize_backward(gy, x, w, b_shape, mean, invstd, axes, needs)
        gx = np.empty(x.shape, x.dtype) if needs[0] else None
        sum_g, sum_gxhat = np.empty((2, C), x.dtype)
        self._bn.batch_norm_backward(np.ascontiguousarray(gy), np.ascontiguousarray(x),
                                     np.ascontiguousarray(mean).reshape(C),
                                     np.ascontiguousarray(invstd).reshape(C),
                                     self._channels(w, C, x.dtype, 1), gx, sum_g, sum_gxhat,
                                     np.empty((C, 4)))
        return (gx, sum_gxhat.reshape(1, C, 1) if needs[1] else None,
                sum_g.reshape(1, C, 1) if needs[2] else None)
