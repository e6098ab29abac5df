"""``nptorch.special``: PyTorch's special functions (``torch.special``), differentiable where
PyTorch's are."""
import numpy as np

from . import _dtype
from ._api import math as _math, reduction as _reduction
from ._api.math import _floating, _out, _tensor_arg
from ._api.numeric import (Igamma, Igammac, igamma as _igamma, igammac as _igammac,
                           incomplete_gamma)
from ._compat import scipy_special
from ._device import xp_of
from ._functions import elementwise as _F
from ._functions.elementwise import _special
from ._tensor import Tensor

expit = _math.sigmoid
logit = _math.logit
erf, erfc, erfinv = _math.erf, _math.erfc, _math.erfinv
exp2, expm1, log1p = _math.exp2, _math.expm1, _math.log1p
gammaln, digamma, psi, polygamma = _math.lgamma, _math.digamma, _math.digamma, _math.polygamma
multigammaln = _math.mvlgamma
i0, sinc, round, xlogy = _math.i0, _math.sinc, _math.round, _math.xlogy
logsumexp = _reduction.logsumexp
softmax, log_softmax = _reduction.softmax, _reduction.log_softmax


def _unary(name, cls, doc):
    def op(input, *, out=None):
        return _out(cls.apply(_floating(_tensor_arg(name, input))), out)
    op.__name__, op.__doc__ = name, doc
    return op


erfcx = _unary("erfcx", _F.Erfcx, "The scaled complementary error function "
                                   "``exp(x ** 2) * erfc(x)``.")
i0e = _unary("i0e", _F.I0e, "``exp(-|x|) * i0(x)``.")
i1 = _unary("i1", _F.I1, "The modified Bessel function of the first kind, order 1.")
i1e = _unary("i1e", _F.I1e, "``exp(-|x|) * i1(x)``.")
ndtri = _unary("ndtri", _F.Ndtri, "The inverse of ``ndtr``: the standard normal quantile.")
log_ndtr = _unary("log_ndtr", _F.LogNdtr, "``log(ndtr(x))``, accurate far into the left tail.")
entr = _unary("entr", _F.Entr, "``-x * log(x)`` (0 at 0, -inf below).")


def ndtr(input, *, out=None):
    """The standard normal cumulative distribution function."""
    x = _floating(_tensor_arg("ndtr", input))
    return _out(_math.erfc(x * -0.7071067811865476) * 0.5, out)


def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return _math._binary("xlog1py", _F.Xlog1py, input, other, floating=True, out=out)


def _check_not_half(name, dtype, like):
    if dtype == _dtype.float16:
        raise _math._not_implemented(name, dtype, like)


def _not_differentiated(name, scipy_name, compute=None):
    """A special function that PyTorch does not differentiate (its result has no gradient);
    ``compute`` maps an array to the result, SciPy's ufunc ``scipy_name`` by default."""
    compute = compute or _special(scipy_name)

    def op(input, *, out=None):
        x = _floating(_tensor_arg(name, input))
        _check_not_half(name, x.dtype, x)
        return _out(Tensor._make(compute(x._data)), out)
    op.__name__ = name
    op.__doc__ = f"SciPy's ``{scipy_name}`` (no gradient, as in PyTorch)."
    return op


bessel_j0 = _not_differentiated("bessel_j0", "j0")
bessel_j1 = _not_differentiated("bessel_j1", "j1")
bessel_y0 = _not_differentiated("bessel_y0", "y0")
bessel_y1 = _not_differentiated("bessel_y1", "y1")
modified_bessel_i0 = _not_differentiated("modified_bessel_i0", "i0")
modified_bessel_i1 = _not_differentiated("modified_bessel_i1", "i1")
modified_bessel_k0 = _not_differentiated("modified_bessel_k0", "k0")
modified_bessel_k1 = _not_differentiated("modified_bessel_k1", "k1")
scaled_modified_bessel_k0 = _not_differentiated("scaled_modified_bessel_k0", "k0e")
scaled_modified_bessel_k1 = _not_differentiated("scaled_modified_bessel_k1", "k1e")
airy_ai = _not_differentiated(
    "airy_ai", "airy", lambda a: scipy_special(a).airy(a)[0].astype(a.dtype, copy=False))
spherical_bessel_j0 = _not_differentiated(
    "spherical_bessel_j0", "spherical_jn",
    lambda a: scipy_special(a).spherical_jn(0, a).astype(a.dtype, copy=False))

gammainc = incomplete_gamma("special_gammainc", Igamma, _igamma.__doc__)
gammaincc = incomplete_gamma("special_gammaincc", Igammac, _igammac.__doc__)


# -- Hurwitz zeta ------------------------------------------------------------------------------
def _two_numbers(name, x, y):
    """PyTorch's error for a binary special function given two numbers."""
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({type(x).__name__}, {type(y).__name__}), but expected one of: "
                     "(Tensor, Tensor), (Number, Tensor), (Tensor, Number)")


def _zeta_compute(s, q):
    like = s if hasattr(s, "dtype") else q
    xp = xp_of(like)
    # SciPy's limit at q = +inf is 0; PyTorch gives NaN
    z = xp.where(xp.asarray(q) == np.inf, np.nan, scipy_special(like).zeta(s, q))
    return z.astype(like.dtype, copy=False)


def _zeta_input_derivative(g, s, q, out):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


SpecialZeta = _F._binary("SpecialZeta", _zeta_compute, _zeta_input_derivative,
                         lambda g, s, q, out: g * -s * SpecialZeta.apply(s + 1, q))


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``; differentiable in ``other``
    only, as in PyTorch."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise _two_numbers("special_zeta", input, other)
    like = input if isinstance(input, Tensor) else other
    _check_not_half("zeta", _dtype.result_type(input, other), like)
    return _math._binary("special_zeta", SpecialZeta, input, other, floating=True, out=out)


# -- orthogonal polynomials ----------------------------------------------------------------------
def _recurrence(x, n, first, step):
    """``P_n(x)`` elementwise for the family with ``P_0 = 1``, ``P_1 = first(x)`` and
    ``P_{k+1} = step(k, x, P_k, P_{k-1})``; 0 where ``n < 0``. Each element runs the
    recurrence up to its own ``n``."""
    xp = xp_of(x)
    x, n = xp.broadcast_arrays(x, n)
    with np.errstate(all="ignore"):  # large degrees overflow to inf, as in PyTorch
        out = xp.where(n == 0, 1, xp.where(n == 1, first(x), 0)).astype(x.dtype)
        flat = out.reshape(-1)
        live = xp.flatnonzero(n >= 2)
        xs, ns = x.reshape(-1)[live], n.reshape(-1)[live]
        prev, cur, k = xp.ones_like(xs), first(xs), 1
        while live.size:
            prev, cur, k = cur, step(k, xs, cur, prev), k + 1
            done = ns == k
            if done.any():
                flat[live[done]] = cur[done]
                keep = ~done
                live, xs, ns, prev, cur = live[keep], xs[keep], ns[keep], prev[keep], cur[keep]
    return out


def _degrees(n):
    """Degrees as PyTorch takes them: truncated to integers, non-finite ones as negative."""
    if n.dtype.kind != "f":
        return n.astype(np.int64)
    xp = xp_of(n)
    return xp.where(xp.isfinite(n), xp.trunc(n), -1).astype(np.int64)


def _polynomial(name, first, step, shifted=False):
    """The polynomial family of ``_recurrence`` (at ``2x - 1`` when ``shifted``) as a special
    function of ``(x, n)``; the degree ``n`` is truncated to an integer. Not differentiable,
    as in PyTorch."""
    def op(x, n, *, out=None):
        if not isinstance(x, Tensor) and not isinstance(n, Tensor):
            raise _two_numbers(f"special_{name}", x, n)
        dt = _dtype.result_type(x, n)
        dt = dt if dt.is_floating_point else _dtype.get_default_dtype()
        like = x if isinstance(x, Tensor) else n
        _check_not_half(name, dt, like)
        error = _math._size_mismatch(x, n)
        if error is not None:
            raise error
        xp = xp_of(like._data)
        xa = (x._data if isinstance(x, Tensor) else xp.asarray(x)).astype(dt.np_dtype)
        na = n._data if isinstance(n, Tensor) else xp.asarray(n)
        if shifted:
            xa = 2 * xa - 1
        return _out(Tensor._make(_recurrence(xa, _degrees(na), first, step)), out)
    op.__name__ = name
    op.__doc__ = (f"``{name}`` of degree ``n`` (truncated to an integer; 0 below 0) at ``x``, "
                  "without gradient, as in PyTorch.")
    return op


def _chebyshev_step(k, x, p, q):
    return 2 * x * p - q


def _chebyshev(kind, first, shifted=False):
    """The Chebyshev polynomials of one kind, which differ only in ``P_1 = first(x)``."""
    name = f"{'shifted_' if shifted else ''}chebyshev_polynomial_{kind}"
    return _polynomial(name, first, _chebyshev_step, shifted)


def _x(x):
    return x


def _2x(x):
    return 2 * x


def _2x_minus_1(x):
    return 2 * x - 1


def _2x_plus_1(x):
    return 2 * x + 1


chebyshev_polynomial_t = _chebyshev("t", _x)
chebyshev_polynomial_u = _chebyshev("u", _2x)
chebyshev_polynomial_v = _chebyshev("v", _2x_minus_1)
chebyshev_polynomial_w = _chebyshev("w", _2x_plus_1)
shifted_chebyshev_polynomial_t = _chebyshev("t", _x, shifted=True)
shifted_chebyshev_polynomial_u = _chebyshev("u", _2x, shifted=True)
shifted_chebyshev_polynomial_v = _chebyshev("v", _2x_minus_1, shifted=True)
shifted_chebyshev_polynomial_w = _chebyshev("w", _2x_plus_1, shifted=True)
hermite_polynomial_h = _polynomial("hermite_polynomial_h", _2x,
                                   lambda k, x, p, q: 2 * x * p - 2 * k * q)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", _x,
                                    lambda k, x, p, q: x * p - k * q)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", lambda x: 1 - x,
                                    lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1))
legendre_polynomial_p = _polynomial("legendre_polynomial_p", _x,
                                    lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))
