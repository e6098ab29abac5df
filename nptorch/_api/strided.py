"""Ops on a tensor's memory layout: ``as_strided_``, ``as_strided_scatter``, the deprecated
out-of-place ``resize`` / ``resize_as`` and ``dim_order``; and ``set_`` and ``new`` accepting
storages (``new`` takes the place of ``convert``'s)."""
import math
import warnings

from .. import _dtype
from .._device import to_device as _to_device
from .._memory_format import memory_format, physical_order as _physical_order
from .._tensor import Tensor
from .._typename import type_name
from ..storage import _tensor_over, _untyped_of, _view, is_storage
from ._inplace import check_inplace
from .convert import clone, new as _new_from_args
from .memory import set_to
from .shape import _as_int, _metadata_inplace, as_strided, reshape, resize_as_


as_strided_ = _metadata_inplace(as_strided)


# -- set_ and new accepting storages --------------------------------------------------------

_SET_FORMS = (
    " * ()\n"
    " * (torch.Storage source)\n"
    " * (torch.Storage source, int storage_offset, tuple of ints size, tuple of ints stride = "
    "None)\n"
    " * (Tensor source)\n"
    " * (Tensor source, int storage_offset, tuple of ints size, tuple of ints stride = None)\n")


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make this tensor use ``source``'s memory: as the tensor ``source`` itself, or as the view
    ``(size, stride, storage_offset)`` of a storage (``UntypedStorage`` or a ``TypedStorage``
    of this dtype), all of it (1-D) when no size is given, or of the storage of the contiguous
    tensor ``source`` (the offset then counts from ``source``'s own); with no source, an empty
    tensor."""
    plain = size is None and stride is None and storage_offset == 0
    if plain and (source is None or isinstance(source, Tensor)):
        return set_to(self, source)  # the tensor itself (or a dtype error)
    from_tensor = isinstance(source, Tensor) and size is not None
    if not (from_tensor or is_storage(source) and (size is not None or plain)) or \
            not _are_ints(storage_offset, size, stride):
        given = (source,) + ((storage_offset,) if storage_offset != 0 or size is not None
                             else ()) + tuple(a for a in (size, stride) if a is not None)
        raise TypeError(f"set_() received an invalid combination of arguments - got "
                        f"({', '.join(type_name(a) for a in given)}), but expected one of:\n"
                        f"{_SET_FORMS}")
    if from_tensor:
        # as PyTorch: the memory of a contiguous tensor of any dtype, the offset counted (in
        # this tensor's elements) from the source's own offset
        if not source.is_contiguous():
            raise RuntimeError("passed in tensor to be used as storage must be contiguous")
        storage_offset = storage_offset + source.storage_offset()
        source = source.untyped_storage()
    check_inplace(self)
    dtype = self.dtype
    untyped = _untyped_of(source, dtype, _dtype.cpp_type_name(dtype))
    if untyped.device != self.device:
        raise RuntimeError(f'Attempted to set the storage of a tensor on device "{self.device}" '
                           f'to a storage on different device "{untyped.device}".  This is no '
                           "longer allowed; the devices must match.")
    if size is None:
        size, stride = (untyped.nbytes() // dtype.itemsize,), (1,)
    elif stride is None:
        size = tuple(size)
        stride = tuple(math.prod(size[i + 1:]) for i in range(len(size)))
    self._data = _view(untyped, dtype, int(storage_offset), size, stride)
    self._version_counter[0] += 1
    return self


def _are_ints(storage_offset, size, stride):
    """Whether ``set_``'s view arguments are an int and tuples (or lists) of ints."""
    return _as_int(storage_offset) is not None and all(
        a is None or isinstance(a, (tuple, list)) and all(_as_int(v) is not None for v in a)
        for a in (size, stride))


def new(self, *args, **kwargs):
    """PyTorch's legacy constructor (``nptorch._api.convert.new``), plus ``new(storage)``: a
    1-D tensor of this dtype over the whole storage."""
    if len(args) == 1 and is_storage(args[0]) and set(kwargs) <= {"device"}:
        target = _to_device(kwargs.get("device")) or self.device
        where = getattr(args[0], "_untyped_storage", args[0]).device
        if target.type != self.device.type:
            raise RuntimeError(f"legacy constructor expects device type: {self.device.type} but "
                               f"device type: {target.type} was passed")
        if where.type != target.type:
            raise RuntimeError(f"new(): expected a storage on device type {target.type}, but "
                               f"got one on {where.type}")
        return _tensor_over(args[0], self.dtype, _dtype.scalar_type_name(self.dtype))
    return _new_from_args(self, *args, **kwargs)


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
           "resize": resize, "resize_as": resize_as, "dim_order": dim_order, "set_": set_,
           "new": new}
