"""Binding the arguments of an operator call to its schema, as PyTorch's dispatcher does.

``bind`` checks and converts the Python arguments (``True`` for an ``int`` becomes ``1``, a
``str`` for a ``Device`` becomes a device, ...) and returns them the way kernels receive them:
the positional arguments, without the trailing ones equal to their defaults, and the
keyword-only arguments that differ from their defaults. ``convert_returns`` checks a kernel's
result against the schema's returns.
"""
import numbers
import operator

from .._device import device as _device
from .._dtype import dtype as _dtype
from .._tensor import Tensor
from .schema import LAYOUTS, MEMORY_FORMATS, SCALAR_TYPES

__all__ = ["bind", "fill_defaults", "convert_returns"]

_PYBIND = ("Unable to cast Python instance of type {} to C++ type '?' (#define "
           "PYBIND11_DETAILED_ERROR_MESSAGES or compile in debug mode for details)")


class _CastError(Exception):
    def __init__(self, details):
        self.details = details


def _pybind(value):
    return _CastError(_PYBIND.format(type(value)))


def _tensor_number(value, kinds):
    """The Python number held by a one-element tensor whose dtype kind is in ``kinds``."""
    if value.numel() != 1 or value._data.dtype.kind not in kinds:
        raise _pybind(value)
    return value.item()


def _convert(typ, value):
    """``value`` converted to the schema type ``typ``; _CastError if it does not fit."""
    name = typ.name
    if name == "Optional":
        return None if value is None else _convert(typ.elem, value)
    if name == "Tensor":
        if value is None or isinstance(value, Tensor):
            return value
        raise _CastError(f"Unable to cast {value} to Tensor")
    if name == "List":
        if typ.size is not None and typ.elem.name in ("int", "SymInt") and _is_int(value):
            return [operator.index(value)] * typ.size
        if not isinstance(value, (list, tuple)):
            raise _pybind(value)
        try:
            return [_convert(typ.elem, v) for v in value]
        except _CastError:
            raise _pybind(value) from None
    if name == "Tuple":
        if not isinstance(value, (list, tuple)) or len(value) != len(typ.elems):
            raise _pybind(value)
        return tuple(_convert(t, v) for t, v in zip(typ.elems, value))
    if name in ("int", "SymInt"):
        if isinstance(value, Tensor):
            return int(_tensor_number(value, "iub"))
        if _is_int(value):
            return operator.index(value)
        raise _pybind(value)
    if name in ("float", "SymFloat"):
        if isinstance(value, Tensor):
            return float(_tensor_number(value, "iubf"))
        if isinstance(value, numbers.Real):
            return float(value)
        raise _pybind(value)
    if name in ("bool", "SymBool"):
        if isinstance(value, Tensor):
            return bool(_tensor_number(value, "iub"))
        if _is_int(value):
            return bool(value)
        raise _pybind(value)
    if name == "str":
        if isinstance(value, str):
            return value
        raise _pybind(value)
    if name in ("Scalar", "complex"):
        if isinstance(value, Tensor):
            raise _CastError(f"Cannot cast {value} to number")
        if isinstance(value, numbers.Number):
            return value.item() if hasattr(value, "item") else value
        raise _pybind(value)
    if name == "ScalarType":
        if isinstance(value, _dtype):
            return value
        raise _pybind(value)
    if name == "Device":
        if isinstance(value, _device):
            return value
        if isinstance(value, str):
            return _device(value)
        raise _pybind(value)
    return value  # Any, Layout, MemoryFormat, Generator, Storage, Stream: passed as given


def _is_int(value):
    if isinstance(value, (bool, int)):
        return True
    return not isinstance(value, (float, str, Tensor)) and hasattr(value, "__index__")


# enum type -> {the number a schema default holds: the name of the nptorch object}
_ENUM_NAMES = {kind: {number: name for name, number in table.items()}
               for kind, table in (("ScalarType", SCALAR_TYPES), ("Layout", LAYOUTS),
                                   ("MemoryFormat", MEMORY_FORMATS))}


def _default(arg):
    """The Python value of an argument's default (enum numbers become nptorch objects)."""
    value = arg.default_value
    kind = arg.type.unwrap_optional().name
    if value is None:
        return None
    if kind == "Device":
        return _device(value)
    if kind in _ENUM_NAMES:
        import nptorch
        return getattr(nptorch, _ENUM_NAMES[kind].get(value, ""), value)
    return value


def _equal(a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return a is b
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    try:
        return bool(a == b)
    except Exception:
        return False


def bind(schema, args, kwargs):
    """``(args, kwargs)`` as the kernels of ``schema`` receive them; PyTorch's RuntimeError
    (and message) for arguments that do not match."""
    qualname, arguments = schema.name, schema.arguments
    if len(args) + len(kwargs) > len(arguments):
        raise RuntimeError(f"{qualname}() expected at most {len(arguments)} argument(s) but "
                        f"received {len(args) + len(kwargs)} argument(s). Declaration: "
                        f"{schema}")
    positional = sum(1 for a in arguments if not a.kwarg_only)
    if len(args) > positional:
        raise RuntimeError(f"{qualname}() takes {positional} positional argument(s) but "
                        f"{len(args)} was/were given.  Declaration: {schema}")
    values, used = [], 0
    for i, arg in enumerate(arguments):
        if i < len(args):
            if arg.name in kwargs:
                raise RuntimeError(f"Argument '{arg.name}' specified both as positional and "
                                f"keyword argument. Schema: {schema}")
            value = args[i]
        elif arg.name in kwargs:
            value = kwargs[arg.name]
            used += 1
        elif arg.has_default_value():
            values.append(_default(arg))
            continue
        else:
            raise RuntimeError(f"{qualname}() is missing value for argument '{arg.name}'. "
                            f"Declaration: {schema}")
        try:
            values.append(_convert(arg.type, value))
        except _CastError as e:
            raise RuntimeError(
                f"{qualname}() Expected a value of type '{arg.type.python_str()}' for argument "
                f"'{arg.name}' but instead found type '{type(value).__name__}'.\n"
                f"Position: {i}\nValue: {value!r}\nDeclaration: {schema}\n"
                f"Cast error details: {e.details}") from None
    if used != len(kwargs):
        names = {a.name for a in arguments}
        unknown = next(k for k in kwargs if k not in names)
        raise RuntimeError(f"Unknown keyword argument '{unknown}' for operator '{qualname}'. "
                        f"Schema: {schema}")
    return _strip_defaults(arguments, values)


def _strip_defaults(arguments, values):
    out_args, out_kwargs = [], {}
    for arg, value in zip(arguments, values):
        if arg.kwarg_only:
            if not (arg.has_default_value() and _equal(value, _default(arg))):
                out_kwargs[arg.name] = value
        else:
            out_args.append(value)
    n = len(out_args)
    positional = [a for a in arguments if not a.kwarg_only]
    while n and positional[n - 1].has_default_value() and _equal(out_args[n - 1],
                                                                _default(positional[n - 1])):
        n -= 1
    return tuple(out_args[:n]), out_kwargs


def fill_defaults(schema, args, kwargs):
    """``(args, kwargs)`` with the defaults of the omitted arguments put back."""
    new_args, new_kwargs = [], {}
    for i, arg in enumerate(schema.arguments):
        if arg.kwarg_only:
            new_kwargs[arg.name] = kwargs[arg.name] if arg.name in kwargs else _default(arg)
        else:
            new_args.append(args[i] if i < len(args) else _default(arg))
    return tuple(new_args), new_kwargs


def _convert_return(typ, value):
    try:
        return _convert(typ, value)
    except _CastError as e:
        raise RuntimeError(e.details) from None


def convert_returns(schema, result, name):
    """A kernel's ``result`` checked against the returns of ``schema`` (a tuple for several
    returns, None for none); ``name`` names the operator in errors."""
    returns = schema.returns
    if not returns:
        if result is not None:
            raise RuntimeError(f"Expected PythonKernelHolder for {name} to return None but it "
                               "returned something else instead.")
        return None
    if len(returns) == 1:
        return _convert_return(returns[0].type, result)
    if not isinstance(result, (tuple, list)):
        raise TypeError(f"Object of type '{type(result).__name__}' is not an instance of "
                        "'sequence'")
    if len(result) != len(returns):
        raise RuntimeError(f"Expected {len(returns)} return values from the kernel of {name} "
                           f"but got {len(result)}")
    return tuple(_convert_return(r.type, v) for r, v in zip(returns, result))
