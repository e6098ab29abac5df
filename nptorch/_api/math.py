"""Elementwise math: ``nptorch.<op>`` functions, Tensor methods, operators and in-place forms."""
import math

import numpy as np

from .. import _dtype
from .._dtype import cpp_type_name, scalar_type_name
from .._device import check_same_device, xp_of
from .._tensor import Tensor
from .._functions import elementwise as F
from .._functions._utils import promote, cast
from ..amp._policy import autocast_op

_NUMBERS = (bool, int, float, np.number, np.bool_)


def _not_implemented(kernel, dtype, like):
    """PyTorch's error for a kernel without a ``dtype`` loop, on ``like``'s device."""
    device = "cpu" if like.is_cpu else "cuda"
    return NotImplementedError(
        f'"{kernel}_{device}" not implemented for \'{scalar_type_name(dtype)}\'')


# -- argument handling ---------------------------------------------------------------------
def _operand(fn, name, position, v):
    """A Tensor or Python number; NumPy scalars become Python numbers (weakly typed)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, _NUMBERS):
        return v.item() if isinstance(v, np.generic) else v
    raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
                    f"{type(v).__name__}")


def _tensor_arg(fn, v, name="input", position=1):
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(v).__name__}")
    return v


def _floating(x):
    """Integer tensors are promoted to the default float dtype by float-valued functions."""
    if x._data.dtype.kind in "iub":
        return x.to(_dtype.get_default_dtype())
    return x


def _to_floating(a, b):
    if _dtype.result_type(a, b).is_floating_point:
        return a, b
    default = _dtype.get_default_dtype()
    return tuple(cast(v, default) if isinstance(v, Tensor) else float(v) for v in (a, b))


def _size_mismatch(*operands):
    """PyTorch's broadcasting error for the operands' shapes (Tensors, arrays or numbers),
    broadcast left to right, or None when they broadcast."""
    sa, *rest = (v._data.shape if isinstance(v, Tensor) else np.shape(v) for v in operands)
    for sb in rest:
        n = max(len(sa), len(sb))
        for i in range(1, n + 1):
            da, db = sa[-i] if i <= len(sa) else 1, sb[-i] if i <= len(sb) else 1
            if da != db and 1 not in (da, db):
                return RuntimeError(f"The size of tensor a ({da}) must match the size of tensor "
                                    f"b ({db}) at non-singleton dimension {n - i}")
        sa = np.broadcast_shapes(sa, sb)
    return None


def _apply(cls, *operands):
    try:
        return cls.apply(*operands)
    except ValueError:
        error = _size_mismatch(*operands)
        if error is None:
            raise
        raise error from None


def _binary(fn, cls, input, other, *, floating=False, kernel=None, out=None):
    """Validate, promote and apply a binary Function; ``kernel`` names an op without bool
    support."""
    a, b = promote(_operand(fn, "input", 1, input), _operand(fn, "other", 2, other))
    if floating:
        a, b = _to_floating(a, b)
    like = a if isinstance(a, Tensor) else b
    if kernel is not None and like._data.dtype.kind == "b":
        raise _not_implemented(kernel, like.dtype, like)
    return _out(_apply(cls, a, b), out)


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


def _raw_operands(fn, input, other, integral=False):
    """The arrays (or numbers) of two operands cast to their promoted dtype, outside autograd.

    ``integral`` ops (bitwise) reject floating dtypes with PyTorch's error.
    """
    a, b = _operand(fn, "input", 1, input), _operand(fn, "other", 2, other)
    dt = _dtype.result_type(a, b)
    if integral and dt.is_floating_point:
        raise _not_implemented(fn, dt, a if isinstance(a, Tensor) else b)
    return [v._data.astype(dt.np_dtype, copy=False) if isinstance(v, Tensor) else v for v in (a, b)]


def _is_bool(v):
    return isinstance(v, (bool, np.bool_)) or (isinstance(v, Tensor) and v._data.dtype.kind == "b")


# -- arithmetic ----------------------------------------------------------------------------
def _scaled(fn, other, alpha, input):
    other = _operand(fn, "other", 2, other)
    if alpha == 1:
        return other
    if isinstance(alpha, float) and not _dtype.result_type(input, other).is_floating_point:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number.")
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    return _binary("add", F.Add, input, _scaled("add", other, alpha, input), out=out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if _is_bool(input) or _is_bool(other):
        which = "two bool tensors" if _is_bool(input) and _is_bool(other) else "a bool tensor"
        hint = ("Use the `^` or `logical_xor()` operator instead." if which == "two bool tensors"
                else "If you are trying to invert a mask, use the `~` or `logical_not()` "
                     "operator instead.")
        raise RuntimeError(f"Subtraction, the `-` operator, with {which} is not supported. {hint}")
    return _binary("sub", F.Sub, input, _scaled("sub", other, alpha, input), out=out)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    """``input * other``."""
    return _binary("mul", F.Mul, input, other, out=out)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give the default float dtype), or rounded with ``rounding_mode``
    ``'trunc'`` or ``'floor'`` (which keeps integer dtypes and has a zero gradient)."""
    if rounding_mode is None:
        return _binary("div", F.Div, input, other, floating=True, out=out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    cls = F.DivFloor if rounding_mode == "floor" else F.DivTrunc
    return _binary("div", cls, input, other, kernel=f"div_{rounding_mode}", out=out)


def floor_divide(input, other, *, out=None):
    """``floor(input / other)``, Python's ``//``."""
    return div(input, other, rounding_mode="floor", out=out)


def fmod(input, other, *, out=None):
    """C-style remainder: the result has the sign of ``input``."""
    return _binary("fmod", F.Fmod, input, other, kernel="fmod", out=out)


def remainder(input, other, *, out=None):
    """Python-style remainder: the result has the sign of ``other``."""
    return _binary("remainder", F.Remainder, input, other, kernel="remainder", out=out)


@autocast_op("pow")
def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a number. Integer powers of integer tensors stay
    integer."""
    a, b = promote(_operand("pow", "input", 1, input), _operand("pow", "exponent", 2, exponent))
    if (isinstance(b, (int, float)) and b < 0 and isinstance(a, Tensor)
            and a._data.dtype.kind in "iub"):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(_apply(F.Pow, a, b), out)


def square(input, *, out=None):
    """``input * input`` (integer and bool inputs give int64 as in PyTorch)."""
    return pow(_tensor_arg("square", input), 2, out=out)


@autocast_op("atan2")
def atan2(input, other, *, out=None):
    """The angle of ``(other, input)`` (elementwise ``arctan(input / other)`` with quadrant)."""
    return _binary("atan2", F.Atan2, input, other, floating=True, out=out)


def hypot(input, other, *, out=None):
    """``sqrt(input ** 2 + other ** 2)``."""
    if not _tensor_arg("hypot", input).is_floating_point():
        raise _not_implemented("hypot", input.dtype, input)
    return _binary("hypot", F.Hypot, input, _tensor_arg("hypot", other, "other", 2), out=out)


def maximum(input, other, *, out=None):
    """Elementwise maximum; ties share the gradient equally."""
    _tensor_arg("maximum", input), _tensor_arg("maximum", other, "other", 2)
    return _binary("maximum", F.Maximum, input, other, out=out)


def minimum(input, other, *, out=None):
    """Elementwise minimum; ties share the gradient equally."""
    _tensor_arg("minimum", input), _tensor_arg("minimum", other, "other", 2)
    return _binary("minimum", F.Minimum, input, other, out=out)


@autocast_op("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``."""
    # value * t1 * t2 in PyTorch's order, so that results round the same way
    scaled = tensor1 if value == 1 else mul(tensor1, value)
    return add(input, mul(scaled, tensor2), out=out)


@autocast_op("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` (floating inputs only)."""
    if not (tensor1.is_floating_point() or tensor2.is_floating_point()):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    scaled = tensor1 if value == 1 else mul(tensor1, value)
    return add(input, div(scaled, tensor2), out=out)


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``; ``weight`` is a number or a tensor."""
    _tensor_arg("lerp", input), _tensor_arg("lerp", end, "end", 2)
    if not input.is_floating_point():
        raise _not_implemented("lerp", input.dtype, input)
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype and (
                name == "end" or t._data.ndim):
            raise RuntimeError(f"expected dtype {cpp_type_name(input)} for `{name}` but got dtype "
                               f"{cpp_type_name(t)}")
    weight = cast(_operand("lerp", "weight", 3, weight), input.dtype)
    return _out(F.Lerp.apply(input, end, weight), out)


def clamp(input, min=None, max=None, *, out=None):
    """Limit ``input`` to ``[min, max]``; either bound may be None, a number or a tensor."""
    _tensor_arg("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [None if b is None else _operand("clamp", name, i + 2, b)
              for i, (name, b) in enumerate((("min", min), ("max", max)))]
    dt = _dtype.result_type(input, *(b for b in bounds if b is not None))
    lo, hi = (cast(b, dt) for b in bounds)
    return _out(F.Clamp.apply(cast(input, dt), lo, hi), out)


def clamp_min(input, min):
    """``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input, max):
    """``clamp(input, max=max)``."""
    return clamp(input, max=max)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (tensors or numbers, broadcast).

    With only ``condition``, the indices of its non-zero elements (``nonzero(as_tuple=True)``).
    """
    _tensor_arg("where", condition, "condition")
    if input is None and other is None:
        return tuple(Tensor._make(i) for i in xp_of(condition._data).nonzero(condition._data))
    if condition._data.dtype.kind != "b":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {scalar_type_name(condition)}")
    a, b = _operand("where", "input", 2, input), _operand("where", "other", 3, other)
    dt = _dtype.result_type(a, b)
    xp = xp_of(condition._data)
    a, b = (cast(v, dt) if isinstance(v, Tensor) else Tensor._make(xp.asarray(v, dt.np_dtype))
            for v in (a, b))
    return _apply(F.Where, condition._data, a, b)


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or 0-dim tensor) where the bool ``mask`` is True."""
    _tensor_arg("masked_fill", input), _tensor_arg("masked_fill", mask, "mask", 2)
    if mask._data.dtype.kind != "b":
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{cpp_type_name(mask)}")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    value = checked_fill_value(input._data.dtype, _operand("masked_fill", "value", 3, value))
    check_same_device("masked_fill_", [input._data, mask._data])
    try:
        return F.MaskedFill.apply(input, mask._data, value)
    except ValueError:
        raise _size_mismatch(mask, input) from None


# -- unary ops -----------------------------------------------------------------------------
def _unary(name, cls, doc, floating=True):
    def op(input, *, out=None):
        x = _tensor_arg(name, input)
        return _out(cls.apply(_floating(x) if floating else x), out)
    op.__name__, op.__doc__ = name, doc
    return op


exp = autocast_op("exp")(_unary("exp", F.Exp, "``e ** input``."))
expm1 = autocast_op("expm1")(_unary("expm1", F.Expm1, "``exp(input) - 1``, accurate near 0."))
log = autocast_op("log")(_unary("log", F.Log, "Natural logarithm."))
log1p = autocast_op("log1p")(_unary("log1p", F.Log1p, "``log(1 + input)``, accurate near 0."))
log2 = autocast_op("log2")(_unary("log2", F.Log2, "Base-2 logarithm."))
log10 = autocast_op("log10")(_unary("log10", F.Log10, "Base-10 logarithm."))
sqrt = _unary("sqrt", F.Sqrt, "Square root.")
rsqrt = autocast_op("rsqrt")(_unary("rsqrt", F.Rsqrt, "``1 / sqrt(input)``."))
reciprocal = autocast_op("reciprocal")(_unary("reciprocal", F.Reciprocal, "``1 / input``."))
sin = _unary("sin", F.Sin, "Sine.")
cos = _unary("cos", F.Cos, "Cosine.")
tan = autocast_op("tan")(_unary("tan", F.Tan, "Tangent."))
asin = autocast_op("asin")(_unary("asin", F.Asin, "Inverse sine."))
acos = autocast_op("acos")(_unary("acos", F.Acos, "Inverse cosine."))
atan = _unary("atan", F.Atan, "Inverse tangent.")
sinh = autocast_op("sinh")(_unary("sinh", F.Sinh, "Hyperbolic sine."))
cosh = autocast_op("cosh")(_unary("cosh", F.Cosh, "Hyperbolic cosine."))
tanh = _unary("tanh", F.Tanh, "Hyperbolic tangent.")
sigmoid = _unary("sigmoid", F.Sigmoid, "``1 / (1 + exp(-input))``.")
erf = _unary("erf", F.Erf, "The error function.")
erfinv = autocast_op("erfinv")(_unary("erfinv", F.Erfinv, "The inverse error function."))
relu = _unary("relu", F.Relu, "``max(input, 0)``; the gradient at 0 is 0.", floating=False)
sign = _unary("sign", F.Sign, "-1, 0 or 1 by the sign of each element.", floating=False)
floor = _unary("floor", F.Floor, "Largest integer not above each element.", floating=False)
ceil = _unary("ceil", F.Ceil, "Smallest integer not below each element.", floating=False)
trunc = _unary("trunc", F.Trunc, "Each element rounded toward zero.", floating=False)


acosh = _unary("acosh", F.Acosh, "Inverse hyperbolic cosine.")
asinh = _unary("asinh", F.Asinh, "Inverse hyperbolic sine.")
atanh = _unary("atanh", F.Atanh, "Inverse hyperbolic tangent.")
exp2 = _unary("exp2", F.Exp2, "``2 ** input``.")
erfc = _unary("erfc", F.Erfc, "``1 - erf(input)``, accurate where erf is near 1.")
lgamma = _unary("lgamma", F.Lgamma, "``log(|gamma(input)|)``.")
i0 = _unary("i0", F.I0, "The modified Bessel function of the first kind, order 0.")
sinc = _unary("sinc", F.Sinc, "``sin(pi * input) / (pi * input)`` (1 at 0).")


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of ``digamma`` at ``input``."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(F.Polygamma.apply(_floating(_tensor_arg("polygamma", input, "input", 2)), n),
                out)


def digamma(input, *, out=None):
    """The derivative of ``lgamma``."""
    return polygamma(0, _tensor_arg("digamma", input), out=out)


def mvlgamma(input, p, *, out=None):
    """The log of the multivariate gamma function of dimension ``p``:
    ``sum_i lgamma(input - i / 2) + p (p - 1) / 4 log(pi)``."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _floating(_tensor_arg("mvlgamma", input))
    terms = lgamma(x.unsqueeze(-1) - Tensor._make(xp_of(x._data).arange(p, dtype=x._data.dtype) / 2))
    return _out(terms.sum(-1) + p * (p - 1) / 4 * np.log(np.pi), out)


def logit(input, eps=None, *, out=None):
    """``log(input / (1 - input))``, with ``input`` first clamped to ``[eps, 1 - eps]`` when
    ``eps`` is given (the gradient is 0 outside that range)."""
    x = _floating(_tensor_arg("logit", input))
    if eps is not None:
        x = clamp(x, eps, 1 - eps)
    return _out(log(div(x, rsub(x, 1))), out)


def deg2rad(input, *, out=None):
    """Degrees to radians."""
    return _out(mul(_floating(_tensor_arg("deg2rad", input)), np.pi / 180), out)


def rad2deg(input, *, out=None):
    """Radians to degrees."""
    return _out(mul(_floating(_tensor_arg("rad2deg", input)), 180 / np.pi), out)


def angle(input, *, out=None):
    """The argument of each (real) element: pi for negative ones, else 0 (NaN stays NaN); the
    gradient is 0."""
    x = _floating(_tensor_arg("angle", input))
    a = x._data
    return _out(Tensor._make(np.where(a < 0, np.pi, np.where(np.isnan(a), a, 0)).astype(a.dtype)),
                out)


def signbit(input, *, out=None):
    """Whether each element's sign bit is set (``-0.0`` included)."""
    return _out(Tensor._make(np.signbit(_tensor_arg("signbit", input)._data)), out)


def abs(input, *, out=None):
    """Absolute value (the gradient at 0 is 0)."""
    if _tensor_arg("abs", input)._data.dtype.kind == "b":
        raise _not_implemented("abs", input.dtype, input)
    return _out(F.Abs.apply(input), out)


def neg(input, *, out=None):
    """``-input``."""
    if _tensor_arg("neg", input)._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead.")
    return _out(F.Neg.apply(input), out)


def frac(input, *, out=None):
    """``input - trunc(input)``."""
    if not _tensor_arg("frac", input).is_floating_point():
        raise _not_implemented("frac", input.dtype, input)
    return _out(F.Frac.apply(input), out)


def round(input, *, decimals=0, out=None):
    """Round half to even, to ``decimals`` decimal places."""
    return _out(F.Round.apply(_tensor_arg("round", input), decimals), out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf (by default with 0 and the dtype's largest/lowest values)."""
    return _out(F.NanToNum.apply(_tensor_arg("nan_to_num", input), nan, posinf, neginf), out)


def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return _binary("xlogy", F.Xlogy, input, other, floating=True, out=out)


def _tensors(fn, input, other):
    """Both operands, which must be tensors (PyTorch's TypeError otherwise)."""
    return _tensor_arg(fn, input), _tensor_arg(fn, other, "other", 2)


def _floating_only(fn, input, other):
    """PyTorch's error where two tensor operands promote to a non-floating dtype."""
    dt = _dtype.result_type(*_tensors(fn, input, other))
    if not dt.is_floating_point:
        raise _not_implemented(fn, dt, input)


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))``, computed stably."""
    _floating_only("logaddexp", input, other)
    return _binary("logaddexp", F.LogAddExp, input, other, out=out)


def logaddexp2(input, other, *, out=None):
    """``log2(2 ** input + 2 ** other)``, computed stably."""
    _floating_only("logaddexp2", input, other)
    return _binary("logaddexp2", F.LogAddExp2, input, other, out=out)


def copysign(input, other, *, out=None):
    """``|input|`` with the sign of ``other`` (floating result)."""
    return _binary("copysign", F.Copysign, _tensor_arg("copysign", input), other,
                   floating=True, out=out)


def fmax(input, other, *, out=None):
    """Elementwise maximum ignoring NaN (NaN only where both are NaN)."""
    return _binary("fmax", F.Fmax, *_tensors("fmax", input, other), out=out)


def fmin(input, other, *, out=None):
    """Elementwise minimum ignoring NaN (NaN only where both are NaN)."""
    return _binary("fmin", F.Fmin, *_tensors("fmin", input, other), out=out)


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` in double precision."""
    a, b = (cast(v, _dtype.float64) if isinstance(v, Tensor) else float(v)
            for v in (input, exponent))
    return pow(a, b, out=out)


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``."""
    return mul(_tensor_arg("ldexp", input), exp2(_tensor_arg("ldexp", other, "other", 2)),
               out=out)


def _predicate(name, ufunc, doc):
    def op(input):
        return Tensor._make(ufunc(_tensor_arg(name, input)._data))
    op.__name__, op.__doc__ = name, doc
    return op


isnan = _predicate("isnan", np.isnan, "Where elements are NaN (a bool tensor).")
isinf = _predicate("isinf", np.isinf, "Where elements are +inf or -inf (a bool tensor).")
isfinite = _predicate("isfinite", np.isfinite, "Where elements are finite (a bool tensor).")
logical_not = _predicate("logical_not", np.logical_not, "Elementwise NOT of truth values.")


isposinf = _predicate("isposinf", np.isposinf, "Where elements are +inf (a bool tensor).")
isneginf = _predicate("isneginf", np.isneginf, "Where elements are -inf (a bool tensor).")
isreal = _predicate("isreal", lambda a: np.ones_like(a, dtype=bool),
                    "Where elements are real: everywhere, as nptorch's dtypes are real.")


# -- complex parts of real tensors: nptorch's dtypes are all real ----------------------------
def _itself(input):
    return _tensor_arg("conj", input)


def _not_conjugated(input):
    return False


def imag(input):
    """Refused: a real tensor has no imaginary part."""
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def is_complex(input):
    """False: nptorch's dtypes are real."""
    return _tensor_arg("is_complex", input).is_complex()


def adjoint(input):
    """The conjugate transpose of the last two dims (the transpose, for real tensors)."""
    return _tensor_arg("adjoint", input).transpose(-2, -1)


_COMPLEX_PARTS = {"conj": _itself, "conj_physical": _itself, "resolve_conj": _itself,
                  "resolve_neg": _itself, "real": _itself, "imag": imag, "adjoint": adjoint}


# -- comparisons and logic (bool results, outside autograd) --------------------------------
def _compare(name, ufunc, doc):
    def op(input, other, *, out=None):
        a, b = _raw_operands(name, input, other)
        try:
            result = ufunc(a, b)
        except ValueError:
            error = _size_mismatch(input, other)
            if error is None:
                raise
            raise error from None
        return _out(Tensor._make(result), out)
    op.__name__, op.__doc__ = name, doc
    return op


eq = _compare("eq", np.equal, "``input == other`` elementwise.")
ne = _compare("ne", np.not_equal, "``input != other`` elementwise.")
lt = _compare("lt", np.less, "``input < other`` elementwise.")
le = _compare("le", np.less_equal, "``input <= other`` elementwise.")
gt = _compare("gt", np.greater, "``input > other`` elementwise.")
ge = _compare("ge", np.greater_equal, "``input >= other`` elementwise.")
logical_and = _compare("logical_and", np.logical_and, "Elementwise AND of truth values.")
logical_or = _compare("logical_or", np.logical_or, "Elementwise OR of truth values.")
logical_xor = _compare("logical_xor", np.logical_xor, "Elementwise XOR of truth values.")


def _bitwise(name, ufunc, doc):
    def op(input, other, *, out=None):
        a, b = _raw_operands(name, input, other, integral=True)
        return _out(Tensor._make(ufunc(a, b)), out)
    op.__name__, op.__doc__ = name, doc
    return op


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, "Bitwise AND of integer or bool tensors.")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, "Bitwise OR of integer or bool tensors.")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, "Bitwise XOR of integer or bool tensors.")


def bitwise_not(input, *, out=None):
    """Bitwise NOT of an integer or bool tensor (logical NOT for bool)."""
    if _tensor_arg("bitwise_not", input).is_floating_point():
        raise _not_implemented("bitwise_not", input.dtype, input)
    return _out(Tensor._make(np.invert(input._data)), out)


def frexp(input, *, out=None):
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent`` and ``|mantissa|`` in
    [0.5, 1) (int32 exponents; no gradient)."""
    if not _tensor_arg("frexp", input).is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    from .reduction import return_types
    mantissa, exponent = xp_of(input._data).frexp(input._data)
    return return_types["frexp"](Tensor._make(mantissa), Tensor._make(exponent.astype(np.int32)))


def _integral_binary(name, kernel, compute, doc):
    """A binary op of integer tensors (after promotion); other dtypes get PyTorch's error for
    ``kernel``."""
    def op(input, other, *, out=None):
        a, b = _raw_operands(name, input, other)
        dt = _dtype.result_type(input, other)
        if dt.np_dtype.kind not in "iu":
            raise _not_implemented(kernel, dt, input if isinstance(input, Tensor) else other)
        return _out(Tensor._make(compute(a, b)), out)
    op.__name__, op.__doc__ = name, doc
    return op


def _shift(ufunc, shifted_out):
    """The bit shift ``ufunc``; shifting by the width or more gives ``shifted_out(a)``, as in
    PyTorch (C leaves it undefined)."""
    def compute(a, b):
        xp = xp_of(a if hasattr(a, "dtype") else b)
        a, b = xp.asarray(a), xp.asarray(b)
        bits = 8 * a.dtype.itemsize
        return xp.where(b >= bits, shifted_out(a), ufunc(a, xp.minimum(b, bits - 1))).astype(a.dtype)
    return compute


gcd = _integral_binary("gcd", "gcd", np.gcd, "Greatest common divisor.")
lcm = _integral_binary("lcm", "lcm", np.lcm, "Least common multiple.")
bitwise_left_shift = _integral_binary("bitwise_left_shift", "lshift",
                                      _shift(np.left_shift, lambda a: 0), "``input << other``.")
bitwise_right_shift = _integral_binary("bitwise_right_shift", "rshift",
                                       _shift(np.right_shift, lambda a: (a < 0) * -1),
                                       "``input >> other`` (arithmetic: the sign is kept).")


def heaviside(input, values, *, out=None):
    """The step function: 0 below zero, 1 above, ``values`` at zero (no gradient)."""
    _tensor_arg("heaviside", input), _tensor_arg("heaviside", values, "values", 2)
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    a = input._data
    xp = xp_of(a)
    return _out(Tensor._make(xp.where(a == 0, values._data, a > 0).astype(a.dtype)), out)


def nextafter(input, other, *, out=None):
    """The next floating-point value after ``input`` towards ``other`` (no gradient)."""
    a, b = _raw_operands("nextafter", _tensor_arg("nextafter", input),
                         _tensor_arg("nextafter", other, "other", 2))
    if a.dtype.kind != "f":
        raise _not_implemented("nextafter", input.dtype, input)
    return _out(Tensor._make(np.nextafter(a, b)), out)


def _invert(self):
    if self.is_floating_point():
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool(eq(input, other)._data.all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise (same dtypes required)."""
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{scalar_type_name(input)} did not match {scalar_type_name(other)}")
    xp = xp_of(input._data)
    return Tensor._make(xp.isclose(input._data, other._data, rtol=rtol, atol=atol,
                                   equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when ``isclose`` holds everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# -- fills (in-place only; through Copy so that autograd sees the overwrite) ---------------
# the C++ type PyTorch names when a fill value overflows the tensor's dtype
_FILL_TYPE_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
                    "int64": "int64_t", "float16": "c10::Half", "float32": "float",
                    "float64": "double"}


def checked_fill_value(dtype, value):
    """The number ``value`` converted for the NumPy ``dtype`` as PyTorch converts a Scalar:
    integer dtypes take the values in their range (unsigned ones also ints down to ``-max``,
    wrapped), floats truncated; floating dtypes the values below their maximum, inf and nan."""
    if isinstance(value, Tensor) or isinstance(value, (bool, np.bool_)):
        return value
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 64:  # an int64 or a uint64
        raise OverflowError("can't convert negative int to unsigned" if value < 0 else
                            "int too big to convert")
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = -info.max if dtype.kind == "u" else info.min, info.max
        if isinstance(value, float):  # compared as doubles: 2.0 ** 63 passes into int64
            low, high = float(info.min), float(info.max)
        if low <= value <= high:  # False for nan
            return (int(value) - info.min) % 2 ** info.bits + info.min  # two's complement
    elif dtype.kind == "f":
        largest = float(np.finfo(dtype).max)
        if not math.isfinite(value) or -largest <= value <= largest:
            return value
    else:  # bool
        return bool(value)
    raise RuntimeError(f"value cannot be converted to type {_FILL_TYPE_NAMES[dtype.name]} "
                       "without overflow")


def _fill(input, value):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    value = checked_fill_value(input._data.dtype, _operand("fill_", "value", 1, value))
    return F.Copy.apply(input, value)


def _zero(input):
    return F.Copy.apply(input, 0)


def _copy(input, src, non_blocking=False):
    src = _operand("copy_", "other", 1, src)
    if not isinstance(src, Tensor):  # a number is copied as a 0-d tensor: cast, not range-checked
        src = Tensor._make(np.asarray(src))
    src = src.to(input.device)
    shape = input._data.shape
    error = _size_mismatch(input, src)
    if error is None and np.broadcast_shapes(shape, src._data.shape) != shape:
        error = RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                             f"{list(np.broadcast_shapes(shape, src._data.shape))}")
    if error is not None:
        raise error
    return F.Copy.apply(input, src)


# -- Tensor methods, operators and in-place forms ------------------------------------------
def _operator(fn, reflected=False, fast=None):
    """A binary operator: unsupported operand types give Python's TypeError (NotImplemented).

    ``fast`` is the Function to apply directly when promotion and validation have nothing to
    do (a float tensor with a Python float or a tensor of its dtype): the per-op overhead of
    small-tensor code is dominated by this path.
    """
    def method(self, other):
        if fast is not None and self._data.dtype.kind == "f" and (
                type(other) is float or type(other) is int
                or type(other) is Tensor and other._data.dtype == self._data.dtype):
            try:
                return fast.apply(other, self) if reflected else fast.apply(self, other)
            except ValueError:
                pass  # not broadcastable: the full path below raises PyTorch's error
        if not isinstance(other, (Tensor,) + _NUMBERS):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    return method


def _polygamma_method(self, n):
    return polygamma(n, self)


def _where_method(self, condition, other):
    return where(condition, self, other)


_UNARY = {
    "abs": abs, "neg": neg, "exp": exp, "expm1": expm1, "log": log, "log1p": log1p,
    "log2": log2, "log10": log10, "sqrt": sqrt, "rsqrt": rsqrt, "square": square,
    "reciprocal": reciprocal, "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos,
    "atan": atan, "sinh": sinh, "cosh": cosh, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
    "erf": erf, "erfinv": erfinv, "sign": sign, "floor": floor, "ceil": ceil, "round": round,
    "trunc": trunc, "frac": frac, "nan_to_num": nan_to_num,
    "absolute": abs, "negative": neg, "arcsin": asin, "arccos": acos, "arctan": atan, "fix": trunc,
    "acosh": acosh, "asinh": asinh, "atanh": atanh, "arccosh": acosh, "arcsinh": asinh,
    "arctanh": atanh, "exp2": exp2, "erfc": erfc, "lgamma": lgamma, "digamma": digamma, "i0": i0,
    "sinc": sinc, "logit": logit, "deg2rad": deg2rad, "rad2deg": rad2deg, "sgn": sign,
    "mvlgamma": mvlgamma,
}
_BINARY = {
    "add": add, "sub": sub, "mul": mul, "div": div, "floor_divide": floor_divide, "fmod": fmod,
    "remainder": remainder, "pow": pow, "atan2": atan2, "hypot": hypot, "maximum": maximum,
    "minimum": minimum, "addcmul": addcmul, "addcdiv": addcdiv, "lerp": lerp, "clamp": clamp,
    "clamp_min": clamp_min, "clamp_max": clamp_max, "clip": clamp, "masked_fill": masked_fill,
    "subtract": sub, "multiply": mul, "divide": div, "true_divide": div, "arctan2": atan2,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "less": lt,
    "greater_equal": ge, "less_equal": le, "not_equal": ne,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "xlogy": xlogy, "copysign": copysign, "float_power": float_power, "ldexp": ldexp,
    "nextafter": nextafter, "heaviside": heaviside, "gcd": gcd, "lcm": lcm,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
}
# no in-place forms in PyTorch
_NOT_INPLACE = {"logaddexp": logaddexp, "logaddexp2": logaddexp2, "fmax": fmax, "fmin": fmin,
                "angle": angle, "signbit": signbit, "frexp": frexp}
_OTHER = {"rsub": rsub, "isnan": isnan, "isinf": isinf, "isfinite": isfinite, "equal": equal,
          "isclose": isclose, "allclose": allclose, "isposinf": isposinf, "isneginf": isneginf,
          "isreal": isreal}

FUNCTIONS = {**_UNARY, **_BINARY, **_OTHER, **_NOT_INPLACE, **_COMPLEX_PARTS, "where": where,
             "polygamma": polygamma, "is_complex": is_complex, "is_conj": _not_conjugated,
             "is_neg": _not_conjugated}

_OPERATORS = {"add": add, "sub": sub, "mul": mul, "truediv": div, "floordiv": floor_divide,
              "mod": remainder, "pow": pow, "and": bitwise_and, "or": bitwise_or,
              "xor": bitwise_xor, "lshift": bitwise_left_shift, "rshift": bitwise_right_shift}

_FAST = {"add": F.Add, "sub": F.Sub, "mul": F.Mul, "truediv": F.Div}

METHODS = {
    **_UNARY, **_BINARY, **_NOT_INPLACE, **{k: v for k, v in _OTHER.items() if k != "rsub"},
    "polygamma": _polygamma_method, "is_conj": _not_conjugated, "is_neg": _not_conjugated,
    **_COMPLEX_PARTS, "real": property(_itself), "imag": property(imag),
    "where": _where_method,
    **{f"__{name}__": _operator(fn, fast=_FAST.get(name)) for name, fn in _OPERATORS.items()},
    **{f"__r{name}__": _operator(fn, reflected=True, fast=_FAST.get(name))
       for name, fn in _OPERATORS.items()},
    "__eq__": _operator(eq), "__ne__": _operator(ne), "__lt__": _operator(lt),
    "__le__": _operator(le), "__gt__": _operator(gt), "__ge__": _operator(ge),
    "__neg__": neg, "__pos__": lambda self: self, "__abs__": abs, "__invert__": _invert,
    "__hash__": Tensor.__hash__,  # defining __eq__ must not make tensors unhashable
}

INPLACE = {
    **{f"{name}_": fn for name, fn in {**_UNARY, **_BINARY}.items()},
    **{f"__i{name}__": fn for name, fn in _OPERATORS.items()},
    "zero_": _zero, "fill_": _fill, "copy_": _copy, "polygamma_": _polygamma_method,
}
INPLACE_UFUNCS = {add: "add", sub: "subtract", mul: "multiply", div: "true_divide"}
