"""Reductions over dims (``dim`` / ``keepdim`` as in PyTorch).

``dims`` is a sorted tuple of non-negative dims, or None for all of them. Gradients broadcast
the reduced gradient back with ``_expand_back``; constant masks enter as non-differentiable
Tensors, so every backward is itself differentiable.

"""
import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ._utils import BuiltinFunction
from .elementwise import Where


def _expand_back(gy, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and dims is not None:
        for d in dims:
            gy = gy.unsqueeze(d)
    elif not keepdim:
        gy = gy.reshape((1,) * len(shape))
    return gy.expand(shape)


def _const(arr, like):
    """A constant (no-grad) Tensor holding ``arr`` in ``like``'s dtype."""
    return Tensor._make(arr.astype(like._data.dtype, copy=False))


def as_output(r):
    """A forward's result, with a NumPy scalar wrapped into a Tensor: ``numpy.float64`` is a
    Python float, which ``Function.apply`` would otherwise pass through as a number."""
    return Tensor._make(r) if isinstance(r, np.generic) else r


def _count(shape, dims):
    """How many elements each output element of a reduction over ``dims`` combines."""
    n = 1
    for d in range(len(shape)) if dims is None else dims:
        n *= shape[d]
    return n


def _keep(arr, dims, keepdim):
    """Turn a keepdim=True reduction result into the requested layout."""
    if keepdim:
        return arr
    return arr.reshape(()) if dims is None else arr.squeeze(dims)


def _reduce_meta(ctx, x, dims, keepdim):
    ctx.shape, ctx.dims, ctx.keepdim = x._data.shape, dims, keepdim


def _back(ctx, t):
    return _expand_back(t, ctx.shape, ctx.dims, ctx.keepdim)


class Sum(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _reduce_meta(ctx, x, dims, keepdim)
        return as_output(x._data.sum(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, gy):
        return _back(ctx, gy), None, None


class Mean(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _reduce_meta(ctx, x, dims, keepdim)
        a = x._data
        if a.size == 0:  # NaN where nothing is averaged; NumPy's mean would warn
            return as_output(a.sum(axis=dims, keepdims=keepdim) / _count(a.shape, dims))
        return as_output(a.mean(axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, gy):
        return _back(ctx, gy) / _count(ctx.shape, ctx.dims), None, None


class Prod(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _reduce_meta(ctx, x, dims, keepdim)
        y = Tensor._make(x._data.prod(axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        gy = _back(ctx, gy)
        zero = x._data == 0
        if not zero.any():
            return gy * _back(ctx, y) / x, None, None
        # d prod / dx_i is the product of the other entries: the product of the non-zero
        # entries where x_i is the only zero of its slice, and 0 beside two or more zeros.
        zeros = zero.sum(axis=ctx.dims, keepdims=True)
        nonzero = _const(~zero, x)
        x1 = x * nonzero + _const(zero, x)
        p1 = _back(ctx, Prod.apply(x1, ctx.dims, ctx.keepdim))
        others = nonzero * _const(zeros == 0, x) / x1 + _const(zero & (zeros == 1), x)
        return gy * p1 * others, None, None


class Extreme(BuiltinFunction):
    """max / min / median-like reductions whose gradient is shared evenly among ties."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, reducer):
        _reduce_meta(ctx, x, dims, keepdim)
        y = Tensor._make(_keep(reducer(x._data, dims), dims, keepdim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        hit = x._data == _back(ctx, y)._data
        share = hit / hit.sum(axis=ctx.dims, keepdims=True)
        return _back(ctx, gy) * _const(share, x), None, None, None


class TakeAlong(BuiltinFunction):
    """The values at ``index`` (a keepdim-shaped index array) along ``dim``: max(dim=...) etc."""

    @staticmethod
    def forward(ctx, x, index, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim, ctx.index = x._data.shape, dim, keepdim, index
        xp = xp_of(x._data)
        y = xp.take_along_axis(x._data, index, axis=dim)
        return y if keepdim else y.squeeze(dim)

    @staticmethod
    def backward(ctx, gy):
        xp = xp_of(ctx.index)
        n = ctx.shape[ctx.dim]
        positions = xp.arange(n).reshape((n,) + (1,) * (len(ctx.shape) - ctx.dim - 1))
        hit = _const(positions == ctx.index, gy)
        gy = gy if ctx.keepdim else gy.unsqueeze(ctx.dim)
        return gy * hit, None, None, None


class _Moment(BuiltinFunction):
    """Variance (``take_sqrt`` False) or standard deviation with ``correction``."""

    take_sqrt = False

    @classmethod
    def forward(cls, ctx, x, dims, correction, keepdim):
        _reduce_meta(ctx, x, dims, keepdim)
        ctx.dof = _count(x._data.shape, dims) - correction
        a = x._data
        if a.size == 0:  # NaN, or an empty result; NumPy's var would warn
            v = a.sum(axis=dims, keepdims=keepdim) + np.nan
        elif ctx.dof > 0:
            v = a.var(axis=dims, ddof=correction, keepdims=keepdim)
        else:  # the sum of squares over zero degrees of freedom (CuPy gives NaN, not inf)
            v = a.var(axis=dims, keepdims=keepdim) / 0
        y = Tensor._make(np.sqrt(v) if cls.take_sqrt else v)
        ctx.save_for_backward(x, y)
        return y

    @classmethod
    def backward(cls, ctx, gy):
        x, y = ctx.saved_tensors
        centered = x - Mean.apply(x, ctx.dims, True)
        scale = 2.0 / ctx.dof if ctx.dof > 0 else float("inf")
        gy = _back(ctx, gy)
        if cls.take_sqrt:
            # d std = d var / (2 std); torch's subgradient 0 where std == 0.
            y = _back(ctx, y)
            gy = gy / (y * 2 + _const(y._data == 0, y))
        return gy * centered * scale, None, None, None


class Var(_Moment):
    take_sqrt = False


class Std(_Moment):
    take_sqrt = True


class LogSumExp(BuiltinFunction):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _reduce_meta(ctx, x, dims, keepdim)
        xp = xp_of(x._data)
        m = x._data.max(axis=dims, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        s = np.log(np.exp(x._data - m).sum(axis=dims, keepdims=True)) + m
        y = Tensor._make(_keep(s, dims, keepdim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        return _back(ctx, gy) * (x - _back(ctx, y)).exp(), None, None


class Norm(BuiltinFunction):
    """Vector p-norm over ``dims`` (p a float, including 0 and +-inf)."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        _reduce_meta(ctx, x, dims, keepdim)
        ctx.p = p
        a = abs(x._data)
        if p == 0:
            r = (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
        elif p == float("inf"):
            r = a.max(axis=dims, keepdims=keepdim)
        elif p == -float("inf"):
            r = a.min(axis=dims, keepdims=keepdim)
        elif p == 1:
            r = a.sum(axis=dims, keepdims=keepdim)
        elif p == 2:
            r = np.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
        else:
            r = ((a ** p).sum(axis=dims, keepdims=keepdim)) ** (1.0 / p)
        y = Tensor._make(r)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None, None, None, None
        gy, y = _back(ctx, gy), _back(ctx, y)
        sign = _const(np.sign(x._data), x)
        if p == 1:
            gx = gy * sign
        elif p in (float("inf"), -float("inf")):
            hit = abs(x._data) == y._data
            gx = gy * sign * _const(hit / hit.sum(axis=ctx.dims, keepdims=True), x)
        else:
            # Subgradient 0 at the zero vector, as torch.
            zero = _const(y._data == 0, y)
            if p == 2:
                gx = gy * x / (y + zero)
            else:
                # |x| ** (p - 1) is infinite at x == 0 for p < 1; those entries get 0
                at_zero = _const(x._data == 0, x)
                gx = gy * sign * (x * sign + at_zero) ** (p - 1) / (y + zero) ** (p - 1)
        return gx, None, None, None


class Cumsum(BuiltinFunction):
    """Cumulative sum along ``dim``; ``reverse`` sums from the end (the gradient of cumsum)."""

    @staticmethod
    def forward(ctx, x, dim, reverse):
        ctx.dim, ctx.reverse = dim, reverse
        xp = xp_of(x._data)
        if not reverse:
            return xp.cumsum(x._data, axis=dim)
        return xp.flip(xp.cumsum(xp.flip(x._data, dim), axis=dim), dim)

    @staticmethod
    def backward(ctx, gy):
        return Cumsum.apply(gy, ctx.dim, not ctx.reverse), None, None


def _logcumsumexp(a, dim):
    xp = xp_of(a)
    if xp is np:
        return np.logaddexp.accumulate(a, axis=dim)
    # CuPy has no accumulate for logaddexp: shift by the maximum (later terms far below it
    # underflow to -inf where the exact value is finite)
    shift = xp.nan_to_num(a.max(axis=dim, keepdims=True), neginf=0)
    return xp.log(xp.cumsum(xp.exp(a - shift), axis=dim)) + shift


class LogCumSumExp(BuiltinFunction):
    """``log(cumsum(exp(x)))`` along ``dim``, computed stably."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = Tensor._make(_logcumsumexp(x._data, dim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        # dx_j = sum_{i >= j} g_i exp(x_j - y_i), summed in log space for the positive and
        # the negative parts of g, so that no exp overflows. The dtype's lowest value stands
        # for log(0): with -inf, -inf - -inf would give NaN in the second derivative.
        x, y = ctx.saved_tensors
        dim, xp = ctx.dim, xp_of(gy._data)
        lowest = _const(xp.asarray(np.finfo(gy._data.dtype).min, gy._data.dtype), gy)
        log_size = gy.abs().log()

        def part(selected):
            logs = Where.apply(selected, log_size, lowest) - y
            return (LogCumSumExp.apply(logs.flip(dim), dim).flip(dim) + x).exp()
        return part(gy._data > 0) - part(gy._data < 0), None


def _cumprod_grad_everywhere(x, gy, dim):
    """``dx_j = sum_{i >= j} g_i prod_{m <= i, m != j} x_m`` as differentiable ops on n x n
    products per slice: exact for any x, so its own derivative holds at zeros too."""
    xp = xp_of(x._data)
    x, gy = x.movedim(dim, -1), gy.movedim(dim, -1)
    n = x.shape[-1]
    eye, later = xp.eye(n, dtype=bool), xp.triu(xp.ones((n, n), dtype=bool))
    # row j: x with x_j taken as 1, multiplied up
    products = Cumprod.apply(Where.apply(eye, 1, x.unsqueeze(-2).expand(*x.shape[:-1], n, n)), -1)
    terms = products * gy.unsqueeze(-2)
    return Where.apply(later, terms, 0).sum(-1).movedim(-1, dim)


class Cumprod(BuiltinFunction):
    """Cumulative product along ``dim``; exact gradients with zeros in the input."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = Tensor._make(xp_of(x._data).cumprod(x._data, axis=dim))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        # dy_i/dx_j = prod_{m <= i, m != j} x_m for i >= j. Before a slice's first zero that
        # is y_i / x_j; at the first zero it is the cumulative product with that zero taken
        # as 1; after it every term holds the zero.
        x, y = ctx.saved_tensors
        dim, xp = ctx.dim, xp_of(x._data)
        zeros_so_far = xp.cumsum(x._data == 0, axis=dim)
        before = zeros_so_far == 0
        first_zero = (zeros_so_far == 1) & (x._data == 0)
        before_zero = Cumsum.apply(gy * y, dim, True) / Where.apply(before, x, 1)
        if not first_zero.any():
            return before_zero, None
        if _grad_state.enabled:  # a graph is wanted: the form exact for every x
            return _cumprod_grad_everywhere(x, gy, dim), None
        skipped = Cumprod.apply(Where.apply(first_zero, 1, x), dim)
        at_zero = Cumsum.apply(gy * skipped, dim, True)
        return Where.apply(before, before_zero, Where.apply(first_zero, at_zero, 0)), None
