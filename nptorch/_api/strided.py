"""Ops on a tensor's memory layout: ``as_strided_``, ``as_strided_scatter``, the deprecated
out-of-place ``resize`` / ``resize_as`` and ``dim_order``."""
import math
import warnings

from .._memory_format import memory_format, physical_order as _physical_order
from .convert import clone
from .shape import _metadata_inplace, as_strided, reshape, resize_as_

as_strided_ = _metadata_inplace(as_strided)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` whose region ``as_strided(size, stride, storage_offset)`` holds
    ``src``: the gradient flows to ``src`` from that region and to ``input`` from the rest."""
    out = clone(input)
    region = as_strided(out, size, stride, storage_offset)
    if tuple(src.shape) != tuple(region.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(region.shape)}")
    region.copy_(src)
    return out


def _resize(input, sizes):
    """``input`` reshaped to ``sizes`` (sharing its memory when it is contiguous), refusing a
    change in the number of elements."""
    n = math.prod(sizes)
    if input.numel() != n:
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, sizes))} ({n} elements in total), but the "
            f"given tensor has a size of {'x'.join(map(str, input.shape))} ({input.numel()} "
            "elements). autograd's resize can only change the shape of a given tensor, while "
            "preserving the number of elements. ")
    return reshape(input, tuple(sizes))


def resize(self, *sizes):
    """Deprecated out-of-place ``resize_``: the same elements in the shape ``sizes``."""
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    return _resize(self, sizes)


def resize_as(self, tensor):
    """Deprecated out-of-place ``resize_as_``."""
    warnings.warn("non-inplace resize_as is deprecated", stacklevel=2)
    return _resize(self, tuple(tensor.shape))


def dim_order(self, *, ambiguity_check=False):
    """The dims in the order they are laid out in memory, outermost first.

    With ``ambiguity_check`` True (or a list of memory formats, of which the tensor must match
    exactly one), raises when several orders describe the layout (size-1 dims, equal strides).
    """
    if not isinstance(ambiguity_check, bool) and not (
            isinstance(ambiguity_check, list)
            and all(isinstance(f, memory_format) for f in ambiguity_check)):
        raise TypeError("The ambiguity_check argument must be a bool or a list of memory "
                        "formats.")
    sizes, strides = tuple(self.shape), self.stride()
    several = any(a == b for a, b in zip(strides, strides[1:])) or 1 in sizes
    formats = ambiguity_check if isinstance(ambiguity_check, list) else []
    check = ambiguity_check if isinstance(ambiguity_check, bool) else True
    if check and several and sum(self.is_contiguous(memory_format=f) for f in formats) != 1:
        raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact "
                           "one of the given memory formats.")
    if self.is_contiguous():
        return tuple(range(len(sizes)))
    perm, ambiguous = _physical_order(sizes, strides, ambiguity_check)
    if ambiguous:
        raise RuntimeError("The tensor does not have unique dim order.")
    return tuple(perm)


FUNCTIONS = {"as_strided_": as_strided_, "as_strided_scatter": as_strided_scatter,
             "resize_as_": resize_as_}
METHODS = {"as_strided_": as_strided_, "as_strided_scatter": as_strided_scatter,
           "resize": resize, "resize_as": resize_as, "dim_order": dim_order}
