"""``nptorch.special``: PyTorch's special functions (``torch.special``), differentiable where
PyTorch's are."""
from ._api import math as _math, reduction as _reduction
from ._api.math import _floating, _out, _tensor_arg
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


def _not_differentiated(name, scipy_name):
    """A special function that PyTorch does not differentiate (its result has no gradient)."""
    compute = _special(scipy_name)

    def op(input, *, out=None):
        return _out(Tensor._make(compute(_floating(_tensor_arg(name, input))._data)), out)
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
