"""Location-scale families on the real line: Normal, Laplace, Cauchy and StudentT."""
import math

import nptorch

from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Chi2
from .utils import CentredAtLoc, batch_shape, broadcast_all, standard_normal, uniform

__all__ = ["Cauchy", "Laplace", "Normal", "StudentT"]


class _LocationScale(CentredAtLoc, Distribution):
    """A distribution of ``loc + scale * X`` for a fixed standard ``X`` symmetric about 0 (its
    mean, where it has one, and mode are ``loc``); parameters broadcast together and give the
    batch shape (empty when all are numbers)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(batch_shape((loc, scale), self.loc), validate_args=validate_args)

    def _standardise(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (value - self.loc) / self.scale


class Normal(_LocationScale, ExponentialFamily):
    """Normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``."""

    _mean_carrier_measure = 0

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=Size()):
        eps = standard_normal(self.loc, self._extended_shape(sample_shape))
        return self.loc + eps * self.scale

    def log_prob(self, value):
        z = self._standardise(value)
        return -0.5 * z.pow(2) - self.scale.log() - 0.5 * math.log(2 * math.pi)

    def cdf(self, value):
        return 0.5 * (1 + nptorch.erf(self._standardise(value) * (0.5 ** 0.5)))

    def icdf(self, value):
        return self.loc + self.scale * nptorch.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    @property
    def _natural_params(self):
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x, y):
        return -0.25 * x.pow(2) / y + 0.5 * nptorch.log(-math.pi / y)


class Laplace(_LocationScale):
    """Laplace (double exponential) distribution with location ``loc`` and scale ``scale``."""

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=Size()):
        eps = nptorch.finfo(self.loc.dtype).eps
        u = uniform(self.loc, self._extended_shape(sample_shape), eps - 1, 1).clamp(max=1 - eps)
        return self.loc - self.scale * u.sign() * nptorch.log1p(-u.abs())

    def log_prob(self, value):
        return -(2 * self.scale).log() - self._standardise(value).abs()

    def cdf(self, value):
        z = self._standardise(value)
        return 0.5 - 0.5 * z.sign() * nptorch.expm1(-z.abs())

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * nptorch.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + (2 * self.scale).log()


class Cauchy(_LocationScale):
    """Cauchy (Lorentz) distribution with median ``loc`` and half width ``scale``."""

    @property
    def mean(self):
        return nptorch.full(self._extended_shape(), math.nan, dtype=self.loc.dtype,
                            device=self.loc.device)

    @property
    def variance(self):
        return nptorch.full(self._extended_shape(), math.inf, dtype=self.loc.dtype,
                            device=self.loc.device)

    def rsample(self, sample_shape=Size()):
        u = uniform(self.loc, self._extended_shape(sample_shape))
        return self.loc + self.scale * nptorch.tan(math.pi * (u - 0.5))

    def log_prob(self, value):
        z = self._standardise(value)
        return -math.log(math.pi) - self.scale.log() - nptorch.log1p(z.pow(2))

    def cdf(self, value):
        return nptorch.atan(self._standardise(value)) / math.pi + 0.5

    def icdf(self, value):
        return nptorch.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()


class StudentT(_LocationScale):
    """Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        Distribution.__init__(self, batch_shape((df, loc, scale), self.df),
                              validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        return nptorch.where(self.df > 1, self.loc, math.nan)

    @property
    def variance(self):
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2)
        return nptorch.where(df > 2, finite, nptorch.where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        x = standard_normal(self.df, shape)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * x * nptorch.rsqrt(z / self.df)

    def log_prob(self, value):
        y = self._standardise(value)
        df = self.df
        log_norm = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
                    + nptorch.lgamma(0.5 * df) - nptorch.lgamma(0.5 * (df + 1.0)))
        return -0.5 * (df + 1.0) * nptorch.log1p(y.pow(2) / df) - log_norm

    def entropy(self):
        df = self.df
        lbeta = nptorch.lgamma(0.5 * df) + math.lgamma(0.5) - nptorch.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1)
                * (nptorch.digamma(0.5 * (df + 1)) - nptorch.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)
