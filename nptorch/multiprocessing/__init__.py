"""``torch.multiprocessing``: Python's :mod:`multiprocessing` plus the sharing-strategy
settings and ``spawn`` / ``start_processes``.

nptorch registers no special reducers: a tensor sent to another process (through a queue, a
pipe or as an argument of ``spawn``) is pickled by value, so the receiver gets a copy. Memory
is shared only where the operating system shares it, e.g. tensors moved to shared memory with
``share_memory_`` before a ``fork``.
"""
import multiprocessing
import sys
from multiprocessing import *  # noqa: F401,F403

from .spawn import (ProcessContext, ProcessExitedException,  # noqa: F401
                    ProcessRaisedException, SpawnContext, spawn, start_processes)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
           *multiprocessing.__all__]

if sys.platform in ("darwin", "win32"):
    _all_sharing_strategies = {"file_system"}
else:
    _all_sharing_strategies = {"file_descriptor", "file_system"}
_sharing_strategy = "file_system" if sys.platform in ("darwin", "win32") else "file_descriptor"


def set_sharing_strategy(new_strategy):
    """Choose how CPU tensors would be shared between processes: one of
    ``get_all_sharing_strategies()``. It is recorded only (tensors are pickled by value)."""
    global _sharing_strategy
    if new_strategy not in _all_sharing_strategies:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}, expected one of "
                             f"{_all_sharing_strategies}")
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    """The strategy last set by ``set_sharing_strategy`` (the platform's default at start)."""
    return _sharing_strategy


def get_all_sharing_strategies():
    """The sharing strategies this platform supports."""
    return _all_sharing_strategies
