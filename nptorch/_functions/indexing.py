"""Indexing ops: reading (``Index``) and writing (``IndexPut``) at a key.

A key is a pair ``(basic, advanced)``: ``basic`` holds ints, slices, None and Ellipsis (a view),
``advanced`` is None or a tuple of slices, Ellipsis and integer arrays applied to that view.
Splitting the key this way gives PyTorch's rule, where ints select before the arrays index
(NumPy would treat the ints as arrays too and may move the result's dims).
"""
from .._device import xp_of
from ._utils import BuiltinFunction, sum_to
from .shape import Embed


def region(a, key):
    """``a[key]`` for a ``(basic, advanced)`` key."""
    basic, advanced = key
    a = a[basic]
    return a if advanced is None else a[advanced]


def put(a, key, v):
    """``a[key] = v`` in place for a ``(basic, advanced)`` key."""
    basic, advanced = key
    a[basic][Ellipsis if advanced is None else advanced] = v


def add_at(a, index, g):
    """``a[index] += g`` with repeated indices accumulating (``np.add.at``)."""
    if type(a).__module__ == "numpy":
        xp_of(a).add.at(a, index, g)
    else:
        import cupyx
        cupyx.scatter_add(a, index, g)


class Index(BuiltinFunction):
    """``x[key]``: a view for basic keys, a copy for advanced ones."""

    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x._data.shape, key
        return region(x._data, key)

    @staticmethod
    def scatter(z, g, key):
        basic, advanced = key
        if advanced is None:
            z[basic] += g
        else:
            add_at(z[basic], advanced, g)

    @staticmethod
    def backward(ctx, gy):
        return Embed.apply(gy, ctx.shape, Index, (ctx.key,)), None


class IndexPut(BuiltinFunction):
    """A copy of ``x`` with ``v`` (a Tensor or a number, broadcast) written at ``key``.

    With repeated indices the last write wins, as in NumPy; the value's gradient is read
    back from every written place, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, v, key):
        ctx.key = key
        ctx.v_shape = v._data.shape if hasattr(v, "_data") else None
        y = x._data.copy()
        put(y, key, getattr(v, "_data", v))
        return y

    @staticmethod
    def backward(ctx, gy):
        gx = IndexPut.apply(gy, 0, ctx.key) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[1]:
            gv = Index.apply(gy, ctx.key)
            extra = len(ctx.v_shape) - gv.ndim
            if extra > 0:  # a value with leading size-1 dims, e.g. x[0] = ones(1, 1, 3)
                gv = gv.reshape((1,) * extra + tuple(gv.shape))
            gv = sum_to(gv, ctx.v_shape)
        return gx, gv, None
