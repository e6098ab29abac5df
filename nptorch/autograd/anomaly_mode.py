"""Anomaly detection: ``detect_anomaly`` and ``set_detect_anomaly`` make backward raise on the
first function whose gradients hold a NaN, naming it (PyTorch's error). nptorch records no
traceback of the forward call that created the function."""
import functools
import warnings

from .grad_mode import state

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]

_modes = {"enabled": False, "check_nan": True}


def is_anomaly_enabled():
    """Whether anomaly detection is on."""
    return _modes["enabled"]


def is_anomaly_check_nan_enabled():
    """Whether anomaly detection, while on, checks every function's gradients for NaN."""
    return _modes["check_nan"]


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection (and its NaN checks) on or off."""
    _modes["enabled"], _modes["check_nan"] = bool(enabled), bool(check_nan)
    state.check_nan = bool(enabled and check_nan)  # what backward reads


class set_detect_anomaly:
    """Set anomaly detection on or off; as a context manager, only for its block."""

    def __init__(self, mode, check_nan=True):
        self.previous = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.previous)


class detect_anomaly:
    """Context manager and decorator: anomaly detection on inside (with PyTorch's warning that
    it slows every backward)."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.mode = set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc):
        self.mode.__exit__(*exc)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper
