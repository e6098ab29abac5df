"""Differentiable copies: dtype and device changes, clone."""
from .._device import move, device_of
from .._memory_format import copy_as, element_strides
from ._utils import BuiltinFunction


class ToCopy(BuiltinFunction):
    """Copy to another dtype and/or device, laid out with ``strides`` (in elements) when they
    are given; the gradient goes back to the source's dtype and device."""

    @staticmethod
    def forward(ctx, x, np_dtype, device, strides=None):
        ctx.src = (x._data.dtype, device_of(x._data))
        data = x._data
        if device is not None:
            data = move(data, device)
        if strides is not None and (data is x._data or element_strides(data) != strides):
            return copy_as(data, strides, np_dtype)
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
        return ToCopy.apply(gy, np_dtype, device), None, None, None


class Clone(BuiltinFunction):
    """A copy with its own memory, recorded by autograd; ``empty(shape, dtype)``, when given,
    allocates that memory (pinned host memory, for ``pin_memory``)."""

    @staticmethod
    def forward(ctx, x, empty=None):
        if empty is None:
            return x._data.copy()
        copy = empty(x._data.shape, x._data.dtype)
        copy[...] = x._data
        return copy

    @staticmethod
    def backward(ctx, gy):
        return gy, None
