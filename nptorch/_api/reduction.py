"""Reductions: ``sum``, ``mean``, ... with PyTorch's ``dim`` / ``keepdim``."""
from .. import _dtype
from .._functions import reduction as F
from .._functions._utils import wrap_dims


def _dims(dim, ndim, kwargs):
    if dim is None:
        dim = kwargs.pop("axis", None)
    return wrap_dims(dim, ndim)


def sum(input, dim=None, keepdim=False, *, dtype=None, **kwargs):
    """Sum over ``dim`` (all dims when None); integer and bool inputs sum to int64."""
    keepdim = kwargs.pop("keepdims", keepdim)
    dims = _dims(dim, input._data.ndim, kwargs)
    dt = _dtype.to_dtype(dtype)
    if dt is None and input._data.dtype.kind in "iub":
        dt = _dtype.int64
    if dims == () and dim is not None:
        dims = None if isinstance(dim, (list, tuple)) and len(dim) == 0 else dims
    return F.Sum.apply(input, dims, keepdim, dt.np_dtype if dt is not None else None)


METHODS = {"sum": sum}
FUNCTIONS = {"sum": sum}
