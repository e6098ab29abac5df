"""dtype and device conversions, copies and ``new_*`` constructors as Tensor methods."""
from .. import _dtype
from .._device import device_of, to_device
from .._tensor import Tensor
from .._functions.convert import ToCopy, Clone


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dtype.dtype) or a in (float, int, bool):
            dtype = a
        elif isinstance(a, (str, int)) or hasattr(a, "type"):
            device = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    return _dtype.to_dtype(dtype), to_device(device)


def to(self, *args, **kwargs):
    """Return this tensor with another dtype and/or on another device (self when unchanged)."""
    copy = kwargs.get("copy", False)
    dtype, device = _parse_to(args, kwargs)
    same_dtype = dtype is None or dtype.np_dtype == self._data.dtype
    same_device = device is None or (device.type == "cpu" and self.is_cpu) or (
        device == device_of(self._data)) or (
        device.type == "cuda" and device.index is None and not self.is_cpu)
    if same_dtype and same_device and not copy:
        return self
    return ToCopy.apply(self, None if same_dtype else dtype.np_dtype,
                        None if same_device else device)


def _caster(d):
    def method(self, memory_format=None):
        return to(self, d)
    method.__name__ = d.name
    return method


def cpu(self, memory_format=None):
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False, memory_format=None):
    return to(self, to_device("cuda" if device is None else device))


def type_as(self, other):
    return to(self, other.dtype)


def clone(self, *, memory_format=None):
    return Clone.apply(self)


def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return Clone.apply(self)


def _new(self, data, dtype, device, requires_grad):
    from .creation import tensor
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return _new(self, data, dtype, device, requires_grad)


def _new_filled(fill):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        from .creation import full
        return full(size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size,
                    fill(self), dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)
    return method


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    from .creation import full
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    from .creation import empty
    return empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                 requires_grad=requires_grad)


METHODS = {
    "to": to, "cpu": cpu, "cuda": cuda, "type_as": type_as, "clone": clone,
    "contiguous": contiguous, "new_tensor": new_tensor, "new_full": new_full,
    "new_empty": new_empty,
    "new_zeros": _new_filled(lambda self: 0), "new_ones": _new_filled(lambda self: 1),
    "float": _caster(_dtype.float32), "double": _caster(_dtype.float64),
    "half": _caster(_dtype.float16), "int": _caster(_dtype.int32),
    "long": _caster(_dtype.int64), "bool": _caster(_dtype.bool_),
    "short": _caster(_dtype.int16), "char": _caster(_dtype.int8), "byte": _caster(_dtype.uint8),
}
FUNCTIONS = {"clone": clone}
