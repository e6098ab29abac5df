"""Distribution values (log_prob, cdf, icdf, entropy, moments) against PyTorch, and their
gradients with respect to the parameters by float64 gradcheck."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

RNG = np.random.default_rng(0)


def _u(*shape, low=0.5, high=2.0):
    return RNG.uniform(low, high, shape)


def _simplex(*shape):
    x = RNG.uniform(0.2, 1.0, shape)
    return x / x.sum(-1, keepdims=True)


def _spd(n, batch=()):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(n):
    return np.tril(RNG.normal(size=(n, n)), -1) + np.diag(RNG.uniform(0.5, 1.5, n))


def _affine_exp(lib, loc, scale):
    T = lib.distributions.transforms
    return lib.distributions.TransformedDistribution(
        lib.distributions.Normal(loc, scale), [T.AffineTransform(1.0, -2.0), T.ExpTransform()])


def _sigmoid_tanh(lib, loc, scale):
    T = lib.distributions.transforms
    return lib.distributions.TransformedDistribution(
        lib.distributions.Laplace(loc, scale), [T.TanhTransform(), T.AffineTransform(0.5, 0.5),
                                                T.PowerTransform(2.0)])


def _stick_breaking(lib, loc, scale):
    return lib.distributions.TransformedDistribution(
        lib.distributions.Normal(loc, scale),
        lib.distributions.transforms.StickBreakingTransform())


def _independent(lib, loc, scale):
    return lib.distributions.Independent(lib.distributions.Normal(loc, scale), 1)


def _mixture(lib, probs, loc, scale):
    D = lib.distributions
    return D.MixtureSameFamily(D.Categorical(probs), D.Normal(loc, scale))


def _d(name, *leading):
    """``name(*leading, *params)``."""
    return lambda lib, *params: getattr(lib.distributions, name)(*leading, *params)


def _keyword(name, key, *leading):
    """``name(*leading, key=params[-1])`` after the other params."""
    return lambda lib, *params: getattr(lib.distributions, name)(
        *leading, *params[:-1], **{key: params[-1]})


# (id, factory(lib, *params), params, value for log_prob/cdf, probabilities for icdf)
CASES = [
    ("Normal", _d("Normal"),
     [RNG.normal(size=3), _u(3)], RNG.normal(size=(4, 3)), _u(3, low=.05, high=.95)),
    ("Laplace", _d("Laplace"),
     [RNG.normal(size=3), _u(3)], RNG.normal(size=(4, 3)), _u(3, low=.05, high=.95)),
    ("Cauchy", _d("Cauchy"),
     [RNG.normal(size=3), _u(3)], RNG.normal(size=(4, 3)), _u(3, low=.05, high=.95)),
    ("StudentT", _d("StudentT"),
     [np.array([0.7, 1.5, 3.0, 6.0]), RNG.normal(size=4), _u(4)], RNG.normal(size=(2, 4)), None),
    ("Uniform", _d("Uniform"), [np.array([0.0, -1.0]), np.array([1.0, 2.0])],
     np.array([[0.3, 1.5], [0.9, -0.5]]), _u(2, low=.05, high=.95)),
    ("Exponential", _d("Exponential"), [_u(3)], _u(2, 3), _u(3, low=.05, high=.95)),
    ("Gamma", _d("Gamma"), [np.array([0.5, 1.5, 4.0]), _u(3)], _u(2, 3), None),
    ("Chi2", _d("Chi2"), [np.array([1.5, 3.0, 7.0])], _u(2, 3), None),
    ("Beta", _d("Beta"),
     [np.array([0.5, 2.0, 3.0]), np.array([1.5, 2.5, 0.8])], _u(2, 3, low=.1, high=.9), None),
    ("Dirichlet", _d("Dirichlet"),
     [np.array([[0.5, 2.0, 3.0], [1.2, 2.0, 0.7]])], _simplex(4, 2, 3), None),
    ("LogNormal", _d("LogNormal"), [RNG.normal(size=3), _u(3)], _u(2, 3),
     _u(3, low=.05, high=.95)),
    ("HalfNormal", _d("HalfNormal"), [_u(3)], _u(2, 3), _u(3, low=.05, high=.95)),
    ("Gumbel", _d("Gumbel"),
     [RNG.normal(size=3), _u(3)], RNG.normal(size=(4, 3)), _u(3, low=.05, high=.95)),
    ("HalfCauchy", _d("HalfCauchy"), [_u(3)], _u(2, 3), _u(3, low=.05, high=.95)),
    ("Pareto", _d("Pareto"), [_u(3, high=1.0), np.array([0.7, 1.5, 3.0])],
     _u(2, 3, low=1.0, high=3.0), _u(3, low=.05, high=.95)),
    ("Weibull", _d("Weibull"), [_u(3), np.array([0.7, 1.5, 3.0])], _u(2, 3),
     _u(3, low=.05, high=.95)),
    ("InverseGamma", _d("InverseGamma"), [np.array([0.7, 1.5, 3.0]), _u(3)], _u(2, 3), None),
    ("Kumaraswamy", _d("Kumaraswamy"), [np.array([0.7, 1.5, 3.0]), np.array([2.0, 0.8, 1.2])],
     _u(2, 3, low=.1, high=.9), _u(3, low=.05, high=.95)),
    ("FisherSnedecor", _d("FisherSnedecor"),
     [np.array([1.0, 3.0, 6.0, 2.5]), np.array([2.0, 5.0, 9.0, 4.5])], _u(2, 4), None),
    ("FisherSnedecorFiniteMoments", _d("FisherSnedecor"),
     [np.array([1.0, 3.0]), np.array([5.0, 9.0])], _u(2, 2), None),
    ("InverseGammaFiniteMoments", _d("InverseGamma"), [np.array([2.5, 4.0]), _u(2)], _u(2, 2),
     None),
    ("MixtureSameFamily", _mixture, [_simplex(2, 3), RNG.normal(size=(2, 3)), _u(2, 3)],
     RNG.normal(size=(4, 2)), None),
    ("ContinuousBernoulli", _d("ContinuousBernoulli"), [np.array([0.2, 0.4995, 0.7, 0.95])],
     _u(2, 4, low=.05, high=.95), _u(4, low=.05, high=.95)),
    ("ContinuousBernoulliLogits", _keyword("ContinuousBernoulli", "logits"),
     [RNG.normal(size=3)], _u(2, 3, low=.05, high=.95), _u(3, low=.05, high=.95)),
    ("Bernoulli", _d("Bernoulli"),
     [_u(3, low=.1, high=.9)], np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]), None),
    ("BernoulliLogits", _keyword("Bernoulli", "logits"),
     [RNG.normal(size=3)], np.array([0.0, 1.0, 1.0]), None),
    ("Geometric", _d("Geometric"), [_u(3, low=.1, high=.9)], np.array([[0.0, 3.0, 1.0]]), None),
    ("GeometricLogits", _keyword("Geometric", "logits"),
     [RNG.normal(size=3)], np.array([[0.0, 3.0, 1.0]]), None),
    ("Poisson", _d("Poisson"), [_u(3, high=4)], np.array([[0.0, 3.0, 1.0], [2.0, 5.0, 0.0]]),
     None),
    ("Binomial", _d("Binomial", 5), [_u(3, low=.1, high=.9)], np.array([[0.0, 3.0, 5.0]]), None),
    ("BinomialLogits", _keyword("Binomial", "logits", 6),
     [RNG.normal(size=3)], np.array([[0.0, 3.0, 6.0]]), None),
    ("NegativeBinomial", _d("NegativeBinomial", 2.5), [_u(3, low=.1, high=.9)],
     np.array([[0.0, 3.0, 5.0]]), None),
    ("NegativeBinomialLogits", _keyword("NegativeBinomial", "logits"),
     [np.array([0.5, 3.0, 1.0]), RNG.normal(size=3)], np.array([[0.0, 3.0, 5.0]]), None),
    ("Multinomial", _d("Multinomial", 5), [_u(2, 4)],
     np.array([[[0.0, 1.0, 3.0, 1.0], [5.0, 0.0, 0.0, 0.0]]]), None),
    ("MultinomialLogits", _keyword("Multinomial", "logits", 4), [RNG.normal(size=3)],
     np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 0.0]]), None),
    ("RelaxedBernoulli", _d("RelaxedBernoulli"), [_u(3), _u(3, low=.1, high=.9)],
     _u(2, 3, low=.05, high=.95), None),
    ("RelaxedBernoulliLogits", _keyword("RelaxedBernoulli", "logits"),
     [_u(3), RNG.normal(size=3)], _u(2, 3, low=.05, high=.95), None),
    ("RelaxedOneHotCategorical", _d("RelaxedOneHotCategorical"), [np.array(0.7), _u(2, 3)],
     _simplex(4, 2, 3), None),
    ("OneHotCategoricalStraightThrough", _d("OneHotCategoricalStraightThrough"), [_u(2, 4)],
     np.eye(4)[[[0, 3], [2, 1]]], None),
    ("Categorical", _d("Categorical"), [_u(2, 4)], np.array([[0, 3], [2, 1], [1, 1]]), None),
    ("CategoricalLogits", _keyword("Categorical", "logits"),
     [RNG.normal(size=(2, 4))], np.array([0, 3]), None),
    ("OneHotCategorical", _d("OneHotCategorical"), [_u(2, 4)], np.eye(4)[[[0, 3], [2, 1]]], None),
    ("MVNCovariance", _d("MultivariateNormal"),
     [RNG.normal(size=(2, 3)), _spd(3)], RNG.normal(size=(4, 2, 3)), None),
    ("MVNPrecision", _keyword("MultivariateNormal", "precision_matrix"),
     [RNG.normal(size=3), _spd(3, (2,))], RNG.normal(size=(4, 2, 3)), None),
    ("MVNScaleTril", _keyword("MultivariateNormal", "scale_tril"),
     [RNG.normal(size=3), _tril(3)], RNG.normal(size=(4, 3)), None),
    ("LowRankMVN", _d("LowRankMultivariateNormal"),
     [RNG.normal(size=(2, 3)), RNG.normal(size=(3, 2)), _u(2, 3)], RNG.normal(size=(4, 2, 3)),
     None),
    ("Independent", _independent,
     [RNG.normal(size=(2, 3)), _u(2, 3)], RNG.normal(size=(4, 2, 3)), None),
    ("AffineExp", _affine_exp, [RNG.normal(size=3), _u(3)], _u(2, 3), _u(3, low=.05, high=.95)),
    ("TanhAffinePower", _sigmoid_tanh,
     [RNG.normal(size=3), _u(3)], _u(2, 3, low=.05, high=.95), _u(3, low=.05, high=.95)),
    ("StickBreaking", _stick_breaking, [RNG.normal(size=3), _u(3)], _simplex(2, 4), None),
]
IDS = [c[0] for c in CASES]
METHODS = ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "mode", "stddev"]


def _params(lib, params, dtype, requires_grad=False):
    return [lib.tensor(p.astype(dtype), requires_grad=requires_grad) for p in params]


def _evaluate(dist, method, value, probs):
    """The method's result, or the exception type it raises."""
    try:
        if method == "log_prob" or method == "cdf":
            return getattr(dist, method)(value)
        if method == "icdf":
            if probs is None:
                raise NotImplementedError
            return dist.icdf(probs)
        attr = getattr(dist, method)
        return attr() if callable(attr) else attr
    except NotImplementedError:
        return NotImplementedError


def _value(lib, value, dtype, discrete_index=False):
    if value is None:
        return None
    return lib.tensor(value if discrete_index else value.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("method", METHODS)
def test_matches_torch(torch, case, method, dtype):
    name, factory, params, value, probs = case
    index = name.startswith("Categorical")
    theirs = _evaluate(factory(torch, *_params(torch, params, dtype)), method,
                       _value(torch, value, dtype, index), _value(torch, probs, dtype))
    ours = _evaluate(factory(nptorch, *_params(nptorch, params, dtype)), method,
                     _value(nptorch, value, dtype, index), _value(nptorch, probs, dtype))
    if theirs is NotImplementedError:
        assert ours is NotImplementedError
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    rtol = 2e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=rtol)


DIFFERENTIABLE = ["log_prob", "cdf", "entropy", "mean", "variance"]
NOT_DIFFERENTIABLE = {"MVNCovariance", "MVNPrecision", "MVNScaleTril"}  # gradcheck'd below
# their cdf is igamma, which (as in PyTorch) has no derivative in the concentration
CDF_NOT_DIFFERENTIABLE = {"Gamma", "Chi2", "InverseGamma", "InverseGammaFiniteMoments"}


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in NOT_DIFFERENTIABLE],
                         ids=[i for i in IDS if i not in NOT_DIFFERENTIABLE])
def test_gradcheck(case):
    name, factory, params, value, probs = case
    index = name.startswith("Categorical")
    value = _value(nptorch, value, np.float64, index)
    for method in DIFFERENTIABLE:
        def fn(*ps):
            return _evaluate(factory(nptorch, *ps), method, value, None)
        inputs = _params(nptorch, params, np.float64, requires_grad=True)
        if name.startswith("Binomial") or name == "Uniform" and method in ("log_prob",):
            continue  # piecewise constant in the parameters (Uniform) or checked below
        if method == "cdf" and name in CDF_NOT_DIFFERENTIABLE:
            continue  # checked in test_gamma_cdf_gradients
        result = fn(*inputs)
        if result is NotImplementedError or not result.requires_grad:
            continue
        if not bool(result.isfinite().all()):
            continue  # moments undefined for some parameters (StudentT's with df <= 2)
        assert gradcheck(fn, inputs), (name, method)


def test_mvn_gradcheck():
    loc = nptorch.tensor(RNG.normal(size=3), requires_grad=True)
    a = nptorch.tensor(RNG.normal(size=(3, 3)), requires_grad=True)
    value = nptorch.tensor(RNG.normal(size=(4, 3)))
    D = nptorch.distributions

    def covariance(loc, a):
        cov = a @ a.mT + 3 * nptorch.eye(3, dtype=a.dtype)
        d = D.MultivariateNormal(loc, cov)
        return d.log_prob(value).sum() + d.entropy()

    def precision(loc, a):
        precision_matrix = a @ a.mT + 3 * nptorch.eye(3, dtype=a.dtype)
        d = D.MultivariateNormal(loc, precision_matrix=precision_matrix)
        return d.log_prob(value).sum() + d.variance.sum()

    def scale_tril(loc, a):
        d = D.MultivariateNormal(loc, scale_tril=a.tril(-1) + 2 * nptorch.eye(3, dtype=a.dtype))
        return d.log_prob(value).sum() + d.covariance_matrix.sum() + d.precision_matrix.sum()

    for fn in (covariance, precision, scale_tril):
        assert gradcheck(fn, (loc, a))


def test_binomial_gradcheck():
    value = nptorch.tensor([0.0, 3.0, 5.0], dtype=nptorch.float64)
    probs = nptorch.tensor([0.2, 0.5, 0.7], dtype=nptorch.float64, requires_grad=True)
    logits = nptorch.tensor([-1.0, 0.0, 2.0], dtype=nptorch.float64, requires_grad=True)
    B = nptorch.distributions.Binomial
    assert gradcheck(lambda p: B(5, p).log_prob(value), (probs,))
    assert gradcheck(lambda l: B(5, logits=l).log_prob(value), (logits,))
    assert gradcheck(lambda p: B(5, p).entropy(), (probs,))


def test_gradient_matches_torch_at_even_odds(torch):
    """``logits = 0`` sits at the kink of the stable softplus: the gradient is still n/2 - k."""
    ours = nptorch.zeros(1, requires_grad=True)
    nptorch.distributions.Binomial(4, logits=ours).log_prob(nptorch.tensor([1.0])).backward()
    theirs = torch.zeros(1, requires_grad=True)
    torch.distributions.Binomial(4, logits=theirs).log_prob(torch.tensor([1.0])).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())
