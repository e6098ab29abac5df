"""Tensor creation: ``tensor``, ``zeros``, ``arange``, ``rand``, ... (PyTorch's signatures)."""
import math
import numbers

import numpy as np

from .. import _dtype
from .._device import to_device, xp_for, device_of, move
from .._tensor import Tensor
from ..random import generator_for


def _finish(data, dtype, device, requires_grad):
    """Wrap an array as a Tensor with the requested dtype, device and requires_grad."""
    dt = _dtype.to_dtype(dtype)
    if dt is not None and data.dtype != dt.np_dtype:
        data = data.astype(dt.np_dtype)
    device = to_device(device)
    if device is not None and device != device_of(data):
        data = move(data, device)
    t = Tensor._make(data)
    if requires_grad:
        t.requires_grad = True
    return t


def _infer_array(data):
    """An array from Python data with PyTorch's dtype inference (floats -> default dtype)."""
    if isinstance(data, Tensor):
        return data._host().copy()
    if isinstance(data, (list, tuple)):
        data = [_infer_array(d) if isinstance(d, Tensor) else d for d in data]
    arr = np.array(data)
    numpy_input = isinstance(data, (np.ndarray, np.generic))
    if arr.dtype.kind == "f" and not numpy_input:
        return arr.astype(_dtype.get_default_dtype().np_dtype)
    if arr.dtype.kind in "iu" and not numpy_input:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "O" or arr.dtype.kind in "USV":
            raise TypeError(f"Could not infer dtype of {type(data).__name__}" if arr.dtype.kind == "O"
                            else f"new(): invalid data type '{type(data).__name__}'")
        raise TypeError(f"can't convert np.ndarray of type {arr.dtype}. The only supported types "
                        "are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    _dtype.from_numpy_dtype(arr.dtype)
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested sequence or array)."""
    if type(data).__module__.startswith("cupy"):
        arr = data.copy()
    else:
        arr = _infer_array(data)
    if isinstance(data, Tensor) and dtype is None:
        dtype = data.dtype
    return _finish(arr, dtype, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or Tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return _finish(data, dtype, device, False)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A CPU tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) and not (isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(f"expected a sequence of integers as size, but got {type(s).__name__}")
    size = tuple(int(s) for s in size)
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    return size


def _float_default(dtype):
    return (_dtype.to_dtype(dtype) or _dtype.get_default_dtype()).np_dtype


def _filled(name, fill):
    def create(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
               pin_memory=False, memory_format=None):
        xp = xp_for(to_device(device))
        data = fill(xp, _size(size), _float_default(dtype))
        return _finish(data, None, device, requires_grad)
    create.__name__ = name
    create.__doc__ = f"A tensor of the given size filled with {name}."
    return create


zeros = _filled("zeros", lambda xp, s, dt: xp.zeros(s, dt))
ones = _filled("ones", lambda xp, s, dt: xp.ones(s, dt))
empty = _filled("empty", lambda xp, s, dt: xp.empty(s, dt))


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred as PyTorch does)."""
    dt = _dtype.to_dtype(dtype) or _dtype.scalar_dtype(
        fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    xp = xp_for(to_device(device))
    data = xp.full(_size((size,) if isinstance(size, int) else tuple(size)), fill_value, dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def _like(factory):
    def create(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=None, pin_memory=False, **kwargs):
        return factory(*input._data.shape, dtype=dtype or input.dtype,
                       device=device or input.device, requires_grad=requires_grad, **kwargs)
    create.__name__ = factory.__name__ + "_like"
    return create


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, **kwargs):
    return full(input._data.shape, fill_value, dtype=dtype or input.dtype,
                device=device or input.device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None,
           layout=None):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) / values[2] < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in values)
    dt = _dtype.to_dtype(dtype) or (_dtype.get_default_dtype() if is_float else _dtype.int64)
    n = max(0, math.ceil((values[1] - values[0]) / values[2]))
    xp = xp_for(to_device(device))
    data = (values[0] + values[2] * xp.arange(n, dtype=np.float64)).astype(dt.np_dtype) \
        if is_float or dt.is_floating_point else xp.arange(values[0], values[1], values[2], dtype=dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    xp = xp_for(to_device(device))
    data = xp.linspace(float(start), float(end), int(steps)).astype(_float_default(dtype))
    return _finish(data, None, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    xp = xp_for(to_device(device))
    data = (base ** xp.linspace(float(start), float(end), int(steps))).astype(_float_default(dtype))
    return _finish(data, None, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """The identity matrix (``n`` x ``m``)."""
    xp = xp_for(to_device(device))
    return _finish(xp.eye(n, n if m is None else m, dtype=_float_default(dtype)), None, device,
                   requires_grad)


# -- random ---------------------------------------------------------------------------------
def _random(name, draw):
    def create(*size, generator=None, out=None, dtype=None, layout=None, device=None,
               requires_grad=False, pin_memory=False):
        device = to_device(device)
        xp = xp_for(device)
        dt = _float_default(dtype)
        data = draw(generator_for(generator, xp), _size(size)).astype(dt, copy=False)
        return _finish(data, None, device, requires_grad)
    create.__name__ = name
    return create


rand = _random("rand", lambda g, s: g.random(s, dtype=np.float64))
randn = _random("randn", lambda g, s: g.standard_normal(s))


def rand_like(input, *, dtype=None, device=None, requires_grad=False, **kwargs):
    return rand(*input._data.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, **kwargs):
    return randn(*input._data.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, out=None, layout=None):
    """Integers uniformly drawn from ``[low, high)`` (``randint(high, size)`` also works)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    device = to_device(device)
    xp = xp_for(device)
    data = generator_for(generator, xp).integers(low, high, _size((size,)))
    return _finish(data, dtype or _dtype.int64, device, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, **kwargs):
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                   device=device or input.device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    """A random permutation of ``0 .. n-1``."""
    device = to_device(device)
    xp = xp_for(device)
    return _finish(generator_for(generator, xp).permutation(int(n)), dtype or _dtype.int64,
                   device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False):
    """Normal samples; ``mean`` and ``std`` may be tensors (broadcast) or numbers with ``size``."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        xp = xp_for(like.device)
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        if isinstance(std, Tensor) and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        data = m + s * generator_for(generator, xp).standard_normal(shape)
        return _finish(data.astype(like._data.dtype), None, None, requires_grad)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    device = to_device(device)
    xp = xp_for(device)
    data = mean + std * generator_for(generator, xp).standard_normal(_size((size,) if isinstance(size, int) else tuple(size)))
    return _finish(data.astype(_float_default(dtype)), None, device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probabilities ``input`` (or the scalar ``p``), in input's dtype."""
    probs = input._data if p is None else p
    if p is None and bool(((input._data < 0) | (input._data > 1)).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    xp = xp_for(input.device)
    draw = generator_for(generator, xp).random(input._data.shape)
    return Tensor._make((draw < probs).astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of ``input`` (unnormalised, non-negative weights)."""
    w = input._host().astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    g = generator_for(generator, np)
    out = []
    for row in rows:
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative category to sample)")
        out.append(g.choice(row.size, num_samples, replace=replacement, p=row / total))
    data = np.stack(out).reshape(w.shape[:-1] + (num_samples,))
    return _finish(data.astype(np.int64), None, input.device, False)


FUNCTIONS = {name: globals()[name] for name in (
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "rand",
    "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm", "normal",
    "bernoulli", "multinomial")}
METHODS = {"bernoulli": bernoulli, "multinomial": multinomial}
