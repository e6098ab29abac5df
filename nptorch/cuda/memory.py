"""Memory statistics of CuPy's default memory pool, as ``torch.cuda``'s caching allocator.

Without a GPU the counters are 0, as in PyTorch's CPU build. CuPy's pool keeps no peak, so the
first call to ``max_memory_allocated`` or ``reset_peak_memory_stats`` puts an allocator in front
of the pool that records it (a Python call per allocation from then on).
"""
from .. import _compat
from ._lazy import device_index, lazy_init

__all__ = ["empty_cache", "max_memory_allocated", "memory_allocated", "memory_reserved",
           "reset_peak_memory_stats"]


class _PeakTracker:
    """An allocator over CuPy's pool that records the peak of the used bytes of each GPU."""

    def __init__(self, pool):
        self.pool = pool
        self.peak = {}

    def __call__(self, size):
        memory = self.pool.malloc(size)
        used = self.pool.used_bytes()  # of the current GPU, the one allocated on
        if used > self.peak.get(memory.device_id, 0):
            self.peak[memory.device_id] = used
        return memory


_tracker = None


def _peak_tracker():
    global _tracker
    if _tracker is None:
        cupy = lazy_init()
        _tracker = _PeakTracker(cupy.get_default_memory_pool())
        cupy.cuda.set_allocator(_tracker)
    return _tracker


def _pool_bytes(device, counter):
    """``counter`` (``"used_bytes"`` or ``"total_bytes"``) of the pool on ``device``; 0 without
    a GPU."""
    if not _compat.has_cuda():
        return 0
    cupy = _compat.cupy
    with cupy.cuda.Device(device_index(device, optional=True)):
        return getattr(cupy.get_default_memory_pool(), counter)()


def memory_allocated(device=None):
    """The bytes of GPU memory held by tensors on ``device`` (the current GPU by default)."""
    return _pool_bytes(device, "used_bytes")


def memory_reserved(device=None):
    """The bytes of GPU memory held by the memory pool on ``device``, in use or cached."""
    return _pool_bytes(device, "total_bytes")


def max_memory_allocated(device=None):
    """The peak of ``memory_allocated(device)`` since the last ``reset_peak_memory_stats``
    (or since the first of these two calls)."""
    if not _compat.has_cuda():
        return 0
    index = device_index(device, optional=True)
    return max(_peak_tracker().peak.get(index, 0), memory_allocated(index))


def reset_peak_memory_stats(device=None):
    """Restart the peak that ``max_memory_allocated`` reports from the current usage."""
    tracker = _peak_tracker()
    index = device_index(device, optional=True)
    tracker.peak[index] = memory_allocated(index)


def empty_cache():
    """Free the cached, unused blocks of the memory pools (device and pinned host memory)."""
    if _compat.has_cuda():
        _compat.cupy.get_default_memory_pool().free_all_blocks()
        _compat.cupy.get_default_pinned_memory_pool().free_all_blocks()
