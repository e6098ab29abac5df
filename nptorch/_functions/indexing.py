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


# the ufunc of each reduction of ``scatter_reduce`` and the value its empty reduction starts from
_REDUCE_UFUNCS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
                  "amin": "minimum"}


def _identity(reduce, dtype, xp):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = xp.finfo(dtype) if dtype.kind == "f" else xp.iinfo(dtype)
    low, high = (-xp.inf, xp.inf) if dtype.kind == "f" else (info.min, info.max)
    return low if reduce == "amax" else high


class ScatterReduce(BuiltinFunction):
    """``x`` with ``src`` reduced (``sum``, ``prod``, ``mean``, ``amax``, ``amin``) into the
    places of an advanced ``key``; ``include_self`` counts ``x``'s own value in the reduction.

    The backward follows PyTorch's ``scatter_reduce_backward``, written with differentiable
    ops so that second derivatives work.
    """

    @staticmethod
    def forward(ctx, x, src, dim, index, key, reduce, include_self):
        from .._tensor import Tensor
        ctx.args = dim, index, key, reduce, include_self
        xp = xp_of(x._data)
        y = x._data.copy()
        if not include_self:
            put(y, key, _identity(reduce, y.dtype, xp))
        getattr(xp, _REDUCE_UFUNCS[reduce]).at(y, key[1], src._data)
        if reduce == "mean":
            count = xp.full(y.shape, int(include_self), y.dtype)
            add_at(count, key[1], xp.ones(src._data.shape, y.dtype))
            count[count == 0] = 1
            y = y / count if y.dtype.kind == "f" else y // count
        y = Tensor._make(y)
        ctx.save_for_backward(x, src, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, src, y = ctx.saved_tensors
        dim, index, key, reduce, include_self = ctx.args
        if reduce == "sum":
            gx, gsrc = gy, gy.gather(dim, index)
        elif reduce == "mean":
            ones = src.new_ones(src.shape)
            count = x.new_full(x.shape, float(include_self)).scatter_add(dim, index, ones)
            gx = gy / count.masked_fill(count == 0, 1)
            gsrc = gx.gather(dim, index)
        elif reduce == "prod":
            gx, gsrc = _prod_grads(x, src, y, gy, ctx.args)
        else:
            value = y.gather(dim, index)
            x_is_y, src_is_value = x == y, src == value
            share = x_is_y.to(x.dtype).scatter_add(dim, index, src_is_value.to(x.dtype))
            g_shared = gy / share
            gx = g_shared * x_is_y
            gsrc = g_shared.gather(dim, index) * src_is_value
        if not include_self:
            gx = gx.scatter(dim, index, 0)
        return gx, gsrc, None, None, None, None, None


def _prod_grads(x, src, y, gy, args):
    """The gradients of a product scatter, exact where ``x`` or ``src`` hold zeros."""
    dim, index, key, _, include_self = args

    def reduce(a, b):
        return ScatterReduce.apply(a, b, dim, index, key, "prod", include_self)

    x1 = x.masked_fill(x == 0, 1)
    gx = gy * reduce(x1, src) / x1
    src_zero = src == 0
    zeros_at = x.new_zeros(x.shape).scatter_add(dim, index, src_zero.to(x.dtype)).gather(dim, index)
    single_zero = src_zero & (zeros_at == 1)
    without = reduce(x, src.masked_fill(single_zero, 1))
    gsrc = ((gy * y).gather(dim, index) / src.masked_fill(src_zero, 1)).where(
        ~single_zero, (gy * without).gather(dim, index))
    return gx, gsrc
