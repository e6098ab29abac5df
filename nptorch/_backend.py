"""Chooses between the compiled extensions and their pure-NumPy twins.

``NPTORCH_PURE_PYTHON=1`` selects the pure-NumPy reference paths everywhere.
"""
import importlib
import os

PURE_PYTHON = os.environ.get("NPTORCH_PURE_PYTHON", "") == "1"

# The kernels' OpenMP loops alternate with BLAS calls that run on another thread pool; with
# OpenMP's default spin-waiting the idle pool keeps its cores busy and multi-threaded
# convolution ran 15x slower. Set before the extensions load libgomp; a user's choice wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Bumped whenever the interface between the Python layer and nptorch/_C changes,
# so that an extension built from older sources is refused instead of misbehaving.
EXTENSION_ABI = 12

_HOW_TO_BUILD = (
    "Build it with `pip install .` (or `python setup.py build_ext --inplace` in a source "
    "checkout), or set NPTORCH_PURE_PYTHON=1 to use the pure-NumPy reference paths."
)


def load_extension(name):
    """Import ``nptorch._C.<name>``, failing with a readable ImportError."""
    try:
        module = importlib.import_module(f"nptorch._C.{name}")
    except ImportError as exc:
        raise ImportError(
            f"nptorch's compiled extension nptorch._C.{name} is not built ({exc}). {_HOW_TO_BUILD}"
        ) from exc
    found = getattr(module, "EXTENSION_ABI", None)
    if found != EXTENSION_ABI:
        raise ImportError(
            f"nptorch's compiled extension nptorch._C.{name} is stale (interface version {found}, "
            f"expected {EXTENSION_ABI}). {_HOW_TO_BUILD}"
        )
    return module


_engine = None


def engine():
    """The autograd core: ``nptorch._C.engine`` or its pure twin ``nptorch.autograd.engine``."""
    global _engine
    if _engine is None:
        if PURE_PYTHON:
            _engine = importlib.import_module("nptorch.autograd.engine")
        else:
            _engine = load_extension("engine")
    return _engine
