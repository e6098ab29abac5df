"""Shape ops. Those that return views of their input set ``_view_of_input``."""
from ._utils import BuiltinFunction


class Reshape(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return x._data.reshape(shape)

    @staticmethod
    def backward(ctx, gy):
        return gy.reshape(ctx.shape), None


class Expand(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        from .._device import xp_of
        return xp_of(x._data).broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, gy):
        from ._utils import sum_to
        return sum_to(gy, ctx.shape), None


class Unsqueeze(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        from .._device import xp_of
        return xp_of(x._data).expand_dims(x._data, dim)

    @staticmethod
    def backward(ctx, gy):
        return gy.squeeze(ctx.dim), None
