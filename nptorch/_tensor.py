"""``Tensor``: one NumPy (CPU) or CuPy (CUDA) array plus the autograd bookkeeping.

Methods that compute (arithmetic, reductions, shape ops, ...) are attached by
``nptorch._tensor_methods``; this module holds the data model only.
"""
import weakref

import numpy as np

from . import _backend, _compat, _dtype
from ._device import device_of
from ._formatting import tensor_repr
from ._memory_format import check_format, contiguous_format, is_contiguous_as
from .autograd import function as _function
from .autograd import grad_mode

_state = grad_mode.state
_ndarray = np.ndarray


def _is_gpu_array(data):
    cupy = _compat.imported_cupy()
    return cupy is not None and isinstance(data, cupy.ndarray)


_engine = _backend.engine()


class Tensor(_engine.TensorBase):
    """A multi-dimensional array that can record operations for automatic differentiation."""

    __slots__ = ()

    # Make NumPy defer to Tensor's reflected operators (ndarray + Tensor -> Tensor.__radd__).
    __array_priority__ = 1000

    def __new__(cls, *args, dtype=None, device=None):
        """``Tensor(data)`` or ``Tensor(*sizes)``: a tensor of the default float dtype."""
        from ._api.creation import tensor, empty
        if len(args) == 1 and not isinstance(args[0], int):
            from .storage import is_storage, _tensor_over
            if is_storage(args[0]):  # a tensor of the default dtype over the whole storage
                dt = dtype or _dtype.get_default_dtype()
                return cls._make(_tensor_over(args[0], dt, _dtype.scalar_type_name(dt))._data)
            src = tensor(args[0], dtype=dtype or _dtype.get_default_dtype(), device=device)
        else:
            src = empty(args or (0,), dtype=dtype, device=device)
        return cls._make(src._data)

    # Wrap an array without copying (internal constructor).
    _make = classmethod(_engine.make_tensor)

    @staticmethod
    def _dtype_of(np_dtype):
        return _dtype.from_numpy_dtype(np_dtype)

    # -- metadata ----------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    def element_size(self):
        return self._data.itemsize

    def get_device(self):
        return -1 if self.is_cpu else self._data.device.id

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_contiguous(self, memory_format=contiguous_format):
        """Whether the elements are laid out densely in ``memory_format``'s order."""
        check_format("is_contiguous", memory_format, allow_none=False)
        return is_contiguous_as(self._data, memory_format)

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def data_ptr(self):
        return self._data.__array_interface__["data"][0] if self.is_cpu else self._data.data.ptr

    @property
    def _version(self):
        return self._version_counter[0]

    # -- storage -----------------------------------------------------------------------
    def untyped_storage(self):
        """The ``UntypedStorage`` (bytes) of this tensor's memory: the same one for every
        tensor that views that memory (see ``nptorch.storage``)."""
        from .storage import _storage_of
        return _storage_of(self._data)

    def _typed_storage(self):
        from .storage import TypedStorage
        return TypedStorage(wrap_storage=self.untyped_storage(), dtype=self.dtype, _internal=True)

    def storage(self):
        """This tensor's memory as a ``TypedStorage`` of its dtype (deprecated in PyTorch, which
        warns; prefer ``untyped_storage()``)."""
        from .storage import _warn_typed_storage_removal
        _warn_typed_storage_removal(stacklevel=2)
        return self._typed_storage()

    # -- autograd state ----------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.grad_fn is None and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor "
                    f"of size '{list(self._data.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if type(value._data) is not type(self._data):
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @property
    def data(self):
        """A tensor sharing this one's memory, detached from the graph."""
        out = Tensor._make(self._data)
        out._version_counter = self._version_counter
        return out

    @data.setter
    def data(self, value):
        self._data = value._data

    @property
    def retains_grad(self):
        node = self.grad_fn
        return bool(node is not None and node._retains and self._output_nr in node._retains)

    def retain_grad(self):
        """Keep the gradient of a non-leaf tensor in ``.grad`` after backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self.grad_fn.retain_grad_for(self._output_nr, weakref.ref(self))

    def _retain(self, grad):
        if _state.enabled:
            self._grad = grad if self._grad is None else self._grad + grad
        elif self._grad is None:
            self._grad = Tensor._make(grad._data.copy())
        else:
            self._grad = Tensor._make(self._grad._data + grad._data)

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            node, nr = self.grad_fn, self._output_nr
        else:
            node, nr = _function.grad_accumulator(self), 0
            self._hooks_node = node  # keep the leaf's node (and so its hooks) alive
        node.register_prehook_for(nr, hook)
        return _function.RemovableHook(node._pre_hooks[nr], hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` each time a backward pass has accumulated into this leaf's ``grad``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        node = _function.grad_accumulator(self)
        self._hooks_node = node  # keep the leaf's node (and so its hooks) alive
        node.post_hooks.append(hook)
        return _function.RemovableHook(node.post_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to graph leaves."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor sharing this one's memory, outside the graph."""
        out = Tensor._make(self._data)
        out._version_counter = self._version_counter
        return out

    def detach_(self):
        """Detach this tensor from the graph in place, making it a leaf."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # -- conversion to Python and NumPy --------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item() if self.is_cpu else self._data.get().reshape(()).item()

    def tolist(self):
        return self._host().tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind this CPU tensor (shared memory)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not self.is_cpu:
            if not force:
                raise TypeError(
                    "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy "
                    "the tensor to host memory first.")
            return self._data.get()
        return self._data

    def _host(self):
        return self._data if self.is_cpu else self._data.get()

    def __array__(self, dtype=None, copy=None):
        data = self._host()
        return data if dtype is None else data.astype(dtype)

    def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule sharing this tensor's memory (see ``nptorch.utils.dlpack``)."""
        from .utils.dlpack import export
        return export(self, stream=stream, max_version=max_version, dl_device=dl_device,
                      copy=copy)

    def __dlpack_device__(self):
        """``(DLDeviceType, device index)`` of this tensor's memory."""
        from .utils.dlpack import dlpack_device
        return dlpack_device(self)

    def _scalar(self, kind):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'more than one value' if self._data.size else 'no values'} is ambiguous")
        return bool(self.item())

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return self._scalar(complex)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._host(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.")
        out = Tensor._make(self._data.copy(), self._requires_grad)
        out.__class__ = self.__class__
        if self._grad is not None:
            out._grad = Tensor._make(self._grad._data.copy())
        out.__dict__.update({k: v for k, v in self.__dict__.items()})
        memo[id(self)] = out
        return out


def _rebuild(data, requires_grad):
    return Tensor._make(np.array(data), requires_grad)


class Size(tuple):
    """A tensor's shape: a tuple of ints (``torch.Size``)."""

    def __repr__(self):
        return f"nptorch.Size([{', '.join(str(s) for s in self)}])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


def _wrap_dim(dim, ndim):
    """Turn a possibly negative dim into an index, with PyTorch's error when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


_function.Tensor = Tensor
_engine.configure(Tensor, _is_gpu_array, _function._mark_view,
                  _function.grad_accumulator, _function._check_devices)
