"""Convolution of images with few channels computed directly (``nptorch._C.direct_conv``):
im2col would write C*KH*KW column values per output place for a product that reads each of them
only O times, and on LeNet's first layer (1 -> 6 channels, 5x5) that traffic cost more than the
multiplications."""
import numpy as np

from . import checks
from .checks import FLOATS

# bytes of a vector in the compiled kernels: rows padded to whole vectors
_VECTOR_BYTES = 32


class DirectConvolution:
    """Mixin: ``conv2d`` and ``conv2d_weight`` computed directly for images of at most
    ``DIRECT_MAX_CHANNELS`` channels, output rows of at least ``DIRECT_MIN_WIDTH`` values, at
    stride 1, without dilation, in one group, float32 or float64; by the next class's methods
    otherwise. Images are split into one run per thread, each with its own scratch: a
    zero-padded image and, for the weight gradient, a padded output gradient (layouts in
    ``direct_conv.h``). The class supplies ``_direct``, the extension."""

    # Measured single-threaded against im2col: with 8 channels and 64 outputs the weight
    # gradient was slower; rows of 10 values fill 10 of 16 vector lanes, and both passes of a
    # 4 -> 16 channel 5x5 layer with such rows were slower.
    DIRECT_MAX_CHANNELS = 4
    DIRECT_MIN_WIDTH = 12

    def _direct_fits(self, x, other, win, groups, OW):
        return (x.ndim == other.ndim == 4 and groups == 1
                and x.shape[1] <= self.DIRECT_MAX_CHANNELS and OW >= self.DIRECT_MIN_WIDTH
                and (win.SH, win.SW, win.DH, win.DW) == (1, 1, 1, 1)
                and x.dtype in FLOATS and other.dtype == x.dtype)

    def _scratch(self, x, OH, OW, KH, KW):
        """``(pads, padded row length)``: one padded image per task."""
        N, C = x.shape[:2]
        lanes = _VECTOR_BYTES // x.itemsize
        row = -(-OW // lanes) * lanes
        tasks = max(1, min(N, self._direct.max_threads()))
        return np.empty((tasks, C, OH + KH - 1, row + KW - 1), x.dtype), row

    def _padded_outputs(self, O):
        block = self._direct.OUTPUT_BLOCK
        return -(-O // block) * block

    def conv2d(self, x, w, bias, OH, OW, win, groups):
        if not self._direct_fits(x, w, win, groups, OW):
            return super().conv2d(x, w, bias, OH, OW, win, groups)
        checks.conv2d(x, w, win, groups, OH, OW)
        checks.direct_output("conv2d", x, OH, OW, win)
        O = w.shape[0]
        y = np.empty((x.shape[0], O, OH, OW), x.dtype)
        if y.size == 0:
            return y
        Opad = self._padded_outputs(O)
        weight = np.zeros((Opad,) + w.shape[1:], x.dtype)
        weight[:O] = w
        padded_bias = np.zeros(Opad, x.dtype)
        if bias is not None:
            padded_bias[:O] = bias
        pads, _ = self._scratch(x, OH, OW, win.KH, win.KW)
        self._direct.conv2d(np.ascontiguousarray(x), weight, padded_bias, y, win.PH, win.PW,
                            pads)
        return y

    def conv2d_weight(self, x, gy, win, groups):
        if not self._direct_fits(x, gy, win, groups, gy.shape[-1]):
            return super().conv2d_weight(x, gy, win, groups)
        N, C, O, OH, OW = checks.conv2d_weight(x, gy, win, groups)
        checks.direct_output("conv2d_weight", x, OH, OW, win)
        Opad = self._padded_outputs(O)
        pads, row = self._scratch(x, OH, OW, win.KH, win.KW)
        tasks = len(pads)
        partial = np.zeros((tasks, Opad, C, win.KH, win.KW), x.dtype)
        if N and O and C:
            grads = np.zeros((tasks, Opad, OH, row), x.dtype)
            self._direct.conv2d_weight(np.ascontiguousarray(x), np.ascontiguousarray(gy),
                                       partial, win.PH, win.PW, pads, grads)
        return partial.sum(0)[:O]
