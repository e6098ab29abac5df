"""The device model: ``device("cpu" | "cuda" | "cuda:N")``; CPU arrays are NumPy, CUDA arrays CuPy."""
import builtins

import numpy as np

from . import _compat

_builtin_type = builtins.type  # ``type`` is an argument name in device()

# the device types PyTorch names, in its order; nptorch has the first two
_TORCH_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                       "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                       "privateuseone")


class device:
    """Where a tensor's data lives, as PyTorch's ``torch.device``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        elif isinstance(type, str):
            if not type:
                raise RuntimeError("Device string must not be empty")
            if ":" in type:
                if index is not None:
                    raise RuntimeError("type (string) must not include an index because index was "
                                       f"passed explicitly: {type}")
                name, _, idx = type.partition(":")
                if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                    raise RuntimeError(f"Invalid device string: '{type}'")
                type, index = name, int(idx)
        else:
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_builtin_type(type).__name__}), but expected one of: (device "
                            "device), (str type, int index = -1)")
        if type not in ("cpu", "cuda"):
            if type in _TORCH_DEVICE_TYPES:
                raise RuntimeError(f"nptorch has no {type} device: its devices are cpu and cuda")
            raise RuntimeError(f"Expected one of {', '.join(_TORCH_DEVICE_TYPES)} device type at "
                               f"start of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __enter__(self):
        """Within ``with device(...):`` factory functions create tensors on this device."""
        _entered.append(_default[0])
        _default[0] = self
        return self

    def __exit__(self, *exc):
        _default[0] = _entered.pop()


CPU = device("cpu")
_default = [None]  # the device factory functions use when given none (None: the CPU)
_entered = []  # the defaults that enclosing ``with device(...)`` blocks replaced


def get_default_device():
    """The device factory functions create tensors on when given none."""
    return _default[0] or CPU


def set_default_device(d):
    """Make factory functions (``tensor``, ``zeros``, ``randn``, ...) create tensors on ``d``
    when given no device; ``None`` restores the CPU."""
    _default[0] = to_device(d)


def default_device(d):
    """``d`` as a device, else the default device (None where none was set)."""
    return _default[0] if d is None else to_device(d)


def to_device(d):
    """Accept a device, a string, an index or None (returns None)."""
    if d is None or isinstance(d, device):
        return d
    return device(d)


def device_of(array):
    """The device of a NumPy or CuPy array."""
    if type(array) is np.ndarray:
        return CPU
    return device("cuda", array.device.id)


def require_cuda():
    """Raise a clear error unless a CUDA GPU is usable through CuPy."""
    if _compat.cupy is None:
        raise RuntimeError("CUDA is not available: CuPy is not installed (pip install 'nptorch[cuda]')")
    if not _compat.has_cuda():
        raise RuntimeError("CUDA is not available: no NVIDIA GPU was found by CuPy")


def xp_for(d):
    """The array module (numpy or cupy) for a device."""
    if d is None or d.type == "cpu":
        return np
    require_cuda()
    return _compat.cupy


def xp_of(array):
    """The array module (numpy or cupy) of an array (NumPy scalars count as NumPy)."""
    if type(array) is np.ndarray:
        return np
    cp = _compat.imported_cupy()
    return cp if cp is not None and isinstance(array, cp.ndarray) else np


def move(array, d):
    """Copy an array to device ``d`` (no copy when it is already there)."""
    if d.type == "cpu":
        if type(array) is np.ndarray:
            return array
        return array.get()
    require_cuda()
    cp = _compat.cupy
    index = d.index if d.index is not None else cp.cuda.runtime.getDevice()
    if type(array) is not np.ndarray and array.device.id == index:
        return array
    with cp.cuda.Device(index):
        return cp.asarray(array)


def check_same_device(op_name, arrays):
    """Raise PyTorch's error when the arrays of one op live on different devices."""
    first = device_of(arrays[0])
    for a in arrays[1:]:
        other = device_of(a)
        if other != first:
            raise RuntimeError(
                f"Expected all tensors to be on the same device, but found at least two devices, "
                f"{first} and {other}! (when checking arguments for {op_name})")
