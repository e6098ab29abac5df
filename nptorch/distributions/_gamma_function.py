"""Gamma draws with implicit reparameterisation gradients.

For ``x ~ Gamma(alpha, 1)`` drawn by inverting its CDF ``F(x; alpha) = u``, the derivative at
fixed ``u`` is ``dx/dalpha = -(dF/dalpha) / (dF/dx)``: no closed form exists for ``dF/dalpha``,
so it is a central difference of ``F`` in float64 (taken on ``1 - F`` in the upper tail, where
``F`` is too close to 1 to difference).
"""
import numpy as np

from .._compat import scipy_special
from .._device import xp_of
from .._tensor import Tensor
from ..autograd import Function
from ..random import generator_for

_RELATIVE_STEP = 1e-5


def _log_density(xp, a, x):
    """``log dF/dx``: the log density of Gamma(a, 1) at x."""
    return (a - 1) * xp.log(x) - x - scipy_special(a).gammaln(a)


def _dF_dalpha(xp, a, x):
    special = scipy_special(a)
    h = _RELATIVE_STEP * a
    lower = (special.gammainc(a + h, x) - special.gammainc(a - h, x)) / (2 * h)
    upper = (special.gammaincc(a - h, x) - special.gammaincc(a + h, x)) / (2 * h)
    return xp.where(x > a, upper, lower)


def _float64(t):
    return t._data.astype(np.float64)


class StandardGamma(Function):
    """Draws from Gamma(alpha, 1) (at least the dtype's smallest normal number), with the
    implicit reparameterisation gradient with respect to ``alpha``."""

    @staticmethod
    def forward(ctx, alpha):
        data = alpha._data
        xp = xp_of(data)
        tiny = np.finfo(data.dtype).tiny
        x = generator_for(None, xp).standard_gamma(data.astype(np.float64))
        x = xp.maximum(x.astype(data.dtype), tiny)
        out = Tensor._make(x)
        ctx.save_for_backward(alpha, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        alpha, x = ctx.saved_tensors
        xp = xp_of(x._data)
        a64, x64 = _float64(alpha), _float64(x)
        with np.errstate(over="ignore", invalid="ignore"):
            dx = -_dF_dalpha(xp, a64, x64) * xp.exp(-_log_density(xp, a64, x64))
        dx = xp.where(xp.isfinite(dx), dx, 0.0)
        return grad * Tensor._make(dx.astype(x._data.dtype))
