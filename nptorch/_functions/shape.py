"""Shape ops. Those that return views of their input set ``_view_of_input``.

Ops that read a subset of their input (diagonals here, indexing in ``indexing.py``) share one
backward, ``Embed``: the gradient written into zeros at the places the op read from. ``Embed``'s
own backward is the reading op again, so second derivatives need nothing more.
"""
import numpy as np

from .._device import xp_of
from ._utils import BuiltinFunction, sum_to


class Reshape(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, shape, view=False):
        ctx.shape = x._data.shape
        y = x._data.reshape(shape)
        if view and y.size and not xp_of(y).may_share_memory(y, x._data):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return y

    @staticmethod
    def backward(ctx, gy):
        return gy.reshape(ctx.shape), None, None


class ViewDtype(BuiltinFunction):
    """The same memory read as another dtype (not differentiable)."""

    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, np_dtype):
        from .._tensor import Tensor
        y = Tensor._make(x._data.view(np_dtype))
        ctx.mark_non_differentiable(y)
        return y


class Expand(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return xp_of(x._data).broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, gy):
        return sum_to(gy, ctx.shape), None


class Unsqueeze(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return xp_of(x._data).expand_dims(x._data, dim)

    @staticmethod
    def backward(ctx, gy):
        return gy.squeeze(ctx.dim), None


class Permute(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._data.transpose(dims)

    @staticmethod
    def backward(ctx, gy):
        return gy.permute(tuple(np.argsort(ctx.dims).tolist())), None


class Repeat(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, repeats):
        data = x._data.reshape((1,) * (len(repeats) - x._data.ndim) + x._data.shape)
        ctx.shape, ctx.padded, ctx.repeats = x._data.shape, data.shape, repeats
        return xp_of(data).tile(data, repeats)

    @staticmethod
    def backward(ctx, gy):
        # (r0 * s0, r1 * s1, ...) -> (r0, s0, r1, s1, ...) summed over the repeat axes
        split = tuple(v for pair in zip(ctx.repeats, ctx.padded) for v in pair)
        gx = gy.reshape(split).sum(tuple(range(0, len(split), 2)))
        return gx.reshape(ctx.shape), None


class Cat(BuiltinFunction):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim, ctx.sizes = dim, [x._data.shape[dim] for x in xs]
        return xp_of(xs[0]._data).concatenate([x._data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, gy):
        grads, start = [None], 0
        for need, size in zip(ctx.needs_input_grad[1:], ctx.sizes):
            grads.append(gy.narrow(ctx.dim, start, size) if need else None)
            start += size
        return tuple(grads)


class Flip(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return xp_of(x._data).flip(x._data, dims).copy()  # PyTorch's flip copies

    @staticmethod
    def backward(ctx, gy):
        return gy.flip(ctx.dims), None


class Roll(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return xp_of(x._data).roll(x._data, shifts, dims)

    @staticmethod
    def backward(ctx, gy):
        return gy.roll(tuple(-s for s in ctx.shifts), ctx.dims), None, None


class Triangle(BuiltinFunction):
    """``tril`` (upper=False) or ``triu`` of the last two dims."""

    @staticmethod
    def forward(ctx, x, diagonal, upper):
        ctx.diagonal, ctx.upper = diagonal, upper
        xp = xp_of(x._data)
        return (xp.triu if upper else xp.tril)(x._data, diagonal)

    @staticmethod
    def backward(ctx, gy):
        return Triangle.apply(gy, ctx.diagonal, ctx.upper), None, None


def _diagonal(a, offset, dim1, dim2):
    d = xp_of(a).diagonal(a, offset, dim1, dim2)
    if type(d) is np.ndarray and not d.flags.writeable and a.flags.writeable:
        d.flags.writeable = True  # NumPy's diagonal is read-only; PyTorch's is a writable view
    return d


class Diagonal(BuiltinFunction):
    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x._data.shape, (offset, dim1, dim2)
        return _diagonal(x._data, offset, dim1, dim2)

    @staticmethod
    def scatter(z, g, offset, dim1, dim2):
        _diagonal(z, offset, dim1, dim2)[...] += g

    @staticmethod
    def backward(ctx, gy):
        return Embed.apply(gy, ctx.shape, Diagonal, ctx.args), None, None, None


class Embed(BuiltinFunction):
    """Zeros of ``shape`` with ``g`` added where ``op.apply(_, *args)`` reads its values.

    ``op`` is a reading Function with a static ``scatter(z, g, *args)``; ``Embed`` is its
    gradient, and ``op`` is ``Embed``'s.
    """

    @staticmethod
    def forward(ctx, g, shape, op, args):
        ctx.op, ctx.args = op, args
        z = xp_of(g._data).zeros(shape, g._data.dtype)
        op.scatter(z, g._data, *args)
        return z

    @staticmethod
    def backward(ctx, gz):
        return ctx.op.apply(gz, *ctx.args), None, None, None


def _positions(shape, strides, offset, xp):
    """The storage index of every element of a strided view of a dense storage."""
    pos = xp.asarray(offset, dtype=np.int64)
    for d, (n, step) in enumerate(zip(shape, strides)):
        pos = pos + xp.arange(n, dtype=np.int64).reshape((n,) + (1,) * (len(shape) - d - 1)) * step
    return xp.broadcast_to(pos, shape)


class AsStrided(BuiltinFunction):
    """The view of ``storage`` (the dense array behind ``x``) with the given shape, element
    strides and offset; ``x`` sits in it at ``x_strides`` and ``x_offset``.

    The gradient adds ``gy`` into a storage-sized buffer at the places the view reads, then
    reads ``x``'s places back from it.
    """

    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, storage, shape, strides, offset, x_strides, x_offset):
        xp = xp_of(storage)
        ctx.n = storage.size
        ctx.keys = ((Ellipsis,), (_positions(shape, strides, offset, xp),)), \
            ((Ellipsis,), (_positions(x._data.shape, x_strides, x_offset, xp),))
        flat = storage.reshape(-1)[offset:]
        item = storage.itemsize
        return xp.lib.stride_tricks.as_strided(flat, shape, tuple(s * item for s in strides))

    @staticmethod
    def backward(ctx, gy):
        from .indexing import Index
        y_key, x_key = ctx.keys
        gx = Index.apply(Embed.apply(gy, (ctx.n,), Index, (y_key,)), x_key)
        return (gx,) + (None,) * 6
