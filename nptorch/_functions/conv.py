"""Convolution Functions.

``Conv2d``, ``Conv2dInput`` and ``Conv2dWeight`` are the three partial derivatives of the form
``<y, conv2d(x, w)>``: the convolution (d/dy), the transposed convolution (d/dx) and the weight
gradient (d/dw). The gradient of each with respect to one of its operands is another of the
three, so every order of derivative works. ``Im2col`` / ``Col2im`` (unfold / fold) are a pair of
adjoint linear maps, each the other's gradient.
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


class Conv2d(BuiltinFunction):
    """``y = conv2d(x, w) + bias``; args ``(x, w, bias or None, OH, OW, window, groups)``."""

    @staticmethod
    def forward(ctx, x, w, bias, OH, OW, win, groups):
        ctx.save_for_backward(x, w)
        ctx.win, ctx.groups = win, groups
        return ops_for(device_of(x._data)).conv2d(x._data, w._data, None if bias is None
                                                  else bias._data, OH, OW, win, groups)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gy = gy.contiguous()  # once for both kernels (the gradient of a sum is a broadcast)
        return (Conv2dInput.apply(gy, w, *x.shape[2:], ctx.win, ctx.groups) if need_x else None,
                Conv2dWeight.apply(x, gy, ctx.win, ctx.groups) if need_w else None,
                gy.sum((0, 2, 3)) if need_b else None, None, None, None, None)


class Conv2dInput(BuiltinFunction):
    """``x = conv_transpose2d(y, w)``, the gradient of conv2d for its input; args
    ``(y, w, H, W, window, groups)``."""

    @staticmethod
    def forward(ctx, gy, w, H, W, win, groups):
        ctx.save_for_backward(gy, w)
        ctx.win, ctx.groups = win, groups
        return ops_for(device_of(gy._data)).conv2d_input(gy._data, w._data, H, W, win, groups)

    @staticmethod
    def backward(ctx, gx):
        gy, w = ctx.saved_tensors
        need_y, need_w = ctx.needs_input_grad[:2]
        return (Conv2d.apply(gx, w, None, *gy.shape[2:], ctx.win, ctx.groups) if need_y else None,
                Conv2dWeight.apply(gx, gy, ctx.win, ctx.groups) if need_w else None,
                None, None, None, None)


class Conv2dWeight(BuiltinFunction):
    """``w = the gradient of conv2d for its weight``, given its input ``x`` and output gradient
    ``y``; args ``(x, y, window, groups)``."""

    @staticmethod
    def forward(ctx, x, gy, win, groups):
        ctx.save_for_backward(x, gy)
        ctx.win, ctx.groups = win, groups
        return ops_for(device_of(x._data)).conv2d_weight(x._data, gy._data, win, groups)

    @staticmethod
    def backward(ctx, gw):
        x, gy = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        return (Conv2dInput.apply(gy, gw, *x.shape[2:], ctx.win, ctx.groups) if need_x else None,
                Conv2d.apply(x, gw, None, *gy.shape[2:], ctx.win, ctx.groups) if need_y else None,
                None, None)
