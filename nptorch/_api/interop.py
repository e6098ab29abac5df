"""Tensors over memory that already exists: ``asarray`` (tensors, NumPy and CuPy arrays,
buffer-protocol objects, nested sequences) and ``frombuffer``."""
import numbers

import numpy as np

from .. import _compat, _dtype
from .._device import default_device, device_of, to_device
from .._tensor import Tensor
from ._checks import bool_arg, dtype_arg, int_arg
from .convert import _is_on, to
from .creation import from_numpy, tensor
from .flags import warn_once


def _buffer_view(buffer):
    """A contiguous memoryview of ``buffer`` with PyTorch's errors for objects that are not
    buffers or whose buffer is not contiguous."""
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    if not view.c_contiguous:
        raise RuntimeError("could not retrieve buffer from object")
    return view


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D CPU tensor sharing the memory of a Python buffer-protocol object.

    Args:
        buffer: an object exposing the buffer protocol (``bytearray``, ``array.array``, ...).
        dtype: the dtype the bytes are read as.
        count: how many elements to read (all that follow ``offset`` when negative).
        offset: how many bytes to skip at the start of the buffer.
    """
    dtype_arg("frombuffer", dtype)
    count, offset = int_arg("frombuffer", "count", count), int_arg("frombuffer", "offset", offset)
    bool_arg("frombuffer", "requires_grad", requires_grad, optional=False)
    view = _buffer_view(buffer)
    length, item = view.nbytes, dtype.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    data = np.frombuffer(view.cast("B"), dtype=dtype.np_dtype, count=count, offset=offset)
    return _require_grad(Tensor._make(data), requires_grad)


def _require_grad(t, requires_grad):
    """``t`` with ``requires_grad`` set, refused for non-floating dtypes with PyTorch's error
    (capitalised here, unlike the ``requires_grad`` setter's)."""
    if requires_grad and t._data.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    t.requires_grad = requires_grad
    return t


def _alias(t, dtype, device, copy):
    """``t`` (itself when nothing changes), converted to ``dtype`` and ``device``
    (differentiably) or copied when ``copy``; ``copy=False`` refuses a conversion."""
    same_dtype = dtype is None or dtype.np_dtype == t._data.dtype
    same_device = device is None or _is_on(t._data, device)
    if copy is False:
        if not same_dtype:
            raise ValueError(f"can't alias tensor with dtype '{_dtype.scalar_type_name(t)}' "
                             f"into dtype '{_dtype.scalar_type_name(dtype)}'.")
        if not same_device:
            raise ValueError(f"can't alias tensor from device '{device_of(t._data)}' to "
                             f"'{device}'.")
    if same_dtype and same_device:
        if not copy:
            return t
        # outside autograd, the copy keeps the layout of the source (as PyTorch's clone)
        return t.clone() if t._requires_grad else Tensor._make(t._data.copy(order="K"))
    return to(t, device=device, dtype=dtype)


def _from_array(obj):
    """The tensor sharing an array's memory, or None when ``obj`` is no NumPy or CuPy array."""
    if isinstance(obj, np.ndarray):
        return from_numpy(obj)
    cupy = _compat.imported_cupy()
    if cupy is not None and isinstance(obj, cupy.ndarray):
        _dtype.from_numpy_dtype(obj.dtype)
        return Tensor._make(obj)
    return None


def _from_buffer(obj, dtype):
    """The tensor over a buffer-protocol object's bytes (read as ``dtype``, by default the
    default dtype), or None when ``obj`` has no buffer."""
    if isinstance(obj, (np.generic, numbers.Number)):
        return None
    try:
        memoryview(obj)
    except TypeError:
        return None
    return frombuffer(obj, dtype=dtype or _dtype.get_default_dtype())


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """``obj`` as a tensor, sharing memory with it where it can.

    Tensors, NumPy and CuPy arrays and buffer-protocol objects are aliased unless ``copy`` is
    True or another ``dtype`` or ``device`` is asked for (``copy=False`` then raises); nested
    sequences and scalars are always copied. ``requires_grad`` (by default that of a tensor
    ``obj``, else False) is set on the result; a tensor that keeps its graph keeps it.
    """
    dtype_arg("asarray", dtype)
    bool_arg("asarray", "copy", copy)
    bool_arg("asarray", "requires_grad", requires_grad)
    device = default_device(to_device(device))
    if isinstance(obj, Tensor):
        source = obj
        if requires_grad is None:
            requires_grad = obj._requires_grad
            if requires_grad:
                warn_once("asarray", "torch.asarray: unspecified requires_grad now defaults to "
                          "obj.requires_grad instead of False. Pass requires_grad=False "
                          "explicitly to get the old behavior and silence this warning.")
    else:
        source = _from_array(obj)
        if source is None:
            source = _from_buffer(obj, dtype)
    if source is None:
        if copy is False:
            if isinstance(obj, np.generic):
                raise RuntimeError("can't alias NumPy scalars. Either remove copy=False or "
                                   "transform it in a ndarray. ")
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        out = tensor(obj, dtype=dtype, device=device)
    else:
        out = _alias(source, dtype, device, copy)
    if requires_grad:
        return out if out.grad_fn is not None else _require_grad(out, True)
    return out.detach() if out.grad_fn is not None else _require_grad(out, False)


FUNCTIONS = {"asarray": asarray, "frombuffer": frombuffer}
