"""Pareto, InverseGamma and Kumaraswamy: exponential, gamma and uniform draws pushed through
powers."""
import nptorch

from . import constraints
from .gamma import Gamma
from .transformed_distribution import _NamedTransformed
from .transforms import AffineTransform, ExpTransform, PowerTransform
from .uniform import Exponential, Uniform
from .utils import broadcast_all, euler_constant

__all__ = ["InverseGamma", "Kumaraswamy", "Pareto"]


class Pareto(_NamedTransformed):
    """Pareto Type I distribution with minimum ``scale`` and tail index ``alpha``."""

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        super().__init__(Exponential(self.alpha, validate_args=validate_args),
                         [ExpTransform(), AffineTransform(loc=0, scale=self.scale)],
                         validate_args=validate_args)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)  # infinite for alpha <= 1
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)  # infinite for alpha <= 2
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


class InverseGamma(_NamedTransformed):
    """The distribution of ``1 / X`` for ``X ~ Gamma(concentration, rate)``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        base = Gamma(concentration, rate, validate_args=validate_args)
        super().__init__(base, PowerTransform(-base.rate.new_ones(())),
                         validate_args=validate_args)

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        c = self.concentration
        return nptorch.where(c > 1, self.rate / (c - 1), float("inf"))

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        c = self.concentration
        return nptorch.where(c > 2, self.rate.pow(2) / ((c - 1).pow(2) * (c - 2)), float("inf"))

    def entropy(self):
        c = self.concentration
        return c + self.rate.log() + nptorch.lgamma(c) - (1 + c) * nptorch.digamma(c)


def _kumaraswamy_moment(a, b, n):
    """``E[X^n]`` for ``X ~ Kumaraswamy(a, b)``."""
    arg1 = 1 + n / a
    log_value = nptorch.lgamma(arg1) + nptorch.lgamma(b) - nptorch.lgamma(arg1 + b)
    return b * nptorch.exp(log_value)


class Kumaraswamy(_NamedTransformed):
    """Kumaraswamy distribution on ``[0, 1]``: ``(1 - U ** (1 / concentration0)) **
    (1 / concentration1)`` for ``U ~ Uniform(0, 1)``."""

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(nptorch.full_like(self.concentration0, 0),
                       nptorch.full_like(self.concentration0, 1), validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration0.reciprocal()),
                      AffineTransform(loc=1.0, scale=-1.0),
                      PowerTransform(exponent=self.concentration1.reciprocal())]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self):
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self):
        c1, c0 = self.concentration1, self.concentration0
        log_mode = c0.reciprocal() * (-c0).log1p() - (-c0 * c1).log1p()
        return nptorch.where((c0 < 1) | (c1 < 1), float("nan"), log_mode).exp()

    @property
    def variance(self):
        return (_kumaraswamy_moment(self.concentration1, self.concentration0, 2)
                - self.mean.pow(2))

    def entropy(self):
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        h0 = nptorch.digamma(self.concentration0 + 1) + euler_constant
        return t0 + t1 * h0 - self.concentration1.log() - self.concentration0.log()
