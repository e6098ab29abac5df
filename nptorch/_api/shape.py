"""Shape ops: reshaping, permuting, joining, flipping and diagonals."""
import functools
import operator

from .. import _dtype
from .._device import xp_of
from .._functions import shape as F
from .._functions._utils import cast, sum_to, wrap_dim
from .._memory_format import check_format, dense_array, preserve_format, suggest_format
from ..storage import _storage_of, _storage_start
from ._inplace import check_inplace
from .linalg import t
from .reduction import cumprod, cumsum


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(int(s) for s in shape[0])
    return tuple(int(s) for s in shape)


def _dim_list(dims, ndim):
    """Wrap a sequence of dims keeping its order; repeated dims are PyTorch's error."""
    out = [wrap_dim(d, ndim) for d in ((dims,) if isinstance(dims, int) else dims)]
    for i, d in enumerate(out):
        if d in out[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def _infer(shape, numel):
    """Resolve one -1 in ``shape``, with PyTorch's error when the sizes do not match."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


# -- reshaping -------------------------------------------------------------------------------
def reshape(input, *shape):
    """Same data, new shape (one dim may be -1); a view when the strides allow it."""
    return F.Reshape.apply(input, _infer(_shape_args(shape), input._data.size))


def view(input, *shape):
    """A view with a new shape, or of the same memory as another ``dtype``.

    Raises when the memory layout does not allow the shape without a copy (use ``reshape``).
    """
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return F.ViewDtype.apply(input, shape[0].np_dtype)
    return F.Reshape.apply(input, _infer(_shape_args(shape), input._data.size), True)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one."""
    shape = input._data.shape
    start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if not shape:
        return reshape(input, 1)
    merged = 1
    for size in shape[start:end + 1]:  # explicit: -1 is ambiguous for an empty tensor
        merged *= size
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def ravel(input):
    """The elements as a 1-D tensor: a view when the strides allow it."""
    return reshape(input, -1)


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one of which may be -1)."""
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer(sizes, shape[dim])
    except RuntimeError as e:
        if "inferred" in str(e):
            raise
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[dim]}) in the input tensor") from None
    return reshape(input, shape[:dim] + sizes + shape[dim + 1:])


def squeeze(input, dim=None):
    """Remove size-1 dims: all of them, or those among ``dim`` (an int or a tuple)."""
    shape = input._data.shape
    dims = range(len(shape)) if dim is None else _dim_list(dim, len(shape))
    drop = {d for d in dims if d < len(shape) and shape[d] == 1}
    return F.Reshape.apply(input, tuple(s for i, s in enumerate(shape) if i not in drop))


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim``."""
    return F.Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


def expand(input, *sizes):
    """Broadcast singleton dims to ``sizes`` (-1 keeps a dim) without copying."""
    sizes = _shape_args(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if s == -1:
            if old is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}")
            s = old
        elif old is not None and old != 1 and old != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
        target.append(s)
    return F.Expand.apply(input, tuple(target))


def expand_as(input, other):
    return expand(input, other.shape)


def sum_to_size(input, *size):
    """Sum the dims that ``expand`` would broadcast from ``size`` back down to it."""
    size, shape = _shape_args(size), input._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s not in (1, n) for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    return sum_to(input, size)


def _storage_elements(input):
    """``(input``'s storage as a flat array of its dtype, ``input``'s offset in it, in
    elements)``: the storage is the memory ``untyped_storage()`` reports."""
    storage = _storage_of(input._data)
    item = input._data.itemsize
    delta = input.data_ptr() - storage.data_ptr()
    start = delta % item  # 0 unless a dtype view starts off the element grid
    count = (storage.nbytes() - start) // item
    flat = storage._bytes[start:start + count * item].view(input._data.dtype)
    return flat, delta // item


def _as_int(value):
    """``value`` as an int (an int, NumPy integer or one-element integer tensor, not a bool), or
    None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _int_tuple(value, name, position):
    """The ints of ``as_strided``'s tuple argument ``name``, with PyTorch's TypeErrors."""
    what = f"as_strided(): argument '{name}' (position {position}) must be tuple of ints"
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{what}, not {type(value).__name__}")
    ints = tuple(_as_int(v) for v in value)
    if None in ints:
        i = ints.index(None)
        got = type(value[i]).__name__
        if i == 0:
            raise TypeError(f"{what}, but found element of type {got} at pos 0")
        raise TypeError(f"as_strided(): argument '{name}' failed to unpack the object at pos "
                        f"{i + 1} with error \"type must be tuple of ints,but got {got}\"")
    return ints


def as_strided(input, size, stride, storage_offset=None):
    """The view of ``input``'s storage with the given ``size``, ``stride`` (in elements) and
    ``storage_offset`` (by default ``input``'s own), as ``storage_offset()`` counts it."""
    size, stride = _int_tuple(size, "size", 1), _int_tuple(stride, "stride", 2)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    storage, own_offset = _storage_elements(input)
    offset = own_offset if storage_offset is None else _as_int(storage_offset)
    if offset is None:
        raise TypeError(f"as_strided(): argument 'storage_offset' (position 3) must be int, not "
                        f"{type(storage_offset).__name__}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    item = storage.itemsize
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > storage.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {needed * item} are out of bounds "
            f"for storage of size {storage.size * item}")
    return F.AsStrided.apply(input, storage, size, stride, offset, input.stride(), own_offset)


def storage_offset(input):
    """How many elements into its storage (``untyped_storage()``) this tensor starts."""
    return (input.data_ptr() - _storage_start(input._data)) // input._data.itemsize


def resize_(input, *sizes, memory_format=None):
    """Give ``input`` the shape ``sizes`` in place, keeping its leading elements (in memory
    order), laid out in ``memory_format`` (contiguous by default); new elements are
    uninitialised. A view cannot grow past its own elements."""
    check_format("resize_", memory_format)
    if memory_format is preserve_format:
        raise RuntimeError("Unsupported memory formatPreserve")
    if input.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _shape_args(sizes)
    n = 1
    for size in shape:
        n *= size
    flat = input._data.reshape(-1)  # a view for the contiguous tensors that resizing keeps
    if n > flat.size:
        if input._base is not None:
            raise RuntimeError(f"cannot grow a view in place: it has {flat.size} elements and "
                               f"the new shape {list(shape)} needs {n}")
        grown = xp_of(flat).empty(n, flat.dtype)
        grown[:flat.size] = flat
        flat = grown
    input._data = dense_array(flat[:n], shape, memory_format)
    input._version_counter[0] += 1
    return input


def resize_as_(input, other, memory_format=None):
    """``resize_`` to ``other``'s shape; ``preserve_format`` takes ``other``'s layout."""
    check_format("resize_as_", memory_format)
    if memory_format is preserve_format:
        memory_format = suggest_format(other.shape, other.stride())
    return resize_(input, other.shape, memory_format=memory_format)


def unfold(input, dimension, size, step):
    """The view of every slice of ``size`` elements along ``dimension``, taken every ``step``
    elements: that dimension becomes the slice count and the slices a new last dimension."""
    shape, strides = list(input.shape) or [1], list(input.stride()) or [1]
    d = wrap_dim(dimension, input._data.ndim)
    if size > shape[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {shape[d]} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if input._data.ndim == 0:
        return as_strided(input, [size], [1])
    shape = shape[:d] + [(shape[d] - size) // step + 1] + shape[d + 1:] + [size]
    strides = strides[:d] + [strides[d] * step] + strides[d + 1:] + [strides[d]]
    return as_strided(input, shape, strides)


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dim (leading new dims allowed)."""
    sizes = _shape_args(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    return F.Repeat.apply(input, sizes)


def tile(input, dims):
    """``repeat`` where missing leading ``dims`` count as 1."""
    dims = _shape_args((dims,))
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


# -- permuting -------------------------------------------------------------------------------
def permute(input, *dims):
    """Reorder the dims (a view)."""
    dims = _shape_args(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(dims)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return F.Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    ndim = input._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    dims = list(range(ndim))
    if ndim:
        dims[d0], dims[d1] = d1, d0
    return F.Permute.apply(input, tuple(dims))


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences); a view."""
    ndim = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)")
    src = [wrap_dim(d, ndim) for d in src]
    dst = [wrap_dim(d, ndim) for d in dst]
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({ds})")
    rest = iter(d for d in range(ndim) if d not in src)
    placed = dict(zip(dst, src))
    return F.Permute.apply(input, tuple(placed[i] if i in placed else next(rest) for i in range(ndim)))


def _metadata_inplace(op):
    """The method ``op_``: ``self`` becomes the view ``op(self, ...)`` (same object, new shape)."""
    def method(self, *args, **kwargs):
        check_inplace(self)
        out = op(self, *args, **kwargs)
        self._data = out._data
        if out.grad_fn is not None:
            self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
        self._version_counter[0] += 1
        return self
    method.__name__ = op.__name__ + "_"
    method.__doc__ = f"In-place version of ``{op.__name__}``: changes only the shape and strides."
    return method


def _t(input):
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t_() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return t(input)


_t.__name__ = "t"


# -- joining ---------------------------------------------------------------------------------
def cat(tensors, dim=0, *, out=None, axis=None):
    """Concatenate along an existing dim; inputs are promoted to a common dtype.

    1-D empty tensors are skipped, as in PyTorch.
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dim = axis if axis is not None else dim
    dt = functools.reduce(_dtype.promote_types, [t.dtype for t in tensors])
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, t) for i, t in enumerate(tensors) if t._data.shape != (0,)] or [(0, tensors[0])]
    ref = kept[0][1]._data.shape
    dim = wrap_dim(dim, len(ref))
    for i, t in kept:
        shape = t._data.shape
        if len(shape) != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}")
        for d, (a, b) in enumerate(zip(ref, shape)):
            if d != dim and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list.")
    result = F.Cat.apply(dim, *[cast(t, dt) for _, t in kept])
    if out is not None:
        from .math import _out
        return _out(result, out)
    return result


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} at "
                               f"entry 0 and {list(t._data.shape)} at entry {i}")
    dim = wrap_dim(dim, len(ref) + 1)
    return cat([unsqueeze(t, dim) for t in tensors], dim, out=out)


# NumPy's (and PyTorch's) placement of the new dims, by target and input ndim
_ATLEAST = {1: {0: lambda s: (1,)},
            2: {0: lambda s: (1, 1), 1: lambda s: (1,) + s},
            3: {0: lambda s: (1, 1, 1), 1: lambda s: (1,) + s + (1,), 2: lambda s: s + (1,)}}


def _atleast(n, *tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    elif len(tensors) == 1:
        x = tensors[0]
        shape = x._data.shape
        return x if len(shape) >= n else reshape(x, _ATLEAST[n][len(shape)](shape))
    return tuple(_atleast(n, t) for t in tensors)


atleast_1d = functools.partial(_atleast, 1)
atleast_2d = functools.partial(_atleast, 2)
atleast_3d = functools.partial(_atleast, 3)


def hstack(tensors, *, out=None):
    """Concatenate column-wise (along dim 0 for 1-D inputs, else dim 1)."""
    tensors = atleast_1d(list(tensors))
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate row-wise, 1-D inputs becoming rows."""
    return cat(atleast_2d(list(tensors)), 0, out=out)


def dstack(tensors, *, out=None):
    """Concatenate depth-wise (along dim 2)."""
    return cat(atleast_3d(list(tensors)), 2, out=out)


def column_stack(tensors, *, out=None):
    """Concatenate along dim 1, 0-D and 1-D inputs becoming columns."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return hstack([reshape(t, -1, 1) if t._data.ndim < 2 else t for t in tensors], out=out)


# -- reordering ------------------------------------------------------------------------------
def flip(input, *dims):
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    dims = _shape_args(dims)
    return F.Flip.apply(input, tuple(_dim_list(dims, input._data.ndim)))


def fliplr(input):
    return flip(input, 1)


def flipud(input):
    return flip(input, 0)


def roll(input, shifts, dims=None):
    """Shift elements circularly along ``dims`` (over the flattened tensor when None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return F.Roll.apply(input, shifts, None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return F.Roll.apply(input, shifts, tuple(wrap_dim(d, input._data.ndim) for d in dims))


def _reversed(self):
    """``reversed(t)``: ``t`` flipped along dim 0 (a 0-dim tensor itself)."""
    return self if self._data.ndim == 0 else flip(self, 0)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first towards the
    second."""
    dims, ndim = list(dims), input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = wrap_dim(dims[0], ndim), wrap_dim(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    k %= 4
    if k == 0:
        return input.clone()
    if k == 2:
        return flip(input, (d0, d1))
    return transpose(flip(input, d1 if k == 1 else d0), d0, d1)


# -- triangles and diagonals -----------------------------------------------------------------
def _triangle(name, upper):
    def op(input, diagonal=0):
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return F.Triangle.apply(input, int(diagonal), upper)
    op.__name__ = name
    op.__doc__ = f"The {'upper' if upper else 'lower'} triangle of the last two dims, from ``diagonal`` on."
    return op


tril, triu = _triangle("tril", False), _triangle("triu", True)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The view of the diagonal of dims ``dim1``/``dim2`` (``offset`` above it), as the last dim."""
    ndim = input._data.ndim
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return F.Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose ``dim1``/``dim2`` diagonals (``offset`` above) hold the last dim of ``input``."""
    ndim = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input._data.shape[-1] + abs(offset)
    shape = list(input._data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    return F.Embed.apply(input, tuple(shape), F.Diagonal, (int(offset), d1, d2))


def diag(input, diagonal=0):
    """A matrix with ``input`` (1-D) on a diagonal, or a copy of a matrix's diagonal (2-D)."""
    ndim = input._data.ndim
    if ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if ndim == 2:
        return F.Diagonal.apply(input, int(diagonal), 0, 1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")


def diagflat(input, offset=0):
    """A matrix with the flattened ``input`` on its ``offset`` diagonal."""
    return diag(reshape(input, -1), offset)


_COMMON = {
    "reshape": reshape, "flatten": flatten, "unflatten": unflatten, "ravel": ravel,
    "squeeze": squeeze, "unsqueeze": unsqueeze, "permute": permute, "transpose": transpose,
    "swapaxes": transpose, "swapdims": transpose, "movedim": movedim, "moveaxis": movedim,
    "tile": tile, "flip": flip, "fliplr": fliplr, "flipud": flipud, "roll": roll, "rot90": rot90, "tril": tril, "triu": triu,
    "diagonal": diagonal, "diag_embed": diag_embed, "diag": diag, "diagflat": diagflat,
    "as_strided": as_strided,
}

METHODS = dict(_COMMON, **{
    "view": view, "view_as": view_as, "reshape_as": reshape_as, "expand": expand,
    "expand_as": expand_as, "repeat": repeat, "sum_to_size": sum_to_size, "unfold": unfold,
    "storage_offset": storage_offset, "resize_": resize_, "resize_as_": resize_as_,
    "__reversed__": _reversed,
    **{op.__name__ + "_": _metadata_inplace(op) for op in (squeeze, unsqueeze, transpose, _t)},
    "swapaxes_": _metadata_inplace(transpose), "swapdims_": _metadata_inplace(transpose),
})

INPLACE = {"tril_": tril, "triu_": triu, "cumsum_": cumsum, "cumprod_": cumprod}

FUNCTIONS = dict(_COMMON, **{
    "cat": cat, "concat": cat, "concatenate": cat, "stack": stack, "hstack": hstack,
    "vstack": vstack, "row_stack": vstack, "dstack": dstack, "column_stack": column_stack,
    "atleast_1d": atleast_1d, "atleast_2d": atleast_2d, "atleast_3d": atleast_3d,
})
