"""Tensors with a structure built from others: block-diagonal and Vandermonde matrices,
Cartesian products, combinations and the indices of triangles."""
import functools
import itertools

import numpy as np

from .. import _dtype
from .._device import default_device, xp_for, xp_of
from .._functions.indexing import Index
from .._tensor import Tensor
from .broadcast import meshgrid
from .creation import zeros
from .shape import cat, reshape, stack


def block_diag(*tensors):
    """A block-diagonal matrix of ``tensors`` (a 0-D or 1-D tensor is a one-row block)."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t._data.ndim} dimensions")
    if not tensors:
        return zeros(1, 0)
    dt = functools.reduce(_dtype.promote_types, [t.dtype for t in tensors])
    blocks = [(reshape(t, 1, -1) if t._data.ndim < 2 else t).to(dt) for t in tensors]
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        n, m = b.shape
        rows.append(cat([b.new_zeros(n, left), b, b.new_zeros(n, width - left - m)], 1))
        left += m
    return cat(rows, 0)


def _check_vector(t):
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")


def cartesian_prod(*tensors):
    """Every combination of one element of each 1-D tensor, as the rows of a matrix (one
    tensor is returned as is)."""
    for t in tensors:
        _check_vector(t)
    if len(tensors) == 1:
        return tensors[0]
    if len({t._data.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    return stack([reshape(g, -1) for g in meshgrid(*tensors, indexing="ij")], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of the elements of a 1-D tensor, as rows (itertools'
    order)."""
    _check_vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    chosen = list(pick(range(input._data.shape[0]), r)) if r else []  # r = 0 gives no rows
    idx = np.array(chosen, np.int64).reshape((-1, r) if r else (0,))
    return Index.apply(input, ((Ellipsis,), (xp_of(input._data).asarray(idx),)))


def _triangle_indices(name, upper):
    def op(row, col, offset=0, *, dtype=None, device=None, layout=None):
        dt = _dtype.to_dtype(dtype) or _dtype.int64
        if dt not in (_dtype.int32, _dtype.int64):
            raise NotImplementedError(f'"{name}" not implemented for '
                                      f"'{_dtype.scalar_type_name(dt)}'")
        device = default_device(device)
        xp = xp_for(device)
        found = (xp.triu_indices if upper else xp.tril_indices)(row, offset, col)
        return Tensor._make(xp.stack(found).astype(dt.np_dtype).reshape(2, -1))
    op.__name__ = name
    op.__doc__ = (f"The ``(2, N)`` row and column indices of the {'upper' if upper else 'lower'} "
                  "triangle of a ``row x col`` matrix from the ``offset`` diagonal, row by row.")
    return op


tril_indices = _triangle_indices("tril_indices", False)
triu_indices = _triangle_indices("triu_indices", True)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D ``x``: columns ``x ** (N - 1), ..., x, 1`` (reversed
    when ``increasing``); integer and bool inputs give int64."""
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if not x.is_floating_point():
        x = x.to(_dtype.int64)
    if n == 0:
        return x.new_zeros(x._data.shape[0], 0)
    # repeated products (PyTorch's cumprod), exact in value and gradient where x is zero
    columns = [x.new_ones(x._data.shape)]
    for _ in range(n - 1):
        columns.append(columns[-1] * x)
    return stack(columns if increasing else columns[::-1], 1)


FUNCTIONS = {
    "block_diag": block_diag, "cartesian_prod": cartesian_prod, "combinations": combinations,
    "tril_indices": tril_indices, "triu_indices": triu_indices, "vander": vander,
}
