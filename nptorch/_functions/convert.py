"""Differentiable copies: dtype and device changes, clone."""
from .._device import move, device_of
from ._utils import BuiltinFunction


class ToCopy(BuiltinFunction):
    """Copy to another dtype and/or device; the gradient goes back to the source's."""

    @staticmethod
    def forward(ctx, x, np_dtype, device):
        ctx.src = (x._data.dtype, device_of(x._data))
        data = x._data
        if device is not None:
            data = move(data, device)
        if np_dtype is not None and data.dtype != np_dtype:
            data = data.astype(np_dtype)
        elif data is x._data:
            data = data.copy()
        return data

    @staticmethod
    def backward(ctx, gy):
        np_dtype, device = ctx.src
        if not ctx.needs_input_grad[0]:
            return None
        return ToCopy.apply(gy, np_dtype, device), None, None


class Clone(BuiltinFunction):
    """A copy with its own memory, recorded by autograd."""

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, gy):
        return gy
