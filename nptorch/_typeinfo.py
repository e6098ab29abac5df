"""``finfo`` and ``iinfo``: the numerical limits of floating and integer dtypes, and
``typename``."""
import numpy as np

from . import _dtype


def _format(value):
    return f"{value:g}"


class finfo:
    """Limits of a floating dtype (the default dtype when none is given)."""

    def __init__(self, type=None):
        dt = _dtype.get_default_dtype() if type is None else _dtype.to_dtype(type)
        if not dt.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        info = np.finfo(dt.np_dtype)
        self.bits, self.dtype = info.bits, dt.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={_format(self.resolution)}, min={_format(self.min)}, "
                f"max={_format(self.max)}, eps={_format(self.eps)}, "
                f"smallest_normal={_format(self.smallest_normal)}, tiny={_format(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        dt = _dtype.to_dtype(type)
        if dt.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        if dt.np_dtype.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(dt.np_dtype)
        self.bits, self.dtype = info.bits, dt.name
        self.max, self.min = int(info.max), int(info.min)

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={_format(self.min)}, max={_format(self.max)}, dtype={self.dtype})"


def typename(obj):
    """A tensor's type name (``torch.FloatTensor``...), else the object's qualified type name."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", None) else f"{module}.{cls.__qualname__}"
