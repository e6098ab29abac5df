"""Elementwise arithmetic and math: ``nptorch.<op>`` functions, Tensor methods and operators."""
from .._tensor import Tensor
from .._functions import elementwise as F
from .._functions._utils import promote, cast
from .. import _dtype
from ._inplace import apply_inplace


def _check_number(name, v):
    if not isinstance(v, (Tensor, int, float, bool)):
        raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, not {type(v).__name__}")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    _check_number("add", other)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    if isinstance(input, Tensor):
        a, b = promote(input, other)
    else:
        b, a = promote(other, input)
    return _out(F.Add.apply(a, b), out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    _check_number("sub", other)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    if isinstance(input, Tensor):
        a, b = promote(input, other)
    else:
        b, a = promote(other, input)
    return _out(F.Sub.apply(a, b), out)


def mul(input, other, *, out=None):
    """``input * other``."""
    _check_number("mul", other)
    if isinstance(input, Tensor):
        a, b = promote(input, other)
    else:
        b, a = promote(other, input)
    return _out(F.Mul.apply(a, b), out)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give the default float dtype) or rounded division."""
    _check_number("div", other)
    if rounding_mode is not None:
        from .math_extra import floor_divide, _trunc_divide
        return floor_divide(input, other) if rounding_mode == "floor" else _trunc_divide(input, other)
    if isinstance(input, Tensor):
        a, b = promote(input, other)
    else:
        b, a = promote(other, input)
    if not _dtype.result_type(a, b).is_floating_point:
        default = _dtype.get_default_dtype()
        a = cast(a, default) if isinstance(a, Tensor) else float(a)
        b = cast(b, default) if isinstance(b, Tensor) else float(b)
    return _out(F.Div.apply(a, b), out)


def neg(input):
    return F.Neg.apply(input)


def exp(input):
    return F.Exp.apply(_floating(input))


def _floating(x):
    """Integer tensors are promoted to the default float dtype by float-valued functions."""
    if x._data.dtype.kind in "iub":
        return x.to(_dtype.get_default_dtype())
    return x


def _out(result, out):
    """Support for ``out=``: the result is written into ``out``."""
    if out is None:
        return result
    from ._inplace import write
    if out._data.shape == result._data.shape:
        write(out, result._data)
    else:
        out._data = result._data.copy()
        out._version_counter[0] += 1
    return out


# -- Tensor methods and operators ----------------------------------------------------------
def _reflect(fn):
    return lambda self, other: fn(other, self) if isinstance(other, Tensor) else fn(
        _scalar_tensor_like(other, self), self)


def _scalar_tensor_like(v, like):
    from .._functions._utils import to_tensor_operand
    return to_tensor_operand(v, like)


METHODS = {
    "add": add, "sub": sub, "mul": mul, "div": div, "neg": neg, "exp": exp,
    "subtract": sub, "multiply": mul, "divide": div, "true_divide": div, "negative": neg,
    "__add__": add, "__radd__": lambda self, other: add(self, other),
    "__sub__": sub, "__rsub__": lambda self, other: add(neg(self), other),
    "__mul__": mul, "__rmul__": lambda self, other: mul(self, other),
    "__truediv__": div, "__rtruediv__": lambda self, other: div(_scalar_tensor_like(other, self), self),
    "__neg__": neg, "__pos__": lambda self: self,
}

INPLACE = {"add_": add, "sub_": sub, "mul_": mul, "div_": div, "neg_": neg, "exp_": exp,
           "__iadd__": add, "__isub__": sub, "__imul__": mul, "__itruediv__": div}

FUNCTIONS = {"add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
             "divide": div, "true_divide": div, "neg": neg, "negative": neg, "exp": exp}


def inplace_method(fn):
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method
