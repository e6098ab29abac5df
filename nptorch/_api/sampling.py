"""In-place random fills: ``uniform_``, ``normal_``, ``bernoulli_``, ``exponential_``,
``geometric_``, ``log_normal_``, ``cauchy_`` and ``random_``, and the samplers ``poisson``
and ``binomial``, drawn from the default generator of the tensor's device (or
``generator``)."""
import numpy as np

from .. import _dtype
from .._device import xp_of
from .._functions import elementwise as F
from ..random import generator_for
from .._tensor import Tensor


def _random_fill(draw, refuse=None):
    """An in-place random fill: ``draw(xp, generator, shape, *args)`` gives the values (cast to
    the tensor's dtype as they are written); ``refuse(input)`` is the error for a tensor that
    is not floating (None: any dtype)."""
    def fill(input, *args, generator=None):
        if refuse is not None and not input.is_floating_point():
            raise refuse(input)
        xp = xp_of(input._data)
        return F.Copy.apply(input, draw(xp, generator_for(generator, xp), input._data.shape,
                                        *args))
    return fill


def _no_kernel(kernel):
    return lambda input: NotImplementedError(
        f'"{kernel}" not implemented for \'{_dtype.scalar_type_name(input)}\'')


def _continuous(name, type_name=_dtype.scalar_type_name):
    return lambda input: RuntimeError(
        f"{name} distribution is a continuous probability distribution. dtype must be a "
        f"floating point but you specified {type_name(input)}")


def _uniform(xp, g, shape, a=0.0, b=1.0):
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > "
                           f"to={b}")
    return a + (b - a) * g.random(shape, dtype=np.float64)  # the draws of ``rand``


def _normal(xp, g, shape, mean=0.0, std=1.0):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return mean + std * g.standard_normal(shape)  # the draws of ``randn``


def _bernoulli(xp, g, shape, p=0.5):
    if isinstance(p, Tensor):
        p = p._data
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return g.random(shape) < p


def _log_open_unit(xp, g, shape):
    """``log(u)`` for uniform draws ``u`` in (0, 1]: finite, at most 0."""
    return xp.log(1.0 - g.random(shape, dtype=np.float64))


def _exponential(xp, g, shape, lambd=1.0):
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return -_log_open_unit(xp, g, shape) / lambd


def _geometric(xp, g, shape, p):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    # the number of Bernoulli(p) trials up to the first success: 1, 2, ...
    return xp.maximum(xp.ceil(_log_open_unit(xp, g, shape) / np.log1p(-p)), 1)


def _log_normal(xp, g, shape, mean=1.0, std=2.0):
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return xp.exp(mean + std * g.standard_normal(shape))


def _cauchy(xp, g, shape, median=0.0, sigma=1.0):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return median + sigma * xp.tan(np.pi * (g.random(shape, dtype=np.float64) - 0.5))


def _random_bounds(dtype, low, high):
    """``[low, high)`` for ``random_``: by default every integer the dtype holds exactly
    (``[0, 2**digits]`` for floating dtypes, ``[0, max]`` for integers)."""
    np_dtype = dtype.np_dtype
    if np_dtype.kind == "f":
        largest = 2 ** (np.finfo(np_dtype).nmant + 1)
    else:
        largest = 1 if np_dtype.kind == "b" else int(np.iinfo(np_dtype).max)
    if high is None:
        low, high = (0, largest + 1) if low is None else (0, low)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    if high - 1 > largest:
        raise RuntimeError(f"to - 1 is out of bounds for {_dtype.cpp_type_name(dtype)}")
    return low, high


def random_(input, from_=None, to=None, *, generator=None, **kwargs):
    """Integers drawn uniformly from ``[from, to)`` (``random_(to)``: from 0; no arguments: all
    that the dtype holds exactly), written in place."""
    from_ = kwargs.pop("from", from_)
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    low, high = _random_bounds(input.dtype, from_, to)
    xp = xp_of(input._data)
    values = generator_for(generator, xp).integers(low, high, input._data.shape, dtype=np.int64)
    return F.Copy.apply(input, values.astype(input._data.dtype))


def poisson(input, generator=None):
    """Poisson counts with the rates ``input``, in its (floating) dtype; the rates get a zero
    gradient, as in PyTorch."""
    if not input.is_floating_point():
        raise _no_kernel("poisson_cpu")(input)
    rates = input._data
    if bool((rates < 0).any()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    xp = xp_of(rates)
    return F.Copy.apply(input, generator_for(generator, xp).poisson(rates.astype(np.float64)))


def binomial(count, prob, generator=None):
    """The number of successes in ``count`` trials of probability ``prob`` (tensors of one
    floating dtype, broadcast together); not differentiable."""
    if not isinstance(prob, Tensor):
        raise TypeError(f"binomial(): argument 'prob' (position 2) must be Tensor, not "
                        f"{type(prob).__name__}")
    if not count.is_floating_point():
        raise ValueError("binomial only supports floating-point dtypes for count, got: "
                         f"{_dtype.scalar_type_name(count)}")
    if prob._data.dtype != count._data.dtype:
        raise RuntimeError(f"Found dtype {_dtype.scalar_type_name(prob)} but expected "
                           f"{_dtype.scalar_type_name(count)}")
    n, p = xp_of(count._data).broadcast_arrays(count._data, prob._data)
    xp = xp_of(n)
    if bool((xp.isnan(n) | xp.isnan(p)).any()):
        raise RuntimeError("binomial: count and prob must not be NaN")
    # as PyTorch: negative counts draw 0, probabilities are clamped to [0, 1], a fractional
    # count runs its whole trials, and a certain success returns the count itself
    n = xp.maximum(n, 0)
    draws = generator_for(generator, xp).binomial(xp.floor(n).astype(np.int64),
                                                  xp.clip(p, 0, 1).astype(np.float64))
    return Tensor._make(xp.where(p >= 1, n, draws).astype(n.dtype))


FUNCTIONS = METHODS = {"poisson": poisson, "binomial": binomial}

INPLACE = {
    "uniform_": _random_fill(_uniform, _no_kernel("check_uniform_bounds")),
    "normal_": _random_fill(_normal, _no_kernel("normal_kernel_cpu")),
    "bernoulli_": _random_fill(_bernoulli),
    "exponential_": _random_fill(_exponential, _continuous("Exponential")),
    "geometric_": _random_fill(_geometric),
    "log_normal_": _random_fill(_log_normal, _no_kernel("log_normal_cpu")),
    "cauchy_": _random_fill(_cauchy, _continuous("Cauchy", _dtype.cpp_type_name)),
    "random_": random_,
}
