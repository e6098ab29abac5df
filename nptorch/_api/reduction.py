"""Reductions: ``sum``, ``mean``, ``max``, ``var``, ... with PyTorch's ``dim`` / ``keepdim``.

Value/index reductions (``max(dim=...)``, ``median``, ``mode``, ...) return named tuples
``(values, indices)`` like ``torch.return_types``.
"""
import collections
import functools
import math
import warnings

import numpy as np

from .. import _dtype
from .._device import xp_of
from .._functions import activation as A, reduction as F
from .._functions._utils import wrap_dim, wrap_dims
from .._tensor import Tensor
from ..amp._policy import autocast_op

scalar_type_name = _dtype.scalar_type_name


def _return_type(name, fields=("values", "indices")):
    """A named tuple type printed as PyTorch's ``torch.return_types.<name>``."""
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"nptorch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = "nptorch.return_types"
    return cls


# Shared with the sorting ops (sort, topk, kthvalue, cummax, cummin) of ``_api.indexing``.
return_types = {name: _return_type(name) for name in (
    "max", "min", "median", "nanmedian", "mode", "kthvalue", "sort", "topk", "cummax", "cummin")}
return_types["aminmax"] = _return_type("aminmax", ("min", "max"))
return_types["frexp"] = _return_type("frexp", ("mantissa", "exponent"))


def _numpy_aliases(fn):
    """Accept NumPy's ``axis`` / ``keepdims`` for ``dim`` / ``keepdim``."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)
    return wrapper


def _dims(dim, ndim):
    """``dim`` (None, an int or a sequence; an empty sequence means all) as Function dims."""
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return None
    dims = wrap_dims(dim, ndim)
    if dims is not None and ndim == 0:
        return None
    return dims


def _cast(input, dtype):
    dt = _dtype.to_dtype(dtype)
    return input if dt is None else input.to(dt)


def _integral(input):
    return input._data.dtype.kind in "iub"


def _floating(input):
    """Integer inputs of float-valued reductions go to the default float dtype."""
    return input.to(_dtype.get_default_dtype()) if _integral(input) else input


def _check_nonempty(name, input, dim):
    if dim is None and input._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument.")
    if dim is not None and input._data.ndim and input._data.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


# -- sums and products -------------------------------------------------------------------
@autocast_op("sum")
@_numpy_aliases
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (all dims when None); integer and bool inputs sum to int64."""
    if dtype is None and _integral(input):
        dtype = _dtype.int64
    return F.Sum.apply(_cast(input, dtype), _dims(dim, input._data.ndim), keepdim)


@_numpy_aliases
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim``; the input (or ``dtype``) must be floating point."""
    input = _cast(input, dtype)
    if _integral(input):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {scalar_type_name(input)}")
    return F.Mean.apply(input, _dims(dim, input._data.ndim), keepdim)


@_numpy_aliases
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """``sum`` with NaNs counted as zero."""
    if input._data.dtype.kind == "f":
        from .math import where
        input = where(input.isnan(), 0, input)
    return sum(input, dim, keepdim, dtype=dtype)


@_numpy_aliases
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """``mean`` over the non-NaN values."""
    input = _cast(input, dtype)
    if _integral(input):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {scalar_type_name(input)}")
    return nansum(input, dim, keepdim) / sum(~input.isnan(), dim, keepdim)


@autocast_op("prod")
@_numpy_aliases
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product over one ``dim`` (all elements when None); integers give int64."""
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    if dtype is None and _integral(input):
        dtype = _dtype.int64
    return F.Prod.apply(_cast(input, dtype), _dims(dim, input._data.ndim), keepdim)


def _cumulative(name, function):
    def op(input, dim, *, dtype=None):
        if dtype is None and _integral(input):
            dtype = _dtype.int64
        input = _cast(input, dtype)
        if input._data.ndim == 0:
            wrap_dim(dim, 0)
            return function(input.reshape(1), 0).reshape(())
        return function(input, wrap_dim(dim, input._data.ndim))
    op.__name__ = name
    op.__doc__ = f"Cumulative {name[3:]} of elements along ``dim``; integers give int64."
    return op


cumsum = autocast_op("cumsum")(
    _cumulative("cumsum", lambda x, dim: F.Cumsum.apply(x, dim, False)))
cumprod = autocast_op("cumprod")(_cumulative("cumprod", F.Cumprod.apply))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``, after joining ``prepend`` and ``append``
    (bool tensors give ``!=`` of neighbours)."""
    from .shape import cat
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    for extra in (prepend, append):
        if extra is not None and extra.dim() != input.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    dim = wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        later, earlier = x.narrow(dim, 1, length - 1), x.narrow(dim, 0, length - 1)
        x = later != earlier if x._data.dtype == np.bool_ else later - earlier
    return x


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input), dim))``, computed stably."""
    if _integral(input):
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{scalar_type_name(input)}'")
    if input._data.ndim == 0:
        wrap_dim(dim, 0)
        return F.LogCumSumExp.apply(input.reshape(1), 0).reshape(())
    return F.LogCumSumExp.apply(input, wrap_dim(dim, input._data.ndim))


def _running_extreme(name, accumulate):
    def op(input, dim):
        x = input.reshape(1) if input._data.ndim == 0 else input
        d = wrap_dim(dim, input._data.ndim)
        a = x._data
        xp = xp_of(a)
        running = getattr(xp, accumulate).accumulate(a, axis=d)
        positions = xp.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
        taken = (a == running) | (xp.isnan(a) if a.dtype.kind == "f" else False)
        index = xp.maximum.accumulate(xp.where(taken, positions, 0), axis=d)
        indices = Tensor._make(index.astype(np.int64))
        values = x.gather(d, indices)
        if input._data.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        return return_types[name](values, indices)
    op.__name__ = name
    op.__doc__ = (f"``(values, indices)``: the running {name[3:]}imum along ``dim`` and where "
                  "it was taken (the latest position on ties; a NaN is taken and stays).")
    return op


cummax = _running_extreme("cummax", "maximum")
cummin = _running_extreme("cummin", "minimum")


# -- max / min and friends ---------------------------------------------------------------
def _extreme(name, reducer, index_fn):
    @_numpy_aliases
    def op(input, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            from . import math
            return getattr(math, "maximum" if name == "max" else "minimum")(input, dim)
        if dim is None:
            _check_nonempty(name, input, None)
            return F.Extreme.apply(input, None, False, reducer)
        return _select(name, input, dim, keepdim, index_fn)
    op.__name__ = name
    op.__doc__ = (f"The {name}imum of all elements, the elementwise {name}imum with a tensor, or "
                  f"``(values, indices)`` of the {name}imum along ``dim``.")
    return op


def _select(name, input, dim, keepdim, index_fn):
    """``(values, indices)`` for the positions ``index_fn(array, dim)`` picks along ``dim``."""
    x = input.reshape(1) if input._data.ndim == 0 else input
    dim = wrap_dim(dim, input._data.ndim)
    _check_nonempty(name, x, dim)
    index = index_fn(x._data, dim)
    values = F.TakeAlong.apply(x, index, dim, keepdim)
    index = index.astype(np.int64, copy=False)
    indices = Tensor._make(index if keepdim else index.squeeze(dim))
    if input._data.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return return_types[name](values, indices)


def _arg_first(fn):
    return lambda a, dim: xp_of(a).expand_dims(fn(a, axis=dim), dim)


def _max_all(a, dims):
    return a.max(axis=dims, keepdims=True)


def _min_all(a, dims):
    return a.min(axis=dims, keepdims=True)


max = _extreme("max", _max_all, _arg_first(lambda a, axis: a.argmax(axis=axis)))
min = _extreme("min", _min_all, _arg_first(lambda a, axis: a.argmin(axis=axis)))


def _amax_like(name, reducer):
    @_numpy_aliases
    def op(input, dim=(), keepdim=False):
        dims = _dims(dim, input._data.ndim)
        if dims is None:
            _check_nonempty(name, input, None)
        for d in dims or ():
            _check_nonempty(name, input, d)
        return F.Extreme.apply(input, dims, keepdim, reducer)
    op.__name__ = name
    op.__doc__ = (f"The {name[1:]}imum over ``dim`` (a dim or tuple); ties share the "
                  "gradient evenly.")
    return op


amax = _amax_like("amax", _max_all)
amin = _amax_like("amin", _min_all)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (all elements when None)."""
    dim = () if dim is None else dim
    return return_types["aminmax"](amin(input, dim, keepdim), amax(input, dim, keepdim))


@_numpy_aliases
def argmax(input, dim=None, keepdim=False):
    """Index (int64) of the maximum along ``dim``, or into the flattened tensor when None."""
    return _arg(max, "argmax", input, dim, keepdim)


@_numpy_aliases
def argmin(input, dim=None, keepdim=False):
    """Index (int64) of the minimum along ``dim``, or into the flattened tensor when None."""
    return _arg(min, "argmin", input, dim, keepdim)


def _arg(select, name, input, dim, keepdim):
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        _check_nonempty(name, input, None)
        index = getattr(input._data, name)().astype(np.int64)
        return Tensor._make(index.reshape((1,) * input._data.ndim if keepdim else ()))
    return select(input.detach(), dim, keepdim).indices


def _lower_median_index(a, dim):
    order = xp_of(a).argsort(a, axis=dim, kind="stable")
    pos = (a.shape[dim] - 1) // 2
    return order.take([pos], axis=dim)


def _median_all(a, dims):
    flat = a.reshape(-1)
    return flat[_lower_median_index(flat, 0)].reshape((1,) * a.ndim)


def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        if input._data.size == 0:
            return Tensor._make(xp_of(input._data).full((), np.nan, input._data.dtype))
        return F.Extreme.apply(input, None, False, _median_all)
    return _select("median", input, dim, keepdim, _lower_median_index)


def _lower_nanmedian_index(a, dim):
    """The index of the lower median of the non-NaN values along ``dim`` (NaNs sort last)."""
    xp = xp_of(a)
    order = xp.argsort(a, axis=dim, kind="stable")
    valid = (~xp.isnan(a)).sum(axis=dim, keepdims=True)
    return xp.take_along_axis(order, xp.maximum(valid - 1, 0) // 2, axis=dim)


def _nanmedian_all(a, dims):
    flat = a.reshape(-1)
    return flat[_lower_nanmedian_index(flat, 0)].reshape((1,) * a.ndim)


def nanmedian(input, dim=None, keepdim=False):
    """``median`` ignoring NaNs (NaN only where all values are NaN)."""
    if input._data.dtype.kind != "f":
        return median(input, dim, keepdim)
    if dim is None:
        if input._data.size == 0:
            return Tensor._make(xp_of(input._data).full((), np.nan, input._data.dtype))
        return F.Extreme.apply(input, None, False, _nanmedian_all)
    return _select("nanmedian", input, dim, keepdim, _lower_nanmedian_index)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_quantile(input, q, interpolation):
    if input._data.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if input._data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    _check_quantile(input, q, interpolation)
    xp = xp_of(input._data)
    qs = xp.asarray(q._data if isinstance(q, Tensor) else q, dtype=input._data.dtype)
    if not isinstance(q, Tensor) and not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    if bool(((qs < 0) | (qs > 1)).any()):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if dim is None:
        x, out_dims = input.reshape(-1), (1,) * input._data.ndim if keepdim else ()
    else:
        d = wrap_dim(dim, input._data.ndim)
        x = input.movedim(d, -1) if input._data.ndim else input.reshape(1)
        out_dims = None
    ordered = x.sort(-1).values  # NaNs last
    n = ordered.shape[-1]
    nan = xp.isnan(ordered._data)
    last = (n - nan.sum(-1, keepdims=True) if ignore_nan else xp.full(nan.shape[:-1] + (1,), n)) - 1
    rank = qs.reshape(-1) * xp.maximum(last, 0)
    if not ignore_nan:  # a NaN anywhere gives NaN: rank it last
        rank = xp.where(nan.any(-1, keepdims=True), n - 1, rank)
    below, above = xp.floor(rank), xp.ceil(rank)
    if interpolation == "nearest":
        below = above = xp.round(rank)
    elif interpolation == "lower":
        above = below
    elif interpolation == "higher":
        below = above
    weight = rank - below if interpolation == "linear" else xp.full(rank.shape, 0.5 if
                                                                   interpolation == "midpoint" else 0)
    low = ordered.gather(-1, Tensor._make(below.astype(np.int64)))
    high = ordered.gather(-1, Tensor._make(above.astype(np.int64)))
    result = low.lerp(high, Tensor._make(weight.astype(input._data.dtype)))  # (..., Q)
    result = result.movedim(-1, 0)  # (Q, ...)
    if dim is None:
        result = result.reshape((-1,) + out_dims)
    elif keepdim and input._data.ndim:
        result = result.unsqueeze(d + 1)
    return result if qs.ndim else result.squeeze(0)


@autocast_op("quantile")
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-th quantiles (a number or 1-D tensor in [0, 1]) over ``dim`` (all values when
    None), interpolated as NumPy's ``interpolation`` methods; NaN where a NaN is present.
    With a tensor ``q`` the quantiles are the first dim of the result."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


@autocast_op("nanquantile")
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` ignoring NaNs (NaN only where all values are NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


def _mode_index(a, dim):
    """The last index of the smallest most frequent value along ``dim`` (torch's choice)."""
    xp = xp_of(a)
    moved = xp.moveaxis(a, dim, -1)
    s = xp.sort(moved, axis=-1)
    n = s.shape[-1]
    # Runs of equal values in each sorted row; a row always starts a new run.
    starts = xp.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    flat = starts.reshape(-1)
    run_start = xp.flatnonzero(flat)[xp.cumsum(flat) - 1]
    count = (xp.arange(flat.size) - run_start).reshape(s.shape)
    value = xp.take_along_axis(s, count.argmax(axis=-1)[..., None], axis=-1)
    last = n - 1 - (moved == value)[..., ::-1].argmax(axis=-1)
    return xp.moveaxis(last[..., None], -1, dim)


def mode(input, dim=-1, keepdim=False):
    """``(values, indices)`` of the most frequent value along ``dim`` (the smallest on ties)."""
    return _select("mode", input, dim, keepdim, _mode_index)


# -- statistics --------------------------------------------------------------------------
def _moment_args(name, input, dim, unbiased, correction):
    if isinstance(dim, bool):  # var(x, True): the old positional ``unbiased``
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                        "'unbiased' and 'correction'")
    if _integral(input):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims = _dims(dim, input._data.ndim)
    shape = input._data.shape
    kept = math.prod(n for d, n in enumerate(shape) if dims is not None and d not in dims)
    if (math.prod(shape) // kept if kept else 0) - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      stacklevel=4)
    return dims, correction


def _moment(name, function):
    @_numpy_aliases
    def op(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        dims, correction = _moment_args(name, input, dim, unbiased, correction)
        return function.apply(input, dims, correction, keepdim)
    op.__name__ = name
    op.__doc__ = (f"The {'variance' if name == 'var' else 'standard deviation'} over ``dim`` "
                  "with Bessel's ``correction`` (1 unless ``unbiased=False``).")
    return op


var = _moment("var", F.Var)
std = _moment("std", F.Std)


def _moment_mean(name, function):
    def op(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        mean_dim = None if isinstance(dim, bool) else dim
        dims, correction = _moment_args(name, input, dim, unbiased, correction)
        return function.apply(input, dims, correction, keepdim), mean(input, mean_dim, keepdim)
    op.__name__ = name
    op.__doc__ = f"``({name[:3]}, mean)`` over ``dim``."
    return op


var_mean = _moment_mean("var_mean", F.Var)
std_mean = _moment_mean("std_mean", F.Std)


@autocast_op("logsumexp")
@_numpy_aliases
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input), dim))``, computed stably."""
    input = _floating(input)
    return F.LogSumExp.apply(input, _dims(dim, input._data.ndim), keepdim)


@autocast_op("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm over ``dim`` (``'fro'`` is the 2-norm; p may be 0, 1, inf, any float)."""
    if _integral(input):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(input)}")
    input = _cast(input, dtype)
    if p == "nuc":
        from .matrix_functions import matrix_norm
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)
    if p == "fro" or p is None:
        p = 2
    if not isinstance(p, (int, float)):
        raise RuntimeError(f"norm(): unsupported norm type {p!r}")
    p = float(p)
    if input._data.size == 0 and (p < 0 or p == math.inf):
        _check_norm_identity(input, p, dim)
    return F.Norm.apply(input, p, _dims(dim, input._data.ndim), keepdim)


def _check_norm_identity(input, p, dim):
    """PyTorch's error for a ``p``-norm without an identity (p < 0 or inf) of the empty
    ``input``: over all of it, or over the first empty dim of ``dim`` (named as given)."""
    error = f"linalg.vector_norm cannot compute the {p:g} norm on "
    dims = [dim] if isinstance(dim, int) else list(dim or ())
    if not dims:
        raise RuntimeError(error + "an empty tensor because the operation does not have an "
                           "identity")
    for d in dims:
        if input._data.shape[wrap_dim(d, input._data.ndim)] == 0:
            raise RuntimeError(error + f"the dimension {d}because this dimension is empty and "
                               "the operation does not have an identity")


# -- logical -----------------------------------------------------------------------------
def _logical(name):
    @_numpy_aliases
    def op(input, dim=None, keepdim=False):
        a = input._data
        r = getattr(a, name)(axis=_dims(dim, a.ndim), keepdims=keepdim)
        return Tensor._make(r.astype(np.uint8) if a.dtype == np.uint8 else r)
    op.__name__ = name
    op.__doc__ = (f"Whether {name} elements over ``dim`` are non-zero (bool; uint8 for uint8 "
                  "input).")
    return op


all = _logical("all")
any = _logical("any")


def count_nonzero(input, dim=None):
    """The number (int64) of non-zero elements over ``dim``."""
    a = input._data
    return Tensor._make((a != 0).sum(axis=_dims(dim, a.ndim)).astype(np.int64))


# -- normalized exponentials ------------------------------------------------------------
def _over_dim(cls, kernel, input, dim, dtype):
    """``cls`` (Softmax or LogSoftmax) of ``input`` cast to ``dtype``, along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{kernel}_lastdim_kernel_impl\" not implemented for '{scalar_type_name(input)}'")
    d = wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return cls.apply(input.reshape(1), 0).reshape(())
    return cls.apply(input, d)


@autocast_op("softmax")
def softmax(input, dim, *, dtype=None):
    """``exp(input) / exp(input).sum(dim)``; ``dtype`` casts the input first."""
    return _over_dim(A.Softmax, "softmax", input, dim, dtype)


@autocast_op("log_softmax")
def log_softmax(input, dim, *, dtype=None):
    """``log(softmax(input, dim))``, computed stably."""
    return _over_dim(A.LogSoftmax, "log_softmax", input, dim, dtype)


_NAMES = ("sum", "mean", "prod", "cumsum", "cumprod", "max", "min", "amax", "amin", "aminmax",
          "argmax", "argmin", "median", "mode", "var", "std", "logsumexp", "norm", "all", "any",
          "count_nonzero", "softmax", "log_softmax", "nansum", "nanmean", "nanmedian", "quantile",
          "nanquantile", "cummax", "cummin", "logcumsumexp", "diff")
METHODS = {name: globals()[name] for name in _NAMES}
FUNCTIONS = dict(METHODS, var_mean=var_mean, std_mean=std_mean)
