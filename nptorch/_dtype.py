"""dtype objects, their NumPy counterparts, the default dtype and PyTorch's type promotion."""
import numpy as np


class dtype:
    """A tensor element type, printed and compared as PyTorch's ``torch.dtype``."""

    __slots__ = ("name", "np_dtype", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = category == 2 or self.np_dtype.kind == "i"
        self.itemsize = self.np_dtype.itemsize

    @property
    def is_complex(self):
        return False

    def __repr__(self):
        return f"nptorch.{self.name}"

    def __reduce__(self):
        return _from_name, (self.name,)


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64,
           "int": int32, "short": int16, "bool": bool_}
_FROM_NUMPY = {d.np_dtype: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _from_name(name):
    """The dtype called ``name`` (used by pickle)."""
    return _BY_NAME[name]


_default = [float32]


# PyTorch's names of each dtype in its messages: (ScalarType name, C++ type name)
_MESSAGE_NAMES = {"bool": ("Bool", "bool"), "uint8": ("Byte", "unsigned char"),
                  "int8": ("Char", "signed char"), "int16": ("Short", "short int"),
                  "int32": ("Int", "int"), "int64": ("Long", "long int"),
                  "float16": ("Half", "c10::Half"), "float32": ("Float", "float"),
                  "float64": ("Double", "double")}


def _dtype_name(x):
    # a Tensor, a NumPy dtype or an nptorch dtype
    return x._data.dtype.name if hasattr(x, "_data") else x.name


def scalar_type_name(x):
    """PyTorch's ScalarType name of a tensor's or dtype's type (``Float``, ``Long``, ...)."""
    return _MESSAGE_NAMES[_dtype_name(x)][0]


def cpp_type_name(x):
    """The C++ type name PyTorch prints for a tensor's or dtype's type (``float``, ...)."""
    return _MESSAGE_NAMES[_dtype_name(x)][1]


def get_default_dtype():
    """The dtype of floating tensors created from Python floats (float32 unless changed)."""
    return _default[0]


def set_default_dtype(d):
    """Set the default floating dtype (float16, float32 or float64)."""
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def from_numpy_dtype(np_dtype):
    """The nptorch dtype for a NumPy dtype; raises TypeError for unsupported ones."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
            "and bool.") from None


def to_dtype(d):
    """Accept an nptorch dtype, a NumPy dtype, a Python type or None (returns None).

    As in PyTorch, the Python type ``float`` means float64 (not the default dtype).
    """
    if d is None or isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str) and d in ALIASES:
        return ALIASES[d]
    return from_numpy_dtype(d)


def promote_types(a, b):
    """PyTorch's promotion of two dtypes (``torch.promote_types``)."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == 2:
        return a if a.itemsize > b.itemsize else b
    return from_numpy_dtype(np.promote_types(a.np_dtype, b.np_dtype))


def scalar_dtype(value):
    """The dtype PyTorch gives a Python number: bool, int64 or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def _combine(higher, lower):
    # A lower-priority operand only matters when it brings a higher category.
    if higher is None:
        return lower
    if lower is None or higher._category == 2:
        return higher
    if higher is bool_ or lower._category == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype of an op over tensors and Python numbers, by PyTorch's rules.

    Tensors with dimensions take precedence over zero-dim tensors, which take precedence
    over Python numbers, unless the lower-priority operand is of a higher category
    (bool < integer < floating): ``int_tensor + 2.5`` is float32, ``float32 + float64 0-dim``
    stays float32.
    """
    dims = zero = wrapped = None
    for op in operands:
        if hasattr(op, "_data"):
            d = _FROM_NUMPY[op._data.dtype]
            if op._data.ndim:
                dims = d if dims is None else promote_types(dims, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(op)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dims, _combine(zero, wrapped))
