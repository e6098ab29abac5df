"""dtype and device conversions, copies and ``new_*`` constructors as Tensor methods."""
import re
from collections.abc import Sequence

import numpy as np

from .. import _compat, _dtype, cuda as _cuda
from .._device import device, device_of, to_device, xp_of
from .._tensor import Size, Tensor
from .._functions.convert import ToCopy, Clone
from .._memory_format import (check_format, contiguous_format, empty_strided_array,
                              format_strides, is_contiguous_as, layout_strides, memory_format,
                              preserve_format, strided, suggest_format)
from .creation import _is_int, as_tensor, empty


def _is_device(a):
    return isinstance(a, (str, device)) or (isinstance(a, int) and not isinstance(a, bool))


def _is_dtype(a):
    return isinstance(a, _dtype.dtype) or a in (float, int, bool)


def _is_bool(a):
    return isinstance(a, bool)


def _or_none(check):
    return lambda a: a is None or check(a)


# PyTorch's overloads of Tensor.to, tried in order: (name, check) per parameter, then the
# keyword-only memory_format.
_TO_OVERLOADS = (
    (("device", _or_none(_is_device)), ("dtype", _or_none(_is_dtype)),
     ("non_blocking", _is_bool), ("copy", _is_bool)),
    (("dtype", _is_dtype), ("non_blocking", _is_bool), ("copy", _is_bool)),
    (("tensor", lambda a: isinstance(a, Tensor)), ("non_blocking", _is_bool), ("copy", _is_bool)),
)
_TO_SIGNATURES = (
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, "
    "bool copy = False, *, torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n")


def _bind(overload, args, kwargs):
    """The arguments of one overload by name, or None when they do not fit it."""
    names = [name for name, _ in overload]
    if len(args) > len(names) or any(k not in names[len(args):] + ["memory_format"]
                                     for k in kwargs):
        return None
    bound = dict(zip(names, args), **kwargs)
    if not _or_none(lambda a: isinstance(a, memory_format))(bound.pop("memory_format", None)):
        return None
    first = names[0]
    if first != "device" and first not in bound:
        return None
    checks = dict(overload)
    return bound if all(checks[k](v) for k, v in bound.items()) else None


def _type_name(a):
    """The name PyTorch's argument errors give ``a``'s type."""
    if isinstance(a, Tensor):
        return "Tensor"
    if isinstance(a, (_dtype.dtype, device, Size)):
        return f"torch.{type(a).__name__}"
    if isinstance(a, (np.ndarray, np.generic)):
        return f"numpy.{type(a).__name__}"
    return type(a).__name__


def _listed(positional, keywords):
    """An argument list as PyTorch's reports print it (a trailing ", " after keywords alone)."""
    return f"({', '.join(positional + keywords)}{', ' if keywords and not positional else ''})"


def _got(args, kwargs):
    """The types of the arguments as PyTorch's "received an invalid combination" reports list
    them, keywords in the order given."""
    return _listed([_type_name(a) for a in args],
                   [f"{k}={_type_name(v)}" for k, v in kwargs.items()])


def _parse_to(args, kwargs):
    """``(dtype, device, copy)`` from the arguments of ``Tensor.to``."""
    if len(args) > 4:
        raise TypeError(f"to() takes from 0 to 4 positional arguments but {len(args)} were given")
    for overload in _TO_OVERLOADS:
        bound = _bind(overload, args, kwargs)
        if bound is not None:
            break
    else:
        raise TypeError(f"to() received an invalid combination of arguments - got "
                        f"{_got(args, dict(reversed(kwargs.items())))}, but expected one of:\n"
                        f"{_TO_SIGNATURES}")
    other = bound.get("tensor")
    dtype = other.dtype if other is not None else bound.get("dtype")
    dev = other.device if other is not None else bound.get("device")
    return _dtype.to_dtype(dtype), to_device(dev), bound.get("copy", False)


def _is_on(array, d):
    """Whether ``array`` lives on device ``d`` (a bare ``"cuda"`` is the current GPU)."""
    here = device_of(array)
    if here.type != d.type:
        return False
    return here.type == "cpu" or here.index == (
        d.index if d.index is not None else _cuda.current_device())


def to(self, *args, **kwargs):
    """Return this tensor with another dtype and/or on another device (self when unchanged).

    As PyTorch: ``to(device=None, dtype=None, non_blocking=False, copy=False)``,
    ``to(dtype, non_blocking=False, copy=False)`` or ``to(tensor, non_blocking=False,
    copy=False)`` (``tensor``'s dtype and device), each with ``memory_format=``
    (``preserve_format`` by default; a copy is also made when the tensor is not laid out in
    the format asked for). ``non_blocking`` copies are done synchronously.
    """
    dtype, dev, copy = _parse_to(args, kwargs)
    fmt = kwargs.get("memory_format") or preserve_format
    same_dtype = dtype is None or dtype.np_dtype == self._data.dtype
    same_device = dev is None or _is_on(self._data, dev)
    if same_dtype and same_device and not copy and (
            fmt is preserve_format or suggest_format(self.shape, self.stride()) is fmt):
        return self
    # a row-major tensor keeps its layout by a plain copy
    keep = fmt is preserve_format and self._data.flags.c_contiguous
    return ToCopy.apply(self, None if same_dtype else dtype.np_dtype,
                        None if same_device else dev,
                        None if keep else layout_strides(self._data, fmt))


def _caster(d):
    def method(self, memory_format=None):
        return to(self, d)
    method.__name__ = d.name
    return method


def cpu(self, memory_format=None):
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False, memory_format=None):
    return to(self, to_device("cuda" if device is None else device))


def type_as(self, other):
    return to(self, other.dtype)


def type_(self, dtype=None, non_blocking=False):
    """With no argument, PyTorch's legacy type name (``torch.FloatTensor``,
    ``torch.cuda.FloatTensor``); else this tensor cast to ``dtype``: a dtype, such a name or a
    legacy type (``nptorch.FloatTensor``, which names itself in ``legacy_name``)."""
    on_gpu = not self.is_cpu
    if dtype is None:
        return f"torch.{'cuda.' if on_gpu else ''}{_dtype.scalar_type_name(self)}Tensor"
    dtype = getattr(dtype, "legacy_name", dtype)
    if not isinstance(dtype, str):
        return to(self, dtype)
    match = _LEGACY_TYPE.fullmatch(dtype)
    if match is None or match["scalar"] not in _BY_SCALAR_NAME:
        raise ValueError(f"invalid type: '{dtype}'")
    return to(self, "cuda" if match["cuda"] else "cpu", _BY_SCALAR_NAME[match["scalar"]])


_LEGACY_TYPE = re.compile(r"torch\.(?P<cuda>cuda\.)?(?P<scalar>\w+)Tensor")
_BY_SCALAR_NAME = {_dtype.scalar_type_name(d): d for d in _dtype.ALL}


def _copy_as(self, strides):
    """A differentiable copy of this tensor laid out with ``strides`` (in elements)."""
    if self._data.size and strides == format_strides(self._data.shape, contiguous_format):
        return Clone.apply(self, None)
    xp = xp_of(self._data)
    return Clone.apply(self, lambda shape, dtype: empty_strided_array(xp, shape, strides, dtype))


def clone(self, *, memory_format=preserve_format):
    """A copy with its own memory, laid out in ``memory_format`` (by default as this tensor
    when it is dense)."""
    if (self._data.flags.c_contiguous and self._data.size
            and memory_format in (preserve_format, contiguous_format, None)):
        return Clone.apply(self, None)  # the common case, without working out strides
    check_format("clone", memory_format)
    return _copy_as(self, layout_strides(self._data, memory_format))


def pin_memory(self, device=None):
    """A copy of this CPU tensor in page-locked host memory, from which copies to the GPU can
    run asynchronously; as PyTorch, it needs a GPU."""
    if not self.is_cpu:
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if not _cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if is_pinned(self):
        return self
    import cupyx  # present: a GPU is
    return Clone.apply(self, cupyx.empty_pinned)


def is_pinned(self, device=None):
    """Whether this tensor's memory is page-locked host memory (see ``pin_memory``)."""
    if not (self.is_cpu and _cuda.is_available()) or self._data.size == 0:
        return False
    runtime = _compat.cupy.cuda.runtime
    return runtime.pointerGetAttributes(self._data.ctypes.data).type == runtime.memoryTypeHost


def contiguous(self, memory_format=contiguous_format):
    """This tensor when it is contiguous in ``memory_format``, else a copy that is."""
    check_format("contiguous", memory_format, allow_none=False)
    if is_contiguous_as(self._data, memory_format):
        return self
    if memory_format is preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return _copy_as(self, format_strides(self._data.shape, memory_format))


def _new(self, data, dtype, device, requires_grad):
    from .creation import tensor
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return _new(self, data, dtype, device, requires_grad)


def _new_filled(fill):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        from .creation import full
        return full(size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size,
                    fill(self), dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)
    return method


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    from .creation import full
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    from .creation import empty
    return empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                 requires_grad=requires_grad)


# The forms of Tensor.new and of the legacy constructors, as PyTorch lists them when none fits.
_NEW_SIGNATURES = ("(*, torch.device device = None)", "(torch.Storage storage)", "(Tensor other)",
                   "(tuple of ints size, *, torch.device device = None)",
                   "(object data, *, torch.device device = None)")


def _param_names(signature):
    """The names PyTorch's report matches keywords against: the last word of each parameter,
    so ``*`` is one and ``torch.device device = None`` is named ``None``."""
    return [param.split()[-1] for param in signature[1:-1].split(", ")]


def _shown(a):
    """``a`` as PyTorch's report of mismatched arguments shows it: sequences with their items."""
    if not isinstance(a, (tuple, list)):
        return _type_name(a)
    items = ", ".join(_type_name(x) for x in a)
    if isinstance(a, list):
        return f"{_type_name(a)} of [{items}]"
    return f"{_type_name(a)} of ({items}{',' if len(a) == 1 else ''})"


def _new_error(args, kwargs):
    """PyTorch's error for arguments that fit no form of ``Tensor.new``: per form whose
    parameter count fits, the keywords it lacks or else the arguments, as PyTorch reports
    them."""
    kwargs = dict(reversed(kwargs.items()))  # PyTorch's own order
    lines = []
    for signature in _NEW_SIGNATURES:
        lines.append(f" * {signature}\n")
        names = _param_names(signature)
        if len(names) != len(args) + len(kwargs):
            continue
        unmatched = [k for k in kwargs if k not in names[len(args):]]
        if unmatched:
            lines.append("      didn't match because some of the keywords were incorrect: "
                         f"{', '.join(unmatched)}\n")
        else:
            shown = _listed([f"!{_shown(a)}!" for a in args],
                            [f"!{name}={_shown(kwargs[name])}!" for name in names[len(args):]])
            lines.append(f"      didn't match because some of the arguments have invalid types: "
                         f"{shown}\n")
    return TypeError(f"new() received an invalid combination of arguments - got "
                     f"{_got(args, kwargs)}, but expected one of:\n{''.join(lines)}")


def _starts_size(a):
    """Whether PyTorch reads ``a`` as the first int of a size (bools only count later on)."""
    return _is_int(a) and not isinstance(a, bool)


def _new_form(args, named):
    """The form of ``Tensor.new`` that the arguments other than ``device`` pick, tried in
    PyTorch's order, with its argument: ``("empty", None)``, ``("tensor", other)``,
    ``("size", ints)`` or ``("data", data)``; None when none fits."""
    if not args and not named:
        return "empty", None
    if named:
        if args or len(named) > 1:
            return None
        (key, value), = named.items()
        if key == "other" and isinstance(value, Tensor):
            return "tensor", value
        if key == "size" and isinstance(value, (tuple, list)) and (
                not value or _starts_size(value[0])):
            return "size", value
        return ("data", value) if key == "data" else None
    if len(args) == 1 and isinstance(args[0], Tensor):
        return "tensor", args[0]
    if _starts_size(args[0]):
        return "size", args
    if len(args) == 1:
        return ("size" if isinstance(args[0], Size) else "data"), args[0]
    return None


def _new_size(sizes):
    """``sizes`` as a shape, each item checked as PyTorch unpacks it."""
    for pos, s in enumerate(sizes, 1):
        if not _is_int(s):
            raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {pos} "
                            f"with error \"type must be tuple of ints,but got {_type_name(s)}\"")
    return tuple(int(s) for s in sizes)


def _options(dtype, dev):
    """A tensor's options as PyTorch's legacy constructors report them."""
    return (f"TensorOptions(dtype={_dtype.cpp_type_name(dtype)}, device={dev}, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def legacy_new(dtype, default, args, kwargs, constructor=False):
    """PyTorch's legacy constructor of ``dtype`` tensors on the device type of ``default``
    (the device they get unless ``device`` is given): ``Tensor.new`` or, with
    ``constructor``, ``nptorch.FloatTensor`` and its kin. No arguments give an empty tensor,
    sizes (or a ``torch.Size``, or ``size=``) an uninitialised one, a sequence one holding the
    data (sharing a NumPy array of ``dtype``) and a tensor of ``dtype`` a view of it;
    ``device`` is the only option."""
    dev = kwargs.get("device")
    named = {k: v for k, v in kwargs.items() if k != "device"}
    form = _new_form(args, named) if _or_none(_is_device)(dev) else None
    if form is None:
        raise _new_error(args, kwargs)
    kind, value = form
    if kind == "tensor":
        if "device" in kwargs:
            raise RuntimeError(
                "Legacy tensor constructor of the form torch.Tensor(tensor, device=device) is not "
                "supported.  Use torch.tensor(...) or torch.as_tensor(...) instead." if constructor
                else "Legacy tensor new of the form tensor.new(tensor, device=device) is not "
                "supported.  Use torch.as_tensor(...) instead.")
        if value.dtype is not dtype or value.device.type != default.type:
            raise TypeError(f"expected {_options(dtype, default)} "
                            f"(got {_options(value.dtype, value.device)})")
        return value.view_as(value)
    dev = to_device(dev) or default
    if dev.type != default.type:
        raise RuntimeError(f"legacy constructor expects device type: {default.type} but "
                           f"device type: {dev.type} was passed")
    if kind == "empty":
        return empty(0, dtype=dtype, device=dev)
    if kind == "size":
        return empty(_new_size(value), dtype=dtype, device=dev)
    if not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"new(): data must be a sequence (got {_type_name(value)})")
    return as_tensor(value, dtype, dev)


def new(self, *args, **kwargs):
    """PyTorch's legacy constructor (see ``legacy_new``), of this tensor's dtype and device."""
    return legacy_new(self.dtype, self.device, args, kwargs)


def _with_python(name, fn, input, *others):
    """``input`` overwritten elementwise by ``fn(x, *others)`` on the CPU (no graph)."""
    if input.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")
    if not input.is_cpu:
        raise TypeError(f"{name}_ is only implemented on CPU tensors")
    arrays = [input._data] + [o.expand_as(input)._data for o in others]
    values = np.vectorize(fn, otypes=[input._data.dtype])(*arrays)
    input._data[...] = values
    input._version_counter[0] += 1
    return input


def apply_(self, callable):
    """Replace each element ``x`` by ``callable(x)`` (CPU tensors; a Python call per element)."""
    return _with_python("apply_", callable, self)


def map_(self, tensor, callable):
    """Replace each element ``x`` by ``callable(x, y)`` with ``y`` from ``tensor`` (broadcast)."""
    return _with_python("map_", callable, self, tensor)


def map2_(self, x, y, callable):
    """Replace each element ``a`` by ``callable(a, b, c)`` with ``b`` and ``c`` from ``x`` and
    ``y`` (broadcast)."""
    return _with_python("map2_", callable, self, x, y)


def as_subclass(self, cls):
    """This tensor as an instance of the Tensor subclass ``cls``: same memory, same place in
    the graph."""
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a type (got {type(cls).__name__})")
    if not issubclass(cls, Tensor):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from "
                        "Tensor is not possible. Make sure your class inherits from Tensor.")
    out = self.view_as(self)
    out.__class__ = cls
    return out


def module_load(self, other, assign=False):
    """What ``Module.load_state_dict`` puts in place of ``self`` for the state ``other``:
    ``other`` detached when ``assign``, else ``self`` with ``other`` copied in, detached."""
    if assign:
        return other.detach()
    return self.copy_(other).detach()


def _false(self):
    return False


METHODS = {
    "new": new, "layout": property(lambda self: strided), "apply_": apply_, "map_": map_,
    "map2_": map2_, "as_subclass": as_subclass, "module_load": module_load,
    **{name: property(_false) for name in ("is_sparse", "is_sparse_csr", "is_quantized",
                                           "is_meta", "is_mkldnn", "is_nested", "is_xpu",
                                           "is_mps", "is_ipu", "is_mtia", "is_maia",
                                           "is_vulkan", "is_xla")},
    "to": to, "type": type_, "cpu": cpu, "cuda": cuda, "type_as": type_as, "clone": clone,
    "contiguous": contiguous, "new_tensor": new_tensor, "new_full": new_full,
    "new_empty": new_empty, "pin_memory": pin_memory, "is_pinned": is_pinned,
    "new_zeros": _new_filled(lambda self: 0), "new_ones": _new_filled(lambda self: 1),
    "float": _caster(_dtype.float32), "double": _caster(_dtype.float64),
    "half": _caster(_dtype.float16), "int": _caster(_dtype.int32),
    "long": _caster(_dtype.int64), "bool": _caster(_dtype.bool_),
    "short": _caster(_dtype.int16), "char": _caster(_dtype.int8), "byte": _caster(_dtype.uint8),
}
FUNCTIONS = {"clone": clone}
