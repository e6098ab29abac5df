"""In-place operations: run the out-of-place op, write the result back, rebase the graph.

When autograd records, the op runs on a snapshot of ``self`` that carries ``self``'s place in
the graph; the result is then written into ``self``'s memory, ``self`` takes the result's
``grad_fn``, and a view's root base gets a ``CopySlices`` node so that its gradient sees the
write. Every write bumps the version counter shared by a tensor and its views.
"""
import numpy as np

from .._device import device_of, xp_of
from .._dtype import scalar_type_name
from .._fp_errors import restore as restore_fp, silence as silence_fp
from .._ops import ops_for
from .._tensor import Tensor
from ..amp._state import state as autocast_state
from ..autograd import grad_mode
from ..autograd.function import Function

_state = grad_mode.state


def _can_cast(src, dst):
    # PyTorch refuses to write floats into integer tensors and non-bools into bool tensors.
    if src.kind == "f" and dst.kind != "f":
        return False
    if dst.kind == "b" and src.kind != "b":
        return False
    return True


def _self_overlapping(array):
    """Whether elements of ``array`` share memory: an expanded view, which shows it by a zero
    stride (PyTorch's check)."""
    return any(step == 0 and n > 1 for step, n in zip(array.strides, array.shape))


def _writable(array):
    """Whether ``array`` may be written in place. NumPy marks expanded views read-only, along
    with other memory that must not be written (imports of legacy DLPack capsules, read-only
    buffers); CuPy has no such flag."""
    if type(array) is np.ndarray:
        return array.flags.writeable
    return not _self_overlapping(array)


_OVERLAPPING = ("unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation.")
_READ_ONLY = ("unsupported operation: the written-to tensor's memory is read-only (a tensor "
              "imported from a legacy DLPack capsule or a read-only buffer, or a view of an "
              "expanded tensor). Please clone() the tensor before performing the operation.")


def check_writable(array):
    """Raise PyTorch's error for writing into overlapping memory (an expanded tensor), or one
    naming read-only memory, unless ``array`` may be written."""
    if not _writable(array):
        raise RuntimeError(_OVERLAPPING if _self_overlapping(array) else _READ_ONLY)


def write(self, data):
    """Copy ``data`` into ``self``'s memory (validated) and bump its version."""
    dst = self._data
    if data.shape != dst.shape:
        raise RuntimeError(
            f"output with shape {list(dst.shape)} doesn't match the broadcast shape {list(data.shape)}")
    if not _can_cast(data.dtype, dst.dtype):
        raise RuntimeError(
            f"result type {scalar_type_name(data.dtype)} can't be cast to "
            f"the desired output type {scalar_type_name(dst.dtype)}")
    check_writable(dst)
    token = silence_fp()  # a cast of inf or NaN to integers, as in PyTorch, without warnings
    try:
        dst[...] = data
    finally:
        restore_fp(token)
    self._version_counter[0] += 1


def check_inplace(self):
    """PyTorch's errors for in-place writes that would corrupt a leaf's gradient."""
    if not _state.enabled:
        return
    if self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation.")


def _recording(self, args, kwargs):
    """Whether autograd records an in-place op on ``self`` with these arguments."""
    return _state.enabled and (
        self._requires_grad
        or any(isinstance(a, Tensor) and a._requires_grad for a in args)
        or any(isinstance(a, Tensor) and a._requires_grad for a in kwargs.values())
        or (self._base is not None and self._base._requires_grad))


_SCALED = {"add", "subtract"}  # the ufuncs of the ops with an ``alpha``


def apply_inplace_ufunc(self, ufunc, op, other, **kwargs):
    """``apply_inplace(self, op, other, **kwargs)`` for the arithmetic ops (add_, sub_, mul_,
    div_) that ``ufunc`` (its name in NumPy and CuPy) computes. When autograd does not record
    and nothing is promoted or broadcast (a float tensor with a tensor of its dtype and shape,
    or a Python number: an optimizer's updates), the ufunc writes straight into ``self``'s
    memory, with no out-of-place result to copy back."""
    dst = self._data
    alpha = kwargs.get("alpha", 1)
    if type(other) is Tensor:
        src, dev = other._data, device_of(dst)
        direct = src.dtype == dst.dtype and src.shape == dst.shape and device_of(src) == dev
    else:
        src, direct = other, type(other) is int or type(other) is float
    if (direct and dst.dtype.kind == "f" and _writable(dst)
            and (not kwargs or ufunc in _SCALED and kwargs.keys() == {"alpha"})
            and (type(alpha) is int or type(alpha) is float)
            and not _recording(self, (other,), kwargs)):
        token = silence_fp()
        try:
            if alpha != 1 and type(other) is Tensor:
                ops_for(dev).add_scaled(dst, src, alpha if ufunc == "add" else -alpha)
            else:
                getattr(xp_of(dst), ufunc)(dst, src * alpha if alpha != 1 else src, out=dst)
        finally:
            restore_fp(token)
        self._version_counter[0] += 1
        return self
    return apply_inplace(self, op, other, **kwargs)


def apply_inplace_kernel(self, kernel, tensors, op, *args, **kwargs):
    """``apply_inplace(self, op, *args, **kwargs)``, by ``kernel(self's array, *arrays,
    *numbers, **kwargs)`` writing into ``self``'s memory (``_ops.updates``) when autograd
    does not record, autocast is off, the first ``tensors`` arguments are tensors of ``self``'s
    floating dtype, shape and device, and the others are numbers."""
    dst = self._data
    operands, numbers = args[:tensors], args[tensors:] + tuple(kwargs.values())
    if (len(operands) == tensors and dst.dtype.kind == "f" and not autocast_state.active
            and all(type(t) is Tensor and t._data.dtype == dst.dtype
                    and t._data.shape == dst.shape and type(t._data) is type(dst)
                    and device_of(t._data) == device_of(dst) for t in operands)
            and all(type(n) is int or type(n) is float for n in numbers)
            and _writable(dst) and not _recording(self, args, kwargs)):
        token = silence_fp()
        try:
            kernel(dst, *(t._data for t in operands), *args[tensors:], **kwargs)
        finally:
            restore_fp(token)
        self._version_counter[0] += 1
        return self
    return apply_inplace(self, op, *args, **kwargs)


def apply_inplace(self, op, *args, **kwargs):
    """``self = op(self, *args)`` in place, recorded by autograd when needed; returns self."""
    check_inplace(self)
    if not _recording(self, args, kwargs):
        prev = _state.enabled
        _state.enabled = False
        try:
            out = op(self, *args, **kwargs)
        finally:
            _state.enabled = prev
        write(self, out._data)
        return self
    snapshot = Tensor._make(self._data.copy(), self._requires_grad)
    snapshot.grad_fn, snapshot._output_nr = self.grad_fn, self._output_nr
    out = op(snapshot, *args, **kwargs)
    write(self, out._data)
    _rebase(self, out)
    return self


def _rebase(self, out):
    node = out.grad_fn
    if node is not None:
        # the node may have saved its output: make it watch self's memory and versions instead
        for saved in node._saved or ():
            if saved is not None and saved.output_nr is not None and saved.data is out._data:
                saved.data, saved.counter = self._data, self._version_counter
                saved.version = self._version_counter[0]
    self.grad_fn, self._output_nr = node, out._output_nr
    self._requires_grad = out._requires_grad
    base = self._base
    if base is not None:
        alias = Tensor._make(base._data, base._requires_grad)
        alias.grad_fn, alias._output_nr = base.grad_fn, base._output_nr
        new_base = CopySlices.apply(alias, self, _geometry(base._data, self._data))
        base.grad_fn, base._output_nr = new_base.grad_fn, 0
        base._requires_grad = new_base._requires_grad


def _geometry(base, view):
    """Where ``view`` sits in ``base``'s memory: (shape, element strides, element offset)."""
    if not (base.flags.c_contiguous or base.flags.f_contiguous):
        raise RuntimeError(
            "in-place modification of a view of a non-contiguous tensor that requires grad is not "
            "supported; call .contiguous() on the base tensor first")
    item = base.itemsize
    offset = (_address(view) - _address(base)) // item
    return view.shape, tuple(s // item for s in view.strides), offset


def _address(array):
    return array.__array_interface__["data"][0] if type(array) is np.ndarray else array.data.ptr


def _region(array, geometry):
    """The view ``geometry`` of a dense array laid out like the base it was taken from."""
    shape, strides, offset = geometry
    xp = xp_of(array)
    flat = array.ravel(order="K")
    return xp.lib.stride_tricks.as_strided(
        flat[offset:], shape=shape, strides=tuple(s * array.itemsize for s in strides))


class CopySlices(Function):
    """The new value of a base one of whose views was written in place.

    Its gradient flows to the base's old value outside the written region, and to the
    written value inside it.
    """

    _builtin = True
    _node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, view, geometry):
        ctx.geometry, ctx.template = geometry, base._data
        return base._data

    @staticmethod
    def backward(ctx, g):
        g_base = xp_of(g._data).empty_like(ctx.template)
        g_base[...] = g._data
        region = _region(g_base, ctx.geometry)
        g_view = Tensor._make(region.copy())
        region[...] = 0
        return Tensor._make(g_base), g_view, None
