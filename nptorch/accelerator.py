"""``nptorch.accelerator``: the current accelerator, as ``torch.accelerator``.

nptorch's accelerator is CUDA (``nptorch.cuda``, through CuPy), and it counts as present only
while a GPU is usable: without one, every function behaves as in a CPU-only build of PyTorch
(``current_accelerator()`` is None, ``device_count()`` 0, and what needs a device raises
"Cannot access accelerator device when none is available.").
"""
import functools
import warnings
from collections import OrderedDict

from . import _compat, _dtype, cuda
from ._device import device as _device

__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "get_device_capability", "current_stream", "device_count", "device_index",
           "empty_cache", "empty_host_cache", "get_memory_info", "is_available",
           "max_memory_allocated", "max_memory_reserved", "memory_allocated", "memory_reserved",
           "memory_stats", "reset_accumulated_memory_stats", "reset_peak_memory_stats",
           "set_device_idx", "set_device_index", "set_stream", "synchronize"]


def _require():
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def _index(device, optional=False):
    """The device index that ``device`` (an int, a string or a device of the accelerator's
    type) names; the current one for None, or one without an index, when ``optional``."""
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _device(device)
    index = None
    if isinstance(device, _device):
        accelerator = current_accelerator()
        if accelerator is None:
            raise RuntimeError("Accelerator expected")
        if accelerator.type != device.type:
            raise ValueError(f"{device.type} doesn't match the current accelerator "
                             f"{accelerator}.")
        index = device.index
    if index is None:
        if not optional:
            raise ValueError("Expected a torch.device with a specified index or an integer, "
                             f"but got:{device}")
        return current_device_index()
    return index


def _deprecated(function, replacement):
    @functools.wraps(function)
    def alias(*args):
        warnings.warn(f"Use `{replacement}` instead.", FutureWarning, stacklevel=2)
        return function(*args)
    alias.__doc__ = f"(Deprecated) ``{replacement}``."
    return alias


def current_accelerator(check_available=False):
    """``device('cuda')`` while a GPU is usable, else None."""
    return _device("cuda") if cuda.is_available() else None


def device_count():
    """The number of GPUs (0 without one)."""
    return cuda.device_count()


def is_available():
    """True while a GPU is usable."""
    return cuda.is_available()


def current_device_index():
    """The index of the current GPU."""
    _require()
    return cuda.current_device()


def set_device_index(device, /):
    """Make ``device`` (an index, ``"cuda:1"`` or a device) the current GPU; a negative
    index does nothing."""
    index = _index(device)
    if index >= 0:
        _require()
        cuda.set_device(index)


current_device_idx = _deprecated(current_device_index, "current_device_index")
set_device_idx = _deprecated(set_device_index, "set_device_index")


class device_index:
    """Context manager making the GPU of index ``device`` current inside its block (``None``:
    no change); the previous one is restored on exit."""

    def __init__(self, device, /):
        self.idx = device
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is None:
            return
        if not isinstance(self.idx, int):
            raise TypeError("device_index(): argument 'device' must be int, not "
                            f"{type(self.idx).__name__}")
        _require()
        self._context = cuda.device(self.idx)
        self._context.__enter__()
        self.prev_idx = self._context.prev_idx

    def __exit__(self, *exc_info):
        if self.idx is not None:
            self._context.__exit__(*exc_info)


def synchronize(device=None, /):
    """Wait for all the work queued on every stream of ``device`` (the current GPU by
    default)."""
    index = _index(device, optional=True)
    _require()
    cuda.synchronize(index)


def current_stream(device=None, /):
    """The stream that work is queued on, for ``device`` (the current GPU by default)."""
    index = _index(device, optional=True)
    _require()
    return cuda.current_stream(index)


def set_stream(stream):
    """Queue later work on ``stream`` and make its GPU the current one."""
    if not isinstance(stream, cuda.Stream):
        raise TypeError(f"set_stream(): argument 'stream' must be Stream, not "
                        f"{type(stream).__name__}")
    _require()
    cuda.set_device(stream.device.index)
    stream._stream.use()


def get_device_capability(device=None, /):
    """What ``device`` supports: ``{"supported_dtypes": set of dtypes}``."""
    _index(device, optional=True)
    _require()
    return {"supported_dtypes": set(_dtype.ALL)}


def get_memory_info(device_index=None, /):
    """``(free, total)`` bytes of the memory of ``device_index`` (the current GPU by
    default), as the driver reports them."""
    index = _index(device_index, optional=True)
    _require()
    with _compat.cupy.cuda.Device(index):
        return _compat.cupy.cuda.runtime.memGetInfo()


def _memory_index(device):
    _require()
    return _index(device, optional=True)


def memory_allocated(device_index=None, /):
    """The bytes of GPU memory held by tensors."""
    return cuda.memory_allocated(_memory_index(device_index))


def max_memory_allocated(device_index=None, /):
    """The peak of ``memory_allocated`` since the last ``reset_peak_memory_stats``."""
    return cuda.max_memory_allocated(_memory_index(device_index))


def memory_reserved(device_index=None, /):
    """The bytes of GPU memory held by the memory pool, in use or cached."""
    return cuda.memory_reserved(_memory_index(device_index))


def max_memory_reserved(device_index=None, /):
    """The peak of ``memory_reserved``: CuPy's pool keeps no such peak, but its reserved bytes
    only grow between ``empty_cache`` calls, so this is ``memory_reserved`` (PyTorch's peak
    also survives ``empty_cache``)."""
    return cuda.memory_reserved(_memory_index(device_index))


def memory_stats(device_index=None, /):
    """The memory counters above, as PyTorch names them (``"allocated_bytes.all.current"``,
    ``"allocated_bytes.all.peak"``, ``"reserved_bytes.all.current"``,
    ``"reserved_bytes.all.peak"``), in an ordered dict sorted by name."""
    index = _memory_index(device_index)
    return OrderedDict([
        ("allocated_bytes.all.current", memory_allocated(index)),
        ("allocated_bytes.all.peak", max_memory_allocated(index)),
        ("reserved_bytes.all.current", memory_reserved(index)),
        ("reserved_bytes.all.peak", max_memory_reserved(index)),
    ])


def reset_peak_memory_stats(device_index=None, /):
    """Restart the peak that ``max_memory_allocated`` reports from the current usage."""
    cuda.reset_peak_memory_stats(_memory_index(device_index))


def reset_accumulated_memory_stats(device_index=None, /):
    """Reset the accumulated (historical) counters: nptorch keeps none, so this only checks
    its argument."""
    _memory_index(device_index)


def empty_cache():
    """Free the cached, unused blocks of the GPU memory pool."""
    _require()
    cuda.empty_cache()


def empty_host_cache():
    """Free the cached, unused blocks of the pinned host memory pool."""
    _require()
    _compat.cupy.get_default_pinned_memory_pool().free_all_blocks()
