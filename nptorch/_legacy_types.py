"""The legacy tensor types (``FloatTensor``, ``LongTensor``, ...): calling one builds a CPU tensor
of its dtype, and ``isinstance(t, FloatTensor)`` tells whether ``t`` is a float32 CPU tensor."""
import numbers
from collections.abc import Sequence

import numpy as np

from . import _dtype
from ._api.creation import empty, tensor
from ._device import to_device
from ._memory_format import strided
from ._tensor import Size, Tensor
from ._typeinfo import typename

_SIGNATURES = (" * (*, torch.device device = None)\n"
               " * (Tensor other)\n"
               " * (tuple of ints size, *, torch.device device = None)\n"
               " * (object data, *, torch.device device = None)\n")


def _is_size(a):
    return isinstance(a, numbers.Integral) and not isinstance(a, bool)


def _name(a):
    return "Tensor" if isinstance(a, Tensor) else typename(a)


def _options(dtype, device):
    return (f"TensorOptions(dtype={_dtype.cpp_type_name(dtype)}, device={device}, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


class _LegacyTensorType(type):
    """The type of the legacy classes: their instances are the CPU tensors of their dtype, and
    calling one builds such a tensor as PyTorch's legacy constructors do."""

    is_cuda = False
    is_sparse = False
    layout = strided

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.is_cpu and obj.dtype is cls.dtype

    def __call__(cls, *args, device=None):
        """``cls()`` (empty), ``cls(*sizes)`` or ``cls(size)`` (uninitialised), ``cls(data)``
        (a copy of a sequence or array) or ``cls(tensor)`` (the same memory)."""
        if device is not None and to_device(device).type != "cpu":
            raise RuntimeError("legacy constructor expects device type: cpu but device type: "
                               f"{to_device(device).type} was passed")
        if not args:
            return empty(0, dtype=cls.dtype, device="cpu")
        if len(args) == 1 and isinstance(args[0], Size):
            return empty(tuple(args[0]), dtype=cls.dtype, device="cpu")
        if _is_size(args[0]):
            for pos, a in enumerate(args, 1):
                if not _is_size(a):
                    raise TypeError(f"new(): argument 'size' failed to unpack the object at pos "
                                    f"{pos} with error \"type must be tuple of ints,but got "
                                    f"{_name(a)}\"")
            return empty(args, dtype=cls.dtype, device="cpu")
        if len(args) > 1:
            got = ", ".join(_name(a) for a in args)
            raise TypeError(f"new() received an invalid combination of arguments - got ({got}), "
                            f"but expected one of:\n{_SIGNATURES}")
        return cls._from(args[0], device)

    def _from(cls, data, device):
        if isinstance(data, Tensor):
            if device is not None:
                raise RuntimeError(
                    "Legacy tensor constructor of the form torch.Tensor(tensor, device=device) is "
                    "not supported.  Use torch.tensor(...) or torch.as_tensor(...) instead.")
            if not isinstance(data, cls):
                raise TypeError(f"expected {_options(cls.dtype, 'cpu')} "
                                f"(got {_options(data.dtype, data.device)})")
            return data.view_as(data)
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        if not isinstance(data, (Sequence, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {typename(data)})")
        return tensor(data, dtype=cls.dtype, device="cpu")


def _legacy_type(dtype):
    name = f"{_dtype.scalar_type_name(dtype)}Tensor"
    return _LegacyTensorType(name, (), {"dtype": dtype, "legacy_name": f"torch.{name}",
                                        "__module__": "nptorch"})


FloatTensor = _legacy_type(_dtype.float32)
DoubleTensor = _legacy_type(_dtype.float64)
HalfTensor = _legacy_type(_dtype.float16)
LongTensor = _legacy_type(_dtype.int64)
IntTensor = _legacy_type(_dtype.int32)
ShortTensor = _legacy_type(_dtype.int16)
CharTensor = _legacy_type(_dtype.int8)
ByteTensor = _legacy_type(_dtype.uint8)
BoolTensor = _legacy_type(_dtype.bool_)
