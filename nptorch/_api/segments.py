"""``segment_reduce``: sums, means, maxima, minima or products over consecutive segments
of a tensor along one dim, the segments given by their lengths or offsets.

Each element is sent to the slot of its segment (elements outside every segment to one extra
slot, dropped afterwards) by ``scatter_reduce``, which carries the gradients: maxima and
minima share theirs evenly among tied elements, products get the product of the others.
"""
import math
import numbers

import numpy as np

from .._functions._utils import wrap_dim
from .._tensor import Tensor
from ._checks import bool_arg, int_arg, type_error
from .creation import full, ones_like, tensor
from .reduction import scalar_type_name
from .scattering import scatter_reduce

# the scatter_reduce reduction behind each one (a mean divides a sum)
_SCATTER = {"sum": "sum", "mean": "sum", "prod": "prod", "max": "amax", "amax": "amax",
            "min": "amin", "amin": "amin"}


def _check_args(data, reduce, tensors, axis, unsafe, initial):
    if not isinstance(data, Tensor):
        raise type_error("segment_reduce", "data", "Tensor", data, 1)
    if not isinstance(reduce, str):
        raise type_error("segment_reduce", "reduce", "str", reduce, 2)
    for name, t in tensors.items():
        if t is not None and not isinstance(t, Tensor):
            raise type_error("segment_reduce", name, "Tensor", t)
    int_arg("segment_reduce", "axis", axis)
    bool_arg("segment_reduce", "unsafe", unsafe, optional=False)
    if initial is not None:
        if not isinstance(initial, numbers.Number):
            raise type_error("segment_reduce", "initial", "Number", initial)
        if isinstance(initial, complex):
            raise RuntimeError("value cannot be converted to type float without overflow")


def _bounds(data, segments, name, axis):
    """The host int64 array of ``lengths`` or ``offsets`` after PyTorch's checks of its shape
    against ``data`` and ``axis``."""
    if segments.dim() > data.dim():
        raise RuntimeError(f"segment_reduce(): Expected data.dim() >= {name}.dim(), but got "
                           f"{data.dim()} and {segments.dim()}")
    if axis != segments.dim() - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of {name} "
                           f"but got {axis}.")
    if tuple(segments.shape[:-1]) != tuple(data.shape[:axis]):
        raise RuntimeError(f"segment_reduce(): Expected the leading dims of {name} to match "
                           f"data's, but got {name} of shape {list(segments.shape)} and data of "
                           f"shape {list(data.shape)}")
    if segments._data.dtype not in (np.int32, np.int64):
        raise NotImplementedError(f"segment_reduce(): {name} must be an int32 or int64 tensor, "
                                  f"got {scalar_type_name(segments)}")
    return segments._host().astype(np.int64)


def _offsets(data, lengths, offsets, axis, unsafe):
    """The start of each segment and the end of the last, (*data.shape[:axis], S + 1)."""
    if offsets is not None:
        bounds = _bounds(data, offsets, "offsets", axis)
        if bounds.shape[-1] == 0:
            raise RuntimeError("segment_reduce(): Expected offsets to hold at least one entry "
                               "(the end of the last segment)")
    else:
        counts = _bounds(data, lengths, "lengths", axis)
        if not unsafe:
            if counts.size == 0:
                raise RuntimeError("segment_reduce(): Expected lengths to hold at least one "
                                   "segment when !unsafe.")
            if counts.min() < 0:
                raise RuntimeError("lengths contains negative value!")
            if (counts.sum(-1) != data.shape[axis]).any():
                raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to "
                                   "sum to data.size(lengths.dim()-1) when !unsafe.")
        zeros = np.zeros(counts.shape[:-1] + (1,), np.int64)
        bounds = np.concatenate([zeros, np.cumsum(counts, -1)], -1)
    if (np.diff(bounds, axis=-1) < 0).any():
        raise RuntimeError("segment_reduce(): Expected segments of non-negative length "
                           "(non-decreasing offsets)")
    if bounds.size and (bounds.min() < 0 or bounds.max() > data.shape[axis]):
        raise RuntimeError(f"segment_reduce(): Expected the segments to lie within data.size(axis) "
                           f"= {data.shape[axis]}, but they span [{bounds.min()}, {bounds.max()}]")
    return bounds


def _slots(bounds, n):
    """The segment of each of the ``n`` positions of each row of ``bounds`` (*, S + 1); ``S``
    for those outside every segment."""
    lead, s = bounds.shape[:-1], bounds.shape[-1] - 1
    rows = int(np.prod(lead, dtype=np.int64))
    # rows shifted apart by n + 1 make one sorted array to search
    shift = np.arange(rows, dtype=np.int64)[:, None] * (n + 1)
    flat = (bounds.reshape(rows, s + 1) + shift).ravel()
    k = np.searchsorted(flat, (shift + np.arange(n)).ravel(), side="right") - 1
    seg, owner = k % (s + 1), k // (s + 1)
    inside = (k >= 0) & (owner == np.repeat(np.arange(rows), n)) & (seg < s)
    return np.where(inside, seg, s).reshape(lead + (n,))


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0,
                   unsafe=False, initial=None):
    """Reduce (``sum``, ``mean``, ``max``, ``min`` or ``prod``) each segment of ``data`` along
    ``axis``: consecutive runs of the given ``lengths``, or from each of ``offsets`` to the
    next. With several rows of segments, ``lengths`` / ``offsets`` carry data's leading dims
    and ``axis`` is their last.

    ``initial`` joins every reduction (a mean divides by the segment's length alone); empty
    segments give it, or without it 0, nan, -inf, inf and 1 respectively. ``unsafe`` skips
    the check that the lengths cover ``data``.
    """
    _check_args(data, reduce, {"lengths": lengths, "indices": indices, "offsets": offsets},
                axis, unsafe, initial)
    axis = wrap_dim(axis, data.dim())
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if reduce not in _SCATTER:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    bounds = _offsets(data, lengths, offsets, axis, unsafe)
    if not data.is_floating_point():
        raise NotImplementedError(f"segment_reduce(): expected floating point data, got "
                                  f"{scalar_type_name(data)}")
    kind, n, s = _SCATTER[reduce], data.shape[axis], bounds.shape[-1] - 1
    rest = (1,) * (data.dim() - axis - 1)
    slots = tensor(_slots(bounds, n).reshape(bounds.shape[:-1] + (n,) + rest),
                   device=data.device).expand(data.shape)
    shape = tuple(data.shape[:axis]) + (s + 1,) + tuple(data.shape[axis + 1:])
    extremum = kind in ("amax", "amin")
    if extremum:
        # nan, which no element equals, so that no tie with it shares the gradient; the empty
        # segments become -inf / inf below
        start = math.nan
    else:
        start = initial if initial is not None else 0.0 if kind == "sum" else 1.0
    base = full(shape, start, dtype=data.dtype, device=data.device)
    out = scatter_reduce(base, axis, slots, data, kind, include_self=not extremum)
    out = out.narrow(axis, 0, s)
    counts = np.diff(bounds, axis=-1).reshape(bounds.shape[:-1] + (s,) + rest)
    counts = tensor(counts, dtype=data.dtype, device=data.device)
    if reduce == "mean":
        out = out / counts.clamp(min=1)
        if initial is None:
            out = out.masked_fill(counts == 0, math.nan)
    elif extremum:
        out = out.masked_fill(counts == 0, -math.inf if kind == "amax" else math.inf)
    if extremum and initial is not None:
        # the initial value wins only where strictly beyond the data (or when it is nan)
        beyond = out < initial if kind == "amax" else out > initial
        if math.isnan(initial):
            beyond = ones_like(beyond)
        out = out.masked_fill(beyond, initial)
    return out


FUNCTIONS = {"segment_reduce": segment_reduce}
