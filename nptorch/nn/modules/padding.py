"""Padding layers: constant (zero), reflection, replication and circular padding of the last
1, 2 or 3 dims (see ``F.pad``)."""
from .. import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _ntuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _PadNd(Module):
    """Pads the last ``_dims`` dims by ``padding`` (an int, or (left, right, top, bottom, ...))."""

    _dims = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        n = self._dims
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")
        return super().forward(input)


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``."""
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``."""
    _dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        _ConstantPadNd.__init__(self, padding, 0.0)

    extra_repr = _PadNd.extra_repr


class ZeroPad2d(ConstantPad2d):
    """Pad the last 2 dims with zeros."""

    __init__ = ZeroPad1d.__init__
    extra_repr = _PadNd.extra_repr


class ZeroPad3d(ConstantPad3d):
    """Pad the last 3 dims with zeros."""

    __init__ = ZeroPad1d.__init__
    extra_repr = _PadNd.extra_repr


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its reflection (the edge not repeated)."""
    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last 2 dims with their reflection."""
    _dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Pad the last 3 dims with their reflection."""
    _dims = 3


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values."""
    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last 2 dims by repeating their edge values."""
    _dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Pad the last 3 dims by repeating their edge values."""
    _dims = 3


class CircularPad1d(_CircularPadNd):
    """Pad the last dim by wrapping it around."""


class CircularPad2d(_CircularPadNd):
    """Pad the last 2 dims by wrapping them around."""
    _dims = 2


class CircularPad3d(_CircularPadNd):
    """Pad the last 3 dims by wrapping them around."""
    _dims = 3
