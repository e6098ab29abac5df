"""PyTorch's argument-type errors for the functions written in Python here
(``frombuffer(): argument 'count' must be int, not float``)."""
import numbers

from .. import _dtype


def type_error(op, name, expected, value, position=None):
    where = "" if position is None else f" (position {position})"
    return TypeError(f"{op}(): argument '{name}'{where} must be {expected}, not "
                     f"{type(value).__name__}")


def int_arg(op, name, value, position=None):
    """``value`` as an int; bools and other numbers are refused."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise type_error(op, name, "int", value, position)
    return int(value)


def bool_arg(op, name, value, optional=True, position=None):
    """``value``, a bool (or None when ``optional``)."""
    if not (isinstance(value, bool) or optional and value is None):
        raise type_error(op, name, "bool", value, position)
    return value


def dtype_arg(op, dtype):
    """``dtype``, an nptorch dtype or None."""
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        raise type_error(op, "dtype", "nptorch.dtype", dtype)
    return dtype
