"""``CupyOps``: the kernels on CUDA arrays.

For now every kernel is the reference xp code running on CuPy arrays; compiled CUDA kernels
(``cupy.RawModule``, built lazily so that importing needs no GPU) will override the hot methods.
"""
from .. import _compat
from .reference import Ops


class CupyOps(Ops):
    """Convolution and pooling kernels on CuPy arrays."""

    def __init__(self):
        self.xp = _compat.cupy
