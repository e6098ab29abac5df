"""Writing into a copy of a tensor: ``index_copy``, ``masked_scatter``, ``put``, the
``*_scatter`` ops that fill a view, ``scatter_reduce``, ``index_reduce`` and ``fill_diagonal_``.

Writes go through ``IndexPut``, ``ScatterReduce`` or ``Embed`` (``_functions``), which carry
the gradients; the keys and PyTorch's argument checks are built here.
"""
import numpy as np

from .._device import xp_of
from .._functions.indexing import Index, IndexPut, ScatterReduce
from .._functions.shape import Diagonal, Embed
from .._functions._utils import wrap_dim
from .._tensor import Tensor
from .indexing import (_ALL, _accumulate, _along, _broadcast_shape, _check_flat_bounds,
                       _scatter_src)
from .math import where
from .reduction import scalar_type_name
from .shape import diagonal
from .splitting import select


def _check_long_index(name, index):
    if index._data.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(index)}")


def _check_in_range(index, size, error):
    """Raise ``error(first bad entry)`` unless every entry of ``index`` is in ``[0, size)``."""
    outside = (index < 0) | (index >= size)
    if bool(outside.any()):
        raise error(int(index[outside][0]))


def index_copy(input, dim, index, source):
    """``input`` with ``source``'s slice ``i`` along ``dim`` written at ``index[i]``."""
    _check_long_index("index_copy_", index)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {scalar_type_name(input)} and (source) "
                           f"{scalar_type_name(source)}")
    if index._data.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    shape, sshape = input._data.shape, source._data.shape
    if shape and sshape and len(shape) != len(sshape):
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality "
            f"must match. Source dimensionality ({len(sshape)}), destination dimensionality "
            f"({len(shape)})")
    dim = wrap_dim(dim, len(shape))
    rest, srest = shape[:dim] + shape[dim + 1:], sshape[:dim] + sshape[dim + 1:]
    if rest != srest and sshape:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, rest))} at dimension {dim} and source slice shape: "
            f"{' '.join(map(str, srest))} at dimension 0.")
    n = sshape[dim] if sshape else 1
    if index._data.size != n:
        raise IndexError(f"index_copy_(): Number of indices ({index._data.size}) should be equal "
                         f"to source.size(dim) ({n})")
    size = shape[dim] if shape else 1
    places = index._data.reshape(-1)
    _check_in_range(places, size, lambda bad: IndexError(
        f"index_copy_(): index {bad} is out of bounds for dimension {dim} with size {size}"))
    return IndexPut.apply(input, source, (_ALL, (slice(None),) * dim + (places,)))


def masked_scatter(input, mask, source):
    """``input`` (broadcast with ``mask``) with the first elements of ``source``, in order,
    written where ``mask`` is True."""
    if mask._data.dtype != bool:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{scalar_type_name(mask)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{scalar_type_name(input)} and {scalar_type_name(source)}")
    shape = _broadcast_shape(mask._data.shape, input._data.shape)
    xp = xp_of(mask._data)
    places = xp.flatnonzero(xp.broadcast_to(mask._data, shape))
    if source._data.size < places.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    values = Index.apply(source.reshape(-1), ((slice(0, places.size),), None))
    return IndexPut.apply(input.expand(shape).reshape(-1), values, (_ALL, (places,))).reshape(shape)


def put(input, index, source, accumulate=False):
    """``input`` read as 1-D with ``source`` written (or added, with ``accumulate``) at
    ``index``."""
    _check_long_index("put_", index)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {scalar_type_name(input)} and source.dtype = "
                           f"{scalar_type_name(source)}")
    if index._data.size != source._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of elements, "
                         f"but got source.numel() = {source._data.size}, index.numel() = "
                         f"{index._data.size}")
    _check_flat_bounds(index._data, input._data.size)
    flat, key = input.reshape(-1), (_ALL, (index._data.reshape(-1),))
    values = source.reshape(-1)
    out = _accumulate(flat, values, key) if accumulate else IndexPut.apply(flat, values, key)
    return out.reshape(input._data.shape)


# -- filling a view --------------------------------------------------------------------------
def _fill_view(input, src, view, op, args):
    """``input`` with ``src`` in place of ``view``, the part that ``op.apply(input, *args)``
    reads: ``src`` embedded by ``Embed`` where a mask of that part is set."""
    if tuple(src.shape) != tuple(view.shape):
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")
    shape = input._data.shape
    mask = xp_of(input._data).zeros(shape, bool)
    op.scatter(mask, True, *args)
    return where(Tensor._make(mask), Embed.apply(src.to(input.dtype), shape, op, args), input)


def select_scatter(input, src, dim, index):
    """``input`` with ``src`` written into ``select(input, dim, index)``."""
    view = select(input, dim, index)
    dim = wrap_dim(dim, input._data.ndim)
    return _fill_view(input, src, view, Index, (((slice(None),) * dim + (int(index),), None),))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``input`` with ``src`` written into the slice ``start:end:step`` along ``dim``."""
    dim = wrap_dim(dim, input._data.ndim)
    key = ((slice(None),) * dim + (slice(start, end, step), Ellipsis), None)
    return _fill_view(input, src, Index.apply(input, key), Index, (key,))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``input`` with ``src`` written into ``diagonal(input, offset, dim1, dim2)``."""
    view = diagonal(input, offset, dim1, dim2)
    ndim = input._data.ndim
    args = (int(offset), wrap_dim(dim1, ndim), wrap_dim(dim2, ndim))
    return _fill_view(input, src, view, Diagonal, args)


# -- reducing --------------------------------------------------------------------------------
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``input`` with ``src`` reduced into it at ``index`` along ``dim``: ``reduce`` is
    ``sum``, ``prod``, ``mean`` (integers round down), ``amax`` or ``amin``; ``include_self``
    counts ``input``'s values in the reduction."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    key, src = _scatter_src(input, dim, index, src, "scatter")
    dim = wrap_dim(dim, input._data.ndim)
    return ScatterReduce.apply(input, src, dim, index, key, reduce, include_self)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``input`` with ``source``'s slice ``i`` along ``dim`` reduced (``prod``, ``mean``,
    ``amax``, ``amin``) into slice ``index[i]``."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_reduce_(): self ({scalar_type_name(input)}) and source "
                           f"({scalar_type_name(source)}) must have the same scalar type")
    shape, sshape = input._data.shape, source._data.shape
    dim = wrap_dim(dim, len(shape))
    if len(shape) != len(sshape) or any(a != b for d, (a, b) in enumerate(zip(shape, sshape))
                                        if d != dim):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(shape)} source.shape = "
                           f"{list(sshape)}")
    places = index._data.reshape(-1)
    n = sshape[dim] if sshape else 1
    if places.size != n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({places.size}) should be equal "
                           f"to source.size(dim): ({n}), for dim: {dim}")
    _check_in_range(places, shape[dim] if shape else 1, lambda bad: IndexError("index out of range in self"))
    xp = xp_of(places)
    # the index of each element of source: index_reduce is scatter_reduce with it
    full = xp.broadcast_to(places.astype(np.int64).reshape((n,) + (1,) * (len(sshape) - dim - 1)),
                           sshape)
    key = (_ALL, _along(full, dim))
    return ScatterReduce.apply(input, source, dim, Tensor._make(full), key, reduce, include_self)


def fill_diagonal(input, fill_value, wrap=False):
    """``input`` with ``fill_value`` on its main diagonal (all dims of equal length beyond 2-D);
    with ``wrap``, a tall matrix's diagonal starts again every ``cols + 1`` rows."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    xp = xp_of(input._data)
    if len(shape) > 2:
        if len(set(shape)) > 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        places = (xp.arange(shape[0]),) * len(shape)
    else:
        rows, cols = shape
        flat = xp.arange(0, rows * cols if wrap else min(rows, cols) * cols, cols + 1)
        places = (flat // cols, flat % cols)
    return IndexPut.apply(input, fill_value, (_ALL, places))


_COMMON = {
    "index_copy": index_copy, "masked_scatter": masked_scatter, "put": put,
    "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter, "scatter_reduce": scatter_reduce,
    "index_reduce": index_reduce,
}

METHODS = FUNCTIONS = dict(_COMMON)

INPLACE = {"index_copy_": index_copy, "masked_scatter_": masked_scatter, "put_": put,
           "scatter_reduce_": scatter_reduce, "index_reduce_": index_reduce,
           "fill_diagonal_": fill_diagonal}
