"""Autocast state and its functions: ``torch.is_autocast_enabled``, ``get_autocast_dtype``, ...

One process-wide record, like nptorch's grad mode. ``active`` is the flag every autocast op
reads first: True while autocast is enabled for some device and no autocast op is running.
"""
import warnings

from .._device import device
from .._dtype import dtype, float16

__all__ = ["is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cpu_enabled", "set_autocast_cpu_enabled",
           "get_autocast_cpu_dtype", "set_autocast_cpu_dtype", "get_autocast_gpu_dtype",
           "set_autocast_gpu_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting"]


class _State:
    active = False
    enabled = {"cpu": False, "cuda": False}
    # PyTorch's CPU default is bfloat16, which nptorch lacks: None stands for it
    dtype = {"cpu": None, "cuda": float16}
    cache_enabled = True
    nesting = 0
    cache = {}  # id(weight) -> (weight, its cast): casts of leaf weights, reused in a region


state = _State()


def _device_type(device_type):
    """``device_type`` checked as PyTorch does (an unknown name raises its error)."""
    return device(device_type).type


def _refresh():
    state.active = any(state.enabled.values())


def is_autocast_enabled(device_type=None):
    """Whether autocast is enabled for ``device_type`` (CUDA when not given)."""
    return state.enabled["cuda" if device_type is None else _device_type(device_type)]


def set_autocast_enabled(*args):
    """``set_autocast_enabled(device_type, enabled)``, or ``set_autocast_enabled(enabled)``
    for CUDA."""
    device_type, enabled = ("cuda",) + args if len(args) == 1 else args
    state.enabled[_device_type(device_type)] = bool(enabled)
    _refresh()


def get_autocast_dtype(device_type):
    """The dtype autocast runs lower-precision ops in on ``device_type``."""
    return state.dtype[_device_type(device_type)]


def set_autocast_dtype(device_type, dtype_):
    if not isinstance(dtype_, dtype):
        raise TypeError("set_autocast_dtype(): argument 'dtype' (position 2) must be "
                        f"torch.dtype, not {type(dtype_).__name__}")
    state.dtype[_device_type(device_type)] = dtype_


def _deprecated(old, new):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype_):
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype_)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype_):
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype_)


def is_autocast_cache_enabled():
    """Whether casts of weights are cached inside autocast regions."""
    return state.cache_enabled


def set_autocast_cache_enabled(enabled):
    state.cache_enabled = bool(enabled)


def clear_autocast_cache():
    state.cache.clear()


def autocast_increment_nesting():
    state.nesting += 1
    return state.nesting


def autocast_decrement_nesting():
    state.nesting -= 1
    return state.nesting
