"""More tensor factories: ``fill`` (out-of-place ``fill_``), the deprecated end-inclusive
``range``, ``empty_permuted`` and ``Tensor.new_empty_strided``."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._device import default_device, xp_for
from .._tensor import Tensor
from .creation import _finish, _size
from .math import _NUMBERS, _fill
from .numeric import empty_strided


def fill(input, value):
    """A new tensor of ``input``'s shape and dtype holding ``value`` everywhere (a number or a
    0-dim tensor, which gets the gradient)."""
    if not isinstance(value, (Tensor,) + _NUMBERS):
        got = type(value).__name__
        raise TypeError(
            f"fill() received an invalid combination of arguments - got (Tensor, {got}), but "
            "expected one of:\n * (Tensor input, Tensor value)\n      didn't match because some "
            f"of the arguments have invalid types: (Tensor, !{got}!)\n * (Tensor input, Number "
            "value)\n      didn't match because some of the arguments have invalid types: "
            f"(Tensor, !{got}!)\n")
    return _fill(input, value)


def range(start, end, step=1, *, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, out=None):
    """Values from ``start`` to ``end`` inclusive by ``step`` (the default float dtype unless
    ``dtype``). Deprecated as in PyTorch: use ``arange``, whose end is exclusive."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    dt = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    if dt.np_dtype.kind == "b":
        raise NotImplementedError('"range_cpu" not implemented for \'Bool\'')
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if not all(math.isfinite(v) for v in values[:2]):
        raise RuntimeError(f"unsupported range: {values[0]} -> {values[1]}")
    # integer dtypes take the bounds and step as integers; floating ones count in float64
    kind = np.float64 if dt.is_floating_point else np.int64
    lo, hi, st = (kind(v) for v in values)
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if (st > 0 and hi < lo) or (st < 0 and hi > lo):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(math.floor((hi - lo) / st)) + 1
    device = default_device(device)
    data = (lo + st * xp_for(device).arange(n, dtype=kind)).astype(dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` whose dims lie in memory in the order
    ``physical_layout`` (outermost first): ``empty_permuted((2, 3, 4), (0, 2, 1))`` has
    strides ``(12, 1, 3)``."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"empty_permuted(): argument 'size' (position 1) must be tuple of ints, "
                        f"not {type(size).__name__}")
    order = [int(d) for d in physical_layout]
    ndim = len(size)
    if len(order) != ndim:
        raise RuntimeError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {ndim} is not equal to len(physical_layout) = {len(order)}")
    for i, d in enumerate(order):
        if not 0 <= d < ndim:
            raise RuntimeError(
                f"Dimension out of range (expected to be between 0 and {ndim - 1}, but got {d} "
                f"at index {i}).  NB: negative dims not currently supported; file an issue if "
                "you want it.")
    if len(set(order)) != ndim:
        raise RuntimeError("Duplicate dim not allowed")
    physical = _size("empty_permuted", ([size[d] for d in order],))
    dt = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    device = default_device(device)
    data = xp_for(device).empty(physical, dt.np_dtype).transpose(np.argsort(order))
    return _finish(data, None, device, requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    """``empty_strided`` with, by default, this tensor's dtype and device."""
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


FUNCTIONS = {"fill": fill, "range": range, "empty_permuted": empty_permuted}
METHODS = {"new_empty_strided": new_empty_strided}
