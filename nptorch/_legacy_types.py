"""The legacy tensor types (``FloatTensor``, ``LongTensor``, ...): calling one builds a CPU tensor
of its dtype, and ``isinstance(t, FloatTensor)`` tells whether ``t`` is a float32 CPU tensor."""
from . import _dtype
from ._api.convert import legacy_new
from ._device import device
from ._memory_format import strided
from ._tensor import Tensor


class _LegacyTensorType(type):
    """The type of the legacy classes: their instances are the CPU tensors of their dtype, and
    calling one builds such a tensor as PyTorch's legacy constructors do (``Tensor.new``'s
    forms)."""

    is_cuda = False
    is_sparse = False
    layout = strided

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.is_cpu and obj.dtype is cls.dtype

    def __call__(cls, *args, **kwargs):
        return legacy_new(cls.dtype, device("cpu"), args, kwargs, constructor=True)


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
