"""Elementwise Functions: tables of unary and binary ops, plus where, lerp, clamp and fills.

Binary Functions take Tensors or Python numbers, already promoted by ``_utils.promote``;
``ctx.needs_input_grad`` is False for numbers, so their gradient is never computed. A
derivative is a formula in Tensor ops over the saved values, so it can itself be
differentiated; masks and piecewise-constant factors are plain arrays, whose own derivative
is zero. Broadcasting is undone by ``sum_to``.
"""
import math

import numpy as np

from .._compat import scipy_special
from .._device import device_of, xp_of
from .._ops import ops_for
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ._utils import BuiltinFunction, raw, sum_to


def _const(array):
    """A constant (graph-free) Tensor."""
    return Tensor._make(array)


def _zeros(g):
    return _const(xp_of(g._data).zeros_like(g._data))


def _where(mask, a, b):
    """``where`` on an array mask inside derivatives (differentiable in ``a`` and ``b``)."""
    return Where.apply(mask, a, b)


def _special(name):
    """A ``scipy.special`` ufunc of ``(*args, a)``, from CuPy's twin for GPU arrays; keeps the
    input's dtype."""
    def compute(a, *args):
        return getattr(scipy_special(a), name)(*args, a).astype(a.dtype, copy=False)
    return compute


def _integers_unchanged(fn):
    """Rounding ops return a copy of integer input (NumPy would give floats)."""
    return lambda a, *args: a.copy() if a.dtype.kind in "iub" else fn(a, *args)


# -- unary ---------------------------------------------------------------------------------
class _Unary(BuiltinFunction):
    """``y = compute(x, *args)`` with ``gx = derivative(gy, x, y, *args)``.

    ``saves`` names what the derivative reads ("x", "y"), so nothing else is kept alive
    or checked against in-place changes.
    """

    saves = "x"
    array_formula = False

    @classmethod
    def forward(cls, ctx, x, *args):
        y = Tensor._make(cls.compute(x._data, *args))
        ctx.args = args
        if cls.saves:  # a node with nothing saved can be walked twice, as in PyTorch
            ctx.save_for_backward(x if "x" in cls.saves else None, y if "y" in cls.saves else None)
        return y

    @classmethod
    def backward(cls, ctx, gy):
        x, y = ctx.saved_tensors or (None, None)
        if cls.array_formula and not _grad_state.enabled:
            # no graph wanted: the same formula on the arrays skips the Tensor layer
            gx = Tensor._make(cls.derivative(gy._data, _array(x), _array(y), *ctx.args))
        else:
            gx = cls.derivative(gy, x, y, *ctx.args)
        return (gx,) + (None,) * len(ctx.args)


def _unary(name, compute, derivative, saves="x", array_formula=False):
    """A unary Function; ``array_formula`` marks a derivative written with operators only,
    which therefore also computes on raw arrays."""
    return type(name, (_Unary,), {"compute": staticmethod(compute),
                                  "_raw_forward": staticmethod(compute),
                                  "derivative": staticmethod(derivative), "saves": saves,
                                  "array_formula": array_formula})


def _array(t):
    return t._data if isinstance(t, Tensor) else t


def _no_gradient(gy, *_):
    # sign, floor, round, ... are piecewise constant: zero gradient, as in PyTorch
    return _zeros(gy)


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI, _SQRT_PI_OVER_TWO = 2.0 / math.sqrt(math.pi), math.sqrt(math.pi) / 2.0

Abs = _unary("Abs", np.abs, lambda gy, x, y: gy * _const(np.sign(x._data)))
Neg = _unary("Neg", np.negative, lambda gy, x, y: -gy, saves="", array_formula=True)
Exp = _unary("Exp", np.exp, lambda gy, x, y: gy * y, saves="y", array_formula=True)
Expm1 = _unary("Expm1", np.expm1, lambda gy, x, y: gy * (y + 1), saves="y", array_formula=True)
Log = _unary("Log", np.log, lambda gy, x, y: gy / x, array_formula=True)
Log1p = _unary("Log1p", np.log1p, lambda gy, x, y: gy / (x + 1), array_formula=True)
Log2 = _unary("Log2", np.log2, lambda gy, x, y: gy / (x * _LN2), array_formula=True)
Log10 = _unary("Log10", np.log10, lambda gy, x, y: gy / (x * _LN10), array_formula=True)
Sqrt = _unary("Sqrt", np.sqrt, lambda gy, x, y: gy / (2 * y), saves="y", array_formula=True)
Rsqrt = _unary("Rsqrt", lambda a: 1 / np.sqrt(a), lambda gy, x, y: gy * y * y * y * -0.5,
               saves="y", array_formula=True)
Reciprocal = _unary("Reciprocal", np.reciprocal, lambda gy, x, y: -gy * y * y, saves="y", array_formula=True)
Sin = _unary("Sin", np.sin, lambda gy, x, y: gy * x.cos())
Cos = _unary("Cos", np.cos, lambda gy, x, y: -gy * x.sin())
Tan = _unary("Tan", np.tan, lambda gy, x, y: gy * (1 + y * y), saves="y", array_formula=True)
Asin = _unary("Asin", np.arcsin, lambda gy, x, y: gy * (1 - x * x).rsqrt())
Acos = _unary("Acos", np.arccos, lambda gy, x, y: -gy * (1 - x * x).rsqrt())
Atan = _unary("Atan", np.arctan, lambda gy, x, y: gy / (1 + x * x), array_formula=True)
Sinh = _unary("Sinh", np.sinh, lambda gy, x, y: gy * x.cosh())
Cosh = _unary("Cosh", np.cosh, lambda gy, x, y: gy * x.sinh())
Tanh = _unary("Tanh", np.tanh, lambda gy, x, y: gy * (1 - y * y), saves="y", array_formula=True)
Sigmoid = _unary("Sigmoid", _special("expit"), lambda gy, x, y: gy * y * (1 - y), saves="y", array_formula=True)
# relu'(0) = 0, as in PyTorch: the mask is y > 0, not x >= 0. On arrays both directions are
# kernels (ReLU's output is the largest tensor of many networks).
Relu = _unary("Relu", lambda a: ops_for(device_of(a)).relu(a),
              lambda gy, x, y: _where(y._data > 0, gy, 0) if isinstance(gy, Tensor)
              else ops_for(device_of(y)).relu_backward(gy, y), saves="y", array_formula=True)
Erf = _unary("Erf", _special("erf"), lambda gy, x, y: gy * _TWO_OVER_SQRT_PI * (-x * x).exp())
Erfinv = _unary("Erfinv", _special("erfinv"),
                lambda gy, x, y: gy * _SQRT_PI_OVER_TWO * (y * y).exp(), saves="y")
Acosh = _unary("Acosh", np.arccosh, lambda gy, x, y: gy * (x * x - 1).rsqrt())
Asinh = _unary("Asinh", np.arcsinh, lambda gy, x, y: gy * (x * x + 1).rsqrt())
Atanh = _unary("Atanh", np.arctanh, lambda gy, x, y: gy / (1 - x * x), array_formula=True)
Exp2 = _unary("Exp2", np.exp2, lambda gy, x, y: gy * y * _LN2, saves="y", array_formula=True)
Erfc = _unary("Erfc", _special("erfc"), lambda gy, x, y: -gy * _TWO_OVER_SQRT_PI * (-x * x).exp())
Polygamma = _unary("Polygamma", lambda a, n: _special("polygamma")(a, n) if n else
                   _special("psi")(a),
                   lambda gy, x, y, n: gy * Polygamma.apply(x, n + 1))
Lgamma = _unary("Lgamma", _special("gammaln"), lambda gy, x, y: gy * Polygamma.apply(x, 0))
I0 = _unary("I0", _special("i0"), lambda gy, x, y: gy * I1.apply(x))
I1 = _unary("I1", _special("i1"), lambda gy, x, y: gy * (I0.apply(x) - _where(
    x._data == 0, 0.5, y / _where(x._data == 0, 1, x))), saves="xy")
Sinc = _unary("Sinc", np.sinc, lambda gy, x, y: gy * _where(
    x._data == 0, 0, ((x * math.pi).cos() - y) / _where(x._data == 0, 1, x)), saves="xy")
_SQRT_2PI = math.sqrt(2 * math.pi)
Erfcx = _unary("Erfcx", _special("erfcx"),
               lambda gy, x, y: gy * (2 * x * y - _TWO_OVER_SQRT_PI), saves="xy")
I0e = _unary("I0e", _special("i0e"),
             lambda gy, x, y: gy * (I1e.apply(x) - _const(np.sign(x._data)) * y), saves="xy")
I1e = _unary("I1e", _special("i1e"), lambda gy, x, y: gy * (I0e.apply(x) - _where(
    x._data == 0, 0.5, y * (_const(np.sign(x._data)) + 1 / _where(x._data == 0, 1, x)))),
    saves="xy")
Ndtri = _unary("Ndtri", _special("ndtri"), lambda gy, x, y: gy * _SQRT_2PI * (y * y / 2).exp(),
               saves="y")
LogNdtr = _unary("LogNdtr", _special("log_ndtr"),
                 lambda gy, x, y: gy * (-x * x / 2 - y).exp() / _SQRT_2PI, saves="xy")
Entr = _unary("Entr", _special("entr"), lambda gy, x, y: -gy * (x.log() + 1))
Frac = _unary("Frac", lambda a: a - np.trunc(a), lambda gy, x, y: gy, saves="", array_formula=True)
NanToNum = _unary("NanToNum",
                  lambda a, nan, posinf, neginf: np.nan_to_num(a, nan=nan, posinf=posinf,
                                                               neginf=neginf),
                  lambda gy, x, *_: _where(np.isfinite(x._data), gy, 0))
Sign = _unary("Sign", np.sign, _no_gradient, saves="")
Floor = _unary("Floor", _integers_unchanged(np.floor), _no_gradient, saves="")
Ceil = _unary("Ceil", _integers_unchanged(np.ceil), _no_gradient, saves="")
Trunc = _unary("Trunc", _integers_unchanged(np.trunc), _no_gradient, saves="")
Round = _unary("Round", _integers_unchanged(np.round), _no_gradient, saves="")


# -- binary --------------------------------------------------------------------------------
class _Binary(BuiltinFunction):
    """``out = compute(x, y)`` with gradients ``dx(g, x, y, out)`` and ``dy(g, x, y, out)``.

    ``saves`` names the values the derivatives read: "x", "y", "o" for the output; "X" for x
    only when ``y`` needs a gradient, "Y" for y only when ``x`` does, "O" for the output only
    when ``y`` does (as PyTorch saves them: an operand changed in place afterwards breaks only
    the derivatives that read it). A Python number operand is passed to the derivatives as is.
    """

    saves = "xy"
    array_formula = False
    _save_x = _save_y = True
    _save_x_for_y = _save_y_for_x = _save_out = _save_out_for_y = False

    @classmethod
    def forward(cls, ctx, x, y):
        # The hottest forward of the library: kept to plain branches (see the overhead benchmark).
        tx, ty = isinstance(x, Tensor), isinstance(y, Tensor)
        a = x._data if tx else x
        b = y._data if ty else y
        ctx.shapes = (a.shape if tx else (), b.shape if ty else ())
        ctx.numbers = (None if tx else x, None if ty else y)
        out = Tensor._make(cls.compute(a, b))
        need_x, need_y = ctx.needs_input_grad
        save_x = tx and (cls._save_x or cls._save_x_for_y and need_y)
        save_y = ty and (cls._save_y or cls._save_y_for_x and need_x)
        save_out = cls._save_out or cls._save_out_for_y and need_y
        if save_x or save_y or save_out:  # a node with nothing saved can be walked twice
            ctx.save_for_backward(x if save_x else None, y if save_y else None,
                                  out if save_out else None)
        return out

    @classmethod
    def backward(cls, ctx, g):
        x, y, out = ctx.saved_tensors or (None, None, None)
        nx, ny = ctx.numbers
        x, y = nx if x is None else x, ny if y is None else y
        need_x, need_y = ctx.needs_input_grad
        sx, sy = ctx.shapes
        if cls.array_formula and not _grad_state.enabled:
            # no graph wanted: the same formulas on the arrays skip the Tensor layer
            g, x, y, out = g._data, _array(x), _array(y), _array(out)
            return (Tensor._make(sum_to(cls.dx(g, x, y, out), sx)) if need_x else None,
                    Tensor._make(sum_to(cls.dy(g, x, y, out), sy)) if need_y else None)
        return (sum_to(cls.dx(g, x, y, out), sx) if need_x else None,
                sum_to(cls.dy(g, x, y, out), sy) if need_y else None)


def _binary(name, compute, dx, dy, saves="xy", array_formula=False):
    """A binary Function; ``array_formula`` as for ``_unary``."""
    return type(name, (_Binary,), {
        "compute": staticmethod(compute), "_raw_forward": staticmethod(compute),
        "dx": staticmethod(dx), "dy": staticmethod(dy), "array_formula": array_formula,
        "saves": saves, "_save_x": "x" in saves, "_save_y": "y" in saves,
        "_save_x_for_y": "X" in saves, "_save_y_for_x": "Y" in saves,
        "_save_out": "o" in saves, "_save_out_for_y": "O" in saves})


def _kind(a, b):
    return (a if hasattr(a, "dtype") else b).dtype.kind  # array operands share the result dtype


def _int_division(fn):
    """Integer division by zero raises, as in PyTorch (NumPy would warn and give 0)."""
    def compute(a, b):
        if _kind(a, b) in "iub" and bool(np.any(b == 0)):
            raise RuntimeError("ZeroDivisionError")
        return fn(a, b)
    return compute


def _trunc_divide(a, b):
    if _kind(a, b) == "f":
        return np.trunc(np.true_divide(a, b))
    q = np.floor_divide(a, b)
    return q + ((q < 0) & (q * b != a))  # floor and trunc differ on inexact negative quotients


def _remainder(a, b):
    # PyTorch's definition: fmod moved into b's sign (NumPy's would turn fmod's -0.0 into 0.0)
    m = np.fmod(a, b)
    return np.where((m != 0) & ((m < 0) != (b < 0)), m + b, m)


def _as_tensor(v, like):
    """A Python number as a constant 0-dim Tensor of ``like``'s dtype."""
    return v if isinstance(v, Tensor) else _const(xp_of(like._data).asarray(v, like._data.dtype))


def _pow_dx(g, x, y, out):
    if not isinstance(y, Tensor):
        return _zeros(g) if y == 0 else g * (y * x ** (y - 1))
    return _where(y._data == 0, 0, g * (y * x ** (y - 1)))


def _pow_dy(g, x, y, out):
    x = _as_tensor(x, y)
    # 0 ** y has a zero gradient for y >= 0 (PyTorch's convention) rather than 0 * log(0)
    return _where((x._data == 0) & (y._data >= 0), 0, g * (out * x.log()))


def _tie_weights(a, b, dtype):
    """1 where a wins, 0.5 on ties, 0 where a loses (a NaN counts as winning, as in PyTorch)."""
    return _const((1 - (a < b) - 0.5 * (a == b)).astype(dtype))


Add = _binary("Add", np.add, lambda g, x, y, o: g, lambda g, x, y, o: g, saves="", array_formula=True)
Sub = _binary("Sub", np.subtract, lambda g, x, y, o: g, lambda g, x, y, o: -g, saves="", array_formula=True)
Mul = _binary("Mul", np.multiply, lambda g, x, y, o: g * y, lambda g, x, y, o: g * x, saves="XY",
              array_formula=True)
Div = _binary("Div", np.true_divide, lambda g, x, y, o: g / y, lambda g, x, y, o: -g * x / (y * y),
              saves="Xy", array_formula=True)
Pow = _binary("Pow", np.power, _pow_dx, _pow_dy, saves="xyO")
Atan2 = _binary("Atan2", np.arctan2, lambda g, x, y, o: g * y / (x * x + y * y),
                lambda g, x, y, o: -g * x / (x * x + y * y), array_formula=True)
Hypot = _binary("Hypot", np.hypot, lambda g, x, y, o: g * x / o, lambda g, x, y, o: g * y / o,
                saves="xyo", array_formula=True)
Maximum = _binary("Maximum", np.maximum,
                  lambda g, x, y, o: g * _tie_weights(x._data, y._data, g._data.dtype),
                  lambda g, x, y, o: g * _tie_weights(y._data, x._data, g._data.dtype))
Minimum = _binary("Minimum", np.minimum,
                  lambda g, x, y, o: g * _tie_weights(y._data, x._data, g._data.dtype),
                  lambda g, x, y, o: g * _tie_weights(x._data, y._data, g._data.dtype))
Fmod = _binary("Fmod", _int_division(np.fmod), lambda g, x, y, o: g,
               lambda g, x, y, o: -g * _const(_trunc_divide(raw(x), y._data)))
Remainder = _binary("Remainder", _int_division(_remainder), lambda g, x, y, o: g,
                    lambda g, x, y, o: -g * _const(np.floor_divide(raw(x), y._data)))


def _xlogy(log):
    """``x * log(y)``, 0 where ``x`` is 0 (unless ``y`` is NaN)."""
    def compute(a, b):
        dtype = (a if hasattr(a, "dtype") else b).dtype  # a number takes the array's dtype
        a, b = (v if hasattr(v, "dtype") else np.asarray(v, dtype) for v in (a, b))
        return np.where((a == 0) & ~np.isnan(b), 0, a * log(b)).astype(dtype, copy=False)
    return compute


def _picked(first_wins, dtype):
    """Gradient masks of ``fmax``/``fmin``: all of it to the first operand where it was taken
    (ties included), else all to the second."""
    return _const(first_wins.astype(dtype)), _const((~first_wins).astype(dtype))


def _fmax_masks(x, y):
    return _picked((x._data >= y._data) | np.isnan(y._data), x._data.dtype)


def _fmin_masks(x, y):
    return _picked((x._data <= y._data) | np.isnan(y._data), x._data.dtype)


def _xlogy_dx(cls, pole):
    """``d/dx x log(y) = log(y)`` (``cls`` computes ``x log(y)``), taken as 0 where x is 0 and
    y at or past the pole."""
    return staticmethod(
        lambda g, x, y, o: _where((raw(x) == 0) & (raw(y) <= pole), 0, cls.apply(g, y)))


Xlogy = _binary("Xlogy", _xlogy(np.log), None, lambda g, x, y, o: g * x / y)
Xlogy.dx = _xlogy_dx(Xlogy, 0)
Xlog1py = _binary("Xlog1py", _xlogy(np.log1p), None, lambda g, x, y, o: g * x / (y + 1))
Xlog1py.dx = _xlogy_dx(Xlog1py, -1)
LogAddExp = _binary("LogAddExp", np.logaddexp, lambda g, x, y, o: g * (x - o).exp(),
                    lambda g, x, y, o: g * (y - o).exp(), saves="xyo")
LogAddExp2 = _binary("LogAddExp2", np.logaddexp2, lambda g, x, y, o: g * Exp2.apply(x - o),
                     lambda g, x, y, o: g * Exp2.apply(y - o), saves="xyo")
# d copysign(x, y) / dx is +-1 (0 at x = 0); y only chooses a sign
Copysign = _binary("Copysign", np.copysign,
                   lambda g, x, y, o: g * _const(np.sign(x._data) * np.sign(o._data)),
                   lambda g, x, y, o: _zeros(g), saves="xo")
Fmax = _binary("Fmax", np.fmax, lambda g, x, y, o: g * _fmax_masks(x, y)[0],
               lambda g, x, y, o: g * _fmax_masks(x, y)[1])
Fmin = _binary("Fmin", np.fmin, lambda g, x, y, o: g * _fmin_masks(x, y)[0],
               lambda g, x, y, o: g * _fmin_masks(x, y)[1])
# rounded divisions are piecewise constant: zero gradients, as torch.div(rounding_mode=...)
DivFloor = _binary("DivFloor", _int_division(np.floor_divide), _no_gradient, _no_gradient, saves="")
DivTrunc = _binary("DivTrunc", _int_division(_trunc_divide), _no_gradient, _no_gradient, saves="")


# -- ternary and fills ---------------------------------------------------------------------
def _shape(v):
    return v._data.shape if isinstance(v, Tensor) else ()


class Where(BuiltinFunction):
    """``x`` where ``condition`` (an array) holds, else ``y``."""

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.condition, ctx.shapes = condition, (_shape(x), _shape(y))
        return xp_of(condition).where(condition, raw(x), raw(y))

    @staticmethod
    def backward(ctx, g):
        _, nx, ny = ctx.needs_input_grad
        c, (sx, sy) = ctx.condition, ctx.shapes
        return (None, sum_to(_where(c, g, 0), sx) if nx else None,
                sum_to(_where(c, 0, g), sy) if ny else None)


class Lerp(BuiltinFunction):
    """``start + weight * (end - start)``, computed as PyTorch does for accuracy near 1."""

    @staticmethod
    def forward(ctx, start, end, weight):
        s, e, w = start._data, end._data, raw(weight)
        ctx.save_for_backward(start, end, weight if isinstance(weight, Tensor) else None)
        ctx.weight, ctx.shapes = weight, (s.shape, e.shape, _shape(weight))
        d = e - s
        if not isinstance(weight, Tensor):
            return s + w * d if abs(w) < 0.5 else e - d * (1 - w)
        return xp_of(s).where(np.abs(w) < 0.5, s + w * d, e - d * (1 - w))

    @staticmethod
    def backward(ctx, g):
        start, end, weight = ctx.saved_tensors
        w = ctx.weight if weight is None else weight
        ns, ne, nw = ctx.needs_input_grad
        ss, se, sw = ctx.shapes
        return (sum_to(g * (1 - w), ss) if ns else None, sum_to(g * w, se) if ne else None,
                sum_to(g * (end - start), sw) if nw else None)


class Clamp(BuiltinFunction):
    """``min(max(x, lo), hi)``; bounds are Tensors, numbers or None.

    The gradient goes to ``x`` where ``lo <= x <= hi`` (bounds included), else to the bound
    that was taken, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, lo, hi):
        out = x._data
        if lo is not None:
            out = np.maximum(out, raw(lo))
        if hi is not None:
            out = np.minimum(out, raw(hi))
        ctx.save_for_backward(x, *(v if isinstance(v, Tensor) else None for v in (lo, hi)))
        ctx.bounds, ctx.shapes = (lo, hi), (x._data.shape, _shape(lo), _shape(hi))
        return out

    @staticmethod
    def backward(ctx, g):
        x, lo_t, hi_t = ctx.saved_tensors
        lo, hi = (t._data if t is not None else b for t, b in zip((lo_t, hi_t), ctx.bounds))
        xd, (sx, slo, shi) = x._data, ctx.shapes
        nx, nlo, nhi = ctx.needs_input_grad
        inside = True
        if lo is not None:
            inside = inside & (xd >= lo)
        if hi is not None:
            inside = inside & (xd <= hi)
        gx = sum_to(_where(inside, g, 0), sx) if nx else None
        glo = ghi = None
        if nlo:
            below = (xd < lo) if hi is None else (xd < lo) & (lo < hi)
            glo = sum_to(_where(below, g, 0), slo)
        if nhi:
            above = (xd > hi) if lo is None else (xd > hi) | (hi < lo)
            ghi = sum_to(_where(above, g, 0), shi)
        return gx, glo, ghi


class MaskedFill(BuiltinFunction):
    """``x`` with ``value`` (a number or 0-dim Tensor) where ``mask`` (an array) holds."""

    @staticmethod
    def forward(ctx, x, mask, value):
        xp = xp_of(x._data)
        ctx.mask, ctx.shape = mask, x._data.shape
        ctx.value_dtype = value.dtype if isinstance(value, Tensor) else None
        return xp.where(mask, xp.asarray(raw(value), dtype=x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, g):
        nx, _, nv = ctx.needs_input_grad
        gx = sum_to(_where(ctx.mask, 0, g), ctx.shape) if nx else None
        gv = _where(ctx.mask, g, 0).sum().to(ctx.value_dtype) if nv else None
        return gx, None, gv


class Copy(BuiltinFunction):
    """``x`` overwritten by ``src`` (a Tensor, number or array) broadcast and cast to ``x``.

    The old value of ``x`` gets a zero gradient; a Tensor ``src`` gets the gradient back in
    its own shape and dtype. Serves ``copy_``, ``fill_``, ``zero_`` and the random fills.
    """

    @staticmethod
    def forward(ctx, x, src):
        xp = xp_of(x._data)
        ctx.src = (src._data.shape, src.dtype) if isinstance(src, Tensor) else None
        out = xp.empty_like(x._data, order="C")
        out[...] = raw(src)
        return out

    @staticmethod
    def backward(ctx, g):
        nx, ns = ctx.needs_input_grad
        gsrc = None
        if ns:
            shape, dtype = ctx.src
            gsrc = sum_to(g, shape).to(dtype)
        return (_zeros(g) if nx else None), gsrc

