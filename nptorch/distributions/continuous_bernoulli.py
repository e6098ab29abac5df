"""``ContinuousBernoulli``: a density on ``[0, 1]`` proportional to ``p^x (1 - p)^(1 - x)``."""
import math

import nptorch
import nptorch.nn.functional as F

from .._tensor import Size
from . import constraints
from .discrete import _Binary
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs, uniform

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(_Binary, ExponentialFamily):
    """Continuous Bernoulli distribution with ``probs`` or ``logits``. Near ``probs = 1/2``
    (inside ``lims``) the closed forms lose precision, so Taylor expansions are used."""

    support = constraints.unit_interval
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        self._lims = lims
        self._set_param(probs, logits)
        if probs is not None:
            if validate_args is not None and not bool(
                    self.arg_constraints["probs"].check(self.probs).all()):
                raise ValueError("The parameter probs has invalid values")
            self.probs = self._param = clamp_probs(self.probs)
        Distribution.__init__(self, self._param_batch_shape, validate_args=validate_args)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def _outside_unstable_region(self):
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        return nptorch.where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _cont_bern_log_norm(self):
        """The log normalising constant as a function of ``probs``."""
        cut = self._cut_probs()
        below_half = nptorch.where(cut <= 0.5, cut, 0.0)
        above_half = nptorch.where(cut >= 0.5, cut, 1.0)
        log_norm = (nptorch.log((nptorch.log1p(-cut) - nptorch.log(cut)).abs())
                    - nptorch.where(cut <= 0.5, nptorch.log1p(-2.0 * below_half),
                                    nptorch.log(2.0 * above_half - 1.0)))
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return nptorch.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / (nptorch.log1p(-cut) - nptorch.log(cut))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return nptorch.where(self._outside_unstable_region(), mus, taylor)

    @property
    def variance(self):
        cut = self._cut_probs()
        variances = (cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2)
                     + 1.0 / (nptorch.log1p(-cut) - nptorch.log(cut)).pow(2))
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return nptorch.where(self._outside_unstable_region(), variances, taylor)

    def rsample(self, sample_shape=Size()):
        return self.icdf(uniform(self.probs, self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return (-F.binary_cross_entropy_with_logits(logits, value, reduction="none")
                + self._cont_bern_log_norm())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = nptorch.where(self._outside_unstable_region(), cdfs, value)
        return nptorch.where(value <= 0.0, 0.0, nptorch.where(value >= 1.0, 1.0, unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        inverse = ((nptorch.log1p(-cut + value * (2.0 * cut - 1.0)) - nptorch.log1p(-cut))
                   / (nptorch.log(cut) - nptorch.log1p(-cut)))
        return nptorch.where(self._outside_unstable_region(), inverse, value)

    def entropy(self):
        log_probs0 = nptorch.log1p(-self.probs)
        log_probs1 = nptorch.log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """``log((exp(x) - 1) / x)``; its Taylor expansion where ``x`` lies inside
        ``lims - 1/2``."""
        low, high = self._lims[0] - 0.5, self._lims[1] - 0.5
        outside = (x <= low) | (x > high)
        cut = nptorch.where(outside, x, low)
        log_norm = nptorch.expm1(cut).abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return nptorch.where(outside, log_norm, taylor)
