"""Pooling Functions over the ``ops_for(device)`` kernels.

Average pooling is linear: forward and backward kernels form an adjoint pair (``LinearKernel``).
Max pooling's gradient scatters into the argmax places (``ScatterPlanes``), whose own gradient
gathers from them, so second derivatives work too.
"""
from .._device import device_of
from .._ops import ops_for
from .._tensor import Tensor
from ._utils import BuiltinFunction
from .conv import LinearKernel


class AvgPool2d(LinearKernel):
    """Args ``(OH, OW, window, count_include_pad, divisor_override)``."""

    kernel = "avg_pool2d"


class AvgPool2dBackward(LinearKernel):
    kernel = "avg_pool2d_backward"


class AdaptiveAvgPool2d(LinearKernel):
    """Args ``(OH, OW)``."""

    kernel = "adaptive_avg_pool2d"


class AdaptiveAvgPool2dBackward(LinearKernel):
    kernel = "adaptive_avg_pool2d_backward"


AvgPool2d.adjoint, AvgPool2dBackward.adjoint = AvgPool2dBackward, AvgPool2d
AdaptiveAvgPool2d.adjoint, AdaptiveAvgPool2dBackward.adjoint = (AdaptiveAvgPool2dBackward,
                                                                AdaptiveAvgPool2d)


class ScatterPlanes(BuiltinFunction):
    """``(N, C, OH, OW)`` values added at plane positions ``indices`` of an ``(N, C, H, W)`` zero
    array: max pooling's gradient, and max_unpool."""

    @staticmethod
    def forward(ctx, g, indices, H, W):
        ctx.indices = indices
        return ops_for(device_of(g._data)).max_pool2d_backward(g._data, indices._data, H, W)

    @staticmethod
    def backward(ctx, ggx):
        idx = ctx.indices
        N, C = idx.shape[:2]
        flat = ggx.reshape(N, C, -1).gather(2, idx.reshape(N, C, -1))
        return flat.reshape(idx.shape), None, None, None


class _MaxPool(BuiltinFunction):
    """Maximum values and their plane indices; ``kernel`` names the ops method."""

    kernel = None

    @classmethod
    def forward(cls, ctx, x, *args):
        y, indices = getattr(ops_for(device_of(x._data)), cls.kernel)(x._data, *args)
        indices = Tensor._make(indices)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)  # no zero array for the indices' gradient
        ctx.indices, ctx.size = indices, x._data.shape[2:]
        return y, indices

    @classmethod
    def backward(cls, ctx, gy, _):
        return (ScatterPlanes.apply(gy, ctx.indices, *ctx.size),) + (None,) * (
            len(ctx.needs_input_grad) - 1)


class MaxPool2d(_MaxPool):
    """Args ``(OH, OW, window)``."""

    kernel = "max_pool2d"


class AdaptiveMaxPool2d(_MaxPool):
    """Args ``(OH, OW)``."""

    kernel = "adaptive_max_pool2d"
