"""Convolution Functions: the im2col / col2im kernels as a pair of adjoint linear maps.

Convolution itself is ``weight @ im2col(x)`` and transposed convolution ``col2im(weight^T @ x)``
(nn.functional), so their gradients come from Matmul and from these two Functions. Each is the
other's gradient, so every order of derivative works.
"""
from .._device import device_of
from .._ops import ops_for
from ._utils import BuiltinFunction


class LinearKernel(BuiltinFunction):
    """``y = ops.<kernel>(x, OH, OW, *rest)``, a linear map whose gradient is ``adjoint``.

    The adjoint receives the trailing two sizes of ``x`` in place of ``(OH, OW)`` and the same
    ``rest``, so a pair of kernels ``f(x, out_size, ...)`` / ``f_backward(gy, in_size, ...)``
    needs no more code.
    """

    kernel = None
    adjoint = None

    @classmethod
    def forward(cls, ctx, x, OH, OW, *rest):
        ctx.size, ctx.rest = x._data.shape[-2:], rest
        return getattr(ops_for(device_of(x._data)), cls.kernel)(x._data, OH, OW, *rest)

    @classmethod
    def backward(cls, ctx, gy):
        return (cls.adjoint.apply(gy, *ctx.size, *ctx.rest),) + (None,) * (2 + len(ctx.rest))


class Im2col(LinearKernel):
    """``(N, C, H, W)`` -> ``(N, C, KH, KW, OH, OW)``; args ``(OH, OW, window)``."""

    kernel = "im2col"


class Col2im(LinearKernel):
    """``(N, C, KH, KW, OH, OW)`` -> ``(N, C, H, W)``; args ``(H, W, window)``."""

    kernel = "col2im"


Im2col.adjoint, Col2im.adjoint = Col2im, Im2col
