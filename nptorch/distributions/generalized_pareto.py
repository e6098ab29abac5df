"""``GeneralizedPareto``: the limit distribution of exceedances over a high threshold."""
import math

import nptorch

from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import batch_shape, broadcast_all, uniform

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """Generalized Pareto distribution with location ``loc``, scale ``scale`` and shape
    ``concentration`` (``xi``): survival function ``(1 + xi z) ** (-1 / xi)`` of
    ``z = (x - loc) / scale``, and ``exp(-z)`` at ``xi = 0``. It is an Exponential for
    ``xi = 0``, a Uniform for ``xi = -1`` and a Pareto for ``xi > 0``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(batch_shape((loc, scale, concentration), self.loc),
                         validate_args=validate_args)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        xi = self.concentration
        negative = xi < 0
        upper = nptorch.where(negative, self.loc - self.scale / xi.where(negative, -1.0),
                              math.inf)
        return constraints.interval(self.loc, upper)

    def _safe_concentration(self):
        """``(xi == 0, xi)`` with the ``xi`` close to 0 replaced by 1, so that the ``xi != 0``
        branch of a ``where`` stays finite."""
        xi = self.concentration
        zero = nptorch.isclose(xi, nptorch.zeros_like(xi))
        return zero, nptorch.where(zero, 1.0, xi)

    def _z(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (value - self.loc) / self.scale

    @property
    def mean(self):
        xi = self.concentration
        finite = xi < 1
        return nptorch.where(finite, self.loc + self.scale / (1 - xi.where(finite, 0.5)),
                             math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        xi = self.concentration
        finite = xi < 0.5
        xi = xi.where(finite, 0.25)
        return nptorch.where(finite, self.scale.pow(2) / ((1 - xi).pow(2) * (1 - 2 * xi)),
                             math.nan)

    def rsample(self, sample_shape=Size()):
        return self.icdf(uniform(self.loc, self._extended_shape(sample_shape)))

    def log_prob(self, value):
        z = self._z(value)
        zero, xi = self._safe_concentration()
        power = 1 / xi + 1
        # at xi = -1 (a Uniform) the density is flat: 0 * log(0) at the upper end is 0
        log_kernel = nptorch.where(power == 0, 0.0, power * nptorch.log1p(xi * z))
        return -self.scale.log() - nptorch.where(zero, z, log_kernel)

    def log_survival_function(self, value):
        """``log P(X > value)``."""
        z = self._z(value)
        zero, xi = self._safe_concentration()
        return nptorch.where(zero, -z, -nptorch.log1p(xi * z) / xi)

    def log_cdf(self, value):
        return nptorch.log1p(-self.log_survival_function(value).exp())

    def cdf(self, value):
        return self.log_cdf(value).exp()

    def icdf(self, value):
        zero, xi = self._safe_concentration()
        log_survival = nptorch.log1p(-value)
        return nptorch.where(zero, self.loc - self.scale * log_survival,
                             self.loc + self.scale / xi * nptorch.expm1(-xi * log_survival))

    def entropy(self):
        return self.scale.log() + self.concentration + 1
