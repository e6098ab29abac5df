"""Helpers shared by the built-in Functions."""
from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function


class BuiltinFunction(Function):
    """Base of nptorch's own Functions: nodes named ``<Name>Backward0``, gradients trusted."""

    _builtin = True


def raw(v):
    """The array behind a Tensor, or the value itself (Python numbers)."""
    return v._data if isinstance(v, Tensor) else v


def tensor_or_none(array):
    """A gradient array as a Tensor; None (no gradient) stays None."""
    return None if array is None else Tensor._make(array)


def wrap_dim(dim, ndim):
    """Turn a possibly negative dim into an index, with PyTorch's error when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def wrap_dims(dim, ndim):
    """Normalise ``dim`` (None, an int or a sequence) to a sorted tuple of indices, or None."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return (wrap_dim(dim, ndim),)
    dims = [wrap_dim(d, ndim) for d in dim]
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (the one place broadcasting is undone).

    Works on Tensors and, inside no-graph backward formulas, on raw arrays.
    """
    is_tensor = isinstance(g, Tensor)
    gshape = g._data.shape if is_tensor else g.shape
    if gshape == tuple(shape):
        return g
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1)
    if dims:
        g = g.sum(dims, keepdim=True) if is_tensor else g.sum(axis=dims, keepdims=True)
    return g.reshape(shape) if lead else g


def to_tensor_operand(v, like):
    """A Python number or array as a Tensor on ``like``'s device (no grad)."""
    if isinstance(v, Tensor):
        return v
    from .._device import xp_of
    xp = xp_of(like._data)
    return Tensor._make(xp.asarray(v, dtype=_dtype.scalar_dtype(v).np_dtype
                                   if isinstance(v, (bool, int, float)) else None))


def promote(a, b):
    """Cast the operands of a binary op to PyTorch's result dtype (Python numbers stay as is).

    Python numbers are kept unconverted: NumPy treats them as weakly typed, which gives the
    promoted dtype once the tensor operands have it.
    """
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a._data.dtype == b._data.dtype:
            return a, b
    elif isinstance(a, Tensor) and isinstance(b, float) and a._data.dtype.kind == "f":
        return a, b
    dt = _dtype.result_type(a, b)
    return cast(a, dt), cast(b, dt)


def cast(v, dt):
    """``v.to(dt)`` for a Tensor of another dtype; Python numbers pass unchanged."""
    if isinstance(v, Tensor) and v._data.dtype != dt.np_dtype:
        return v.to(dt)
    return v
