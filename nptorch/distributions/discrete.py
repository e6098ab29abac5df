"""Counts and binary outcomes: Bernoulli, Geometric, Binomial, NegativeBinomial and Poisson."""
import math

import nptorch
import nptorch.nn.functional as F

from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .utils import (batch_shape, broadcast_all, draw, lazy_property, logits_to_probs,
                    probs_or_logits, probs_to_logits, uniform)

__all__ = ["Bernoulli", "Binomial", "Geometric", "NegativeBinomial", "Poisson"]


class _Binary(Distribution):
    """A distribution parameterised by a success probability, given as ``probs`` or
    ``logits`` (the other is derived on first use)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._set_param(probs, logits)
        super().__init__(self._param_batch_shape, validate_args=validate_args)

    def _set_param(self, probs, logits, *others):
        """Store the given parameter broadcast with ``others`` (returned, broadcast)."""
        name, value = probs_or_logits(probs, logits)
        param, *broadcast = broadcast_all(value, *others)
        setattr(self, name, param)
        self._param = param
        self._param_batch_shape = batch_shape((value,) + tuple(others), param)
        return broadcast

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def _enumerate(self, n, expand):
        """``0, 1, ..., n - 1`` along a new leading dim, over the batch."""
        values = nptorch.arange(n, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


class Bernoulli(_Binary, ExponentialFamily):
    """Bernoulli distribution: 1 with probability ``probs`` (or ``sigmoid(logits)``), else 0."""

    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return nptorch.where(self.probs == 0.5, math.nan, mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        with nptorch.no_grad():
            return nptorch.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        return self._enumerate(2, expand)

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        return nptorch.log1p(nptorch.exp(x))


class Geometric(_Binary):
    """The number of failures before the first success in Bernoulli(``probs``) trials."""

    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        super().__init__(probs, logits, validate_args=validate_args)
        if self._validate_args and probs is not None:
            valid = self.probs > 0
            if not bool(valid.all()):
                raise ValueError(
                    f"Expected parameter probs ({type(self.probs).__name__} of shape "
                    f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but "
                    f"found invalid values:\n{self.probs[~valid]}")

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return nptorch.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=Size()):
        with nptorch.no_grad():
            tiny = nptorch.finfo(self.probs.dtype).tiny
            u = uniform(self.probs, self._extended_shape(sample_shape)).clamp(min=tiny)
            return (u.log() / nptorch.log1p(-self.probs)).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # a sure success has probability 1 at 0 (not 0 * log(0))
        probs = nptorch.where((probs == 1) & (value == 0), 0.0, probs)
        return value * nptorch.log1p(-probs) + self.probs.log()

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs,
                                                  reduction="none") / self.probs


class Binomial(_Binary):
    """The number of successes in ``total_count`` Bernoulli(``probs``) trials."""

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        (total_count,) = self._set_param(probs, logits, total_count)
        self.total_count = total_count.to(self._param.dtype)
        Distribution.__init__(self, self._param_batch_shape, validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        n = self.total_count.expand(shape).detach()._data
        p = self.probs.expand(shape).detach()._data
        return draw(self.probs, shape, lambda g, s: g.binomial(n.astype("int64"), p, s))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_binomial = (nptorch.lgamma(n + 1) - nptorch.lgamma(value + 1)
                        - nptorch.lgamma(n - value + 1))
        return log_binomial + value * logits - n * F.softplus(logits)

    def _homogeneous_count(self, what):
        total_count = int(self.total_count.max())
        if not bool(self.total_count.min() == total_count):
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return total_count

    def entropy(self):
        n = self._homogeneous_count("entropy")
        log_prob = self.log_prob(self._enumerate(n + 1, False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        return self._enumerate(self._homogeneous_count("enumerate_support") + 1, expand)


class NegativeBinomial(_Binary):
    """The number of successes in Bernoulli(``probs``) trials before ``total_count``
    failures (a real ``total_count`` is allowed)."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        (total_count,) = self._set_param(probs, logits, total_count)
        self.total_count = total_count.to(self._param.dtype)
        Distribution.__init__(self, self._param_batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.total_count * nptorch.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / nptorch.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        # unvalidated: total_count may be zero
        return Gamma(self.total_count, nptorch.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=Size()):
        with nptorch.no_grad():
            return Poisson(self._gamma.sample(sample_shape), validate_args=False).sample()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_unnormalised = n * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        log_normalisation = (-nptorch.lgamma(n + value) + nptorch.lgamma(1.0 + value)
                             + nptorch.lgamma(n))
        # n = value = 0 has probability 1, though lgamma(0) is infinite
        log_normalisation = log_normalisation.masked_fill(n + value == 0.0, 0.0)
        return log_unnormalised - log_normalisation


class Poisson(ExponentialFamily):
    """Poisson distribution with mean ``rate``."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(batch_shape((rate,), self.rate), validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        rate = self.rate.expand(shape).detach()._data
        return draw(self.rate, shape, lambda g, s: g.poisson(rate, s))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return nptorch.xlogy(value, rate) - rate - nptorch.lgamma(value + 1)

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return x.exp()
