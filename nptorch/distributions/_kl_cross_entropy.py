"""KL divergences computed as ``KL(p || q) = H(p, q) - H(p)``: the cross-entropy
``H(p, q) = -E_p[log q(x)]`` less the entropy of ``p``; and the pairs whose divergence is
always ``+inf``.

``log q(x)`` combines a few functions of ``x`` (``x``, ``x^2``, ``log x``, ``exp(-x / s)``,
...), so the cross-entropy with ``q`` needs from ``p`` only their expectations. Below, each
family ``q`` writes its cross-entropy with those expectations; ``p.mean`` and ``p.variance``
come from the distribution, the others from the tables ``_MEAN_LOG`` and ``_MEAN_EXP_NEG``. The
divergence is ``+inf`` where the support of ``p`` reaches outside that of ``q``, or where an
expectation diverges.
"""
import math

import nptorch
from nptorch.special import xlogy

from .continuous_bernoulli import ContinuousBernoulli
from .discrete import Bernoulli, Binomial, Geometric, Poisson
from .extreme_value import Gumbel
from .gamma import Beta, Gamma
from .kl import infinite_where, register_kl
from .location_scale import Laplace, Normal
from .power_laws import Pareto
from .uniform import Exponential, Uniform
from .utils import euler_constant


def _uniform_mean_log(low, high):
    """``E[log x]`` for ``x`` uniform on ``[low, high]``, ``low >= 0``: the mean slope of
    ``x log x - x``."""
    return (xlogy(high, high) - xlogy(low, low)) / (high - low) - 1


def _gamma_mean_exp_neg(rate, concentration, loc, scale):
    """``E[exp(-(x - loc) / scale)]`` for ``x ~ Gamma(concentration, rate)``: the moment
    generating function ``(1 - t / rate)^-concentration`` at ``t = -1 / scale``."""
    return (loc / scale).exp() * (1 + (rate * scale).reciprocal()).pow(-concentration)


_MEAN_LOG = {  # E_p[log x]
    Beta: lambda p: (nptorch.digamma(p.concentration1)
                     - nptorch.digamma(p.concentration1 + p.concentration0)),
    Exponential: lambda p: -euler_constant - p.rate.log(),
    Pareto: lambda p: p.scale.log() + p.alpha.reciprocal(),
    Uniform: lambda p: _uniform_mean_log(p.low, p.high),
}

_MEAN_EXP_NEG = {  # E_p[exp(-(x - loc) / scale)]
    Exponential: lambda p, loc, scale: _gamma_mean_exp_neg(p.rate, 1, loc, scale),
    Gamma: lambda p, loc, scale: _gamma_mean_exp_neg(p.rate, p.concentration, loc, scale),
    Normal: lambda p, loc, scale: ((loc - p.loc) / scale + 0.5 * (p.scale / scale).pow(2)).exp(),
    Uniform: lambda p, loc, scale: (scale / (p.high - p.low)
                                    * (((loc - p.low) / scale).exp()
                                       - ((loc - p.high) / scale).exp())),
}


def _mean_log(p):
    """``E_p[log x]``."""
    return _for(_MEAN_LOG, p)(p)


def _mean_exp_neg(p, loc, scale):
    """``E_p[exp(-(x - loc) / scale)]``."""
    return _for(_MEAN_EXP_NEG, p)(p, loc, scale)


def _for(table, p):
    """The entry of ``table`` for the family of ``p`` (or its nearest base)."""
    return next(table[t] for t in type(p).__mro__ if t in table)


# Cross-entropies H(p, q), one per family q

def _ce_normal(p, q):
    return (0.5 * math.log(2 * math.pi) + q.scale.log()
            + (p.variance + (p.mean - q.loc).pow(2)) / (2 * q.scale.pow(2)))


def _ce_laplace(p, q):
    """``E_p|x - loc|`` is written for a Normal ``p``, the only one registered."""
    d = p.loc - q.loc
    mean_abs = (math.sqrt(2 / math.pi) * p.scale * (-0.5 * (d / p.scale).pow(2)).exp()
                + d * nptorch.erf(d / (math.sqrt(2) * p.scale)))
    return (2 * q.scale).log() + mean_abs / q.scale


def _ce_gumbel(p, q):
    """``log q(x) = -log scale - z - exp(-z)`` with ``z = (x - loc) / scale``."""
    return q.scale.log() + (p.mean - q.loc) / q.scale + _mean_exp_neg(p, q.loc, q.scale)


def _ce_exponential(p, q):
    return q.rate * p.mean - q.rate.log()


def _ce_gamma(p, q):
    """The Gamma density is the Exponential one with the same rate times
    ``(rate x)^(concentration - 1) / Gamma(concentration)``."""
    k = q.concentration
    return _ce_exponential(p, q) + nptorch.lgamma(k) - (k - 1) * (q.rate.log() + _mean_log(p))


def _ce_pareto(p, q):
    return (q.alpha + 1) * _mean_log(p) - q.alpha.log() - q.alpha * q.scale.log()


def _ce_beta(p, q):
    """``E_p[log(1 - x)]`` is written for a Uniform ``p``, the only one registered."""
    a, b = q.concentration1, q.concentration0
    log_beta = nptorch.lgamma(a) + nptorch.lgamma(b) - nptorch.lgamma(a + b)
    mean_log1m = _uniform_mean_log(1 - p.high, 1 - p.low)
    return log_beta - (a - 1) * _mean_log(p) - (b - 1) * mean_log1m


def _ce_uniform(p, q):
    return (q.high - q.low).log()


def _ce_continuous_bernoulli(p, q):
    return -p.mean * q.logits - (-q.probs).log1p() - q._cont_bern_log_norm()


def _ce_poisson(p, q):
    """``E_p[log x!]`` vanishes for a ``p`` on ``{0, 1}`` (Bernoulli, the only one
    registered)."""
    return q.rate - p.mean * q.rate.log()


def _ce_geometric(p, q):
    return -p.mean * (-q.probs).log1p() - q.probs.log()


# Where the divergence is +inf

def _bounds(d):
    support = d.support
    return getattr(support, "lower_bound", -math.inf), getattr(support, "upper_bound", math.inf)


def _outside_support(p, q):
    (low_p, high_p), (low_q, high_q) = _bounds(p), _bounds(q)
    return (low_p < low_q) | (high_p > high_q)


def _touching_support(p, q):
    """PyTorch's test for a ContinuousBernoulli and a Uniform, either way round: supports that
    share an end count as a mismatch too (so a ContinuousBernoulli's divergence from
    ``Uniform(0, 1)`` is ``+inf``)."""
    (low_p, high_p), (low_q, high_q) = _bounds(p), _bounds(q)
    return (low_p <= low_q) | (high_p >= high_q)


def _mean_diverges(p, q):
    return p.alpha <= 1


def _variance_diverges(p, q):
    return p.alpha <= 2


_PAIRS = [  # p, q, H(p, q), where the divergence is +inf
    (Bernoulli, Poisson, _ce_poisson, None),
    (Beta, ContinuousBernoulli, _ce_continuous_bernoulli, None),
    (Beta, Exponential, _ce_exponential, None),
    (Beta, Gamma, _ce_gamma, None),
    (Beta, Normal, _ce_normal, None),
    (Beta, Uniform, _ce_uniform, _outside_support),
    (ContinuousBernoulli, ContinuousBernoulli, _ce_continuous_bernoulli, None),
    (ContinuousBernoulli, Exponential, _ce_exponential, None),
    (ContinuousBernoulli, Normal, _ce_normal, None),
    (ContinuousBernoulli, Uniform, _ce_uniform, _touching_support),
    (Exponential, Gamma, _ce_gamma, None),
    (Exponential, Gumbel, _ce_gumbel, None),
    (Exponential, Normal, _ce_normal, None),
    (Gamma, Exponential, _ce_exponential, None),
    (Gamma, Gumbel, _ce_gumbel, None),
    (Gamma, Normal, _ce_normal, None),
    (Geometric, Geometric, _ce_geometric, None),
    (Gumbel, Normal, _ce_normal, None),
    (Laplace, Normal, _ce_normal, None),
    (Normal, Gumbel, _ce_gumbel, None),
    (Normal, Laplace, _ce_laplace, None),
    (Pareto, Exponential, _ce_exponential, _mean_diverges),
    (Pareto, Gamma, _ce_gamma, _mean_diverges),
    (Pareto, Normal, _ce_normal, _variance_diverges),
    (Uniform, Beta, _ce_beta, _outside_support),
    (Uniform, ContinuousBernoulli, _ce_continuous_bernoulli, _touching_support),
    (Uniform, Exponential, _ce_exponential, _outside_support),
    (Uniform, Gamma, _ce_gamma, _outside_support),
    (Uniform, Gumbel, _ce_gumbel, None),
    (Uniform, Normal, _ce_normal, None),
    (Uniform, Pareto, _ce_pareto, _outside_support),
]


def _kl_from_cross_entropy(cross_entropy, infinite):
    def kl(p, q):
        result = cross_entropy(p, q) - p.entropy()
        return result if infinite is None else infinite_where(infinite(p, q), result)
    return kl


for _p, _q, _cross_entropy, _infinite in _PAIRS:
    register_kl(_p, _q)(_kl_from_cross_entropy(_cross_entropy, _infinite))


_ALWAYS_INFINITE = [  # p, a parameter with the batch shape of p, q whose support misses p's
    (Beta, "concentration1", (Pareto,)),
    (ContinuousBernoulli, "probs", (Pareto,)),
    (Exponential, "rate", (Beta, ContinuousBernoulli, Pareto, Uniform)),
    (Gamma, "concentration", (Beta, ContinuousBernoulli, Pareto, Uniform)),
    (Pareto, "scale", (Beta, ContinuousBernoulli, Uniform)),
    (Poisson, "rate", (Bernoulli, Binomial)),
] + [(_p, "loc", (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform))
     for _p in (Gumbel, Laplace, Normal)]


def _kl_infinite(parameter):
    def kl(p, q):
        return nptorch.full_like(getattr(p, parameter), math.inf)
    return kl


for _p, _parameter, _qs in _ALWAYS_INFINITE:
    for _q in _qs:
        register_kl(_p, _q)(_kl_infinite(_parameter))
