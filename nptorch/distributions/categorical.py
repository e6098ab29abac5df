"""Categorical, OneHotCategorical and Multinomial distributions over ``K`` categories (the last
dim of the parameter)."""
import math

import nptorch
import nptorch.nn.functional as F

from .._tensor import Size
from . import constraints
from .discrete import Binomial
from .distribution import Distribution
from .utils import (broadcast_all, lazy_property, logits_to_probs, probs_or_logits,
                    probs_to_logits, uniform)

__all__ = [
    "Categorical", "Multinomial", "OneHotCategorical", "OneHotCategoricalStraightThrough",
]


class Categorical(Distribution):
    """Draws category indices ``0 .. K-1`` with (unnormalised) ``probs`` or ``logits``."""

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, param = probs_or_logits(probs, logits)
        if param.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            param = param / param.sum(-1, keepdim=True)
        else:
            param = param - param.logsumexp(dim=-1, keepdim=True)
        setattr(self, name, param)
        self._param = param
        self._num_events = param.size(-1)
        super().__init__(param.shape[:-1], validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    def _undefined(self):
        return nptorch.full(self._extended_shape(), math.nan, dtype=self.probs.dtype,
                            device=self.probs.device)

    @property
    def mean(self):
        return self._undefined()

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self._undefined()

    def sample(self, sample_shape=Size()):
        with nptorch.no_grad():
            shape = self._extended_shape(sample_shape)
            cdf = self.probs.cumsum(-1)
            # inverse-CDF draws: the number of categories whose cumulative mass is <= u
            u = uniform(cdf, shape).unsqueeze(-1) * cdf[..., -1:]
            index = (u >= cdf).sum(-1)
            return index.clamp(max=self._num_events - 1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = nptorch.broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        logits = self.logits.clamp(min=nptorch.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = nptorch.arange(self._num_events, dtype=nptorch.long, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


class _CategoricalBased(Distribution):
    """A distribution over ``K``-vectors built on a Categorical of the same parameters; its
    other attributes are shared, unexpanded, by ``expand``."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(type(self), _instance)
        new.__dict__.update(self.__dict__)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape


class OneHotCategorical(_CategoricalBased):
    """Categorical draws as one-hot vectors of length ``K``."""

    support = constraints.one_hot
    has_enumerate_support = True

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return F.one_hot(self.probs.argmax(-1), self.event_shape[-1]).to(self.probs.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        indices = self._categorical.sample(sample_shape)
        return F.one_hot(indices, self.event_shape[-1]).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = nptorch.eye(n, dtype=self._param.dtype, device=self._param.device)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        return values.expand((n,) + self.batch_shape + (n,)) if expand else values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical with straight-through gradients: ``rsample`` passes the gradient of
    ``probs`` through the one-hot draws."""

    has_rsample = True

    def rsample(self, sample_shape=Size()):
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())


class Multinomial(_CategoricalBased):
    """Counts per category in ``total_count`` Categorical(``probs``) draws."""

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        super().__init__(probs, logits, validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        indices = self._categorical.sample(Size((self.total_count,)) + Size(sample_shape))
        return F.one_hot(indices, self.event_shape[-1]).sum(0).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        # a category of probability 0 drawn 0 times contributes nothing (not 0 * -inf)
        logits = logits.masked_fill((value == 0) & (logits == -math.inf), 0.0)
        return (nptorch.lgamma(value.sum(-1) + 1) - nptorch.lgamma(value + 1).sum(-1)
                + (logits * value).sum(-1))

    def entropy(self):
        n = nptorch.tensor(self.total_count)
        binomial = Binomial(self.total_count, probs=self.probs)
        support = binomial.enumerate_support(expand=False)[1:]
        weights = nptorch.lgamma(support + 1)
        binomial_entropy = (binomial.log_prob(support).exp() * weights).sum([0, -1])
        return n * self._categorical.entropy() - nptorch.lgamma(n + 1) + binomial_entropy
