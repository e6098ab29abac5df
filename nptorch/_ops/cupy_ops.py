"""``CupyOps``: the CUDA twins of ``CythonOps``' and ``CythonRecurrentOps``' kernels, on CuPy
arrays.

Each method checks what its kernel relies on, with the checks (and messages) of the CPU twins,
makes its inputs contiguous, allocates the outputs and launches a kernel of
``nptorch._ops.cuda`` (compiled on first use); matrix products go to cuBLAS through
``cupy.matmul``. Dtypes other than float32 and float64 go to the reference code, which runs on
CuPy arrays as it is.
"""
import contextlib
import functools

import numpy as np

from .. import _compat, backends
from . import checks
from .checks import FLOATS
from .chunked_conv import ChunkedConvolution
from .cuda import launch, launch_rows
from .reference import ArrayOps


@functools.cache
def _relu_backward_kernel():
    # one pass instead of the reference's comparison and selection
    return _compat.cupy.ElementwiseKernel("T gy, T y", "T gx", "gx = y > 0 ? gy : (T)0",
                                          "nptorch_relu_backward")


@contextlib.contextmanager
def _tf32_products():
    """cuBLAS float32 products on TensorFloat-32 tensor cores within the block (CuPy applies
    this to 2-D products, not to batched ones)."""
    linalg = _compat.cupy._core._routines_linalg
    float32 = np.dtype(np.float32)
    previous = linalg.get_compute_type(float32)
    linalg.set_compute_type(float32, linalg.COMPUTE_TYPE_TF32)
    try:
        yield
    finally:
        linalg.set_compute_type(float32, previous)


def _column_layout(x, col):
    """``(N, C, H, W, strides of col's first four axes in elements)``, after checking that an
    image plane and a column row (OH * OW) have fewer than 2**31 elements, which the kernels
    index with 32-bit integers."""
    N, C, H, W = x.shape
    if max(H * W, col.shape[-2] * col.shape[-1]) >= 2 ** 31:
        raise ValueError(f"convolution on CUDA: planes of {H}x{W} (output "
                         f"{col.shape[-2]}x{col.shape[-1]}) exceed 2**31 - 1 elements")
    return N, C, H, W, [s // col.itemsize for s in col.strides[:4]]


def _by_image(col):
    """Columns (C, KH, KW, N, OH, OW) as the kernels index them: (N, C, KH, KW, OH, OW)."""
    return col.transpose(3, 0, 1, 2, 4, 5)


class CupyOps(ChunkedConvolution, ArrayOps):
    """Convolution, pooling, ReLU and LSTM/GRU kernels in CUDA (``nptorch/_ops/cuda/*.cu``)."""

    # Columns of at most this many bytes are formed at once (ChunkedConvolution).
    CHUNK_BYTES = 1 << 29

    def __init__(self):
        self.xp = _compat.cupy

    # -- convolution -----------------------------------------------------------------------
    # Without groups, the columns of a chunk of B images are laid out (C*KH*KW, B*OH*OW): one
    # 2-D product per chunk for each pass, which cuBLAS runs faster than B batched ones, and in
    # TF32, as PyTorch's convolutions, unless backends.cudnn.allow_tf32 is off (CuPy runs
    # batched products in full float32 only). Grouped convolutions take ChunkedConvolution's
    # batched products.
    def _im2col(self, x, col, win):
        N, C, H, W, strides = _column_layout(x, col)
        launch_rows("im2col", x.dtype, N * C * win.KH * win.KW, x, col, N, C, H, W, win.KH,
                    win.KW, *col.shape[4:], *win[2:], *strides)

    def _col2im(self, col, x, win):
        N, C, H, W, strides = _column_layout(x, col)
        launch_rows("col2im", x.dtype, N * C, col, x, N, C, H, W, win.KH, win.KW,
                    *col.shape[4:], *win[2:], *strides)

    def _product(self, a, b, out=None):
        """``a @ b`` of 2-D arrays, in TF32 for float32 while backends.cudnn.allow_tf32 is on."""
        if a.dtype == np.float32 and backends.cudnn.allow_tf32:
            with _tf32_products():
                return self.xp.matmul(a, b, out=out)
        return self.xp.matmul(a, b, out=out)

    def _wide_columns(self, N, C, OH, OW, KH, KW, dtype):
        """``(images, col (C, KH, KW, B, OH, OW))`` for chunks of B of the N images: views of
        one buffer."""
        B = self._chunk(N, C * KH * KW * OH * OW * dtype.itemsize)
        buffer = self.xp.empty(C * KH * KW * B * OH * OW, dtype)
        for n in range(0, N, B):
            b = min(B, N - n)
            yield slice(n, n + b), buffer[:C * KH * KW * b * OH * OW].reshape(C, KH, KW, b, OH,
                                                                                OW)

    def _wide_im2col(self, x, OH, OW, win):
        """``(images, columns (C*KH*KW, B*OH*OW))`` of chunks of the images of ``x``."""
        N, C = x.shape[:2]
        for images, col in self._wide_columns(N, C, OH, OW, win.KH, win.KW, x.dtype):
            self._im2col(x[images], _by_image(col), win)
            yield images, col.reshape(C * win.KH * win.KW, -1)

    def _channels_first(self, a):
        """``a`` (B, C, OH, OW) as a (C, B*OH*OW) matrix."""
        return self.xp.ascontiguousarray(a.swapaxes(0, 1)).reshape(a.shape[1], -1)

    def conv2d(self, x, w, bias, OH, OW, win, groups):
        if groups != 1 or x.dtype not in FLOATS or w.dtype != x.dtype:
            return super().conv2d(x, w, bias, OH, OW, win, groups)
        checks.conv2d(x, w, win, groups, OH, OW)
        xp = self.xp
        x = xp.ascontiguousarray(x)
        N, O = x.shape[0], w.shape[0]
        y = xp.empty((N, O, OH, OW), x.dtype)
        w2 = xp.ascontiguousarray(w).reshape(O, -1)
        for images, col in self._wide_im2col(x, OH, OW, win):
            product = self._product(w2, col).reshape(O, -1, OH, OW).swapaxes(0, 1)
            if bias is None:
                y[images] = product
            else:
                xp.add(product, bias.reshape(O, 1, 1), out=y[images])
        return y

    def _input_grad_by_columns(self, gy, w, H, W, win, groups, sizes):
        if groups != 1:
            return super()._input_grad_by_columns(gy, w, H, W, win, groups, sizes)
        N, O, OH, OW, C = sizes
        xp = self.xp
        gx = xp.empty((N, C, H, W), gy.dtype)
        wt = xp.ascontiguousarray(w).reshape(O, -1).T
        for images, col in self._wide_columns(N, C, OH, OW, *w.shape[2:], gy.dtype):
            self._product(wt, self._channels_first(gy[images]), out=col.reshape(len(wt), -1))
            self._col2im(_by_image(col), gx[images], win)
        return gx

    def conv2d_weight(self, x, gy, win, groups):
        if groups != 1 or x.dtype not in FLOATS or gy.dtype != x.dtype:
            return super().conv2d_weight(x, gy, win, groups)
        N, C, O, OH, OW = checks.conv2d_weight(x, gy, win, groups)
        xp = self.xp
        gw = xp.zeros((O, C * win.KH * win.KW), x.dtype)
        for images, col in self._wide_im2col(xp.ascontiguousarray(x), OH, OW, win):
            gw += self._product(self._channels_first(gy[images]), col.T)
        return gw.reshape(O, C, win.KH, win.KW)

    # -- max pooling -----------------------------------------------------------------------
    def max_pool2d(self, x, OH, OW, win):
        if x.dtype not in FLOATS:
            return super().max_pool2d(x, OH, OW, win)
        N, C, H, W = checks.windowed("max_pool2d", x, OH, OW, win)
        y = self.xp.empty((N, C, OH, OW), x.dtype)
        indices = self.xp.empty((N, C, OH, OW), np.int64)
        launch("max_pool2d", x.dtype, y.size, self.xp.ascontiguousarray(x), y, indices, N * C, H,
               W, OH, OW, *win)
        return y, indices

    def max_pool2d_backward(self, gy, indices, H, W):
        if gy.dtype not in FLOATS:
            return super().max_pool2d_backward(gy, indices, H, W)
        N, C, OH, OW = checks.max_pool2d_backward(gy, indices, H, W)
        gx = self.xp.zeros((N, C, H, W), gy.dtype)
        launch("scatter_add_planes", gy.dtype, gy.size, self.xp.ascontiguousarray(gy),
               self.xp.ascontiguousarray(indices), gx, N * C, OH * OW, H * W)
        return gx

    def adaptive_max_pool2d(self, x, OH, OW):
        if x.dtype not in FLOATS:
            return super().adaptive_max_pool2d(x, OH, OW)
        N, C, H, W = checks.adaptive("adaptive_max_pool2d", x, OH, OW)
        y = self.xp.empty((N, C, OH, OW), x.dtype)
        indices = self.xp.empty((N, C, OH, OW), np.int64)
        launch("adaptive_max_pool2d", x.dtype, y.size, self.xp.ascontiguousarray(x), y, indices,
               N * C, H, W, OH, OW)
        return y, indices

    # -- average pooling -------------------------------------------------------------------
    @staticmethod
    def _divisor_args(win, count_include_pad, divisor_override):
        """The kernels' (KH, KW, SH, SW, PH, PW, include_pad, divisor): a divisor of 0.0 means
        PyTorch's count of window places (see ``reference.avg_divisor``)."""
        return (*win[:6], int(bool(count_include_pad)),
                float(divisor_override) if divisor_override else 0.0)

    def avg_pool2d(self, x, OH, OW, win, count_include_pad=True, divisor_override=None):
        if x.dtype not in FLOATS:
            return super().avg_pool2d(x, OH, OW, win, count_include_pad, divisor_override)
        N, C, H, W = checks.windowed("avg_pool2d", x, OH, OW, win, dilated=False)
        y = self.xp.empty((N, C, OH, OW), x.dtype)
        launch("avg_pool2d", x.dtype, y.size, self.xp.ascontiguousarray(x), y, N * C, H, W, OH,
               OW, *self._divisor_args(win, count_include_pad, divisor_override))
        return y

    def avg_pool2d_backward(self, gy, H, W, win, count_include_pad=True, divisor_override=None):
        if gy.dtype not in FLOATS:
            return super().avg_pool2d_backward(gy, H, W, win, count_include_pad, divisor_override)
        N, C, OH, OW = checks.avg_pool2d_backward(gy, H, W, win)
        gx = self.xp.empty((N, C, H, W), gy.dtype)
        launch("avg_pool2d_backward", gy.dtype, gx.size, self.xp.ascontiguousarray(gy), gx,
               N * C, H, W, OH, OW, *self._divisor_args(win, count_include_pad, divisor_override))
        return gx

    def adaptive_avg_pool2d(self, x, OH, OW):
        if x.dtype not in FLOATS:
            return super().adaptive_avg_pool2d(x, OH, OW)
        N, C, H, W = checks.adaptive("adaptive_avg_pool2d", x, OH, OW)
        y = self.xp.empty((N, C, OH, OW), x.dtype)
        launch("adaptive_avg_pool2d", x.dtype, y.size, self.xp.ascontiguousarray(x), y, N * C,
               H, W, OH, OW)
        return y

    def adaptive_avg_pool2d_backward(self, gy, H, W):
        if gy.dtype not in FLOATS:
            return super().adaptive_avg_pool2d_backward(gy, H, W)
        N, C, OH, OW = checks.adaptive_backward("adaptive_avg_pool2d_backward", gy, H, W)
        gx = self.xp.empty((N, C, H, W), gy.dtype)
        launch("adaptive_avg_pool2d_backward", gy.dtype, gx.size, self.xp.ascontiguousarray(gy),
               gx, N * C, H, W, OH, OW)
        return gx

    # -- activation ------------------------------------------------------------------------
    # relu itself stays the reference's cupy.maximum(x, 0), already one elementwise kernel
    def relu_backward(self, gy, y):
        if y.dtype not in FLOATS or gy.dtype != y.dtype or gy.shape != y.shape:
            return super().relu_backward(gy, y)
        return _relu_backward_kernel()(gy, y)

    # -- LSTM / GRU ------------------------------------------------------------------------
    # One cuBLAS product and one fused gate kernel per time step, both on step t's contiguous
    # (B, features) blocks.
    def lstm_recurrence(self, xw, w_hh, h0, c0):
        if xw.dtype not in FLOATS:
            return super().lstm_recurrence(xw, w_hh, h0, c0)
        T, B, G, H = checks.lstm_recurrence(xw, w_hh, h0, c0)
        cp = self.xp
        hs = cp.empty((T + 1, B, H), xw.dtype)
        cs = cp.empty_like(hs)
        hs[0], cs[0] = h0, c0
        gates = cp.ascontiguousarray(xw)
        w_t = cp.ascontiguousarray(w_hh).T
        hh = cp.empty((B, G), xw.dtype)
        for t in range(T):
            cp.matmul(hs[t], w_t, out=hh)
            launch("lstm_forward_step", xw.dtype, B * H, gates, hh, cs, hs, t, B, H)
        return hs, cs, gates

    def lstm_recurrence_backward(self, gates, cs, w_hh, dhs, dcs, dh, dc, h0_grad=True):
        if gates.dtype not in FLOATS:
            return super().lstm_recurrence_backward(gates, cs, w_hh, dhs, dcs, dh, dc, h0_grad)
        T, B, G, H = checks.lstm_recurrence_backward(gates, cs, w_hh, dhs, dcs, dh, dc)
        cp = self.xp
        dh, dc = cp.array(dh, order="C"), cp.array(dc, order="C")  # updated in place
        gates, cs, dhs, dcs = (cp.ascontiguousarray(a) for a in (gates, cs, dhs, dcs))
        w = cp.ascontiguousarray(w_hh)
        dgates = cp.empty(gates.shape, gates.dtype)
        for t in range(T - 1, -1, -1):
            launch("lstm_backward_step", gates.dtype, B * H, gates, cs, dhs, dcs, dh, dc, dgates,
                   t, B, H)
            if t or h0_grad:
                cp.matmul(dgates[t], w, out=dh)
        return dgates, dh if h0_grad else None, dc

    def gru_forward(self, xw, w_hh, b_hn, h0):
        if xw.dtype not in FLOATS:
            return super().gru_forward(xw, w_hh, b_hn, h0)
        T, B, G, H = checks.gru_forward(xw, w_hh, b_hn, h0)
        cp = self.xp
        hs = cp.empty((T + 1, B, H), xw.dtype)
        hn = cp.empty((T, B, H), xw.dtype)
        hs[0] = h0
        gates = cp.ascontiguousarray(xw)
        w_t, b_hn = cp.ascontiguousarray(w_hh).T, cp.ascontiguousarray(b_hn)
        hh = cp.empty((B, G), xw.dtype)
        for t in range(T):
            cp.matmul(hs[t], w_t, out=hh)
            launch("gru_forward_step", xw.dtype, B * H, gates, hh, b_hn, hs, hn, t, B, H)
        return hs, gates, hn

    def gru_backward(self, gates, hn, hs, w_hh, dhs, dh, h0_grad=True):
        if gates.dtype not in FLOATS:
            return super().gru_backward(gates, hn, hs, w_hh, dhs, dh, h0_grad)
        T, B, G, H = checks.gru_backward(gates, hn, hs, w_hh, dhs, dh)
        cp = self.xp
        gates, hn, hs, dhs = (cp.ascontiguousarray(a) for a in (gates, hn, hs, dhs))
        w = cp.ascontiguousarray(w_hh)
        # the gradient of h after a step is dhz (its direct path) + dhw (through w_hh)
        dhz = cp.array(dh, order="C")
        dhw = cp.zeros_like(dhz)
        dgx = cp.empty(gates.shape, gates.dtype)
        dgh = cp.empty(gates.shape, gates.dtype)
        for t in range(T - 1, -1, -1):
            launch("gru_backward_step", gates.dtype, B * H, gates, hn, hs, dhs, dhz, dhw, dgx,
                   dgh, t, B, H)
            if t or h0_grad:
                cp.matmul(dgh[t], w, out=dhw)
        return dgx, dgh, dhz + dhw if h0_grad else None
