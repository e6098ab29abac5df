"""Normalization over some axes of the input with an optional affine: the one Function behind
batch_norm, instance_norm, group_norm and layer_norm.

The caller views the input so that the statistics are taken over ``axes`` and ``w``/``b``
broadcast against the view:

    batch_norm     (N, C, S)        axes (0, 2)   w (1, C, 1)
    instance_norm  (N, C, S)        axes (2,)     w (1, C, 1)
    group_norm     (N, G, C/G, S)   axes (2, 3)   w (1, G, C/G, 1)
    layer_norm     (R, D)           axes (1,)     w (1, D)

The arithmetic is the kernels' (``ops.normalize`` / ``normalize_backward``; batch norm has a
compiled twin). Under ``create_graph`` the backward recomputes the statistics from the input
with Tensor ops, so that the same formula is differentiable again.
"""
from .._device import device_of
from .._ops import ops_for
from .._tensor import Tensor
from ..autograd import grad_mode
from ._utils import BuiltinFunction, tensor_or_none


def _data(t):
    return None if t is None else t._data


class Normalize(BuiltinFunction):
    """``(x - mean) / sqrt(var + eps) * w + b`` with mean and biased var over ``axes``.

    Returns ``(y, mean, var)``; mean and var (kept dims) are not differentiable.
    """

    @staticmethod
    def forward(ctx, x, w, b, axes, eps):
        ctx.ops = ops_for(device_of(x._data))
        y, mean, var, ctx.invstd = ctx.ops.normalize(x._data, _data(w), _data(b), axes, eps)
        ctx.axes, ctx.eps, ctx.mean = axes, eps, mean
        ctx.b_shape = None if b is None else b._data.shape
        ctx.save_for_backward(x, w)
        mean, var = Tensor._make(mean), Tensor._make(var)
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx, gy, _gmean, _gvar):
        x, w = ctx.saved_tensors
        axes, needs = ctx.axes, ctx.needs_input_grad[:3]
        if grad_mode.state.enabled:  # create_graph: statistics as functions of x
            xc = x - x.mean(axes, keepdim=True)
            invstd = ((xc * xc).mean(axes, keepdim=True) + ctx.eps).rsqrt()
            grads = ctx.ops.normalize_grads(gy, xc * invstd, invstd, w, ctx.b_shape, axes, needs)
            return grads + (None, None)
        grads = ctx.ops.normalize_backward(gy._data, x._data, _data(w), ctx.b_shape, ctx.mean,
                                           ctx.invstd, axes, needs)
        return tuple(map(tensor_or_none, grads)) + (None, None)
