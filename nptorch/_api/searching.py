"""Counting and searching (no gradients): ``bincount``, ``histc``, ``histogram``,
``searchsorted``, ``bucketize``, ``isin``, ``unique_consecutive`` and ``nonzero_static``."""
import math

import numpy as np

from .. import _dtype
from .._device import check_same_device, xp_of
from .._functions._utils import wrap_dim
from .._tensor import Tensor
from ._checks import int_arg
from .indexing import nonzero
from .numeric import histogramdd
from .reduction import _return_type, return_types, scalar_type_name

return_types["histogram"] = _return_type("histogram", ("hist", "bin_edges"))


def _as_tensor(v, like):
    """A Python number as a 0-D tensor on ``like``'s device."""
    if isinstance(v, Tensor):
        return v
    return Tensor._make(xp_of(like._data).asarray(v, _dtype.scalar_dtype(v).np_dtype))


# -- counting --------------------------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    """How often each value ``0 .. max(input)`` occurs in a 1-D tensor of non-negative ints
    (at least ``minlength`` bins), or the sum of ``weights`` at each value."""
    data = input._data
    if data.dtype.kind not in "biu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{scalar_type_name(input)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if data.ndim != 1 or (data.size and int(data.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = xp_of(data)
    if weights is None:
        return Tensor._make(xp.bincount(data, minlength=minlength).astype(np.int64))
    if weights._data.ndim != 1 or weights._data.shape != data.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    check_same_device("bincount", [data, weights._data])
    w = weights._data
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    return Tensor._make(xp.bincount(data, w.astype(np.float64), minlength).astype(out_dtype))


def _check_floating(name, input):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}" not implemented for \'{scalar_type_name(input)}\'')


def _check_bins(bins):
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")


def histc(input, bins=100, min=0, max=0):
    """Counts of ``input`` in ``bins`` equal bins over ``[min, max]`` (the data's range when
    both are 0, widened by 1 on each side when it is a single value); values outside are
    ignored."""
    _check_floating("histogram_cpu", input)
    _check_bins(bins)
    data = input._data
    xp = xp_of(data)
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    hist, _ = xp.histogram(data, bins, (lo, hi))
    return Tensor._make(hist.astype(data.dtype))


def histogram(input, bins, *, range=None, weight=None, density=False):
    """Counts (or summed ``weight``) of ``input`` in ``bins`` (a number of equal bins over
    ``range`` or the data's range, or a tensor of edges), and the bin edges: ``histogramdd``
    of the values as 1-D points, as in PyTorch."""
    hist, (edges,) = histogramdd(input.reshape(-1, 1), [bins], range=range, density=density,
                                 weight=None if weight is None else weight.reshape(-1))
    return return_types["histogram"](hist, edges)


# -- searching -------------------------------------------------------------------------------
def _side(side, right):
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                           "side of left while right was True")
    return side


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """The indices at which ``input``'s values would be inserted into ``sorted_sequence``
    (along its last dim; the leading dims must match ``input``'s) to keep it sorted."""
    side = _side(side, right)
    seq = sorted_sequence._data
    values = _as_tensor(input, sorted_sequence)._data
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    xp = xp_of(seq)
    if sorter is not None:
        order = sorter._data
        if order.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {list(seq.shape)}and got sorter "
                               f"tensor {list(order.shape)}")
        if order.size and (int(order.min()) < 0 or int(order.max()) >= seq.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        seq = xp.take_along_axis(seq, order, -1)
    if seq.ndim == 1:
        found = xp.searchsorted(seq, values, side)
    else:
        rows = seq.reshape(-1, seq.shape[-1])
        found = xp.stack([xp.searchsorted(r, v, side) for r, v in
                          zip(rows, values.reshape(len(rows), -1))]).reshape(values.shape)
    return Tensor._make(xp.asarray(found).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of ``input`` among the sorted 1-D ``boundaries``:
    ``boundaries[i - 1] < x <= boundaries[i]`` (``<=`` and ``<`` swapped when ``right``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` is among ``test_elements`` (either may be a number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__})")
    like = elements if isinstance(elements, Tensor) else test_elements
    a, b = _as_tensor(elements, like)._data, _as_tensor(test_elements, like)._data
    return Tensor._make(xp_of(a).isin(a, b, assume_unique=assume_unique, invert=invert))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The tensor with each run of equal consecutive values (or slices along ``dim``) kept
    once, optionally with the run of each element and the run lengths."""
    data = input._data
    xp = xp_of(data)
    if dim is not None:
        dim = wrap_dim(dim, data.ndim)
    rows = data.reshape(-1) if dim is None else xp.moveaxis(data, dim, 0)
    flat = rows.reshape(len(rows), math.prod(rows.shape[1:]))
    new_run = xp.ones(len(rows), bool)
    new_run[1:] = (flat[1:] != flat[:-1]).any(axis=1)
    starts = xp.flatnonzero(new_run)
    values = rows[starts]
    out = [Tensor._make(values if dim is None else xp.moveaxis(values, 0, dim))]
    if return_inverse:
        inverse = xp.cumsum(new_run) - 1
        out.append(Tensor._make(inverse.reshape(data.shape if dim is None else -1)
                                .astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(xp.diff(xp.append(starts, len(rows))).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero(input)`` with a fixed number of rows: the first ``size`` indices, padded with
    rows of ``fill_value``."""
    size = int_arg("nonzero_static", "size", size)
    fill_value = int_arg("nonzero_static", "fill_value", fill_value)
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = nonzero(input)._data[:size]
    xp = xp_of(found)
    padding = xp.full((size - found.shape[0], found.shape[1]), fill_value, np.int64)
    return Tensor._make(xp.concatenate([found, padding]))


_COMMON = {
    "bincount": bincount, "histc": histc, "histogram": histogram,
    "unique_consecutive": unique_consecutive, "nonzero_static": nonzero_static,
}

METHODS = dict(_COMMON)

FUNCTIONS = dict(_COMMON, searchsorted=searchsorted, bucketize=bucketize, isin=isin)
