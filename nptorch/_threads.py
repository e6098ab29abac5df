"""CPU thread counts: ``set_num_threads`` and friends.

nptorch's intra-op threads are those of NumPy's and SciPy's BLAS and of the OpenMP runtime of its
compiled kernels; threadpoolctl limits them for the whole process.
"""
import functools
import numbers
import os

from . import _backend

_state = {"threads": None, "interop": None}


@functools.cache
def _pools():
    """The BLAS and OpenMP thread pools that nptorch computes with, loaded first so that a limit
    also covers the ones its ops would only load later; found once (their thread counts are
    read afresh on each use)."""
    from threadpoolctl import ThreadpoolController  # imported on use: it costs at import

    import scipy.linalg  # noqa: F401  (SciPy's BLAS, under the linalg decompositions)
    if not _backend.PURE_PYTHON:
        _backend.load_extension("pool")  # loads the OpenMP runtime of the compiled kernels
    return ThreadpoolController().select(user_api=["blas", "openmp"])


def _check(name, num):
    if not isinstance(num, numbers.Integral) or isinstance(num, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError(f"{name} expects a positive integer")


def _available_cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def set_num_threads(num, /):
    """Use at most ``num`` threads for intra-op parallelism on the CPU: the limit of the BLAS
    pools and of the kernels' OpenMP runtime. OpenMP limits are per thread: this one holds on
    the calling thread, and other threads take it with ``init_num_threads()``."""
    _check("set_num_threads", num)
    _state["threads"] = int(num)
    _pools().limit(limits=int(num))


def get_num_threads():
    """The number of threads used for intra-op parallelism on the CPU (on this thread): the
    largest limit of those pools, by default the number of cores available to the process."""
    return max((pool.num_threads for pool in _pools().lib_controllers), default=1)


def init_num_threads():
    """Apply the last ``set_num_threads`` to the calling thread (OpenMP limits are per thread):
    call it in each new thread."""
    if _state["threads"] is not None:
        _pools().limit(limits=_state["threads"])


def set_num_interop_threads(num, /):
    """Record ``num`` as the number of inter-op threads. nptorch has no inter-op pool (ops run
    one after another on the calling thread), so this only stores the value that
    ``get_num_interop_threads()`` returns; unlike PyTorch, it may be called at any time."""
    _check("set_num_interop_threads", num)
    _state["interop"] = int(num)


def get_num_interop_threads():
    """The value last given to ``set_num_interop_threads``, by default the number of cores
    available to the process."""
    return _state["interop"] or _available_cores()
