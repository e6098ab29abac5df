"""Process-wide settings that PyTorch scripts make: ``compile``, float32 matmul precision and
deterministic algorithms."""
import warnings

from . import backends

_PRECISIONS = ("highest", "high", "medium")
_state = {"precision": "highest", "deterministic": False, "warn_only": False}


def compile(model=None, **options):
    """``model`` unchanged: nptorch runs eagerly, so there is nothing to compile. Works as a
    decorator with or without options, as ``torch.compile`` does."""
    if model is None:
        return lambda fn: fn
    return model


def set_float32_matmul_precision(precision):
    """Record the precision and set ``backends.cuda.matmul.allow_tf32`` from it (True for
    ``'high'`` and ``'medium'``), as PyTorch does."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["precision"] = precision
    backends.cuda.matmul.allow_tf32 = precision != "highest"


def get_float32_matmul_precision():
    """The precision last set by ``set_float32_matmul_precision`` (``'highest'`` at start)."""
    return _state["precision"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the request for deterministic algorithms. Every nptorch op already gives the
    same result for the same input on a device, so none needs to refuse or warn."""
    _state["deterministic"], _state["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    """Whether ``use_deterministic_algorithms(True)`` is in effect."""
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    """Whether deterministic algorithms were requested with ``warn_only=True``."""
    return _state["warn_only"]
