"""``autocast``: regions where ops run in an op-specific dtype (``torch.autocast``), and the
helpers for custom Functions (``custom_fwd``, ``custom_bwd``)."""
import collections.abc
import functools
import warnings

import numpy as np

from .._dtype import float16
from .._tensor import Tensor
from . import _state
from ._policy import _eligible
from ._state import state

__all__ = ["autocast_decorator", "autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

_SUPPORTED = {"cpu": (float16,)}  # PyTorch's CPU list also has bfloat16, which nptorch lacks


def is_autocast_available(device_type):
    """Whether autocast can run on ``device_type`` ("cpu" and "cuda")."""
    if not isinstance(device_type, str):
        raise TypeError(f"_is_autocast_available(): argument 'device_type' (position 1) must be "
                        f"str, not {type(device_type).__name__}")
    return _state._device_type(device_type) in ("cpu", "cuda")


def _cuda_unavailable():
    from .. import cuda
    return not cuda.is_available()


def autocast_decorator(autocast_instance, func):
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)
    return decorate_autocast


class autocast:
    """Context manager or decorator for a region where ops run in mixed precision.

    Matrix products, linear layers and convolutions run in ``dtype`` (float16); softmax-like
    ops, losses and other precision-sensitive ops run in float32 (see ``amp._policy`` for the
    lists per device). Gradients flow back to each leaf in its own dtype.

    Args:
        device_type (str): ``"cuda"`` or ``"cpu"``.
        dtype (dtype, optional): the lower-precision dtype; default
            ``get_autocast_dtype(device_type)``: float16 on CUDA, and on CPU PyTorch's
            bfloat16, which nptorch does not have (autocast then warns and disables itself:
            pass ``dtype=torch.float16``).
        enabled (bool): whether autocast is on in the region. Default: True.
        cache_enabled (bool, optional): reuse the cast of each weight inside the region.

    Example::

        >>> with torch.autocast("cpu", dtype=torch.float16):
        ...     y = model(x)          # float16 from its Linear layers
        ...     loss = F.cross_entropy(y, target)   # float32
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        _check_device_type(device_type)
        self.fast_dtype = _state.get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'")
        self._cache_enabled = state.cache_enabled if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == "cuda":
                if _cuda_unavailable():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                                  "autocast.", stacklevel=2)
                    enabled = False
            elif self.fast_dtype not in _SUPPORTED[device_type]:
                name = device_type.upper()
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling "
                    f"autocast.\n{name} Autocast only supports dtypes of "
                    + ", ".join(map(str, _SUPPORTED[device_type])) + " currently.",
                    stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = state.cache_enabled
        self.prev = state.enabled[self.device]
        self.prev_fastdtype = state.dtype[self.device]
        _state.set_autocast_enabled(self.device, self._enabled)
        state.dtype[self.device] = self.fast_dtype
        _state.autocast_increment_nesting()
        state.cache_enabled = self._cache_enabled
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        # drop the weight cache on leaving the outermost region
        if _state.autocast_decrement_nesting() == 0:
            _state.clear_autocast_cache()
        _state.set_autocast_enabled(self.device, self.prev)
        state.dtype[self.device] = self.prev_fastdtype
        state.cache_enabled = self.prev_cache_enabled
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with torch.autocast(device_type=...):\n"
                "        output = model(input)")
        return autocast_decorator(self, func)


def _cast(value, device_type, dtype):
    """Floating tensors (not float64) on ``device_type`` in ``value``, a tensor or a container
    of them, cast to ``dtype``."""
    if isinstance(value, Tensor):
        return value.to(dtype) if _eligible(value, device_type) else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        iterable = (_cast(v, device_type, dtype) for v in value)
        return type(value)(iterable) if isinstance(value, (list, tuple)) else iterable
    return value


def _check_device_type(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorate the ``forward`` of a custom Function: with ``cast_inputs``, inside an enabled
    region its floating inputs are cast to ``cast_inputs`` and it runs with autocast off."""
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = _state.get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = _state.is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        args[0]._fwd_used_autocast = False
        if not _state.is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, device_type, cast_inputs),
                       **_cast(kwargs, device_type, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorate the ``backward`` of a custom Function: it runs in the autocast state its
    ``forward`` (decorated with ``custom_fwd``) ran in."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
