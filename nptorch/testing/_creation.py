"""``make_tensor``: random tensors of any shape and dtype for tests."""
import collections.abc
import math
import warnings
from functools import reduce
from operator import mul

from .._api.creation import empty, randint
from .._dtype import bool_, float16, float32, float64, int8, int16, int32, int64, uint8
from .._typeinfo import finfo, iinfo

__all__ = ["make_tensor"]

_INTEGRAL_TYPES = (uint8, int8, int16, int32, int64)
_FLOATING_TYPES = (float16, float32, float64)


def _bounds(low, high, dtype, lowest, highest, default_low, default_high):
    """``low`` and ``high`` checked, clamped to ``[lowest, highest)``, made integral if needed."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(value, float) and math.isnan(value) for value in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype in _FLOATING_TYPES:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex "
                      "types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if dtype in _FLOATING_TYPES:
        return low, high
    # randint's upper bound is exclusive, so both bounds round up
    return math.ceil(low), math.ceil(high)


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` filled with values drawn uniformly from ``[low, high)``.

    Defaults: ``[0, 2)`` for bool, ``[0, 10)`` for uint8, ``[-9, 10)`` for signed integers and
    ``[-9, 9)`` for floats; bounds outside the dtype's range are clamped to it.
    ``noncontiguous`` gives a strided view (when there are at least two elements);
    ``exclude_zero`` replaces zeros with 1 (integers, bool) or ``finfo(dtype).tiny`` (floats).

    Example::

        >>> make_tensor(2, 3, dtype=torch.float32, device="cpu", low=-1, high=1)
    """
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and dtype not in _FLOATING_TYPES:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={dtype}")
    noncontiguous = noncontiguous and reduce(mul, shape, 1) > 1
    if noncontiguous:
        # twice as long in the last dimension, so the strided view has distinct values
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is bool_:
        low, high = _bounds(low, high, dtype, 0, 2, 0, 2)
        result = randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _INTEGRAL_TYPES:
        # randint cannot draw int64's maximum, so int64's range stays exclusive of it
        highest = iinfo(dtype).max + (dtype is not int64)
        low, high = _bounds(low, high, dtype, iinfo(dtype).min, highest, -9, 10)
        result = randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _FLOATING_TYPES:
        info = finfo(dtype)
        low, high = _bounds(low, high, dtype, info.min, info.max, -9, 9)
        result = empty(shape, device=device, dtype=dtype)
        if high - low >= info.max:  # uniform_ would overflow computing high - low
            result.uniform_(low / 2, high / 2).mul_(2)
        else:
            result.uniform_(low, high)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]  # offset by one to catch offset bugs too
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if dtype not in _FLOATING_TYPES else finfo(dtype).tiny
    if dtype in _FLOATING_TYPES:
        result.requires_grad = requires_grad
    return result
