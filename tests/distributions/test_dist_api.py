"""Validation errors, reprs, expand, enumerate_support and constraints, against PyTorch."""
import numpy as np
import pytest

import nptorch

from helpers import check_same_error_as_torch


def _both(torch, build):
    """``build(lib)`` under both libraries: (ours, theirs)."""
    return build(nptorch), build(torch)


def _D(lib):
    return lib.distributions


INVALID = [
    lambda lib: _D(lib).Normal(lib.tensor([1.0, 2.0]), lib.tensor([1.0, -1.0])),
    lambda lib: _D(lib).Normal(0.0, -1.5),
    lambda lib: _D(lib).Normal(lib.tensor([0.0]), lib.tensor([-1.0])),
    lambda lib: _D(lib).Uniform(1.0, 0.0),
    lambda lib: _D(lib).Uniform(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 1.0])),
    lambda lib: _D(lib).Geometric(lib.tensor([0.0, 0.5])),
    lambda lib: _D(lib).Bernoulli(),
    lambda lib: _D(lib).Bernoulli(0.5, logits=0.0),
    lambda lib: _D(lib).Bernoulli(1.5),
    lambda lib: _D(lib).Categorical(lib.tensor(1.0)),
    lambda lib: _D(lib).Categorical(logits=lib.tensor(1.0)),
    lambda lib: _D(lib).Categorical(lib.tensor([0.5, -0.1])),
    lambda lib: _D(lib).Dirichlet(lib.tensor(1.0)),
    lambda lib: _D(lib).Dirichlet(lib.tensor([1.0, -1.0])),
    lambda lib: _D(lib).Beta(1.0, -1.0),
    lambda lib: _D(lib).Chi2(-1.0),
    lambda lib: _D(lib).StudentT(-1.0),
    lambda lib: _D(lib).HalfNormal(-1.0),
    lambda lib: _D(lib).LogNormal(0.0, -1.0),
    lambda lib: _D(lib).Poisson(-1.0),
    lambda lib: _D(lib).Gamma(lib.tensor([1.0, 0.0]), 1.0),
    lambda lib: _D(lib).Binomial(2.5, 0.3),
    lambda lib: _D(lib).Binomial(lib.tensor([2.0, 3.0]), 0.5).enumerate_support(),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2)),
    lambda lib: _D(lib).MultivariateNormal(lib.tensor(0.0), lib.eye(2)),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2)),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), covariance_matrix=lib.ones(2)),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), precision_matrix=lib.ones(2)),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: _D(lib).Independent(_D(lib).Normal(0.0, 1.0), 1),
    lambda lib: _D(lib).Independent(_D(lib).Normal(lib.zeros(2), 1.0), 1).enumerate_support(),
    lambda lib: _D(lib).TransformedDistribution(_D(lib).Normal(0.0, 1.0), 3),
    lambda lib: _D(lib).Normal(lib.zeros(2), 1.0).expand((3,)),
    lambda lib: _D(lib).Gumbel(0.0, -1.0),
    lambda lib: _D(lib).HalfCauchy(lib.tensor([1.0, -1.0])),
    lambda lib: _D(lib).Pareto(1.0, 0.0),
    lambda lib: _D(lib).Weibull(lib.tensor([-1.0]), 1.0),
    lambda lib: _D(lib).InverseGamma(-1.0, 1.0),
    lambda lib: _D(lib).Kumaraswamy(1.0, -2.0),
    lambda lib: _D(lib).NegativeBinomial(-1.0, lib.tensor([0.5])),
    lambda lib: _D(lib).NegativeBinomial(1.0, lib.tensor([1.0])),
    lambda lib: _D(lib).NegativeBinomial(1.0),
    lambda lib: _D(lib).Multinomial(2.0, lib.ones(3)),
    lambda lib: _D(lib).Multinomial(2, lib.tensor([0.5, -0.5])),
    lambda lib: _D(lib).RelaxedBernoulli(lib.tensor(1.0), lib.tensor([1.5])),
    lambda lib: _D(lib).RelaxedBernoulli(lib.tensor(1.0)),
    lambda lib: _D(lib).RelaxedOneHotCategorical(lib.tensor(1.0), lib.tensor([0.5, -0.5])),
    lambda lib: _D(lib).FisherSnedecor(1.0, -2.0),
    lambda lib: _D(lib).MixtureSameFamily(_D(lib).Normal(0.0, 1.0), _D(lib).Normal(0.0, 1.0)),
    lambda lib: _D(lib).MixtureSameFamily(_D(lib).Categorical(lib.ones(2)), 1.0),
    lambda lib: _D(lib).MixtureSameFamily(_D(lib).Categorical(lib.ones(2)),
                                          _D(lib).Normal(lib.zeros(3), 1.0)),
    lambda lib: _D(lib).MixtureSameFamily(_D(lib).Categorical(lib.ones(2, 2)),
                                          _D(lib).Normal(lib.zeros(3, 2), 1.0)),
    lambda lib: _D(lib).ContinuousBernoulli(lib.tensor([1.5]), validate_args=True),
    lambda lib: _D(lib).ContinuousBernoulli(),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.tensor(0.0), lib.ones(2, 1), lib.ones(2)),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.zeros(2), lib.ones(2), lib.ones(2)),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.zeros(2), lib.ones(3, 1), lib.ones(2)),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.zeros(2), lib.ones(2, 1), lib.ones(3)),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.zeros(3, 2), lib.ones(2, 2, 1),
                                                  lib.ones(2)),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.tensor([float("nan"), 0.0]),
                                                  lib.ones(2, 1), lib.ones(2)),
    # sample values
    lambda lib: _D(lib).Bernoulli(0.3).log_prob(lib.tensor([0.5])),
    lambda lib: _D(lib).Bernoulli(0.3).log_prob(lib.tensor(0.5)),
    lambda lib: _D(lib).Normal(0.0, 1.0).log_prob(lib.tensor(float("nan"))),
    lambda lib: _D(lib).Normal(lib.zeros(2), 1.0).log_prob(lib.zeros(3)),
    lambda lib: _D(lib).Normal(lib.zeros(2), 1.0).log_prob(1.0),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), lib.eye(2)).log_prob(lib.zeros(3)),
    lambda lib: _D(lib).Exponential(1.0).log_prob(lib.tensor([-1.0])),
    lambda lib: _D(lib).Gamma(1.0, 1.0).cdf(lib.tensor([-1.0])),
    lambda lib: _D(lib).Uniform(0.0, 1.0).log_prob(lib.tensor([2.0])),
    lambda lib: _D(lib).Categorical(lib.ones(3)).log_prob(lib.tensor([3])),
    lambda lib: _D(lib).Binomial(3, 0.5).log_prob(lib.tensor([4.0])),
    lambda lib: _D(lib).Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.6, 0.1])),
    lambda lib: _D(lib).LogNormal(0.0, 1.0).log_prob(lib.tensor([-1.0])),
    lambda lib: _D(lib).OneHotCategorical(lib.ones(3)).log_prob(lib.tensor([1.0, 1.0, 0.0])),
    lambda lib: _D(lib).Pareto(2.0, 1.0).log_prob(lib.tensor([1.0])),
    lambda lib: _D(lib).HalfCauchy(1.0).log_prob(lib.tensor([-1.0])),
    lambda lib: _D(lib).Kumaraswamy(1.0, 1.0).log_prob(lib.tensor([1.5])),
    lambda lib: _D(lib).NegativeBinomial(1.0, 0.5).log_prob(lib.tensor([1.5])),
    lambda lib: _D(lib).Multinomial(3, lib.ones(3)).log_prob(lib.tensor([-1.0, 2.0, 2.0])),
    lambda lib: _D(lib).RelaxedBernoulli(lib.tensor(1.0), 0.5).log_prob(lib.tensor([1.5])),
    lambda lib: _D(lib).RelaxedOneHotCategorical(lib.tensor(1.0), lib.ones(2)).log_prob(
        lib.tensor([0.5, 0.6])),
    lambda lib: _D(lib).MixtureSameFamily(
        _D(lib).Categorical(lib.ones(2)), _D(lib).Exponential(lib.ones(2))).log_prob(
        lib.tensor([-1.0])),
    lambda lib: _D(lib).ContinuousBernoulli(0.3).log_prob(lib.tensor([1.5])),
    lambda lib: _D(lib).kl_divergence(_D(lib).Categorical(lib.ones(2)), _D(lib).Normal(0.0, 1.0)),
    lambda lib: _D(lib).kl_divergence(
        _D(lib).MultivariateNormal(lib.zeros(2), lib.eye(2)),
        _D(lib).MultivariateNormal(lib.zeros(3), lib.eye(3))),
    lambda lib: _D(lib).transforms.ExpTransform(cache_size=2),
]


@pytest.mark.parametrize("build", INVALID)
def test_errors_match_torch(build):
    check_same_error_as_torch(build, nptorch_names=("Size",))


REPRS = [
    lambda lib: _D(lib).Normal(0.0, 1.0),
    lambda lib: _D(lib).Normal(lib.zeros(2), 1.0),
    lambda lib: _D(lib).Normal(lib.zeros(1), 1.0),
    lambda lib: _D(lib).Bernoulli(logits=lib.zeros(3)),
    lambda lib: _D(lib).Bernoulli(0.3),
    lambda lib: _D(lib).Binomial(3, 0.2),
    lambda lib: _D(lib).Categorical(lib.ones(3)),
    lambda lib: _D(lib).OneHotCategorical(lib.ones(3)),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), lib.eye(2)),
    lambda lib: _D(lib).MultivariateNormal(lib.zeros(2), scale_tril=lib.eye(2)),
    lambda lib: _D(lib).Independent(_D(lib).Normal(lib.zeros(2, 3), 1.0), 1),
    lambda lib: _D(lib).LogNormal(0.0, 1.0),
    lambda lib: _D(lib).HalfNormal(1.0),
    lambda lib: _D(lib).Beta(1.0, 2.0),
    lambda lib: _D(lib).Chi2(1.0),
    lambda lib: _D(lib).StudentT(1.0),
    lambda lib: _D(lib).Gamma(1.0, 2.0),
    lambda lib: _D(lib).Dirichlet(lib.ones(3)),
    lambda lib: _D(lib).Uniform(0.0, 1.0),
    lambda lib: _D(lib).TransformedDistribution(_D(lib).Normal(0.0, 1.0), []),
    lambda lib: _D(lib).Gumbel(0.0, 1.0),
    lambda lib: _D(lib).Gumbel(lib.zeros(2), 1.0),
    lambda lib: _D(lib).HalfCauchy(1.0),
    lambda lib: _D(lib).Pareto(1.0, 2.0),
    lambda lib: _D(lib).Weibull(lib.ones(2), 2.0),
    lambda lib: _D(lib).InverseGamma(2.0, 3.0),
    lambda lib: _D(lib).Kumaraswamy(2.0, 3.0),
    lambda lib: _D(lib).NegativeBinomial(2.0, logits=lib.zeros(2)),
    lambda lib: _D(lib).Multinomial(3, lib.ones(3)),
    lambda lib: _D(lib).Multinomial(3, lib.ones(3)).support,
    lambda lib: _D(lib).RelaxedBernoulli(lib.tensor(1.0), 0.5),
    lambda lib: _D(lib).RelaxedBernoulli(lib.tensor(1.0), logits=lib.zeros(2)),
    lambda lib: _D(lib).RelaxedOneHotCategorical(lib.tensor(1.0), lib.ones(3)),
    lambda lib: _D(lib).OneHotCategoricalStraightThrough(lib.ones(3)),
    lambda lib: _D(lib).FisherSnedecor(1.0, 2.0),
    lambda lib: _D(lib).MixtureSameFamily(_D(lib).Categorical(lib.ones(2)),
                                          _D(lib).Normal(lib.zeros(3, 2), 1.0)),
    lambda lib: _D(lib).MixtureSameFamily(_D(lib).Categorical(lib.ones(2)),
                                          _D(lib).Normal(lib.zeros(3, 2), 1.0)).support,
    lambda lib: _D(lib).ContinuousBernoulli(0.3),
    lambda lib: _D(lib).ContinuousBernoulli(logits=lib.zeros(2)),
    lambda lib: _D(lib).LowRankMultivariateNormal(lib.zeros(2), lib.ones(2, 1), lib.ones(2)),
    lambda lib: _D(lib).Pareto(lib.ones(2), 2.0).support,
    lambda lib: _D(lib).Gumbel(0.0, 1.0).support,
    lambda lib: _D(lib).Normal(lib.zeros(2), 1.0).expand((3, 2)),
    lambda lib: _D(lib).Uniform(lib.zeros(2), 2.0).support,
    lambda lib: _D(lib).Binomial(lib.tensor([3.0, 4.0]), 0.2).support,
    lambda lib: _D(lib).Categorical(lib.ones(3)).support,
    lambda lib: _D(lib).Dirichlet(lib.ones(3)).support,
    lambda lib: _D(lib).HalfNormal(1.0).support,
    lambda lib: _D(lib).Independent(_D(lib).Normal(lib.zeros(2, 3), 1.0), 1).support,
    lambda lib: _D(lib).TransformedDistribution(
        _D(lib).Normal(lib.zeros(3), 1.0), _D(lib).transforms.StickBreakingTransform()).support,
    lambda lib: _D(lib).Uniform.support,
]


@pytest.mark.parametrize("build", REPRS)
def test_reprs_match_torch(torch, build):
    ours, theirs = _both(torch, build)
    assert repr(ours) == repr(theirs).replace("torch.Size", "nptorch.Size")


def test_constraint_reprs_and_checks(torch):
    def constraints(lib):
        C = lib.distributions.constraints
        return [C.real, C.positive, C.nonnegative, C.unit_interval, C.simplex, C.boolean,
                C.one_hot, C.nonnegative_integer, C.positive_integer, C.integer_interval(0, 3),
                C.interval(-1, 1), C.half_open_interval(0, 1), C.greater_than(1.0),
                C.greater_than_eq(0), C.less_than(3), C.real_vector, C.lower_cholesky,
                C.lower_triangular, C.positive_definite, C.positive_semidefinite, C.corr_cholesky,
                C.square, C.symmetric, C.independent(C.positive, 1), C.dependent,
                C.multinomial(3), C.cat([C.real, C.positive], 0, [1, 1]),
                C.stack([C.real, C.positive])]
    ours, theirs = constraints(nptorch), constraints(torch)
    assert [repr(c) for c in ours] == [repr(c) for c in theirs]
    values = [np.array([[0.2, 0.8], [1.0, 0.0]]), np.array([[1.0, 0.0], [0.5, 2.0]]),
              np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([[1.0, 0.0], [0.6, 0.8]]),
              np.array([[-1.0, 3.0], [float("nan"), 1.5]]), np.array([[0.0, 1.0], [1.0, 1.0]])]
    for o, t in zip(ours, theirs):
        if torch.distributions.constraints.is_dependent(t):
            assert nptorch.distributions.constraints.is_dependent(o)
            with pytest.raises(ValueError, match="Cannot determine validity"):
                o.check(nptorch.tensor(values[0]))
            continue
        assert (o.event_dim, o.is_discrete) == (t.event_dim, t.is_discrete)
        for v in values:
            expected = t.check(torch.tensor(v)).numpy()
            np.testing.assert_array_equal(o.check(nptorch.tensor(v)).numpy(), expected, repr(t))


def test_default_validation_switch():
    D = nptorch.distributions
    try:
        D.Distribution.set_default_validate_args(False)
        assert D.Normal(0.0, -1.0).scale.item() == -1.0
        assert D.Normal(0.0, 1.0).log_prob(nptorch.tensor(float("nan"))).isnan()
        with pytest.raises(ValueError):
            D.Normal(0.0, -1.0, validate_args=True)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)
    assert D.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")


def _entropy_or_mean(d):
    """The entropy, else the mean, else the probabilities: what the distribution defines."""
    try:
        return d.entropy()
    except NotImplementedError:
        pass
    try:
        return d.mean
    except NotImplementedError:
        return d.probs


def test_expand(torch):
    def build(lib):
        D = lib.distributions
        return [D.Normal(lib.zeros(2), 1.0), D.Bernoulli(logits=lib.zeros(2)),
                D.Categorical(lib.ones(2, 3)), D.OneHotCategorical(lib.ones(2, 3)),
                D.Beta(lib.ones(2), 2.0), D.Dirichlet(lib.ones(2, 3)), D.StudentT(lib.ones(2) * 3),
                D.MultivariateNormal(lib.zeros(2, 3), lib.eye(3)), D.LogNormal(lib.zeros(2), 1.0),
                D.Independent(D.Normal(lib.zeros(2, 3), 1.0), 1), D.Binomial(4, lib.ones(2) / 3),
                D.Gamma(lib.ones(2), 1.0), D.Uniform(lib.zeros(2), 1.0), D.HalfNormal(lib.ones(2)),
                D.Gumbel(lib.zeros(2), 1.0), D.HalfCauchy(lib.ones(2)), D.Pareto(lib.ones(2), 2.0),
                D.Weibull(lib.ones(2), 2.0), D.InverseGamma(lib.ones(2), 2.0),
                D.Kumaraswamy(lib.ones(2), 2.0), D.NegativeBinomial(2.0, lib.ones(2) / 3),
                D.RelaxedBernoulli(lib.tensor(0.5), lib.ones(2) / 3),
                D.RelaxedOneHotCategorical(lib.tensor(0.5), lib.ones(2, 3)),
                D.OneHotCategoricalStraightThrough(lib.ones(2, 3)),
                D.FisherSnedecor(lib.ones(2), 5.0), D.ContinuousBernoulli(lib.ones(2) / 3),
                D.LowRankMultivariateNormal(lib.zeros(2, 3), lib.ones(3, 1), lib.ones(3)),
                D.MixtureSameFamily(D.Categorical(lib.ones(2, 3)), D.Normal(lib.zeros(2, 3), 1.0))]
    for ours, theirs in zip(build(nptorch), build(torch)):
        e, te = ours.expand((4, 2)), theirs.expand((4, 2))
        assert type(e) is type(ours)
        assert e.batch_shape == tuple(te.batch_shape) and e.event_shape == tuple(te.event_shape)
        assert e.sample((5,)).shape == tuple(te.sample((5,)).shape)
        np.testing.assert_allclose(_entropy_or_mean(e).numpy(), _entropy_or_mean(te).numpy(),
                                   rtol=1e-5)


def test_multinomial_expand(torch):
    """PyTorch's expanded Multinomial loses the binomial its entropy needs; ours keeps it."""
    d = nptorch.distributions.Multinomial(3, nptorch.tensor([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]]))
    e = d.expand((4, 2))
    assert e.batch_shape == (4, 2) and e.event_shape == (3,)
    assert e.sample((5,)).shape == (5, 4, 2, 3)
    np.testing.assert_allclose(e.entropy().numpy(), d.entropy().expand(4, 2).numpy())


def test_enumerate_support(torch):
    def build(lib):
        D = lib.distributions
        return [D.Bernoulli(lib.tensor([0.2, 0.7])), D.Categorical(lib.ones(2, 3)),
                D.OneHotCategorical(lib.ones(2, 3)), D.Binomial(3, lib.tensor([0.2, 0.7])),
                D.Independent(D.Bernoulli(lib.tensor([0.2, 0.7])), 0)]
    for ours, theirs in zip(build(nptorch), build(torch)):
        assert ours.has_enumerate_support == theirs.has_enumerate_support
        for expand in (True, False):
            o, t = ours.enumerate_support(expand), theirs.enumerate_support(expand)
            assert tuple(o.shape) == tuple(t.shape) and str(o.dtype)[-5:] == str(t.dtype)[-5:]
            np.testing.assert_array_equal(o.numpy(), t.numpy())
        np.testing.assert_allclose(ours.log_prob(ours.enumerate_support()).exp().sum(0).numpy(), 1,
                                   rtol=1e-6)
