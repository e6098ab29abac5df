"""Pooling Functions over the ``ops_for(device)`` kernels, for any number of spatial dims.

Average pooling is linear: forward and backward kernels form an adjoint pair (``LinearKernel``).
Max pooling's gradient scatters into the argmax places (``ScatterPlanes``), whose own gradient
gathers from them, so second derivatives work too.
"""
from .._tensor import Tensor
from ._utils import BuiltinFunction
from .conv import LinearKernel, kernel


class AvgPool(LinearKernel):
    """Args ``(out, window, count_include_pad, divisor_override)``."""

    kernel = "avg_pool{}"


class AvgPoolBackward(LinearKernel):
    kernel = "avg_pool{}_backward"


class AdaptiveAvgPool(LinearKernel):
    """Args ``(out,)``."""

    kernel = "adaptive_avg_pool{}"


class AdaptiveAvgPoolBackward(LinearKernel):
    kernel = "adaptive_avg_pool{}_backward"


AvgPool.adjoint, AvgPoolBackward.adjoint = AvgPoolBackward, AvgPool
AdaptiveAvgPool.adjoint, AdaptiveAvgPoolBackward.adjoint = (AdaptiveAvgPoolBackward,
                                                            AdaptiveAvgPool)


class ScatterPlanes(BuiltinFunction):
    """``(N, C, *out)`` values added at plane positions ``indices`` of an ``(N, C, *size)`` zero
    array: max pooling's gradient."""

    @staticmethod
    def forward(ctx, g, indices, size):
        ctx.indices = indices
        return kernel("max_pool{}_backward", (g._data, indices._data), size)

    @staticmethod
    def backward(ctx, ggx):
        idx = ctx.indices
        N, C = idx.shape[:2]
        flat = ggx.reshape(N, C, -1).gather(2, idx.reshape(N, C, -1))
        return flat.reshape(idx.shape), None, None


class _MaxPool(BuiltinFunction):
    """Maximum values and their plane indices; ``kernel`` names the ops method."""

    kernel = None

    @classmethod
    def forward(cls, ctx, x, out, *rest):
        y, indices = kernel(cls.kernel, (x._data,), out, *rest)
        indices = Tensor._make(indices)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)  # no zero array for the indices' gradient
        ctx.indices, ctx.size = indices, x._data.shape[2:]
        return y, indices

    @classmethod
    def backward(cls, ctx, gy, _):
        return (ScatterPlanes.apply(gy, ctx.indices, ctx.size),) + (None,) * (
            len(ctx.needs_input_grad) - 1)


class MaxPool(_MaxPool):
    """Args ``(out, window)``."""

    kernel = "max_pool{}"


class AdaptiveMaxPool(_MaxPool):
    """Args ``(out,)``."""

    kernel = "adaptive_max_pool{}"
