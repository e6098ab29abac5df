"""Indexing: ``x[key]``, ``x[key] = v``, gather/scatter, selections, sorting and ``unique``.

Every op here reads with ``Index`` or writes with ``IndexPut`` (``_functions/indexing.py``);
accumulating writes (``scatter_add``, ``index_add``) add ``Embed``, the gradient of ``Index``,
so their gradients (and second derivatives) come from those two Functions.
"""
import numpy as np

from .._device import check_same_device, xp_of
from .._fp_errors import restore as restore_fp, silence as silence_fp
from .._functions.indexing import Index, IndexPut, put
from .._functions.shape import Embed
from .._functions._utils import wrap_dim
from .._tensor import Tensor
from ..autograd import grad_mode
from ._inplace import apply_inplace, check_writable
from .math import checked_fill_value
from .reduction import return_types, scalar_type_name

_INVALID_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                  "are valid indices (got {})")
_ALL = (Ellipsis,)  # the basic part of a key that keeps every dim


# -- keys ------------------------------------------------------------------------------------
def _index_array(item, xp, device):
    """An index as an array of ``xp``, the array module of the indexed tensor (on ``device``):
    CPU indices (tensors, lists, arrays) serve a tensor on any device, as in PyTorch."""
    if isinstance(item, Tensor):
        if item.is_cuda and item.device != device:
            raise RuntimeError("indices should be either on cpu or on the same device as the "
                               f"indexed tensor ({device})")
        arr = xp.asarray(item._data)
    else:
        arr = xp.asarray(np.asarray(item))
    if arr.dtype.kind == "f" and arr.size == 0 and not isinstance(item, Tensor):
        arr = arr.astype(np.int64)  # x[[]]
    if arr.dtype.kind not in "biu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return arr.astype(bool) if arr.dtype == np.uint8 else arr


def _check_bounds(arr, dim, size, exc=IndexError):
    """PyTorch's error for an integer index (int or array) outside ``[-size, size)``."""
    if isinstance(arr, int):
        bad = arr if not -size <= arr < size else None
    elif arr.size == 0:
        bad = None
    else:
        high, low = int(arr.max()), int(arr.min())
        bad = high if high >= size else low if low < -size else None
    if bad is not None:
        raise exc(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _parse(x, index):
    """``index`` as a ``(basic, advanced)`` key for ``x`` (see ``_functions/indexing.py``)."""
    items = index if isinstance(index, tuple) else (index,)
    xp, device = xp_of(x._data), x.device
    parsed = []
    for item in items:
        if item is None or item is Ellipsis:
            parsed.append(item)
        elif isinstance(item, slice):
            if item.step is not None and int(item.step) <= 0:
                raise ValueError("step must be greater than zero")
            parsed.append(item)
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            parsed.append(int(item))
        elif isinstance(item, (Tensor, list, tuple, np.ndarray, bool, np.bool_)):
            parsed.append(_index_array(item, xp, device))
        else:
            raise IndexError(_INVALID_INDEX.format(type(item).__name__))
    shape = x._data.shape
    used = sum(0 if i is None or i is Ellipsis else i.ndim if getattr(i, "dtype", None) == bool
               else 1 for i in parsed)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    ellipses = [k for k, i in enumerate(parsed) if i is Ellipsis]
    if ellipses:  # the first one spans the unindexed dims, any other spans none
        k = ellipses[0]
        fill = [slice(None)] * (len(shape) - used)
        parsed = [i for i in parsed[:k] + fill + parsed[k + 1:] if i is not Ellipsis]
    basic, advanced, dim = [], [], 0
    for item in parsed:
        if item is None:
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(item, slice):
            basic.append(item)
            advanced.append(slice(None))
            dim += 1
        elif isinstance(item, int):
            _check_bounds(item, dim, shape[dim])
            basic.append(item)
            dim += 1
        elif item.dtype == bool and item.ndim == 0:  # x[True] adds a dim of size 1, x[False] of 0
            basic.append(None)
            advanced.append(slice(None) if item else slice(0, 0))
        elif item.dtype == bool:
            for j, n in enumerate(item.shape):
                if shape[dim + j] != n:
                    raise IndexError(
                        f"The shape of the mask {list(item.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {dim + j}")
            basic += [slice(None)] * item.ndim
            advanced += list(xp.nonzero(item))
            dim += item.ndim
        else:
            _check_bounds(item, dim, shape[dim])
            basic.append(slice(None))
            advanced.append(item)
            dim += 1
    needed = any(not isinstance(a, slice) or a != slice(None) for a in advanced)
    return tuple(basic) + _ALL, tuple(advanced) if needed else None


def _along(index, dim):
    """The advanced key that reads ``x[..., index[i, j, k], ...]`` at position ``(i, j, k)``."""
    xp = xp_of(index)
    nd = index.ndim
    return tuple(index if d == dim else xp.arange(n).reshape((n,) + (1,) * (nd - d - 1))
                 for d, n in enumerate(index.shape))


def _region_shape(shape, key, xp):
    basic, advanced = key
    view = xp.broadcast_to(xp.zeros((), bool), shape)[basic]
    return view.shape if advanced is None else view[advanced].shape


def getitem(self, index):
    """``self[index]``: a view for ints, slices, None and ``...``; a copy with integer or
    boolean tensor indices (NumPy's rules, ints selecting first as in PyTorch)."""
    return Index.apply(self, _parse(self, index))


def setitem(self, index, value):
    """``self[index] = value`` (a number or Tensor, broadcast and cast to ``self.dtype``),
    recorded by autograd."""
    if not isinstance(value, (Tensor, bool, int, float, complex, np.generic)):
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"can't assign a {name} to a {self.type()}")
    key = _parse(self, index)
    xp = xp_of(self._data)
    if not isinstance(value, Tensor):
        if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        dt = self._data.dtype
        if (dt.kind in "iu" or dt == np.float32) and isinstance(value, (int, float, np.generic)):
            # out of the dtype's range: PyTorch's error (float16 takes such numbers as inf)
            value = checked_fill_value(dt, value)
        token = silence_fp()  # floats out of float16's range become inf, as in PyTorch
        try:
            value = Tensor._make(xp.asarray(value, dtype=self._data.dtype))
        finally:
            restore_fp(token)
    elif value._data.dtype != self._data.dtype:
        if key[1] is not None:
            _check_put_dtypes(self, value)
        value = value.to(self.dtype)
    base = self._base
    if not grad_mode.state.enabled or not (
            self._requires_grad or value._requires_grad or (base is not None and base._requires_grad)):
        # nothing to record: write in place (apply_inplace would copy all of self first)
        check_writable(self._data)
        put(self._data, key, value._data)
        self._version_counter[0] += 1
        return
    apply_inplace(self, lambda s, v: IndexPut.apply(s, v, key), value)


# -- gather and scatter ----------------------------------------------------------------------
def _gather_key(input, dim, index, name, src=None):
    """Validate a gather/scatter index and return ``(dim, key)``."""
    check_same_device(name, [input._data, index._data])
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    shape, ishape = input._data.shape, index._data.shape
    dim = wrap_dim(dim, len(shape))
    if len(ishape) != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    too_big = [d for d, (i, s) in enumerate(zip(ishape, shape)) if d != dim and i > s]
    if src is None and too_big:
        raise RuntimeError(
            f"Size does not match at dimension {too_big[0]} expected index {list(ishape)} to be no "
            f"larger than self {list(shape)} apart from dimension {dim}")
    if src is not None and (too_big or any(i > s for i, s in zip(ishape, src.shape))):
        raise RuntimeError(
            f"Expected index {list(ishape)} to be no larger than self {list(shape)} apart from "
            f"dimension {dim} and to be no larger size than src {list(src.shape)}")
    _check_bounds(index._data, dim, shape[dim], RuntimeError)
    return dim, (_ALL, _along(index._data, dim))


def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` (for ``dim=1``)."""
    dim, key = _gather_key(input, dim, index, "gather")
    return Index.apply(input, key)


def _scatter_src(input, dim, index, src, name):
    """The key and the source cut to ``index``'s shape."""
    if not isinstance(src, Tensor):
        return _gather_key(input, dim, index, name)[1], src
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    _, key = _gather_key(input, dim, index, name, src)
    if src._data.shape != index._data.shape:
        src = Index.apply(src, (tuple(slice(0, n) for n in index._data.shape) + _ALL, None))
    return key, src


def _accumulate(input, src, key):
    """``input`` plus ``src`` (broadcast) added at ``key``; repeated places accumulate."""
    shape = _region_shape(input._data.shape, key, xp_of(input._data))
    if tuple(src.shape) != shape:
        src = src.expand(shape)
    return input + Embed.apply(src, input._data.shape, Index, (key,))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """Write ``src`` (a tensor or a number) into ``input`` at ``index`` along ``dim``:
    ``out[i][index[i][j]] = src[i][j]`` (for ``dim=1``)."""
    if src is None:
        if value is None:
            raise TypeError("scatter() missing required argument: 'src' or 'value'")
        src = value
    key, src = _scatter_src(input, dim, index, src, "scatter")
    if reduce is None:
        return IndexPut.apply(input, src, key)
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if grad_mode.state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in (input, src)):
        raise RuntimeError("derivative for aten::scatter is not implemented")
    out = input._data.copy()
    ufunc = xp_of(out).add if reduce == "add" else xp_of(out).multiply
    ufunc.at(out, key[1], getattr(src, "_data", src))
    return Tensor._make(out)


def scatter_add(input, dim, index, src):
    """Add ``src`` into ``input`` at ``index`` along ``dim``; repeated indices accumulate."""
    key, src = _scatter_src(input, dim, index, src, "scatter_add")
    return _accumulate(input, src, key)


def _dim_index_key(input, dim, index, name, exc=IndexError, unique=False):
    """The key ``input[..., index, ...]`` (index at ``dim``) of the ``index_*`` ops, with
    repeated places listed once when ``unique``."""
    check_same_device(name, [input._data, index._data])
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    dim = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim] if input._data.ndim else 1
    _check_bounds(index._data, dim, size, exc)
    places = index._data.reshape(-1)
    if unique:
        places = xp_of(places).unique(places % size)
    return dim, (_ALL, (slice(None),) * dim + (places,))


def index_select(input, dim, index):
    """The entries ``index`` (1-D) along ``dim``."""
    try:
        return Index.apply(input, _dim_index_key(input, dim, index, "index_select")[1])
    except IndexError as e:
        if "out of bounds" not in str(e):
            raise
        raise IndexError("index out of range in self") from None


def _repeat_counts(repeats, xp):
    """``repeats`` as an int64 array of counts, checked as PyTorch checks them."""
    if isinstance(repeats, int):
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        return xp.asarray([repeats])
    if repeats.dtype.is_floating_point or repeats.dtype.is_complex:
        raise NotImplementedError('"repeat_interleave_cpu" not implemented for '
                                  f"'{scalar_type_name(repeats)}'")
    if repeats.dim() > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    counts = repeats._data.reshape(-1).astype(np.int64)
    if bool((counts < 0).any()):
        raise RuntimeError("repeats can not be negative")
    return counts


def msort(input):
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each entry along ``dim`` (of the flattened input without ``dim``) repeated ``repeats``
    times (an int, or a tensor of one count per entry); given only a tensor of counts, the
    indices ``0, 1, ...`` repeated by those counts."""
    xp = xp_of(input._data)
    if repeats is None:
        if input.dim() != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        counts = _repeat_counts(input, xp)
        return Tensor._make(xp.repeat(xp.arange(len(counts)), counts))
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = wrap_dim(dim, input.dim())
    size = input.shape[dim]
    counts = _repeat_counts(repeats, xp)
    if counts.size == 1:  # one count for every entry
        counts = xp.full(size, int(counts[0]))
    elif counts.shape != (size,):
        raise RuntimeError("repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {len(counts)} and input.size(0) = {size}")
    index = xp.repeat(xp.arange(size), counts)
    if output_size is not None and len(index) != output_size:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {len(index)} but "
                           f"got {output_size}")
    return index_select(input, dim, Tensor._make(index))


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source[i]`` added at ``index[i]`` along ``dim``."""
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({scalar_type_name(input)}) and source "
                           f"({scalar_type_name(source)}) must have the same scalar type")
    dim, key = _dim_index_key(input, dim, index, "index_add_", RuntimeError)
    n = source._data.shape[dim] if source._data.ndim else 1
    if index._data.size != n:
        raise RuntimeError(f"index_add_(): Number of indices ({index._data.size}) should be equal "
                           f"to source.size(dim): ({n}), for dim: {dim}")
    return _accumulate(input, source if alpha == 1 else source * alpha, key)


def index_fill(input, dim, index, value):
    """``input`` with ``value`` written at ``index`` along ``dim``."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:
        value = checked_fill_value(input._data.dtype, value)
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    # each filled place counts once in the value's gradient, however often it is listed
    key = _dim_index_key(input, dim, index, "index_fill_", unique=True)[1]
    return IndexPut.apply(input, value, key)


def _check_put_dtypes(input, values):
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got {scalar_type_name(input)} "
            f"for the destination and {scalar_type_name(values)} for the source.")


def index_put(input, indices, values, accumulate=False):
    """``input[indices] = values`` (or ``+=`` with ``accumulate``, repeated indices adding up)."""
    _check_put_dtypes(input, values)
    key = _parse(input, tuple(indices))
    return _accumulate(input, values, key) if accumulate else IndexPut.apply(input, values, key)


# -- selections ------------------------------------------------------------------------------
def _broadcast_shape(a, b):
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x, y = (a[-i] if i <= len(a) else 1), (b[-i] if i <= len(b) else 1)
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {max(len(a), len(b)) - i}")
        out.append(max(x, y) if 0 not in (x, y) else 0)
    return tuple(reversed(out))


def masked_select(input, mask):
    """The entries of ``input`` where ``mask`` (broadcast) is True, as a 1-D tensor."""
    if mask._data.dtype != bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _broadcast_shape(mask._data.shape, input._data.shape)
    m = xp_of(mask._data).broadcast_to(mask._data, shape)
    return Index.apply(input.expand(shape), (_ALL, tuple(xp_of(m).nonzero(m))))


def _check_flat_bounds(index, n):
    """PyTorch's error of ``take`` and ``put`` for an index outside ``[-n, n)``."""
    outside = (index >= n) | (index < -n)
    if bool(outside.any()):
        bad = int(index[outside].reshape(-1)[0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")


def take(input, index):
    """``input`` read as 1-D at ``index`` (the result has ``index``'s shape)."""
    check_same_device("take", [input._data, index._data])
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {scalar_type_name(index)}")
    _check_flat_bounds(index._data, input._data.size)
    return Index.apply(input.reshape(-1), (_ALL, (index._data,)))


def take_along_dim(input, indices, dim=None):
    """``gather`` with ``indices`` and ``input`` broadcast against each other outside ``dim``
    (over the flattened input when ``dim`` is None)."""
    if indices._data.dtype != np.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{scalar_type_name(indices)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input._data.ndim != indices._data.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {input._data.ndim} dimensions for input, and {indices._data.ndim} dimensions "
            "for indices")
    dim = wrap_dim(dim, input._data.ndim)
    a, b = list(input._data.shape), list(indices._data.shape)
    a[dim] = b[dim] = 1
    shape = list(_broadcast_shape(a, b))
    shape_in, shape_idx = list(shape), list(shape)
    shape_in[dim], shape_idx[dim] = input._data.shape[dim], indices._data.shape[dim]
    return gather(input.expand(shape_in), dim, indices.expand(shape_idx))


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero entries: an ``(n, ndim)`` tensor, or one tensor per dim."""
    data = input._data
    xp = xp_of(data)
    if data.ndim == 0:
        count = int(bool(data))
        return (Tensor._make(xp.zeros(count, np.int64)),) if as_tuple else \
            Tensor._make(xp.zeros((count, 0), np.int64))
    found = [i.astype(np.int64) for i in xp.nonzero(data)]
    if as_tuple:
        return tuple(Tensor._make(i) for i in found)
    return Tensor._make(xp.stack(found, axis=1))


def argwhere(input):
    return nonzero(input)


# -- sorting ---------------------------------------------------------------------------------
def _sort_indices(data, dim, descending):
    """Stable argsort along ``dim``; descending keeps equal values in their original order."""
    xp = xp_of(data)
    if not descending:
        return xp.argsort(data, axis=dim, kind="stable")
    n = data.shape[dim]
    return (n - 1) - xp.flip(xp.argsort(xp.flip(data, dim), axis=dim, kind="stable"), dim)


def _take_sorted(input, idx, dim, name):
    """(values, indices) named tuple with ``values`` gathered (differentiably) at ``idx``."""
    if input._data.ndim == 0:
        return return_types[name](input.clone(), Tensor._make(xp_of(idx).zeros((), np.int64)))
    values = Index.apply(input, (_ALL, _along(idx, dim)))
    return return_types[name](values, Tensor._make(idx.astype(np.int64, copy=False)))


def _sort_setup(input, dim):
    data = input._data
    return (data.reshape(1) if data.ndim == 0 else data), wrap_dim(dim, data.ndim)


def sort(input, dim=-1, descending=False, stable=False):
    """Values sorted along ``dim`` and their original indices (NaN counts as largest)."""
    data, dim = _sort_setup(input, dim)
    return _take_sorted(input, _sort_indices(data, dim, descending), dim, "sort")


def argsort(input, dim=-1, descending=False, stable=False):
    data, dim = _sort_setup(input, dim)
    idx = _sort_indices(data, dim, descending).astype(np.int64, copy=False)
    return Tensor._make(idx.reshape(input._data.shape))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    data, dim = _sort_setup(input, dim)
    if not 0 <= k <= data.shape[dim]:
        raise RuntimeError("selected index k out of range")
    idx = _sort_indices(data, dim, largest)
    return _take_sorted(input, idx[(slice(None),) * dim + (slice(0, k),)], dim, "topk")


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    data, dim = _sort_setup(input, dim)
    if not 1 <= k <= data.shape[dim]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    idx = _sort_indices(data, dim, False)[(slice(None),) * dim + (slice(k - 1, k),)]
    values, indices = _take_sorted(input, idx, dim, "kthvalue")
    if not keepdim and input._data.ndim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return return_types["kthvalue"](values, indices)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), optionally with the inverse map and the counts."""
    data = input._data
    xp = xp_of(data)
    if dim is not None:
        dim = wrap_dim(dim, data.ndim)
    values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True, axis=dim)
    out = [Tensor._make(values)]
    if return_inverse:
        shape = data.shape if dim is None else (-1,)
        out.append(Tensor._make(inverse.reshape(shape).astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


_COMMON = {
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add,
    "index_select": index_select, "index_add": index_add, "index_fill": index_fill,
    "index_put": index_put, "masked_select": masked_select, "take": take,
    "take_along_dim": take_along_dim, "nonzero": nonzero, "argwhere": argwhere, "sort": sort,
    "argsort": argsort, "topk": topk, "kthvalue": kthvalue, "unique": unique,
    "repeat_interleave": repeat_interleave, "msort": msort,
}

METHODS = dict(_COMMON, __getitem__=getitem, __setitem__=setitem)

INPLACE = {"scatter_": scatter, "scatter_add_": scatter_add, "index_add_": index_add,
           "index_fill_": index_fill, "index_put_": index_put}

FUNCTIONS = dict(_COMMON)
