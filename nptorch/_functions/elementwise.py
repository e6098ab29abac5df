"""Elementwise arithmetic and math. Broadcasting gradients are reduced by ``sum_to``.

Binary Functions take Tensors or Python numbers (already promoted by ``_utils.promote``);
``ctx.needs_input_grad`` is False for numbers, so their gradient is never computed.
"""
import numpy as np

from .._tensor import Tensor
from ._utils import BuiltinFunction, raw, sum_to


def _remember_shapes(ctx, x, y):
    ctx.sx = x._data.shape if isinstance(x, Tensor) else ()
    ctx.sy = y._data.shape if isinstance(y, Tensor) else ()


class Add(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, y):
        _remember_shapes(ctx, x, y)
        return raw(x) + raw(y)

    @staticmethod
    def backward(ctx, gy):
        nx, ny = ctx.needs_input_grad
        return (sum_to(gy, ctx.sx) if nx else None,
                sum_to(gy, ctx.sy) if ny else None)


class Sub(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, y):
        _remember_shapes(ctx, x, y)
        return raw(x) - raw(y)

    @staticmethod
    def backward(ctx, gy):
        nx, ny = ctx.needs_input_grad
        return (sum_to(gy, ctx.sx) if nx else None,
                sum_to(-gy, ctx.sy) if ny else None)


class Mul(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, y):
        _remember_shapes(ctx, x, y)
        ctx.save_for_backward(x if isinstance(x, Tensor) else None,
                              y if isinstance(y, Tensor) else None)
        ctx.scalars = (x, y)
        return raw(x) * raw(y)

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        x = ctx.scalars[0] if x is None else x
        y = ctx.scalars[1] if y is None else y
        return (sum_to(gy * y, ctx.sx) if nx else None,
                sum_to(gy * x, ctx.sy) if ny else None)


class Div(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, y):
        _remember_shapes(ctx, x, y)
        ctx.save_for_backward(x if isinstance(x, Tensor) else None,
                              y if isinstance(y, Tensor) else None)
        ctx.scalars = (x, y)
        return raw(x) / raw(y)

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        x = ctx.scalars[0] if x is None else x
        y = ctx.scalars[1] if y is None else y
        return (sum_to(gy / y, ctx.sx) if nx else None,
                sum_to(-gy * x / (y * y), ctx.sy) if ny else None)


class Neg(BuiltinFunction):
    @staticmethod
    def forward(ctx, x):
        return -x._data

    @staticmethod
    def backward(ctx, gy):
        return -gy


class Exp(BuiltinFunction):
    @staticmethod
    def forward(ctx, x):
        y = Tensor._make(np.exp(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        y, = ctx.saved_tensors
        return gy * y
