"""Reductions over dims (``dim`` / ``keepdim`` as in PyTorch)."""
from ._utils import BuiltinFunction


def _expand_back(gy, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and dims is not None:
        for d in dims:
            gy = gy.unsqueeze(d)
    elif not keepdim:
        gy = gy.reshape((1,) * len(shape))
    return gy.expand(shape)


class Sum(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x._data.shape, dims, keepdim
        return x._data.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, gy):
        return _expand_back(gy, ctx.shape, ctx.dims, ctx.keepdim), None, None, None
