"""``default_collate`` (samples -> batch) and ``default_convert`` (arrays -> tensors)."""
import collections.abc
import copy
import re

import numpy as np

from ..._api.creation import as_tensor, tensor
from ..._api.shape import stack
from ..._dtype import float64
from ..._tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

_STR_OBJ_DTYPE = re.compile(r"[SaUO]")
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
        "dicts or lists; found {}")


def _rebuild(elem, values):
    """A container like ``elem`` holding ``values`` (a list for a tuple, as PyTorch)."""
    if isinstance(elem, tuple):
        return list(values)
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            clone[:] = values
            return clone
        return type(elem)(values)
    except TypeError:
        return list(values)


def _rebuild_map(elem, values):
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_convert(data):
    """Convert each NumPy array (and NumPy scalar) inside ``data`` into a Tensor."""
    if isinstance(data, Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray) and _STR_OBJ_DTYPE.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_map(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data


def _collate_tensor(batch, *, collate_fn_map=None):
    return stack(batch, 0)


def _collate_ndarray(batch, *, collate_fn_map=None):
    if _STR_OBJ_DTYPE.search(batch[0].dtype.str):
        raise TypeError(_ERR.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _collate_np_scalar(batch, *, collate_fn_map=None):
    return as_tensor(np.asarray(batch))


def _collate_float(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=float64)


def _collate_int(batch, *, collate_fn_map=None):
    return tensor(batch)


def _collate_str(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: _collate_tensor,
    np.ndarray: _collate_ndarray,
    (np.bool_, np.number, np.object_): _collate_np_scalar,
    float: _collate_float,
    int: _collate_int,
    str: _collate_str,
    bytes: _collate_str,
}


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples, dispatching on the first element's type through
    ``collate_fn_map`` (exact type first, then ``isinstance``) and recursing into containers."""
    elem = batch[0]
    if collate_fn_map is not None:
        if type(elem) in collate_fn_map:
            return collate_fn_map[type(elem)](batch, collate_fn_map=collate_fn_map)
        for kind, fn in collate_fn_map.items():
            if isinstance(elem, kind):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_map(elem, {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map)
                                   for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return _rebuild(elem, [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)])
    raise TypeError(_ERR.format(type(elem)))


def default_collate(batch):
    """Stack a list of samples into a batch: tensors and NumPy arrays are stacked along a new
    first dimension, Python ints/floats/bools become int64/float64/bool tensors, strings stay
    a list, and mappings, namedtuples and sequences are collated field by field (tuples become
    lists)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
