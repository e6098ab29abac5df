"""DLPack exchange, as ``torch.utils.dlpack``: tensors go to and from other libraries without
copying, through NumPy's (CPU) and CuPy's (CUDA) own DLPack support."""
import enum

import numpy as np

from .. import _compat, _dtype
from .._device import require_cuda, to_device
from .._tensor import Tensor

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """Device types as the DLPack specification numbers them."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


_GPU_TYPES = (DLDeviceType.kDLCUDA, DLDeviceType.kDLCUDAManaged)
_INVALID_CAPSULE = ("from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
                    "consumed only once, so you might have already constructed a tensor from it "
                    "once.")


def dlpack_device(tensor):
    """``Tensor.__dlpack_device__``: ``(DLDeviceType, index)`` of the tensor's memory."""
    kind, index = tensor._data.__dlpack_device__()
    return DLDeviceType(kind), index


def export(tensor, *, stream=-1, max_version=None, dl_device=None, copy=None):
    """``Tensor.__dlpack__``: a DLPack capsule sharing the tensor's memory (versioned when
    ``max_version`` is at least ``(1, 0)``), refusing what a capsule cannot describe."""
    if tensor.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    if tensor.is_cpu:
        if stream not in (None, -1):
            raise AssertionError("stream should be None on cpu.")
        stream = None  # -1 (no synchronisation) is NumPy's None
    return tensor._data.__dlpack__(stream=stream, max_version=max_version, dl_device=dl_device,
                                   copy=copy)


def to_dlpack(tensor):
    """A legacy (unversioned) DLPack capsule sharing ``tensor``'s memory; it can be consumed
    once, by ``from_dlpack``. Such a capsule cannot mark memory read-only, so NumPy refuses
    to export read-only arrays (expanded tensors) this way; ``__dlpack__`` with
    ``max_version=(1, 0)`` exports them."""
    return tensor._data.__dlpack__()


class _Capsule:
    """A bare capsule presented with the protocol that ``numpy.from_dlpack`` asks for."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return DLDeviceType.kDLCPU, 0


def _import_capsule(capsule):
    if type(capsule).__name__ != "PyCapsule":
        raise RuntimeError(_INVALID_CAPSULE)
    try:
        return np.from_dlpack(_Capsule(capsule))
    except ValueError:  # not a DLPack capsule, or one already consumed
        raise RuntimeError(_INVALID_CAPSULE) from None
    except BufferError:
        # NumPy refuses memory it cannot read (a GPU's) and leaves the capsule unconsumed.
        if _compat.cupy is None:
            raise
        return _compat.cupy.from_dlpack(capsule)


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """A tensor sharing the memory of ``ext_tensor``: an object with ``__dlpack__`` (a PyTorch
    tensor, NumPy or CuPy array, ...) or a DLPack capsule. With ``device``, the result is
    moved there (a copy when it differs); ``copy=True`` always copies, ``copy=False`` never.

    Legacy capsules (from ``to_dlpack``) cannot say whether their memory may be written, so
    NumPy imports them read-only; objects with ``__dlpack__`` give writable tensors.
    """
    if not hasattr(ext_tensor, "__dlpack__"):
        if device is not None or copy is not None:
            raise AssertionError("device and copy kwargs not supported when ext_tensor is "
                                 "already a DLPack capsule.")
        data = _import_capsule(ext_tensor)
    else:
        source = getattr(ext_tensor, "__dlpack_device__", lambda: (DLDeviceType.kDLCPU, 0))()
        target = to_device(device)
        if target is not None and copy is False and source != _dl_device(target):
            raise ValueError(f"cannot move DLPack tensor from device {_shown(source)} to "
                             f"{_shown(_dl_device(target))} without copying. Set copy=None or "
                             "copy=True.")
        if source[0] in _GPU_TYPES:
            require_cuda()
            data = _compat.cupy.from_dlpack(ext_tensor, copy=copy)
        else:
            data = np.from_dlpack(ext_tensor, copy=copy)
    try:
        _dtype.from_numpy_dtype(data.dtype)
    except TypeError:
        raise RuntimeError(f"Unsupported dtype in DLTensor: nptorch has no {data.dtype} "
                           "tensors.") from None
    out = Tensor._make(data)
    return out if device is None else out.to(device)


def _shown(dl_device):
    return f"({int(dl_device[0])}, {int(dl_device[1])})"


def _dl_device(d):
    """``(DLDeviceType, index)`` for an nptorch device."""
    if d.type == "cpu":
        return DLDeviceType.kDLCPU, 0
    return DLDeviceType.kDLCUDA, d.index if d.index is not None else 0
