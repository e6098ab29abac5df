"""Process-wide flags: ``set_warn_always`` (which the warnings PyTorch gives once per process
follow, through ``warn_once``), ``set_deterministic_debug_mode`` and ``set_flush_denormal``."""
import warnings

from .. import _settings

_state = {"warn_always": False, "warned": set()}
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def _bool(value, what):
    if not isinstance(value, bool):
        raise RuntimeError(f"{what} expects a bool, but got {type(value).__name__}")
    return value


def set_warn_always(b):
    """When True, the warnings that are otherwise given once per process are given every
    time."""
    _state["warn_always"] = _bool(b, "setWarnOnlyOnce")


def is_warn_always_enabled():
    """Whether ``set_warn_always(True)`` is in effect."""
    return _state["warn_always"]


def warn_once(key, message, stacklevel=2):
    """A UserWarning given the first time ``key`` comes up (every time under
    ``set_warn_always(True)``)."""
    if _state["warn_always"] or key not in _state["warned"]:
        _state["warned"].add(key)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def set_deterministic_debug_mode(debug_mode):
    """``'default'`` (0), ``'warn'`` (1) or ``'error'`` (2): ``use_deterministic_algorithms``
    off, on with ``warn_only``, or on."""
    if isinstance(debug_mode, bool) or not isinstance(debug_mode, (int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    _settings.use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    """The mode that ``set_deterministic_debug_mode`` would set for the current settings."""
    if not _settings.are_deterministic_algorithms_enabled():
        return 0
    return 1 if _settings.is_deterministic_algorithms_warn_only_enabled() else 2


def set_flush_denormal(mode):
    """Whether denormal floats could be flushed to zero: NumPy offers no control of the CPU's
    denormal mode, so this returns False (unsupported), as PyTorch does on such systems."""
    _bool(mode, "flush_denormal")
    return False


FUNCTIONS = {"set_warn_always": set_warn_always, "is_warn_always_enabled": is_warn_always_enabled,
             "set_deterministic_debug_mode": set_deterministic_debug_mode,
             "get_deterministic_debug_mode": get_deterministic_debug_mode,
             "set_flush_denormal": set_flush_denormal}
