"""Splitting: views of pieces of a tensor (``split``, ``chunk``, ``tensor_split``, ``unbind``,
``narrow``, ``select``, ...)."""
import itertools

from .. import _dtype
from .._functions.indexing import Index
from .._functions._utils import wrap_dim
from .._tensor import Tensor
from .reduction import scalar_type_name


def narrow(input, dim, start, length):
    """The view ``input[..., start:start + length, ...]`` along ``dim``."""
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    start, length, size = int(start), int(length), shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, dim, slice(start, start + length))


def narrow_copy(input, dim, start, length):
    return narrow(input, dim, start, length).clone()


def select(input, dim, index):
    """The view of ``input`` at ``index`` along ``dim`` (that dim removed)."""
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[dim] <= index < shape[dim]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(shape)} at dimension {dim}")
    return _slice(input, dim, index)


def _slice(input, dim, item):
    return Index.apply(input, ((slice(None),) * dim + (item, Ellipsis), None))


def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive pieces along ``dim``: of one size (the last may be smaller), or of
    the listed sizes."""
    dim = wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step == 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                               f"size of {size}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}")
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return tuple(_slice(tensor, dim, slice(s, s + n)) for s, n in zip(starts, sizes))


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Views of ``input`` split along ``dim`` into ``sections`` nearly equal pieces (the first
    ``size % sections`` one longer), or before each of the ``indices`` (Python slice bounds)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = wrap_dim(dim, len(shape))
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg._data.dtype != _dtype.int64.np_dtype:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of "
                               f"long, but got {scalar_type_name(arg)}")
        if arg._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {arg._data.ndim} dims")
        arg = arg.tolist()
    if isinstance(arg, int):
        if arg <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {arg}")
        q, r = divmod(shape[dim], arg)
        arg = list(itertools.accumulate([q + 1] * r + [q] * (arg - r)))[:-1]
    bounds = [int(i) for i in arg]
    return tuple(_slice(input, dim, slice(a, b)) for a, b in zip([0] + bounds, bounds + [None]))


def _directional_split(name, min_ndim, dim_of):
    def op(input, indices_or_sections):
        ndim = input._data.ndim
        if ndim < min_ndim:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} dimension, "
                               f"but got a tensor with {ndim} dimensions!")
        dim = dim_of(ndim)
        n, size = indices_or_sections, input._data.shape[dim]
        if isinstance(n, int) and (n == 0 or size % n):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the split_size "
                               f"{n}!")
        return tensor_split(input, indices_or_sections, dim)
    op.__name__ = name
    op.__doc__ = f"``tensor_split`` along dim {dim_of(3)} (for 3-D inputs); sections must divide it."
    return op


hsplit = _directional_split("hsplit", 1, lambda ndim: 1 if ndim > 1 else 0)
vsplit = _directional_split("vsplit", 2, lambda ndim: 0)
dsplit = _directional_split("dsplit", 3, lambda ndim: 2)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of ``ceil(size / chunks)`` (fewer when they run out)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if size == 0:
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


def unbind(input, dim=0):
    """The views ``select(dim, i)`` for every ``i``."""
    dim = wrap_dim(dim, input._data.ndim)
    return tuple(_slice(input, dim, i) for i in range(input._data.shape[dim]))


def _iter(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(unbind(self, 0))


_COMMON = {
    "split": split, "split_with_sizes": split_with_sizes, "unsafe_split": split,
    "unsafe_split_with_sizes": split_with_sizes,
    "tensor_split": tensor_split, "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit,
    "chunk": chunk, "unsafe_chunk": chunk, "unbind": unbind, "narrow": narrow,
    "narrow_copy": narrow_copy, "select": select,
}

METHODS = dict(_COMMON, __iter__=_iter)

FUNCTIONS = dict(_COMMON)
