"""HalfNormal and HalfCauchy: a zero-centred Normal or Cauchy folded onto ``[0, inf)``."""
import math

import nptorch

from . import constraints
from .location_scale import Cauchy, Normal
from .transformed_distribution import _NamedTransformed
from .transforms import AbsTransform

__all__ = ["HalfCauchy", "HalfNormal"]


class _Half(_NamedTransformed):
    """The distribution of ``|X|`` for ``X`` of the symmetric family ``_base(0, scale)``."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(self._base(0, scale, validate_args=False), AbsTransform(),
                         validate_args=validate_args)

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return nptorch.zeros_like(self.scale)

    def log_prob(self, value):
        value = nptorch.as_tensor(value, dtype=self.scale.dtype, device=self.scale.device)
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return nptorch.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_Half):
    """The distribution of ``|X|`` for ``X ~ Normal(0, scale)``."""

    _base = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)


class HalfCauchy(_Half):
    """The distribution of ``|X|`` for ``X ~ Cauchy(0, scale)``."""

    _base = Cauchy

    def _infinite(self):
        return nptorch.full(self._extended_shape(), math.inf, dtype=self.scale.dtype,
                            device=self.scale.device)

    @property
    def mean(self):
        return self._infinite()

    @property
    def variance(self):
        return self._infinite()
