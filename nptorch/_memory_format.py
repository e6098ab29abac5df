"""Memory formats and layouts: every tensor is strided (``torch.strided``); a memory format
names an order in which a tensor's dims are laid out in memory, and the functions below give
the strides (in elements) each format asks for, as PyTorch computes them."""
import numpy as np

from ._device import xp_of


class _Named:
    """A constant of this module, shown as PyTorch names it; pickling and copying give back the
    same object, as code compares these with ``is``."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


class memory_format(_Named):
    """A layout request, as ``torch.memory_format``."""


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

# Per channels-last format: the rank it needs and its dims from innermost to outermost.
_CHANNELS_LAST = {channels_last: (4, (1, 3, 2, 0)), channels_last_3d: (5, (1, 4, 3, 2, 0))}


class layout(_Named):
    """How a tensor's elements are stored, as ``torch.layout``."""


strided = layout("strided")


def check_format(fn_name, fmt, allow_none=True):
    """Raise PyTorch's TypeError unless ``fmt`` is a memory format (or None when allowed)."""
    if not isinstance(fmt, memory_format) and not (allow_none and fmt is None):
        raise TypeError(f"{fn_name}(): argument 'memory_format' must be torch.memory_format, "
                        f"not {type(fmt).__name__}")


def element_strides(data):
    """An array's strides in elements."""
    return tuple(s // data.itemsize for s in data.strides)


def format_strides(shape, fmt):
    """The strides of a dense tensor of ``shape`` in ``fmt`` (contiguous or channels-last)."""
    if fmt in _CHANNELS_LAST:
        rank, order = _CHANNELS_LAST[fmt]
        if len(shape) != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    else:
        order = reversed(range(len(shape)))
    return _dense_strides(shape, order)


def dense_array(flat, shape, fmt):
    """The array of ``shape`` laid out in ``fmt`` over the elements of the 1-D ``flat`` (as
    many as the shape holds), in their order in memory."""
    if fmt not in _CHANNELS_LAST:
        return flat.reshape(shape)
    rank, order = _CHANNELS_LAST[fmt]
    if len(shape) != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    stored = order[::-1]  # outermost first
    return flat.reshape([shape[d] for d in stored]).transpose(np.argsort(stored))


def _dense_strides(shape, order):
    """The strides of a dense tensor of ``shape`` whose dims are laid out in ``order``,
    innermost first."""
    strides, step = [0] * len(shape), 1
    for d in order:
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def is_contiguous_as(data, fmt):
    """Whether the array ``data`` is contiguous in ``fmt`` (size-1 dims may have any stride);
    any format but the channels-last ones means row-major."""
    if fmt not in _CHANNELS_LAST:
        return bool(data.flags.c_contiguous)
    rank, order = _CHANNELS_LAST[fmt]
    if data.ndim != rank:
        return False
    shape, strides, expected = data.shape, element_strides(data), 1
    for d in order:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _is_dense(shape, strides):
    """Whether the elements fill a block of memory exactly once (PyTorch's non-overlapping
    and dense)."""
    if len(shape) == 1:
        return shape[0] < 2 or strides[0] == 1
    expected = 1
    # Size-0 and size-1 dims go last: they end the check.
    for d in sorted(range(len(shape)), key=lambda d: (shape[d] < 2, strides[d])):
        if shape[d] < 2:
            return True
        if strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def suggest_format(shape, strides):
    """The format whose dim order the strides follow (PyTorch's ``suggest_memory_format``):
    channels-last for 4-D/5-D tensors laid out that way, else contiguous. Ambiguous layouts
    (trivial channel dim, equal strides) count as contiguous."""
    for fmt, (rank, order) in _CHANNELS_LAST.items():
        if len(shape) != rank or strides[1] == 0:
            continue
        least = 0
        for d in order:
            if shape[d] == 0 or strides[d] < least or (d == 0 and least == strides[1]):
                break
            least = strides[d] * (shape[d] if shape[d] > 1 else 1)
        else:
            return fmt
    return contiguous_format


def physical_order(sizes, strides, ambiguity_check):
    """PyTorch's logical-to-physical permutation of the dims (outermost first) and whether it is
    ambiguous: an insertion sort by stride (larger outside) that skips zero strides and breaks
    ties of equal strides by size."""
    ndim = len(sizes)
    if ndim <= 1:
        return list(range(ndim)), False

    def should_swap(a, b):
        sa, sb = strides[a], strides[b]
        if sa == 0 or sb == 0:
            return 0
        if sa == sb:
            return 0 if sizes[b] >= sizes[a] else 1
        return -1 if sb > sa else 1

    perm = list(reversed(range(ndim)))
    for i in range(1, ndim):
        d1 = i
        for d0 in reversed(range(i)):
            order = should_swap(perm[d0], perm[d1])
            if order > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif order < 0:
                break
    ambiguous = bool(ambiguity_check) and any(
        should_swap(perm[i], perm[i + 1]) != -1 for i in range(ndim - 1))
    return list(reversed(perm)), ambiguous


def layout_strides(data, fmt):
    """The strides of a new tensor like the array ``data`` in ``fmt``: ``preserve_format`` (or
    None) keeps the strides of a dense array and the dim order of any other."""
    if fmt is None or fmt is preserve_format:
        shape, strides = data.shape, element_strides(data)
        if _is_dense(shape, strides):
            return strides
        return _dense_strides(shape, reversed(physical_order(shape, strides, False)[0]))
    return format_strides(data.shape, fmt)


def empty_strided_array(xp, shape, strides, dtype):
    """An uninitialised dense array of ``shape`` with ``strides`` (in elements)."""
    dtype = np.dtype(dtype)
    size = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, strides))
    return xp.lib.stride_tricks.as_strided(
        xp.empty(size, dtype), shape, tuple(s * dtype.itemsize for s in strides))


def copy_as(data, strides, dtype=None):
    """A copy of ``data`` (cast to ``dtype``) laid out with ``strides``."""
    dtype = data.dtype if dtype is None else dtype
    if data.size and strides == format_strides(data.shape, contiguous_format):
        return data.astype(dtype, order="C")
    out = empty_strided_array(xp_of(data), data.shape, strides, dtype)
    out[...] = data
    return out
