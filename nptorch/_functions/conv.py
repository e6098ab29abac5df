"""Convolution Functions, over any number of spatial dims.

``Convolution``, ``ConvolutionInput`` and ``ConvolutionWeight`` are the three partial derivatives
of the form ``<y, conv(x, w)>``: the convolution (d/dy), the transposed convolution (d/dx) and
the weight gradient (d/dw). The gradient of each with respect to one of its operands is another
of the three, so every order of derivative works. ``Im2col`` / ``Col2im`` (unfold / fold) are a
pair of adjoint linear maps, each the other's gradient.
"""
from .._device import device_of
from .._ops import ops_for
from ._utils import BuiltinFunction


def kernel(name, arrays, sizes, *rest):
    """``ops.<name>(*arrays, sizes, *rest)`` on the device of ``arrays[0]``.

    ``name`` has ``{}`` where the 2-D kernels, the interface of the compiled twins, say ``2d``
    (``'conv{}_input'``): those take the two ``sizes`` as two arguments, the N-d ones a tuple.
    """
    ops = ops_for(device_of(arrays[0]))
    if len(sizes) == 2:
        return getattr(ops, name.format("2d"))(*arrays, *sizes, *rest)
    return getattr(ops, name.format(""))(*arrays, tuple(sizes), *rest)


class LinearKernel(BuiltinFunction):
    """``y = kernel(<kernel>, x, out, *rest)``, a linear map whose gradient is ``adjoint``.

    The adjoint receives the spatial size of ``x`` in place of ``out`` and the same ``rest``, so a
    pair of kernels ``f(x, out_size, ...)`` / ``f_backward(gy, in_size, ...)`` needs no more code.
    """

    kernel = None
    adjoint = None

    @classmethod
    def forward(cls, ctx, x, out, *rest):
        ctx.size, ctx.rest = x._data.shape[-len(out):], rest
        return kernel(cls.kernel, (x._data,), out, *rest)

    @classmethod
    def backward(cls, ctx, gy):
        return (cls.adjoint.apply(gy, ctx.size, *ctx.rest),) + (None,) * (1 + len(ctx.rest))


class Im2col(LinearKernel):
    """``(N, C, H, W)`` -> ``(N, C, KH, KW, OH, OW)``; args ``((OH, OW), window)``."""

    kernel = "im2col"


class Col2im(LinearKernel):
    """``(N, C, KH, KW, OH, OW)`` -> ``(N, C, H, W)``; args ``((H, W), window)``."""

    kernel = "col2im"


Im2col.adjoint, Col2im.adjoint = Col2im, Im2col


def _raw(t):
    return None if t is None else t._data


def _bias_grad(gy):
    """``gy`` summed over every dim but the channels', the batch first: adding whole images is
    vectorized, and NumPy's sum over (0, 2, 3) at once took twice as long on LeNet's layers."""
    return gy.sum(0).sum(tuple(range(1, gy.ndim - 1)))


class Convolution(BuiltinFunction):
    """``y = conv(x, w) + bias``; args ``(x, w, bias or None, out, window, groups)``."""

    @staticmethod
    def forward(ctx, x, w, bias, out, win, groups):
        ctx.save_for_backward(x, w)
        ctx.win, ctx.groups = win, groups
        return kernel("conv{}", (x._data, w._data, _raw(bias)), out, win, groups)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gy = gy.contiguous()  # once for both kernels (the gradient of a sum is a broadcast)
        return (ConvolutionInput.apply(gy, w, x.shape[2:], ctx.win, ctx.groups) if need_x
                else None,
                ConvolutionWeight.apply(x, gy, ctx.win, ctx.groups) if need_w else None,
                _bias_grad(gy) if need_b else None, None, None, None)


class ConvolutionInput(BuiltinFunction):
    """``x = conv_transpose(y, w)``, the gradient of the convolution for its input; args
    ``(y, w, size, window, groups)``."""

    @staticmethod
    def forward(ctx, gy, w, size, win, groups):
        ctx.save_for_backward(gy, w)
        ctx.win, ctx.groups = win, groups
        return kernel("conv{}_input", (gy._data, w._data), size, win, groups)

    @staticmethod
    def backward(ctx, gx):
        gy, w = ctx.saved_tensors
        need_y, need_w = ctx.needs_input_grad[:2]
        return (Convolution.apply(gx, w, None, gy.shape[2:], ctx.win, ctx.groups) if need_y
                else None,
                ConvolutionWeight.apply(gx, gy, ctx.win, ctx.groups) if need_w else None,
                None, None, None)


class ConvolutionWeight(BuiltinFunction):
    """``w = the gradient of the convolution for its weight``, given its input ``x`` and output
    gradient ``y``; args ``(x, y, window, groups)``."""

    @staticmethod
    def forward(ctx, x, gy, win, groups):
        ctx.save_for_backward(x, gy)
        ctx.win, ctx.groups = win, groups
        ops = ops_for(device_of(x._data))
        weight_grad = ops.conv2d_weight if x.ndim == 4 else ops.conv_weight
        return weight_grad(x._data, gy._data, win, groups)

    @staticmethod
    def backward(ctx, gw):
        x, gy = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        return (ConvolutionInput.apply(gy, gw, x.shape[2:], ctx.win, ctx.groups) if need_x
                else None,
                Convolution.apply(x, gw, None, gy.shape[2:], ctx.win, ctx.groups) if need_y
                else None,
                None, None)
