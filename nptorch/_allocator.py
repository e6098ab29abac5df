"""Keeps freed array memory in the process instead of returning it to the system (glibc only).

glibc's malloc serves blocks above its mmap threshold (128 KiB at first, adapting up to 32 MiB)
with fresh ``mmap`` pages and unmaps them on free, so every large temporary of a training step
(activations, gradients, im2col columns) is page-faulted in again and zeroed by the kernel: a
LeNet step at batch 64 spent over a third of its time there. Fixed thresholds keep blocks up to
``MMAP_THRESHOLD`` on the heap and let up to ``TRIM_THRESHOLD`` of free heap stay mapped, so
that freed memory is reused, as PyTorch's CUDA caching allocator reuses its blocks.

Skipped when the user already tunes malloc through glibc's own variables, or sets
``NPTORCH_MALLOC_TUNING=0``.
"""
import ctypes
import os

MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20

# mallopt parameters, from glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_GLIBC_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def _glibc():
    """True when this process runs on glibc."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not a glibc system
        return False


def tune_malloc(environ=os.environ):
    """Set glibc's mmap and trim thresholds; True when they were set."""
    if environ.get("NPTORCH_MALLOC_TUNING", "1") == "0":
        return False
    if (any(name in environ for name in _GLIBC_VARIABLES)
            or "glibc.malloc." in environ.get("GLIBC_TUNABLES", "")):
        return False
    if not _glibc():
        return False
    libc = ctypes.CDLL(None)
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
