"""``torch.backends.mkldnn``: oneDNN (MKL-DNN), which nptorch does not have: ``is_available()``
is False, and the flags that scripts set (``enabled``, ``deterministic``, ``allow_tf32``,
``fp32_precision``) are kept and checked as PyTorch keeps them, without effect.

``torch.backends.mkldnn.enabled = False`` works, and ``flags(...)`` sets them for a block.
"""
import contextlib
import sys
import types

from ._common import UnavailableVerbose, check_bool

VERBOSE_OFF = 0
VERBOSE_ON = 1
VERBOSE_ON_CREATION = 2

_PRECISIONS = ("none", "ieee", "tf32", "bf16")
_state = {"enabled": True, "deterministic": False, "allow_tf32": False, "fp32_precision": "none"}


def is_available():
    """Whether nptorch is built with MKL-DNN: no."""
    return False


def is_acl_available():
    """Whether nptorch is built with MKL-DNN and the Arm Compute Library: no."""
    return False


class verbose(UnavailableVerbose):
    """On-demand oneDNN verbose logging; not available without oneDNN."""

    LIBRARY = "MKLDNN"


def _check_precision(value):
    if value not in _PRECISIONS:
        raise RuntimeError(f"Unknown precision: {value}")
    return value


class _FP32Precision:
    """``mkldnn.matmul``, ``.conv``, ``.rnn``: ``fp32_precision`` of one kind of op; "none"
    defers to ``mkldnn.fp32_precision``."""

    def __init__(self, backend, op):
        object.__setattr__(self, "backend", backend)
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "_precision", "none")

    def __setattr__(self, name, value):
        if name == "fp32_precision":
            object.__setattr__(self, "_precision", _check_precision(value))
        elif name in ("backend", "op"):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError("Unknown attribute " + name)

    def __getattr__(self, name):
        if name == "fp32_precision":
            own = self._precision
            return _state["fp32_precision"] if own == "none" else own
        raise AttributeError("Unknown attribute " + name)


matmul = _FP32Precision("mkldnn", "matmul")
conv = _FP32Precision("mkldnn", "conv")
rnn = _FP32Precision("mkldnn", "rnn")


def _set(name, value):
    if name == "fp32_precision":
        _state[name] = _check_precision(value)
    else:
        setter = {"enabled": "set_enabled_mkldnn", "deterministic": "set_deterministic_mkldnn",
                  "allow_tf32": "_set_onednn_allow_tf32"}[name]
        _state[name] = check_bool(value, setter)


def set_flags(_enabled=None, _deterministic=None, _allow_tf32=None, _fp32_precision="none"):
    """Set the given flags; returns the previous ``(enabled, deterministic, allow_tf32,
    fp32_precision)``."""
    orig_flags = (_state["enabled"], _state["deterministic"], _state["allow_tf32"],
                  _state["fp32_precision"])
    for name, value in (("enabled", _enabled), ("deterministic", _deterministic),
                        ("allow_tf32", _allow_tf32), ("fp32_precision", _fp32_precision)):
        if value is not None:
            _set(name, value)
    return orig_flags


@contextlib.contextmanager
def flags(enabled=False, deterministic=False, allow_tf32=True, fp32_precision="none"):
    """Set the flags inside the block and restore them after it."""
    orig_flags = set_flags(enabled, deterministic, allow_tf32, fp32_precision)
    try:
        yield
    finally:
        set_flags(*orig_flags)


def _flag(name):
    return property(lambda module: _state[name], lambda module, value: _set(name, value))


class _MkldnnModule(types.ModuleType):
    """Makes the flags module attributes that check what is assigned to them."""

    enabled = _flag("enabled")
    deterministic = _flag("deterministic")
    allow_tf32 = _flag("allow_tf32")
    fp32_precision = _flag("fp32_precision")


sys.modules[__name__].__class__ = _MkldnnModule
