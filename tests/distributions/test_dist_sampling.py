"""Samples: shapes and dtypes, moments for a fixed seed, and reparameterised gradients."""

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

D = nptorch.distributions
N = 20000


def _t(*values, dtype=nptorch.float64):
    return nptorch.tensor(values, dtype=dtype)


# distributions whose sample moments are checked at N draws
MOMENT_CASES = [
    lambda: D.Normal(_t(0.5, -1.0), _t(1.0, 2.0)),
    lambda: D.Laplace(_t(0.5, -1.0), _t(1.0, 2.0)),
    lambda: D.Uniform(_t(0.0, -1.0), _t(1.0, 3.0)),
    lambda: D.Exponential(_t(0.5, 3.0)),
    lambda: D.Gamma(_t(0.3, 2.0, 9.0), _t(1.0, 0.5, 3.0)),
    lambda: D.Chi2(_t(1.0, 6.0)),
    lambda: D.Beta(_t(0.5, 2.0), _t(3.0, 0.7)),
    lambda: D.Dirichlet(_t(0.5, 2.0, 3.0)),
    lambda: D.LogNormal(_t(0.0, 0.5), _t(0.25, 0.5)),
    lambda: D.HalfNormal(_t(1.0, 2.0)),
    lambda: D.StudentT(_t(5.0, 9.0), _t(1.0, 0.0), _t(1.0, 2.0)),
    lambda: D.Gumbel(_t(0.5, -1.0), _t(1.0, 2.0)),
    lambda: D.Pareto(_t(1.0, 2.0), _t(5.0, 9.0)),
    lambda: D.Weibull(_t(1.0, 2.0), _t(0.8, 3.0)),
    lambda: D.InverseGamma(_t(5.0, 9.0), _t(1.0, 2.0)),
    lambda: D.Kumaraswamy(_t(0.5, 2.0), _t(3.0, 0.7)),
    lambda: D.FisherSnedecor(_t(5.0, 10.0), _t(20.0, 30.0)),
    lambda: D.MixtureSameFamily(D.Categorical(_t(0.3, 0.7)),
                                D.Normal(_t(-2.0, 1.0), _t(0.5, 1.0))),
    lambda: D.MixtureSameFamily(
        D.Categorical(_t(0.3, 0.7)),
        D.Independent(D.Normal(_t(-2.0, 1.0, 0.0, 3.0).view(2, 2),
                               _t(0.5, 1.0, 2.0, 1.0).view(2, 2)), 1)),
    lambda: D.ContinuousBernoulli(_t(0.1, 0.5, 0.8)),
    lambda: D.Bernoulli(_t(0.2, 0.7)),
    lambda: D.Geometric(_t(0.2, 0.7)),
    lambda: D.Poisson(_t(0.5, 4.0)),
    lambda: D.Binomial(_t(10.0, 3.0), _t(0.2, 0.7)),
    lambda: D.NegativeBinomial(_t(3.0, 0.5), _t(0.2, 0.7)),
    lambda: D.Multinomial(6, _t(0.1, 0.2, 0.7)),
    lambda: D.OneHotCategorical(_t(0.1, 0.2, 0.7)),
    lambda: D.MultivariateNormal(_t(1.0, -1.0), _t(1.0, 0.5, 0.5, 2.0).view(2, 2)),
    lambda: D.LowRankMultivariateNormal(_t(1.0, -1.0), _t(1.0, 0.5).view(2, 1), _t(0.5, 2.0)),
    lambda: D.Independent(D.Normal(_t(0.5, -1.0), _t(1.0, 2.0)), 1),
]


@pytest.mark.parametrize("make", MOMENT_CASES)
def test_sample_moments(make):
    d = make()
    x = d.sample((N,))
    assert x.shape == (N,) + d.batch_shape + d.event_shape
    mean, var = d.mean.numpy(), d.variance.numpy()
    sample = x.numpy()
    tolerance = 5 * np.sqrt(var / N)  # five standard errors
    np.testing.assert_array_less(np.abs(sample.mean(0) - mean), tolerance)
    if type(d).__name__ != "StudentT":  # heavy tails: the sample variance converges slowly
        np.testing.assert_allclose(sample.var(0), var, rtol=0.08)


def test_categorical_frequencies():
    probs = _t(0.1, 0.0, 0.2, 0.7)
    x = D.Categorical(probs).sample((N,))
    assert x.dtype == nptorch.int64
    counts = np.bincount(x.numpy(), minlength=4) / N
    np.testing.assert_allclose(counts, probs.numpy(), atol=5 * np.sqrt(0.25 / N))
    assert counts[1] == 0


def test_cauchy_quartiles():
    x = D.Cauchy(_t(1.0), _t(2.0)).sample((N,)).numpy()
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75]), [-1.0, 1.0, 3.0], atol=0.15)
    x = D.HalfCauchy(_t(2.0)).expand((3,)).sample((N,)).numpy()
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75], axis=0),
                               [[2 * np.tan(np.pi / 8)] * 3, [2.0] * 3,
                                [2 * np.tan(3 * np.pi / 8)] * 3], rtol=0.06)


@pytest.mark.parametrize("dtype", [nptorch.float32, nptorch.float64])
@pytest.mark.parametrize("name, args, integral", [
    ("Normal", (2, 2), False), ("Laplace", (2, 2), False), ("Cauchy", (2, 2), False),
    ("Uniform", (0, 1), False), ("Exponential", (1,), False), ("Gamma", (2, 3), False),
    ("Beta", (2, 3), False), ("LogNormal", (0, 1), False), ("HalfNormal", (1,), False),
    ("StudentT", (3,), False), ("Gumbel", (0, 1), False), ("HalfCauchy", (1,), False),
    ("Pareto", (1, 2), False), ("Weibull", (1, 2), False), ("InverseGamma", (2, 3), False),
    ("Kumaraswamy", (2, 3), False), ("FisherSnedecor", (2, 3), False),
    ("ContinuousBernoulli", (0.3,), False), ("Bernoulli", (0.3,), True),
    ("Geometric", (0.3,), True),
    ("Poisson", (2,), True), ("Binomial", (4, 0.3), True)])
def test_shapes_and_dtypes(name, args, integral, dtype):
    params = [nptorch.full((3,), float(a), dtype=dtype) for a in args]
    d = getattr(D, name)(*params)
    for sample_shape in [(), (5,), (2, 4)]:
        x = d.sample(sample_shape)
        assert x.shape == sample_shape + (3,)
        assert x.dtype == dtype
        assert not x.requires_grad
        assert bool(d.support.check(x).all())
        if integral:
            assert bool((x == x.round()).all())
    assert d.sample().shape == (3,)


def test_event_shapes():
    x = D.Dirichlet(nptorch.ones(2, 4)).sample((5,))
    assert x.shape == (5, 2, 4)
    np.testing.assert_allclose(x.sum(-1).numpy(), 1.0, rtol=1e-6)
    assert D.Categorical(nptorch.ones(2, 4)).sample((5, 3)).shape == (5, 3, 2)
    assert D.OneHotCategorical(nptorch.ones(2, 4)).sample((5,)).shape == (5, 2, 4)
    mvn = D.MultivariateNormal(nptorch.zeros(2, 3), scale_tril=nptorch.eye(3))
    assert mvn.rsample((5,)).shape == (5, 2, 3)
    with pytest.warns(UserWarning, match="sample_n will be deprecated"):
        assert mvn.sample_n(4).shape == (4, 2, 3)


def test_seeded_draws_repeat():
    d = D.Gamma(nptorch.tensor([0.5, 2.0]), 1.0)
    nptorch.manual_seed(3)
    a = d.sample((4,))
    nptorch.manual_seed(3)
    assert bool((d.sample((4,)) == a).all())


def _seeded(make):
    def fn(*params):
        nptorch.manual_seed(1)
        return make(*params).rsample((3,))
    return fn


@pytest.mark.parametrize("make, params", [
    (D.Normal, [(0.5, -1.0), (1.0, 2.0)]),
    (D.Laplace, [(0.5, -1.0), (1.0, 2.0)]),
    (D.Cauchy, [(0.5, -1.0), (1.0, 2.0)]),
    (D.Uniform, [(0.5, -1.0), (1.0, 2.0)]),
    (D.Exponential, [(0.5, 3.0)]),
    (D.LogNormal, [(0.5, -1.0), (1.0, 0.5)]),
    (D.HalfNormal, [(1.0, 2.0)]),
    (lambda loc, a: D.MultivariateNormal(loc, scale_tril=a.view(2, 2).tril()
                                         + nptorch.eye(2, dtype=a.dtype)),
     [(0.5, -1.0), (1.0, 0.0, 0.3, 0.5)]),
])
def test_rsample_gradcheck(make, params):
    """The reparameterised draw is a smooth function of the parameters for fixed noise."""
    inputs = [nptorch.tensor(p, dtype=nptorch.float64, requires_grad=True) for p in params]
    assert gradcheck(_seeded(make), inputs)


def test_standard_gamma_gradient_is_the_inverse_cdf_derivative():
    """d x / d alpha at fixed CDF level u: compared with a central difference of SciPy's
    inverse incomplete gamma function."""
    special = pytest.importorskip("scipy.special")
    alpha = nptorch.tensor([0.05, 0.4, 1.0, 3.0, 20.0], dtype=nptorch.float64,
                           requires_grad=True)
    x = D.Gamma(alpha, 1.0).rsample((6,))
    x.sum().backward()
    a, xs = alpha.detach().numpy(), x.detach().numpy()
    u = special.gammainc(a, xs)
    h = 1e-6 * a
    expected = (special.gammaincinv(a + h, u) - special.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(alpha.grad.numpy(), expected.sum(0), rtol=1e-4)


@pytest.mark.parametrize("make, expected", [
    # d E[x] / d(params): Gamma (c / r), Beta (c1 / (c1 + c0)), Dirichlet (c_0 / sum c)
    (lambda c, r: D.Gamma(c, r), lambda c, r: (1 / r, -c / r ** 2)),
    (lambda c1, c0: D.Beta(c1, c0), lambda c1, c0: (c0 / (c1 + c0) ** 2, -c1 / (c1 + c0) ** 2)),
    (lambda c1, c0: D.Dirichlet(nptorch.stack([c1, c0, c0 + 1])),
     lambda c1, c0: (((2 * c0 + 1) / (c1 + 2 * c0 + 1) ** 2), -2 * c1 / (c1 + 2 * c0 + 1) ** 2)),
])
def test_implicit_reparameterisation_is_unbiased(make, expected):
    """Averaged over draws, the pathwise gradient of a sample is the gradient of the mean."""
    params = [nptorch.tensor(1.5, dtype=nptorch.float64, requires_grad=True),
              nptorch.tensor(2.5, dtype=nptorch.float64, requires_grad=True)]
    x = make(*params).rsample((N,))
    (x if x.dim() == 1 else x[:, 0]).mean().backward()
    want = expected(*[float(p) for p in params])
    for p, w in zip(params, want):
        assert abs(p.grad.item() - w) < 0.05 * abs(w)


def test_gamma_cdf_gradients():
    """Differentiable in ``rate``; in ``concentration`` it raises, as PyTorch's ``igamma``."""
    c = nptorch.tensor([0.5, 2.0, 7.0], dtype=nptorch.float64)
    r = nptorch.tensor([1.0, 0.5, 2.0], dtype=nptorch.float64, requires_grad=True)
    value = nptorch.tensor([0.3, 5.0, 3.0], dtype=nptorch.float64)
    assert gradcheck(lambda r: D.Gamma(c, r).cdf(value), (r,))
    with pytest.raises(NotImplementedError, match="igamma: input"):
        D.Gamma(c.requires_grad_(), r).cdf(value).sum().backward()


def test_sample_has_no_graph_rsample_has_one():
    loc = nptorch.zeros(2, requires_grad=True)
    d = D.Normal(loc, 1.0)
    assert not d.sample().requires_grad
    assert d.rsample().requires_grad
    assert d.has_rsample and not D.Bernoulli(0.5).has_rsample
    with pytest.raises(NotImplementedError):
        D.Poisson(1.0).rsample()
