"""Storages: the memory behind tensors, as PyTorch's ``torch.UntypedStorage`` (bytes) and its
deprecated typed view ``torch.TypedStorage`` (with the legacy ``FloatStorage``, ``LongStorage``,
... classes).

A tensor's storage is the allocation its array views: the NumPy (CPU) or CuPy (CUDA) array at the
root of the array's chain of bases. Every tensor viewing that memory (views, detached tensors,
tensors made by ``set_``) reports the same storage (the same object while one is alive, as
PyTorch does), and writes through the storage are seen by the tensors and the other way round.

nptorch cannot move the memory of existing arrays, so memory that tensors use can be neither
resized nor moved to shared memory through its storage (``resize_`` and ``share_memory_`` raise
for it); storages made on their own (``UntypedStorage(n)``, ``clone()``, ...) can be, until a
tensor is made over them.
"""
import collections.abc
import importlib
import mmap
import os
import typing
import warnings
import weakref

import numpy as np

from . import _compat, _dtype
from ._device import CPU, device as _device_cls, device_of, move, to_device
from ._typename import type_name
from ._tensor import Tensor

__all__ = ["Storage", "TypedStorage", "UntypedStorage"]


# -- memory ---------------------------------------------------------------------------------------
class _Memory:
    """An ``__array_interface__`` over memory that ``base`` (an array) owns or views; arrays made
    from it keep ``base`` alive and lead back to it through their ``base`` chain."""

    __slots__ = ("__array_interface__", "base")

    def __init__(self, address, shape, strides, typestr, readonly, base):
        self.__array_interface__ = {"data": (address, readonly), "shape": tuple(shape),
                                    "strides": strides, "typestr": typestr, "version": 3}
        self.base = base


class _SubMemory(_Memory):
    """As ``_Memory``, for the memory of a storage slice: it keeps its owner alive without
    linking to it, so the slice is a storage of its own (as in PyTorch)."""

    __slots__ = ("_owner",)

    def __init__(self, address, size, readonly, owner):
        super().__init__(address, (size,), None, "|u1", readonly, None)
        self._owner = owner


def _is_cupy(array):
    return type(array) is not np.ndarray


def _address(array):
    return array.__array_interface__["data"][0] if type(array) is np.ndarray else array.data.ptr


def _root(array):
    """The array at the root of ``array``'s chain of bases (through NumPy's and our interface
    holders): the array whose memory it views."""
    kind = type(array) if type(array) is np.ndarray else _compat.imported_cupy().ndarray
    while True:
        base = array.base
        if not isinstance(base, kind):
            base = getattr(base, "base", None)
            if not isinstance(base, kind):
                return array
        array = base


def _terminal(array):
    """The object at the end of ``array``'s chain of bases and owners (an mmap, bytes, ...)."""
    obj = array
    while obj is not None:
        nxt = getattr(obj, "base", None)
        if nxt is None:
            nxt = getattr(obj, "_owner", None)
        if nxt is None:
            return getattr(obj, "obj", obj)  # a memoryview's exporter
        obj = nxt
    return obj


def _extent(array):
    """``(lowest address, number of bytes)`` spanned by ``array``."""
    ptr = _address(array)
    if array.size == 0:
        return ptr, 0
    low = sum((n - 1) * s for n, s in zip(array.shape, array.strides) if s < 0)
    high = sum((n - 1) * s for n, s in zip(array.shape, array.strides) if s > 0)
    return ptr + low, high - low + array.itemsize


def _bytes_over(array, low, nbytes):
    """A 1-D uint8 array over ``nbytes`` bytes from ``low``, inside the NumPy ``array``'s
    memory."""
    if (array.dtype == np.uint8 and array.ndim == 1 and array.flags.c_contiguous
            and _address(array) == low):
        return array
    return np.asarray(_Memory(low, (nbytes,), None, "|u1", not array.flags.writeable, array))


def _array_over(storage, np_dtype, offset, shape, strides):
    """The array of ``np_dtype`` at byte ``offset`` of ``storage`` with ``shape`` and byte
    ``strides`` (the caller checks that it lies inside the storage)."""
    data = storage._bytes
    if _is_cupy(data):
        return _compat.cupy.ndarray(tuple(shape), np_dtype, memptr=data.data + offset,
                                    strides=tuple(strides))
    return np.asarray(_Memory(_address(data) + offset, shape, tuple(strides), np_dtype.str,
                              not data.flags.writeable, data))


_live = weakref.WeakValueDictionary()  # allocation key -> the live storage object of that memory


def _storage_of(array):
    """The ``UntypedStorage`` of the memory that ``array`` (a tensor's data) views."""
    root = _root(array)
    if not _is_cupy(array):
        key = id(root)
        found = _live.get(key)
        if found is not None and found._root is root:
            return found
        low, nbytes = _extent(root)
        data = _bytes_over(root, low, nbytes)
    else:
        # arrays CuPy makes from raw pointers have no base: find the allocation by its memory
        mem = array.data.mem
        key = ("cuda", mem.ptr)
        low, nbytes = _extent(array)
        found = _live.get(key)
        if found is not None and found.data_ptr() <= low and \
                low + nbytes <= found.data_ptr() + found.nbytes():
            return found
        high = max(low + nbytes, sum(_extent(root)),
                   0 if found is None else found.data_ptr() + found.nbytes())
        data = _compat.cupy.ndarray((high - mem.ptr,), np.uint8,
                                    memptr=_compat.cupy.cuda.MemoryPointer(mem, 0))
    storage = UntypedStorage._wrap(data, root=root, key=key, fixed=True)
    return storage


def _storage_start(array):
    """The address where the storage of ``array`` starts (``_storage_of(array).data_ptr()``
    without building the storage)."""
    if _is_cupy(array):
        return _storage_of(array).data_ptr()
    return _extent(_root(array))[0]


def _check_dtype(dtype):
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"Argument 'dtype' must be nptorch.dtype, not {type(dtype)}")


def _is_int(x):
    """Whether ``x`` is a Python or NumPy int (bools included)."""
    return isinstance(x, (int, np.integer))


def _listing(values, description, size):
    """PyTorch's ``str`` of a storage: one value a line, then ``[description of size n]``."""
    lines = " " + "\n ".join(str(v) for v in values)
    return f"{lines}\n[{description} of size {size}]"


def _host(array):
    return array if type(array) is np.ndarray else array.get()


# -- UntypedStorage -----------------------------------------------------------------------------
_UNTYPED_FORMS = (
    " * (*, int allocator = None, torch.device device = None)\n"
    " * (int size, *, int allocator = None, torch.device device = None)\n"
    " * (object sequence, *, int allocator = None, torch.device device = None)\n")


class UntypedStorage:
    """The bytes of a block of CPU or CUDA memory, as ``torch.UntypedStorage``.

    ``UntypedStorage()`` is empty, ``UntypedStorage(n)`` holds ``n`` uninitialised bytes and
    ``UntypedStorage(sequence)`` the given ints (modulo 256); ``device`` places it (PyTorch's
    ``allocator`` is accepted and ignored). ``tensor.untyped_storage()`` is the storage of a
    tensor's memory. ``double()``, ``float()``, ... (one per legacy class, added with them)
    convert the bytes to a ``TypedStorage``.
    """

    __slots__ = ("_bytes", "_root", "_key", "_fixed", "_filename", "__weakref__")
    is_sparse = False
    is_sparse_csr = False

    def __init__(self, *args, device=None, allocator=None):
        if len(args) > 1:
            raise TypeError(f"nptorch.UntypedStorage() received an invalid combination of "
                            f"arguments - got ({', '.join(type_name(a) for a in args)}), but "
                            f"expected one of:\n{_UNTYPED_FORMS}")
        from ._api.creation import empty
        target = to_device(device) or CPU
        if not args:
            data = empty(0, dtype=_dtype.uint8, device=target)._data
        elif _is_int(args[0]):
            size = int(args[0])
            if size < 0:
                raise RuntimeError(f"nptorch.UntypedStorage(): the size must be non-negative, "
                                   f"but got {size}")
            data = empty(size, dtype=_dtype.uint8, device=target)._data
        elif isinstance(args[0], collections.abc.Sequence):
            seq = args[0]
            for v in seq:
                if not isinstance(v, int):
                    raise RuntimeError(
                        f"nptorch.UntypedStorage(): tried to construct a storage from a sequence "
                        f"({type(seq).__name__}), but one of the items was of type "
                        f"{type_name(v)} instead of int")
            data = move(np.array([v & 0xFF for v in seq], dtype=np.uint8), target)
        else:
            raise RuntimeError(f"nptorch.UntypedStorage(): Expected a sequence type, but got "
                               f"{type_name(args[0])}")
        self._set_bytes(data)
        self._fixed = False
        self._filename = None

    @classmethod
    def _wrap(cls, data, root=None, key=None, fixed=False, filename=None):
        """A storage over the 1-D uint8 array ``data``, registered as the storage of its memory
        (under ``key``, by default that of ``root``, its allocation) unless ``key`` is False."""
        self = cls.__new__(cls)
        self._set_bytes(data, root, key)
        self._fixed = fixed
        self._filename = filename
        return self

    def _set_bytes(self, data, root=None, key=None):
        old = getattr(self, "_key", None)
        if old is not None and old is not False and _live.get(old) is self:
            del _live[old]
        self._bytes = data
        self._root = _root(data) if root is None else root
        if key is None:
            if not _is_cupy(data):
                key = id(self._root)
            elif data.data.ptr == data.data.mem.ptr:
                key = ("cuda", data.data.mem.ptr)
        self._key = key
        if key is not None and key is not False:
            _live[key] = self

    def _check_resizable(self):
        if self._fixed:
            raise RuntimeError("Trying to resize storage that is not resizable: tensors use its "
                               "memory, and nptorch cannot move the memory of existing tensors")
        if self._mapped():
            raise RuntimeError("Trying to resize storage that is not resizable: it is "
                               "memory-mapped (shared memory or a file)")

    def _mapped(self):
        return not _is_cupy(self._bytes) and isinstance(_terminal(self._bytes), mmap.mmap)

    # -- size and place --------------------------------------------------------------------
    def nbytes(self):
        """The number of bytes."""
        return int(self._bytes.size)

    def size(self):
        """The number of bytes (as ``nbytes``)."""
        return int(self._bytes.size)

    def __len__(self):
        return int(self._bytes.size)

    def element_size(self):
        """1: the elements of an untyped storage are bytes."""
        return 1

    def data_ptr(self):
        """The address of the first byte."""
        return _address(self._bytes)

    @property
    def device(self):
        return device_of(self._bytes)

    @property
    def is_cuda(self):
        return _is_cupy(self._bytes)

    def get_device(self):
        """The CUDA device index (None for CPU storages, as in PyTorch)."""
        return self.device.index

    @property
    def filename(self):
        """The file this storage maps (``from_file`` with ``shared=True``), else None."""
        return self._filename

    def resizable(self):
        """Whether ``resize_`` may reallocate this storage (not when tensors use its memory or
        it is memory-mapped)."""
        return not self._fixed and not self._mapped()

    def untyped(self):
        return self

    def type(self, dtype=None, non_blocking=False):
        """This storage's type name; given a storage class (or its dotted name), itself for its
        own class, else ``dtype(self.size()).copy_(self)``, as PyTorch (a copy of the bytes,
        which fails unless the class's elements are bytes)."""
        if dtype is None:
            return f"{type(self).__module__}.{type(self).__name__}"
        if isinstance(dtype, str):
            dtype = _import_dotted_name(dtype)
        if dtype is type(self):
            return self
        if dtype.is_sparse:
            raise TypeError("Cannot cast dense tensor to sparse tensor")
        return dtype(self.size()).copy_(self, non_blocking)

    # -- elements --------------------------------------------------------------------------
    def _index(self, idx, error):
        """``idx`` (an int) checked to be one, raising ``error`` otherwise (PyTorch's exception
        types differ between reads and writes)."""
        if isinstance(idx, bool) or not _is_int(idx):
            raise error(f"can't index a nptorch.UntypedStorage with {type(idx).__name__}")
        return int(idx)

    @staticmethod
    def _range(key, n):
        if key.step not in (None, 1):
            raise RuntimeError(f"Trying to slice with a step of {key.step}, but only a step of 1 "
                               "is supported")
        start, stop, _ = key.indices(n)
        return start, max(start, stop)

    def __getitem__(self, idx):
        """The byte at ``idx`` (an int), or the storage of the bytes of a slice (sharing this
        memory)."""
        if isinstance(idx, slice):
            start, stop = self._range(idx, int(self._bytes.size))
            data = self._bytes
            if _is_cupy(data):
                part = _compat.cupy.ndarray((stop - start,), np.uint8, memptr=data.data + start)
                # keyed by nothing: a CUDA slice does not stand for its allocation
                return UntypedStorage._wrap(part, key=False, fixed=True)
            part = np.asarray(_SubMemory(_address(data) + start, stop - start,
                                         not data.flags.writeable, data))
            return UntypedStorage._wrap(part, fixed=True)
        n = int(self._bytes.size)
        i = self._index(idx, TypeError)
        if not -n <= i < n:
            raise IndexError(f"index {i + n if i < 0 else i} out of range for storage of size {n}")
        return int(self._bytes[i])

    def __setitem__(self, idx, value):
        """Set the byte at ``idx`` (or every byte of a slice) to the int ``value`` modulo 256;
        as in PyTorch, a negative ``idx`` does not count from the end."""
        if not isinstance(value, int):
            raise RuntimeError(f"can only set storage content with a int types, but got "
                               f"{type_name(value)} instead")
        if isinstance(idx, slice):
            where = slice(*self._range(idx, int(self._bytes.size)))
        else:
            where = self._index(idx, RuntimeError)
            if not 0 <= where < self._bytes.size:
                raise RuntimeError("out of bounds")
        self._bytes[where] = value & 0xFF

    def tolist(self):
        """The bytes as a list of ints."""
        return _host(self._bytes).tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        return _listing(self.tolist(),
                        f"{type(self).__module__}.{type(self).__name__}(device={self.device})",
                        self.nbytes())

    __str__ = __repr__

    # -- copies ----------------------------------------------------------------------------
    def copy_(self, source, non_blocking=None):
        """Copy the bytes of ``source`` (a storage of the same number of bytes, on any
        device) into this storage; returns self."""
        if isinstance(source, TypedStorage):
            source = source._untyped_storage
        if not isinstance(source, UntypedStorage):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be nptorch.Storage, not "
                            f"{type_name(source)}")
        if source.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src was "
                               f"{source.nbytes()} bytes")
        src = source._bytes
        if type(src) is not type(self._bytes):
            src = _host(src) if not _is_cupy(self._bytes) else _compat.cupy.asarray(src)
        self._bytes[...] = src
        return self

    def fill_(self, value):
        """Set every byte to the int ``value`` modulo 256; returns self."""
        if not isinstance(value, int):
            raise RuntimeError(f"fill_ expects int, but got {type_name(value)}")
        self._bytes.fill(value & 0xFF)
        return self

    def clone(self):
        """A copy of this storage (same device, new memory)."""
        return UntypedStorage._wrap(self._bytes.copy())

    def new(self):
        """An empty storage on this storage's device."""
        return UntypedStorage(device=self.device)

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = self.clone()
        return memo[id(self)]

    def __reduce__(self):
        return _rebuild_untyped, (_host(self._bytes).copy(), str(self.device))

    def to(self, *, device, non_blocking=False):
        """This storage on ``device`` (itself when already there, else a copy)."""
        data = move(self._bytes, to_device(device))
        return self if data is self._bytes else UntypedStorage._wrap(data)

    def cpu(self):
        """This storage when on the CPU, else a copy in host memory."""
        return self.to(device=CPU)

    def cuda(self, device=None, non_blocking=False):
        """A copy on the GPU ``device`` (the current one by default), or itself when there."""
        target = _device_cls("cuda", device) if device is not None else _device_cls("cuda")
        return self.to(device=target, non_blocking=non_blocking)

    # -- conversions -----------------------------------------------------------------------
    def _to(self, dtype):
        _check_dtype(dtype)
        return _converted(Tensor._make(self._bytes), dtype)

    def byteswap(self, dtype):
        """Reverse the byte order of each element of ``dtype`` in place."""
        if not isinstance(dtype, _dtype.dtype):
            raise RuntimeError(f"expected nptorch.dtype, but got {type(dtype)}")
        size = dtype.itemsize
        if self.nbytes() % size:
            raise RuntimeError(f"the length of data is not a multiple of {size}")
        if size > 1:
            rows = self._bytes.reshape(-1, size)
            rows[...] = rows[:, ::-1].copy()

    # -- memory ----------------------------------------------------------------------------
    def resize_(self, size):
        """Reallocate to ``size`` bytes, keeping the leading bytes (new bytes are
        uninitialised); returns self. Not for memory that tensors use (see the module
        docstring)."""
        if isinstance(size, bool) or not _is_int(size):
            raise RuntimeError(f"resize_ expects an int, but got {type_name(size)}")
        size = int(size)
        if size < 0:
            raise RuntimeError(f"resize_: the size must be non-negative, but got {size}")
        self._check_resizable()
        old = self._bytes
        if _is_cupy(old):
            with old.device:
                data = _compat.cupy.empty(size, np.uint8)
        else:
            data = np.empty(size, np.uint8)
        keep = min(size, old.size)
        data[:keep] = old[:keep]
        self._set_bytes(data)
        return self

    def is_shared(self):
        """Whether processes forked afterwards share this memory (CUDA memory always counts as
        shared, as ``Tensor.is_shared``)."""
        return _is_cupy(self._bytes) or self._mapped()

    def share_memory_(self):
        """Move the bytes to an anonymous shared mapping that processes forked afterwards share
        (a no-op on the GPU and when already shared); returns self. As for tensors made before
        ``Tensor.share_memory_``, tensors cannot follow the move, so memory that tensors use
        cannot be moved through its storage: call ``share_memory_()`` on the tensor instead."""
        if self.is_shared():
            return self
        if self._fixed:
            raise RuntimeError("share_memory_: tensors use this storage's memory and cannot "
                               "follow a move; call share_memory_() on the tensor (before taking "
                               "views of it) instead")
        n = self.nbytes()
        if n:
            shared = np.frombuffer(mmap.mmap(-1, n), np.uint8)
            shared[...] = self._bytes
            self._set_bytes(shared)
        return self

    def is_pinned(self, device=None):
        """Whether this is page-locked host memory (see ``Tensor.is_pinned``)."""
        return Tensor._make(self._bytes).is_pinned(device)

    def pin_memory(self, device=None):
        """A copy in page-locked host memory, or itself when pinned (needs a GPU)."""
        if self.is_cuda:
            raise TypeError(f"cannot pin '{self.type()}' only CPU memory can be pinned")
        pinned = Tensor._make(self._bytes).pin_memory(device)
        return self if pinned._data is self._bytes else UntypedStorage._wrap(pinned._data)

    # -- construction from buffers and files -------------------------------------------------
    @classmethod
    def from_buffer(cls, buffer, byte_order=None, count=-1, offset=0, *, dtype=None):
        """A storage holding a copy of the elements of ``dtype`` in ``buffer`` (any object with
        the buffer protocol), from byte ``offset``; ``count`` elements (-1: all of the rest),
        read in ``byte_order`` ('native', 'little' or 'big'; required unless ``dtype`` has
        one-byte elements) and stored in the native order."""
        return cls._wrap(_from_buffer(buffer, byte_order, count, offset, dtype))

    @classmethod
    def from_file(cls, filename, shared=False, nbytes=0):
        """A CPU storage of ``nbytes`` bytes mapped from ``filename``: with ``shared`` writes go
        to the file (created or extended as needed) and other processes mapping it see them;
        without, the file must hold ``nbytes`` bytes and writes stay private."""
        data = _map_file(filename, shared, nbytes)
        return cls._wrap(data, filename=os.fsdecode(filename) if shared else None)


def _rebuild_untyped(data, device):
    return UntypedStorage._wrap(move(np.array(data, dtype=np.uint8), _device_cls(device)))


def _converted(tensor, dtype):
    """A new ``TypedStorage`` of ``dtype`` holding the values of ``tensor`` (1-D) converted."""
    out = tensor.to(dtype=dtype)
    data = out._data.copy() if out._data is tensor._data else out._data
    return TypedStorage(wrap_storage=UntypedStorage._wrap(data.view(np.uint8)), dtype=dtype,
                        _internal=True)


def _from_buffer(buffer, byte_order, count, offset, dtype):
    if dtype is None:
        raise RuntimeError("argument 'dtype' cannot be None")
    _check_dtype(dtype)
    item = dtype.itemsize
    if byte_order is None and dtype not in (_dtype.uint8, _dtype.int8):
        raise RuntimeError("function missing required argument 'byte_order' (pos 2)")
    orders = {None: "=", "native": "=", "little": "<", "big": ">"}
    if byte_order not in orders:
        raise ValueError(f"invalid byte_order '{byte_order}' (expected 'big', 'little', or "
                         "'native')")
    try:
        view = memoryview(buffer).cast("B")
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(buffer).__name__}'") \
            from None
    length = view.nbytes
    if not 0 <= offset <= length:  # PyTorch's message, which swaps the two numbers
        raise ValueError(f"offset must be non-negative and no greater than buffer length "
                         f"({offset}) , but got {length}")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer size ({length}) must be a multiple of element size "
                             f"({item})")
        count = (length - offset) // item
    elif count * item > length - offset:
        # PyTorch's message, which counts the bytes left as elements
        raise ValueError(f"buffer has only {length - offset} elements after offset "
                         f"{offset}, but specified a size of {count}")
    source = np.frombuffer(view, dtype=dtype.np_dtype.newbyteorder(orders[byte_order]),
                           count=count, offset=offset)
    if dtype is _dtype.bool_:  # any nonzero byte reads as True
        source = source.view(np.uint8) != 0
    return source.astype(dtype.np_dtype, copy=True).view(np.uint8).reshape(-1)


def _map_file(filename, shared, nbytes):
    """The bytes of ``filename`` (see ``UntypedStorage.from_file``) as a 1-D uint8 array."""
    name = os.fsdecode(filename)
    if isinstance(nbytes, bool) or not _is_int(nbytes):
        raise TypeError(f"from_file(): argument 'nbytes' must be int, not {type(nbytes).__name__}")
    nbytes = int(nbytes)
    if nbytes < 0:
        raise RuntimeError(f"from_file: nbytes must be non-negative, but got {nbytes}")
    mode = "read-write" if shared else "read-only"
    try:
        fd = os.open(name, (os.O_RDWR | os.O_CREAT) if shared else os.O_RDONLY, 0o666)
    except OSError as e:
        raise RuntimeError(f"unable to open file <{name}> in {mode} mode: {e.strerror} "
                           f"({e.errno})") from None
    try:
        size = os.fstat(fd).st_size
        if size < nbytes:
            if not shared:
                raise RuntimeError(f"file <{name}> size <{size}> is smaller than the required "
                                   f"mapping size <{nbytes}>")
            os.ftruncate(fd, nbytes)
        if nbytes == 0:
            data = np.empty(0, np.uint8)
        else:
            access = mmap.ACCESS_WRITE if shared else mmap.ACCESS_COPY
            data = np.frombuffer(mmap.mmap(fd, nbytes, access=access), np.uint8)
    finally:
        os.close(fd)
    return data


# -- TypedStorage -------------------------------------------------------------------------------
_warning_state = {"always": False, "warned": False}


def _warn_typed_storage_removal(stacklevel=2):
    """PyTorch's deprecation warning for ``TypedStorage``: once per process (every time after
    ``_set_always_warn_typed_storage_removal(True)``)."""
    if _warning_state["always"] or not _warning_state["warned"]:
        warnings.warn(
            "TypedStorage is deprecated. It will be removed in the future and UntypedStorage "
            "will be the only storage class. This should only matter to you if you are using "
            "storages directly.  To access UntypedStorage directly, use "
            "tensor.untyped_storage() instead of tensor.storage()", UserWarning,
            stacklevel=stacklevel + 1)
        _warning_state["warned"] = True


def _set_always_warn_typed_storage_removal(always_warn):
    if not isinstance(always_warn, bool):
        raise AssertionError(f"always_warn must be bool, got {type(always_warn).__name__}")
    _warning_state["always"] = always_warn


def _get_always_warn_typed_storage_removal():
    return _warning_state["always"]


def _reset_warn_typed_storage_removal():
    _warning_state["warned"] = False


_TYPED_FORMS = (
    "TypedStorage.__init__ received an invalid combination of arguments. Expected one of:\n"
    " * (*, nptorch.device device, nptorch.dtype dtype)\n"
    " * (int size, *, nptorch.device device, nptorch.dtype dtype)\n"
    " * (Sequence data, *, nptorch.device device, nptorch.dtype dtype)\n"
    " * (*, UntypedStorage wrap_storage, nptorch.dtype dtype)")


class TypedStorage:
    """A storage seen as elements of ``dtype`` (deprecated in PyTorch, which warns on use):
    ``TypedStorage(size | sequence, dtype=, device=)`` or
    ``TypedStorage(wrap_storage=untyped, dtype=)``; ``tensor.storage()`` is the typed storage
    of a tensor's memory. ``_untyped_storage`` is the ``UntypedStorage`` holding the bytes.
    ``double()``, ``float()``, ... (added with the legacy classes) convert the elements."""

    is_sparse = False

    def __new__(cls, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        if not _internal:
            _warn_typed_storage_removal()
        if cls is _LegacyStorage:
            raise RuntimeError("Only child classes of _LegacyStorage can be instantiated")
        if cls is TypedStorage:
            return super().__new__(cls)
        message = (f"{cls}.__new__ received an invalid combination of arguments. Expected one "
                   "of:\n * no arguments\n * (int size)\n * (Sequence data)\n"
                   " * (*, UntypedStorage wrap_storage)")
        if device is not None:
            raise RuntimeError(message + "\nKeyword argument 'device' cannot be specified")
        if dtype is not None:
            raise RuntimeError(message + "\nKeyword argument 'dtype' cannot be specified")
        if wrap_storage is None:
            if len(args) > 1:
                raise RuntimeError(message + "\nToo many positional arguments")
            if len(args) == 1 and not _is_int(args[0]) and \
                    not isinstance(args[0], collections.abc.Sequence):
                raise TypeError(message + f"\nArgument type not recognized: {type(args[0])}")
            return TypedStorage(*args, dtype=cls.dtype, device="cpu", _internal=True)
        if args:
            raise RuntimeError(message + "\nNo positional arguments should be given when using "
                               "'wrap_storage'")
        if not isinstance(wrap_storage, UntypedStorage):
            raise TypeError(message + "\nArgument 'wrap_storage' must be UntypedStorage, but "
                            f"got {type(wrap_storage)}")
        if wrap_storage.device.type != "cpu":
            raise RuntimeError(message + "\nDevice of 'wrap_storage' must be cpu, but got "
                               f"{wrap_storage.device.type}")
        return TypedStorage(wrap_storage=wrap_storage, dtype=cls.dtype, _internal=True)

    def __init__(self, *args, device=None, dtype=None, wrap_storage=None, _internal=False):
        if not _internal:
            _warn_typed_storage_removal()
        if wrap_storage is not None:
            if args:
                raise RuntimeError(_TYPED_FORMS + "\nNo positional arguments should be given "
                                   "when using 'wrap_storage'")
            if dtype is None:
                raise RuntimeError(_TYPED_FORMS + "\nArgument 'dtype' must be specified")
            if not isinstance(dtype, _dtype.dtype):
                raise TypeError(_TYPED_FORMS + f"\nArgument 'dtype' must be nptorch.dtype, not "
                                f"{type(dtype)}")
            if device is not None:
                raise RuntimeError(_TYPED_FORMS + "\nArgument 'device' should not be specified "
                                   "when 'wrap_storage' is given")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(_TYPED_FORMS + "\nArgument 'wrap_storage' must be "
                                f"UntypedStorage, but got {type(wrap_storage)}")
            self.dtype = dtype
            self._untyped_storage = wrap_storage
            return
        self.dtype = _dtype.get_default_dtype() if dtype is None else dtype
        target = to_device(device) or CPU
        if not args:
            _check_dtype(self.dtype)
            self._untyped_storage = UntypedStorage(device=target)
        elif len(args) > 1:
            raise RuntimeError(_TYPED_FORMS + "\nToo many positional arguments")
        elif _is_int(args[0]):
            if not isinstance(self.dtype, _dtype.dtype):
                raise RuntimeError(f"expected nptorch.dtype, but got {type(self.dtype)}")
            self._untyped_storage = UntypedStorage(int(args[0]) * self.dtype.itemsize,
                                                   device=target)
        elif isinstance(args[0], collections.abc.Sequence):
            from ._api.creation import tensor
            if not isinstance(self.dtype, _dtype.dtype):
                raise TypeError(f"tensor(): argument 'dtype' must be nptorch.dtype, not "
                                f"{type(self.dtype).__name__}")
            values = tensor(args[0], dtype=self.dtype, device=target)._data
            self._untyped_storage = UntypedStorage._wrap(values.reshape(-1).view(np.uint8).copy())
        else:
            raise TypeError(_TYPED_FORMS + f"\nArgument type not recognized: {type(args[0])}")

    # -- internal methods (no warning) ---------------------------------------------------------
    def _size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    def _element_size(self):
        return self.dtype.itemsize

    def _nbytes(self):
        return self._untyped_storage.nbytes()

    def _data_ptr(self):
        return self._untyped_storage.data_ptr()

    def _is_shared(self):
        return self._untyped_storage.is_shared()

    def _share_memory_(self):
        self._untyped_storage.share_memory_()
        return self

    def _resize_(self, size):
        self._untyped_storage.resize_(size * self.dtype.itemsize)

    def _pickle_storage_type(self):
        try:
            return _STORAGE_NAMES[self.dtype]
        except KeyError as e:
            raise KeyError(f"dtype {self.dtype} is not recognized") from e

    def _tensor(self):
        """A 1-D tensor of ``dtype`` over the whole storage (a temporary: it does not tie the
        storage to tensors)."""
        item = self.dtype.itemsize
        data = _array_over(self._untyped_storage, self.dtype.np_dtype, 0, (self._size(),),
                           (item,))
        return Tensor._make(data)

    def _new_wrapped_storage(self, untyped_storage):
        return TypedStorage(wrap_storage=untyped_storage, dtype=self.dtype, _internal=True)

    def _maybe_wrap_index(self, idx):
        if type(idx) is not int:
            raise TypeError(f"can't index a {type(self)} with {type(idx)}")
        n = self._size()
        if idx >= n or idx < -n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return idx % n

    def _getitem(self, idx):
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if not isinstance(idx, int):
            raise RuntimeError(f"can't index a {type(self)} with {type(idx)}")
        return self._tensor()[self._maybe_wrap_index(idx)].item()

    def _setitem(self, idx, value):
        if not isinstance(idx, (int, slice)):
            raise RuntimeError(f"can't index a {type(self)} with {type(idx)}")
        if is_storage(value):
            raise RuntimeError(f"cannot set item with value type {type(value)}")
        self._tensor()[idx] = value

    def _to(self, dtype):
        _check_dtype(dtype)
        return _converted(self._tensor(), dtype)

    def _get_legacy_storage_class(self):
        if self._untyped_storage.device.type != "cpu":
            return None
        return _LEGACY_CLASSES.get(self.dtype)

    # -- public API (warns, as PyTorch's) -----------------------------------------------------
    def __len__(self):
        _warn_typed_storage_removal()
        return self._size()

    def size(self):
        """The number of elements."""
        _warn_typed_storage_removal()
        return self._size()

    def nbytes(self):
        """The number of bytes."""
        _warn_typed_storage_removal()
        return self._nbytes()

    def element_size(self):
        """The size of an element in bytes."""
        _warn_typed_storage_removal()
        return self._element_size()

    def data_ptr(self):
        """The address of the first byte."""
        _warn_typed_storage_removal()
        return self._data_ptr()

    @property
    def device(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.is_cuda

    @property
    def filename(self):
        return self._untyped_storage.filename

    def get_device(self):
        """The CUDA device index (None for CPU storages)."""
        _warn_typed_storage_removal()
        return self._untyped_storage.get_device()

    def untyped(self):
        """The ``UntypedStorage`` holding the bytes."""
        _warn_typed_storage_removal()
        return self._untyped_storage

    def __getitem__(self, idx):
        """The element at the int ``idx`` as a Python number."""
        _warn_typed_storage_removal()
        return self._getitem(idx)

    def __setitem__(self, idx, value):
        """Set the element at ``idx`` (an int or a slice) to ``value``."""
        _warn_typed_storage_removal()
        self._setitem(idx, value)

    def __iter__(self):
        _warn_typed_storage_removal()
        return iter(self._tensor().tolist())

    def tolist(self):
        """The elements as a list of Python numbers."""
        _warn_typed_storage_removal()
        return self._tensor().tolist()

    def fill_(self, value):
        """Set every element to ``value``; returns self."""
        _warn_typed_storage_removal()
        self._setitem(slice(0, self._size()), value)
        return self

    def copy_(self, source, non_blocking=None):
        """Copy the bytes of ``source`` (a storage of as many bytes); returns self."""
        _warn_typed_storage_removal()
        if isinstance(source, TypedStorage):
            source = source._untyped_storage
        self._untyped_storage.copy_(source, non_blocking)
        return self

    def __str__(self):
        _warn_typed_storage_removal()
        return _listing(self._tensor().tolist(),
                        f"{type(self).__module__}.{type(self).__name__}(dtype={self.dtype}, "
                        f"device={self._untyped_storage.device})", self._size())

    def __repr__(self):
        _warn_typed_storage_removal()
        return str(self)

    def clone(self):
        """A copy (new memory)."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.__deepcopy__(memo))

    def __reduce__(self):
        return _rebuild_typed, (self._untyped_storage, self.dtype)

    def cpu(self):
        """This storage when on the CPU, else a copy in host memory."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.cpu())

    def cuda(self, device=None, non_blocking=False):
        """A copy on the GPU ``device``, or itself when there."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.cuda(device, non_blocking))

    def to(self, *, device, non_blocking=False):
        """This storage on ``device`` (a copy unless already there)."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(
            self._untyped_storage.to(device=device, non_blocking=non_blocking))

    def type(self, dtype=None, non_blocking=False):
        """The legacy class name (``nptorch.FloatStorage``, ...); given a storage class (or its
        dotted name), ``UntypedStorage.type`` of the bytes."""
        _warn_typed_storage_removal()
        if dtype is None:
            legacy = self._get_legacy_storage_class()
            if legacy is not None:
                return f"{legacy.__module__}.{legacy.__name__}"
            return f"{type(self).__module__}.{type(self).__name__}"
        return self._untyped_storage.type(dtype, non_blocking)

    def is_shared(self):
        """Whether the memory is shared (see ``UntypedStorage.is_shared``)."""
        _warn_typed_storage_removal()
        return self._is_shared()

    def share_memory_(self):
        """See ``UntypedStorage.share_memory_``; returns self."""
        _warn_typed_storage_removal()
        return self._share_memory_()

    def is_pinned(self, device=None):
        """Whether the memory is page-locked host memory."""
        _warn_typed_storage_removal()
        return self._untyped_storage.is_pinned(device)

    def pin_memory(self, device=None):
        """A copy in page-locked host memory (needs a GPU)."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.pin_memory(device=device))

    def resizable(self):
        """Whether ``resize_`` may reallocate the storage."""
        _warn_typed_storage_removal()
        return self._untyped_storage.resizable()

    def resize_(self, size):
        """Reallocate to ``size`` elements (see ``UntypedStorage.resize_``); returns None, as
        PyTorch's."""
        _warn_typed_storage_removal()
        self._resize_(size)

    def pickle_storage_type(self):
        """The legacy class name without module (``'FloatStorage'``)."""
        _warn_typed_storage_removal()
        return self._pickle_storage_type()

    @classmethod
    def from_buffer(cls, *args, **kwargs):
        """As ``UntypedStorage.from_buffer``, typed: ``dtype`` defaults to the default dtype
        (``TypedStorage``) or is the class's (the legacy classes, which take no ``dtype``)."""
        _warn_typed_storage_removal()
        dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
        if cls is TypedStorage:
            dtype = _dtype.get_default_dtype() if dtype is None else dtype
            target = to_device(device) or CPU
            if target.type != "cpu":
                raise RuntimeError(f"TypedStorage.from_buffer: Not available for device "
                                   f"{target.type}")
        else:
            if dtype is not None or len(args) == 5:
                raise RuntimeError("from_buffer: 'dtype' can only be specified in "
                                   "UntypedStorage.from_buffer and TypedStorage.from_buffer")
            if device is not None:
                raise RuntimeError("from_buffer: 'device' can only be specified in "
                                   "UntypedStorage.from_buffer and TypedStorage.from_buffer")
            dtype = cls.dtype
        untyped = UntypedStorage.from_buffer(*args, dtype=dtype, **kwargs)
        return TypedStorage(wrap_storage=untyped, dtype=dtype, _internal=True)

    @classmethod
    def from_file(cls, filename, shared, size):
        """A CPU storage of ``size`` elements mapped from ``filename`` (see
        ``UntypedStorage.from_file``); legacy classes only."""
        _warn_typed_storage_removal()
        if cls is TypedStorage:
            raise RuntimeError("from_file can only be called on derived classes")
        untyped = UntypedStorage.from_file(filename, shared, size * cls.dtype.itemsize)
        return TypedStorage(wrap_storage=untyped, dtype=cls.dtype, _internal=True)


def _rebuild_typed(untyped, dtype):
    return TypedStorage(wrap_storage=untyped, dtype=dtype, _internal=True)


class _LegacyStorageMeta(type):
    """The type of the legacy classes: ``isinstance(s, FloatStorage)`` tells whether ``s`` is a
    float32 CPU ``TypedStorage``."""

    def __instancecheck__(cls, instance):
        if type(instance) is TypedStorage:
            return (instance._untyped_storage.device.type == "cpu"
                    and instance.dtype is getattr(cls, "dtype", None))
        return False


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    """Base of the legacy classes, whose calls build a ``TypedStorage`` of their dtype."""


def _legacy_class(name, dtype):
    return _LegacyStorageMeta(name, (_LegacyStorage,), {"dtype": dtype, "__module__": "nptorch",
                                                        "__qualname__": name})


FloatStorage = _legacy_class("FloatStorage", _dtype.float32)
DoubleStorage = _legacy_class("DoubleStorage", _dtype.float64)
HalfStorage = _legacy_class("HalfStorage", _dtype.float16)
LongStorage = _legacy_class("LongStorage", _dtype.int64)
IntStorage = _legacy_class("IntStorage", _dtype.int32)
ShortStorage = _legacy_class("ShortStorage", _dtype.int16)
CharStorage = _legacy_class("CharStorage", _dtype.int8)
ByteStorage = _legacy_class("ByteStorage", _dtype.uint8)
BoolStorage = _legacy_class("BoolStorage", _dtype.bool_)

_LEGACY_CLASSES = {c.dtype: c for c in (FloatStorage, DoubleStorage, HalfStorage, LongStorage,
                                        IntStorage, ShortStorage, CharStorage, ByteStorage,
                                        BoolStorage)}
_STORAGE_NAMES = {dtype: c.__name__ for dtype, c in _LEGACY_CLASSES.items()}


def _add_conversion(cls, name, dtype):
    """Give ``cls`` the method ``name`` (``float``, ``long``, ...): a new ``TypedStorage`` of
    ``dtype`` holding the values (of an untyped storage: its bytes) converted."""
    def convert(self):
        if cls is TypedStorage:
            _warn_typed_storage_removal()
        return self._to(dtype)
    convert.__name__, convert.__qualname__ = name, f"{cls.__name__}.{name}"
    convert.__doc__ = f"A new {dtype.name} ``TypedStorage`` of the values."
    setattr(cls, name, convert)


for _legacy in _LEGACY_CLASSES.values():  # FloatStorage -> float(), ...
    for _cls in (UntypedStorage, TypedStorage):
        _add_conversion(_cls, _legacy.__name__[:-len("Storage")].lower(), _legacy.dtype)
del _legacy, _cls


def _import_dotted_name(name):
    """The object that the dotted ``name`` names (``'nptorch.FloatStorage'``; ``torch.`` stands
    for ``nptorch.``)."""
    module, *attributes = name.split(".")
    obj = importlib.import_module("nptorch" if module == "torch" else module)
    for attribute in attributes:
        obj = getattr(obj, attribute)
    return obj


Storage = typing.Union[UntypedStorage, TypedStorage]


def is_storage(obj):
    """Whether ``obj`` is a storage (``UntypedStorage`` or ``TypedStorage``)."""
    return isinstance(obj, (UntypedStorage, TypedStorage))


# -- tensors over storages -------------------------------------------------------------------------
def _untyped_of(source, dtype, what):
    """The ``UntypedStorage`` of ``source`` for a tensor of ``dtype``: a typed storage must be
    of ``dtype`` (``what`` names the dtype in the error as PyTorch's message at that call
    does)."""
    if isinstance(source, TypedStorage):
        if source.dtype is not dtype:
            raise RuntimeError(f"Expected a Storage of type {what} or an UntypedStorage, but got "
                               f"type {_dtype.scalar_type_name(source.dtype)} for argument 1 "
                               "'storage'")
        return source._untyped_storage
    return source


def _view(storage, dtype, offset, size, stride):
    """The array of a tensor of ``dtype`` viewing ``storage`` as ``(size, stride, offset)`` (in
    elements), after PyTorch's checks; a storage too small grows when it may (as PyTorch's
    ``set_``), else the error is PyTorch's for storages that cannot."""
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length ({len(stride)})")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    item = dtype.itemsize
    span = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    needed = span * item
    if needed > storage.nbytes():
        storage.resize_(needed)
    storage._fixed = True
    return _array_over(storage, dtype.np_dtype, offset * item, size,
                       tuple(s * item for s in stride))


def _tensor_over(storage, dtype, what):
    """A new 1-D tensor of ``dtype`` over the whole of ``storage`` (``Tensor.new(storage)``,
    ``nptorch.Tensor(storage)``)."""
    untyped = _untyped_of(storage, dtype, what)
    n = untyped.nbytes() // dtype.itemsize
    return Tensor._make(_view(untyped, dtype, 0, (n,), (1,)))
