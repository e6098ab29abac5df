"""Tensor creation: ``tensor``, ``zeros``, ``arange``, ``rand``, ... (PyTorch's signatures)."""
import math
import numbers

import numpy as np

from .. import _dtype
from .._device import default_device, to_device, xp_for, device_of, move
from .._memory_format import (check_format, copy_as, element_strides, format_strides,
                              layout_strides, preserve_format)
from .._tensor import Tensor
from ..random import generator_for
from .math import checked_fill_value


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


_SEQUENCES = (list, tuple, range, bytearray)


def _leaf_dtype(leaf):
    """The dtype PyTorch infers for one element of nested data."""
    kind = type(leaf)
    if kind is bool:
        return _dtype.bool_
    if kind is int:
        return _dtype.int64
    if kind is float:
        return _dtype.get_default_dtype()
    if isinstance(leaf, Tensor):
        return leaf.dtype
    if isinstance(leaf, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(leaf.dtype)
    if isinstance(leaf, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{kind.__name__}'")
    raise RuntimeError(f"Could not infer dtype of {kind.__name__}")


def _first_elements(data):
    """The shape of nested sequences as PyTorch reads it, along the first elements, and the
    first element that is not a sequence (or the first empty sequence)."""
    shape, item = [], data
    while isinstance(item, _SEQUENCES):
        shape.append(len(item))
        if not len(item):
            break
        item = item[0]
    return shape, item


def _check_first_leaf(data):
    """A string where PyTorch reads the shape is one more (invalid) dimension for it."""
    if isinstance(_first_elements(data)[1], str):
        raise ValueError("too many dimensions 'str'")


def _infer_dtype(data):
    """PyTorch's dtype for nested sequences: the promotion of every element's dtype."""
    found = set()
    stack = [data]
    while stack:
        seq = stack.pop()
        kinds = set(map(type, seq))
        if kinds <= {bool, int, float}:  # the common case, without a Python loop
            found.update(_leaf_dtype(k()) for k in kinds)
            continue
        for item in seq:
            if isinstance(item, _SEQUENCES):
                stack.append(item)
            else:
                found.add(_leaf_dtype(item))
    result = None
    for d in found:
        result = d if result is None else _dtype.promote_types(result, d)
    return result or _dtype.get_default_dtype()


def _ragged_error(data):
    """PyTorch's error for nested sequences whose lengths do not match."""
    shape = _first_elements(data)[0]
    stack = [(data, 0)]
    while stack:
        seq, dim = stack.pop()
        if len(seq) != shape[dim]:
            return ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})")
        for item in seq:
            if isinstance(item, _SEQUENCES) != (dim + 1 < len(shape)):
                return TypeError("not a sequence")
            if dim + 1 < len(shape):
                stack.append((item, dim + 1))
    return ValueError("expected a rectangular nested sequence")


def _overflow(dt):
    return RuntimeError(f"value cannot be converted to type {str(dt).split('.')[-1]} without "
                        "overflow")


def _narrow_ints(data, dt):
    """Python ints that overflow ``dt``: PyTorch wraps those from -255 to -1 into uint8 (-1 is
    255) and refuses the rest."""
    try:
        wide = np.array(data, dtype=np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if dt.np_dtype == np.uint8 and wide.size and -255 <= wide.min() and wide.max() <= 255:
        return wide.astype(np.uint8)
    raise _overflow(dt)


def _truncate_floats(data, wide, dt):
    """Python ``data`` holding floats, as the float64 array ``wide``, for an integer ``dt``:
    truncated toward zero, refused (as in PyTorch) where a float lies outside ``dt``'s range or
    is not finite; ints follow ``_narrow_ints``."""
    info = np.iinfo(dt.np_dtype)
    bad = ~((wide >= info.min) & (wide <= info.max))
    if bad.any():
        rejected = np.array(data, dtype=object)[bad]
        if not all(isinstance(v, numbers.Integral) for v in rejected):
            raise _overflow(dt)
        _narrow_ints(list(rejected), dt)  # raises unless they wrap into uint8
    return wide.astype(np.int64).astype(dt.np_dtype)


def _array_from(data, dtype):
    """A new host array from Python data or a NumPy array, with PyTorch's dtype inference."""
    if isinstance(data, (np.ndarray, np.generic)):
        inferred = _dtype.from_numpy_dtype(data.dtype)
    elif isinstance(data, _SEQUENCES):
        _check_first_leaf(data)
        inferred = _infer_dtype(data)
    else:
        inferred = _leaf_dtype(data)
    dt = dtype or inferred
    floats_to_ints = (dt.np_dtype.kind in "iu" and inferred.is_floating_point
                      and not isinstance(data, (np.ndarray, np.generic)))
    try:
        array = np.array(data, dtype=np.float64 if floats_to_ints else dt.np_dtype)
    except OverflowError:
        return _narrow_ints(data, dt)
    except ValueError:
        if isinstance(data, _SEQUENCES):
            raise _ragged_error(data) from None
        raise
    return _truncate_floats(data, array, dt) if floats_to_ints else array


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested sequence or array).

    The dtype is inferred as PyTorch does: Python floats give the default dtype, ints
    ``int64``, bools ``bool``; NumPy arrays keep theirs; mixed elements are promoted.
    """
    dt = _dtype.to_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data.astype(dt.np_dtype) if dt is not None else data._data.copy()
    elif type(data).__module__.startswith("cupy"):
        arr = data.astype(dt.np_dtype) if dt is not None else data.copy()
    else:
        arr, device = _array_from(data, dt), default_device(device)
    return _finish(arr, None, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or Tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return _finish(data, dtype, default_device(device), False)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A CPU tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) ")
    return Tensor._make(ndarray)


def _is_int(v):
    return isinstance(v, numbers.Integral) or (
        isinstance(v, Tensor) and v._data.size == 1 and v._data.dtype.kind in "iu")


def _size(name, args, size=None):
    """Validate a size given as ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``."""
    if size is not None:
        args = (size,)
    if not args:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    elif len(args) == 1 and not _is_int(args[0]):
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(args[0]).__name__}")
    for i, s in enumerate(args):
        if not _is_int(s):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {i + 1} "
                            f"with error \"type must be tuple of ints,but got {type(s).__name__}\"")
    shape = tuple(int(s) for s in args)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _float_default(dtype):
    return (_dtype.to_dtype(dtype) or _dtype.get_default_dtype()).np_dtype


def _filled(name, fill, doc, takes_format=False):
    def create(*args, size=None, out=None, dtype=None, layout=None, device=None,
               requires_grad=False, pin_memory=False, memory_format=None):
        shape = _size(name, args, size)
        device = default_device(device)
        data = fill(xp_for(device), shape, _float_default(dtype))
        if memory_format is not None:
            if not takes_format:  # of these factories, only empty() has a layout, as in PyTorch
                raise TypeError(f"{name}() got an unexpected keyword argument 'memory_format'")
            check_format(name, memory_format)
            if memory_format is preserve_format:
                raise RuntimeError("unsupported memory format Preserve")
            data = _relaid(data, format_strides(shape, memory_format))
        return _finish(data, None, device, requires_grad)
    create.__name__ = create.__qualname__ = name
    create.__doc__ = f"A tensor of the given size {doc} (default float dtype)."
    return create


zeros = _filled("zeros", lambda xp, s, dt: xp.zeros(s, dt), "filled with zeros")
ones = _filled("ones", lambda xp, s, dt: xp.ones(s, dt), "filled with ones")
empty = _filled("empty", lambda xp, s, dt: xp.empty(s, dt),
                "left uninitialised, laid out in ``memory_format``", takes_format=True)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred as PyTorch does)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    fill_value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    dt = _dtype.to_dtype(dtype) or _dtype.scalar_dtype(fill_value)
    fill_value = checked_fill_value(dt.np_dtype, fill_value)
    device = default_device(device)
    xp = xp_for(device)
    data = xp.full(_size("full", (size,)), fill_value, dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None,
           layout=None):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    is_float = any(isinstance(v, float) for v in values)
    dt = _dtype.to_dtype(dtype) or (_dtype.get_default_dtype() if is_float else _dtype.int64)
    lo, hi, st = (float(v) for v in values)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"unsupported range: {values[0]} -> {values[1]}")
    n = math.ceil((hi - lo) / st) if st else 0
    if not dt.is_floating_point:  # the bounds and step are used as integers, the count is not
        values = [int(v) for v in values]
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if n < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    device = default_device(device)
    xp = xp_for(device)
    kind = np.float64 if dt.is_floating_point else np.int64
    data = (values[0] + values[2] * xp.arange(n, dtype=kind)).astype(dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if not _is_int(steps):
        raise TypeError(f"linspace(): argument 'steps' (position 3) must be int, not "
                        f"{type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    device = default_device(device)
    xp = xp_for(device)
    data = xp.linspace(float(start), float(end), int(steps)).astype(_float_default(dtype))
    return _finish(data, None, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in log scale."""
    device = default_device(device)
    xp = xp_for(device)
    data = (base ** xp.linspace(float(start), float(end), int(steps))).astype(_float_default(dtype))
    return _finish(data, None, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """The identity matrix (``n`` x ``m``)."""
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    device = default_device(device)
    xp = xp_for(device)
    return _finish(xp.eye(n, m, dtype=_float_default(dtype)), None, device, requires_grad)


def _relaid(data, strides):
    """``data``, copied when needed to have ``strides`` (in elements)."""
    return data if element_strides(data) == strides else copy_as(data, strides)


def _laid_out_like(out, input, memory_format, name):
    """``out``, a new tensor of ``input``'s shape, laid out as ``memory_format`` asks for a
    tensor like ``input`` (by default as ``input`` when it is dense)."""
    check_format(name, memory_format)
    if memory_format in (None, preserve_format) and input._data.flags.c_contiguous:
        return out
    out._data = _relaid(out._data, layout_strides(input._data, memory_format))
    return out


def _like(factory):
    name = factory.__name__ + "_like"

    def create(input, *, dtype=None, device=None, requires_grad=False, layout=None,
               memory_format=preserve_format, pin_memory=False, **kwargs):
        out = factory(input._data.shape, dtype=dtype or input.dtype,
                      device=device or input.device, requires_grad=requires_grad, **kwargs)
        return _laid_out_like(out, input, memory_format, name)
    create.__name__ = name
    create.__doc__ = (f"``{factory.__name__}`` with the size (and by default dtype, device and "
                      "memory layout) of input.")
    return create


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=preserve_format, **kwargs):
    """A tensor like ``input`` filled with ``fill_value``."""
    out = full(input._data.shape, fill_value, dtype=dtype or input.dtype,
               device=device or input.device, requires_grad=requires_grad)
    return _laid_out_like(out, input, memory_format, "full_like")


# -- random ---------------------------------------------------------------------------------
_C_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
            "int64": "Long"}


def _random(name, kernel, draw):
    def create(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
               requires_grad=False, pin_memory=False):
        shape = _size(name, args, size)
        dt = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
        if not dt.is_floating_point:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_C_NAMES[dt.name]}\'')
        device = default_device(device)
        data = draw(generator_for(generator, xp_for(device)), shape).astype(dt.np_dtype, copy=False)
        return _finish(data, None, device, requires_grad)
    create.__name__ = name
    return create


rand = _random("rand", "check_uniform_bounds", lambda g, s: g.random(s, dtype=np.float64))
rand.__doc__ = "Uniform samples from [0, 1)."
randn = _random("randn", "normal_kernel_cpu", lambda g, s: g.standard_normal(s))
randn.__doc__ = "Standard normal samples."
rand_like = _like(rand)
randn_like = _like(randn)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, out=None, layout=None):
    """Integers uniformly drawn from ``[low, high)`` (``randint(high, size)`` also works)."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() received an invalid combination of arguments: expected "
                        "(int high, tuple of ints size) or (int low, int high, tuple of ints size)")
    shape = _size("randint", (size,))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    device = default_device(device)
    data = generator_for(generator, xp_for(device)).integers(low, high, shape)
    return _finish(data, dtype or _dtype.int64, device, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None,
                 memory_format=preserve_format, **kwargs):
    """``randint`` with the size (and by default dtype, device, memory layout) of ``input``."""
    out = randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                  device=device or input.device)
    return _laid_out_like(out, input, memory_format, "randint_like")


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    """A random permutation of ``0 .. n-1``."""
    _size("randperm", (n,))
    device = default_device(device)
    draw = generator_for(generator, xp_for(device))
    # CuPy's Generator has no permutation: the order of uniform draws is one
    order = draw.permutation(int(n)) if hasattr(draw, "permutation") else draw.random(n).argsort()
    return _finish(order, dtype or _dtype.int64, device, requires_grad)


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
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    device = default_device(device)
    xp = xp_for(device)
    data = mean + std * generator_for(generator, xp).standard_normal(_size("normal", (size,)))
    return _finish(data.astype(_float_default(dtype)), None, device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probabilities ``input`` (or the scalar ``p``), in input's dtype."""
    probs = input._data if p is None else p
    if p is None and bool(((input._data < 0) | (input._data > 1)).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    xp = xp_for(input.device)
    draw = generator_for(generator, xp).random(input._data.shape)
    return Tensor._make((draw < probs).astype(input._data.dtype))


def _count_at_most(cdf, u):
    """Per row, how many entries of the non-decreasing ``cdf`` are <= each ``u``: a row-wise
    ``searchsorted(side="right")``, as one binary search over all the draws at once."""
    k = cdf.shape[1]
    count = np.zeros(u.shape, dtype=np.int64)
    for bit in reversed(range(k.bit_length())):
        probe = count + (1 << bit)
        reached = np.take_along_axis(cdf, np.minimum(probe, k) - 1, axis=1) <= u
        count = np.where((probe <= k) & reached, probe, count)
    return count


def _draw_with_replacement(rows, num_samples, g):
    """Inverse-CDF draws: per draw, the first category whose cumulative weight exceeds it."""
    cdf = np.cumsum(rows, axis=1)
    u = g.random((len(rows), num_samples)) * cdf[:, -1:]
    # A zero weight repeats the cumulative sum before it, so it is never the first to exceed u.
    # u * total can round up to the total when it is subnormal: cap at the last non-zero weight.
    last = rows.shape[1] - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)
    return np.minimum(_count_at_most(cdf, u), last[:, None])


def _draw_without_replacement(rows, num_samples, g):
    """The exponential race: the categories with the largest weight / Exp(1) keys; zero
    weights, drawn only when the others run out, follow in the order of their indices."""
    # -inf keys keep zero weights last, even behind positive keys that underflow to 0
    keys = np.where(rows > 0, rows, -np.inf) / g.standard_exponential(rows.shape)
    return np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of ``input`` (unnormalised, non-negative weights)."""
    w = input._host().astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples "
                           "without replacement")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    draw = _draw_with_replacement if replacement else _draw_without_replacement
    data = draw(rows, num_samples, generator_for(generator, np))
    return _finish(data.reshape(w.shape[:-1] + (num_samples,)).astype(np.int64), None,
                   input.device, False)


FUNCTIONS = {name: globals()[name] for name in (
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "rand",
    "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm", "normal",
    "bernoulli", "multinomial")}
METHODS = {"bernoulli": bernoulli, "multinomial": multinomial}
