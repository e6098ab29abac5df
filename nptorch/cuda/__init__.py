"""``nptorch.cuda``: GPUs through CuPy, as ``torch.cuda``: availability, device selection,
streams and events, memory statistics, seeding.

Without a usable GPU, ``is_available()`` is False, ``device_count()`` 0 and the memory counters
0, as in PyTorch's CPU build; functions that need a GPU raise its errors ("Torch not compiled
with CUDA enabled" when CuPy is not installed, "No CUDA GPUs are available" when it finds none).
"""
from .. import _compat
from ._lazy import device_index as _device_index, lazy_init as _lazy_init
from .memory import (empty_cache, max_memory_allocated, memory_allocated, memory_reserved,
                     reset_peak_memory_stats)
from .streams import Event, Stream, StreamContext, current_stream, default_stream, stream
from . import amp

__all__ = ["Event", "Stream", "StreamContext", "current_device", "current_stream",
           "default_stream", "device", "device_count", "empty_cache", "get_device_capability",
           "get_device_name", "get_device_properties", "is_available", "manual_seed",
           "manual_seed_all", "max_memory_allocated", "memory_allocated", "memory_reserved",
           "reset_peak_memory_stats", "set_device", "stream", "synchronize"]


def is_available():
    """True when CuPy is installed and sees a GPU."""
    return _compat.has_cuda()


def device_count():
    """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not is_available():
        return 0
    return _compat.cupy.cuda.runtime.getDeviceCount()


def current_device():
    """The index of the current GPU."""
    return _lazy_init().cuda.runtime.getDevice()


def set_device(device):
    """Make ``device`` (an int, ``"cuda:1"`` or a device) the current GPU; a negative index
    does nothing."""
    index = _device_index(device)
    if index >= 0:
        _lazy_init().cuda.runtime.setDevice(index)


class device:
    """Context manager that makes ``device`` the current GPU inside its block; ``None`` or a
    negative index leaves the current GPU.

    Example::

        >>> with torch.cuda.device(1):
        ...     x = torch.zeros(3, device="cuda")  # on cuda:1
    """

    def __init__(self, device):
        self.idx = _device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:
            return
        runtime = _lazy_init().cuda.runtime
        self.prev_idx = runtime.getDevice()
        if self.prev_idx != self.idx:
            runtime.setDevice(self.idx)

    def __exit__(self, *exc):
        if self.prev_idx >= 0 and self.prev_idx != self.idx:
            _compat.cupy.cuda.runtime.setDevice(self.prev_idx)
        return False


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns: name, total_memory (bytes), major, minor,
    multi_processor_count."""

    def __init__(self, props):
        name = props["name"]
        self.name = name.decode() if isinstance(name, bytes) else name
        self.total_memory = props["totalGlobalMem"]
        self.major, self.minor = props["major"], props["minor"]
        self.multi_processor_count = props["multiProcessorCount"]

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // 2 ** 20}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    """The properties of ``device`` (the current GPU by default)."""
    cupy = _lazy_init()
    index = _device_index(device, optional=True)
    if index < 0 or index >= device_count():
        raise AssertionError("Invalid device id")
    return _CudaDeviceProperties(cupy.cuda.runtime.getDeviceProperties(index))


def get_device_name(device=None):
    """The name of ``device`` (the current GPU by default)."""
    return get_device_properties(device).name


def get_device_capability(device=None):
    """The compute capability ``(major, minor)`` of ``device`` (the current GPU by default)."""
    props = get_device_properties(device)
    return props.major, props.minor


def synchronize(device=None):
    """Wait for all the work queued on every stream of ``device`` (the current GPU by default)."""
    cupy = _lazy_init()
    with cupy.cuda.Device(_device_index(device, optional=True)):
        cupy.cuda.runtime.deviceSynchronize()


def manual_seed(seed):
    """Seed the CUDA random stream; CPU draws are not affected, as in PyTorch."""
    from ..random import default_generator
    default_generator.seed_cuda(seed)


manual_seed_all = manual_seed


def __getattr__(name):
    """The legacy types of CUDA tensors (``FloatTensor``, ...), defined with the CPU ones."""
    from .._legacy_types import CUDA_TYPES
    if name in CUDA_TYPES:
        return CUDA_TYPES[name]
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
