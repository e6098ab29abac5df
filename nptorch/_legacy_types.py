"""The legacy tensor types (``FloatTensor``, ``LongTensor``, ... and their ``cuda`` kin): calling
one builds a tensor of its dtype on its device type, ``isinstance(t, FloatTensor)`` tells whether
``t`` is a float32 CPU tensor, and ``set_default_tensor_type`` makes one the default."""
import importlib
import sys

from . import _dtype, cuda
from ._api.convert import legacy_new
from ._api.flags import warn_once
from ._device import device, set_default_device
from ._memory_format import strided
from ._tensor import Tensor


class _LegacyTensorType(type):
    """The type of the legacy classes: their instances are the tensors of their dtype on their
    device type, and calling one builds such a tensor as PyTorch's legacy constructors do
    (``Tensor.new``'s forms)."""

    is_cuda = False
    is_sparse = False
    layout = strided

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.is_cuda is cls.is_cuda and obj.dtype is cls.dtype

    def __call__(cls, *args, **kwargs):
        cls.check_available()
        return legacy_new(cls.dtype, device("cuda" if cls.is_cuda else "cpu"), args, kwargs,
                          constructor=True)

    def check_available(cls):
        """PyTorch's error for a CUDA type without CUDA."""
        if cls.is_cuda and not cuda.is_available():
            raise TypeError(f"type {cls.legacy_name} not available. Torch not compiled with CUDA "
                            "enabled.")


def _legacy_type(dtype, cuda=False):
    name = f"{_dtype.scalar_type_name(dtype)}Tensor"
    namespace = ".cuda" if cuda else ""
    return _LegacyTensorType(name, (), {"dtype": dtype, "is_cuda": cuda,
                                        "legacy_name": f"torch{namespace}.{name}",
                                        "__module__": f"nptorch{namespace}"})


FloatTensor = _legacy_type(_dtype.float32)
DoubleTensor = _legacy_type(_dtype.float64)
HalfTensor = _legacy_type(_dtype.float16)
LongTensor = _legacy_type(_dtype.int64)
IntTensor = _legacy_type(_dtype.int32)
ShortTensor = _legacy_type(_dtype.int16)
CharTensor = _legacy_type(_dtype.int8)
ByteTensor = _legacy_type(_dtype.uint8)
BoolTensor = _legacy_type(_dtype.bool_)

CUDA_TYPES = {cls.__name__: cls for cls in (_legacy_type(d, cuda=True) for d in _dtype.ALL)}
_BY_LEGACY_NAME = {cls.legacy_name: cls for cls in (
    FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor,
    ByteTensor, BoolTensor, *CUDA_TYPES.values())}
_cuda_set_by_type = [False]  # whether the default device is CUDA because of a CUDA type


def _named_object(name):
    """What the dotted ``name`` names, ``torch`` standing for nptorch (``'torch.DoubleTensor'``,
    ``'torch.cuda.FloatTensor'``, ...)."""
    if name in _BY_LEGACY_NAME:
        return _BY_LEGACY_NAME[name]
    head, *attributes = name.split(".")
    obj = sys.modules[__package__] if head == "torch" else importlib.import_module(head)
    for attribute in attributes:
        obj = getattr(obj, attribute)
    return obj


def set_default_tensor_type(t, /):
    """Make the floating legacy type ``t`` (or its name) the default: its dtype becomes the
    default dtype and, for a CUDA type, CUDA the default device (deprecated: use
    ``set_default_dtype`` and ``set_default_device``)."""
    if isinstance(t, str):
        t = _named_object(t)
    warn_once("set_default_tensor_type",
              "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
              "torch.set_default_dtype() and torch.set_default_device() as alternatives.")
    if not isinstance(t, _LegacyTensorType):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    t.check_available()
    _dtype.set_default_dtype(t.dtype)
    if t.is_cuda:
        set_default_device("cuda")
    elif _cuda_set_by_type[0]:
        set_default_device(None)
    _cuda_set_by_type[0] = t.is_cuda
