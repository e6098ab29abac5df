"""Kernels on raw arrays: ``Ops`` (pure xp, the reference), ``CythonOps`` (CPU), ``CupyOps`` (CUDA).

``ops_for(device)`` picks the kernels the Functions use; ``use(ops)`` overrides the choice for a
block (benchmarks compare the twins this way).
"""
import contextlib

from .. import _backend
from .reference import Ops, Window

__all__ = ["Ops", "Window", "ops_for", "use"]

_override = None
_cache = {}


def ops_for(device):
    """The kernels for ``device``: CythonOps on CPU, CupyOps on CUDA, Ops in pure-Python mode."""
    if _override is not None:
        return _override
    kind = "reference" if _backend.PURE_PYTHON else device.type
    ops = _cache.get(kind)
    if ops is None:
        if kind == "reference":
            ops = Ops()
        elif kind == "cpu":
            from .cython_ops import CythonOps
            ops = CythonOps()
        else:
            from .cupy_ops import CupyOps
            ops = CupyOps()
        _cache[kind] = ops
    return ops


@contextlib.contextmanager
def use(ops):
    """Run the block with ``ops`` as the kernels of every device."""
    global _override
    previous, _override = _override, ops
    try:
        yield ops
    finally:
        _override = previous
