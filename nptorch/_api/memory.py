"""Where a tensor's memory lives: ``share_memory_`` / ``is_shared`` (memory that forked
processes share), ``const_data_ptr``, ``is_set_to`` and ``set_``."""
import mmap

import numpy as np

from .._device import xp_of
from .._dtype import cpp_type_name
from ._inplace import check_inplace


def _mapping(array):
    """The object at the root of a NumPy array's chain of bases."""
    while isinstance(array, np.ndarray):
        array = array.base
    return getattr(array, "obj", array)


def is_shared(self):
    """Whether the memory is shared with forked processes (always True on the GPU)."""
    return not self.is_cpu or isinstance(_mapping(self._data), mmap.mmap)


def share_memory_(self):
    """Move the memory to an anonymous shared mapping, which processes forked afterwards share
    (a no-op on the GPU and when already shared); returns self. Views taken before the move
    keep the old memory, so a view itself cannot be moved."""
    if is_shared(self):
        return self
    if self._base is not None:
        raise RuntimeError("share_memory_: the memory of a view cannot be moved; call "
                           "share_memory_() on the tensor it is a view of before taking views")
    data = self._data
    if data.nbytes:
        shared = np.frombuffer(mmap.mmap(-1, data.nbytes), data.dtype).reshape(data.shape)
        shared[...] = data
        self._data = shared
    return self


def const_data_ptr(self):
    """The address of the first element (as ``data_ptr``)."""
    return self.data_ptr()


def is_set_to(self, tensor):
    """Whether both tensors are the same memory: same start, element size, sizes and strides."""
    a, b = self._data, tensor._data
    return (type(a) is type(b) and self.data_ptr() == tensor.data_ptr()
            and a.itemsize == b.itemsize and a.shape == b.shape and a.strides == b.strides)


def set_to(self, source):
    """Make this tensor use ``source``'s memory, as ``source`` itself; with no source, make it
    an empty tensor (``set_``'s forms without a storage view: ``nptorch._api.strided``)."""
    check_inplace(self)
    if source is None:
        data = xp_of(self._data).empty(0, self._data.dtype)
    else:
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(f"Could not set tensor of type {cpp_type_name(source)} to a "
                               f"tensor of type {cpp_type_name(self)}")
        data = source._data
    self._data = data
    self._version_counter[0] += 1
    return self


METHODS = {"is_shared": is_shared, "share_memory_": share_memory_,
           "const_data_ptr": const_data_ptr, "is_set_to": is_set_to}
