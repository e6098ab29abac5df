"""VonMises, GeneralizedPareto, LogisticNormal, Wishart and LKJCholesky: values, moments,
samples, gradients, expand and validation, against PyTorch (and SciPy or sample statistics
where PyTorch's own are approximate or wrong)."""
import math
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

D = nptorch.distributions
RNG = np.random.default_rng(11)
N = 20000


def _spd(n, batch=()):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _t(lib, value, dtype=np.float64):
    return lib.tensor(np.asarray(value, dtype=dtype))


def _plain(text):
    """``text`` without the library prefixes of ``Size``."""
    return text.replace("nptorch.", "").replace("torch.", "")


def _close(ours, theirs, rtol):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=rtol)


# VonMises

VM_PARAMS = [np.array([0.5, -2.0, 3.0, 10.0]), np.array([0.01, 2.0, 30.0, 3.75])]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_von_mises_matches_torch(torch, dtype):
    """PyTorch approximates ``log I_0`` by polynomials (relative error ~1e-7); ours is
    exact, so the tolerance is that of the approximation."""
    value = RNG.uniform(-7, 7, (3, 4))
    ours, theirs = (lib.distributions.VonMises(*[_t(lib, p, dtype) for p in VM_PARAMS])
                    for lib in (nptorch, torch))
    _close(ours.log_prob(_t(nptorch, value, dtype)), theirs.log_prob(_t(torch, value, dtype)),
           2e-6)
    for name in ("mean", "mode", "variance"):
        _close(getattr(ours, name), getattr(theirs, name), 2e-6)
    with pytest.raises(NotImplementedError):
        ours.entropy()
    with pytest.raises(NotImplementedError):
        ours.cdf(ours.loc)
    assert not ours.has_rsample


def test_von_mises_density_is_normalised():
    d = D.VonMises(_t(nptorch, [1.0, -2.5, 0.0]), _t(nptorch, [0.3, 5.0, 700.0]))
    x = nptorch.linspace(-math.pi, math.pi, 20001, dtype=nptorch.float64).unsqueeze(-1)
    density = d.log_prob(x).exp().numpy()
    np.testing.assert_allclose(np.trapezoid(density, x.numpy()[:, 0], axis=0), 1.0, rtol=1e-8)
    k = nptorch.tensor([0.5, 4.0, 50.0], dtype=nptorch.float64, requires_grad=True)
    assert gradcheck(lambda k: D.VonMises(0.3, k).log_prob(nptorch.tensor(1.0)), (k,))
    assert gradcheck(lambda k: D.VonMises(0.3, k).variance, (k,))


@pytest.mark.parametrize("dtype", [nptorch.float32, nptorch.float64])
def test_von_mises_samples(dtype):
    """Circular mean and variance of the draws, for tiny to large concentrations."""
    loc = nptorch.tensor([0.5, -2.0, 3.0, 1.0], dtype=dtype)
    concentration = nptorch.tensor([1e-6, 0.5, 2.0, 40.0], dtype=dtype)
    d = D.VonMises(loc, concentration)
    x = d.sample((N,))
    assert x.shape == (N, 4) and x.dtype == dtype
    assert bool((x >= -math.pi).all()) and bool((x <= math.pi).all())
    x = x.double().numpy()
    resultant = np.cos(x).mean(0) + 1j * np.sin(x).mean(0)
    np.testing.assert_allclose(1 - np.abs(resultant), d.variance.numpy(), atol=0.015)
    direction = np.angle(resultant * np.exp(-1j * loc.double().numpy()))
    np.testing.assert_array_less(np.abs(direction[1:]), [0.1, 0.03, 0.01])
    assert D.VonMises(0.0, 1.0).sample((2, 3)).shape == (2, 3)


# GeneralizedPareto

GP_PARAMS = [np.array([0.1, 0.0, -1.0, 2.0, 0.5, 0.0]),
             np.array([2.0, 1.0, 1.5, 0.5, 1.0, 0.7]),
             np.array([0.4, 0.0, -1.0, -0.3, 1e-9, 0.8])]
GP_VALUES = np.array([[0.5, 0.3, 0.4, 2.5, 1.0, 5.0], [7.0, 0.0, -0.9, 3.6, 0.6, 0.1]])
GP_PROBS = np.array([0.1, 0.5, 0.9, 0.3, 0.7, 0.99])
GP_METHODS = ["log_prob", "cdf", "log_cdf", "log_survival_function", "icdf", "mean",
              "variance", "entropy", "mode"]


def _gp_method(d, name, lib):
    dtype = d.loc.numpy().dtype
    if name == "icdf":
        return d.icdf(_t(lib, GP_PROBS, dtype))
    if name in ("log_prob", "cdf", "log_cdf", "log_survival_function"):
        return getattr(d, name)(_t(lib, GP_VALUES, dtype))
    return d.entropy() if name == "entropy" else getattr(d, name)


@pytest.mark.parametrize("name", GP_METHODS)
def test_generalized_pareto_matches_torch(torch, name):
    """In float32: PyTorch's log_prob fails in float64 (it compares with a float32 zero)."""
    ours, theirs = (lib.distributions.GeneralizedPareto(*[_t(lib, p, np.float32)
                                                          for p in GP_PARAMS])
                    for lib in (nptorch, torch))
    _close(_gp_method(ours, name, nptorch), _gp_method(theirs, name, torch), 2e-5)


@pytest.mark.parametrize("name", GP_METHODS)
def test_generalized_pareto_matches_scipy(name):
    stats = pytest.importorskip("scipy.stats")
    loc, scale, xi = GP_PARAMS
    reference = stats.genpareto(xi, loc, scale)
    expected = {"log_prob": lambda: reference.logpdf(GP_VALUES),
                "cdf": lambda: reference.cdf(GP_VALUES),
                "log_cdf": lambda: reference.logcdf(GP_VALUES),
                "log_survival_function": lambda: reference.logsf(GP_VALUES),
                "icdf": lambda: reference.ppf(GP_PROBS),
                "mean": lambda: np.where(xi < 1, reference.mean(), np.nan),
                "variance": lambda: np.where(xi < 0.5, reference.var(), np.nan),
                "entropy": lambda: reference.entropy(), "mode": lambda: loc}[name]()
    d = D.GeneralizedPareto(*[_t(nptorch, p) for p in GP_PARAMS])
    np.testing.assert_allclose(_gp_method(d, name, nptorch).numpy(), expected, rtol=1e-7)


def test_generalized_pareto_support_samples_and_gradients(torch):
    params = [_t(nptorch, p) for p in GP_PARAMS]
    d = D.GeneralizedPareto(*params)
    theirs = torch.distributions.GeneralizedPareto(*[_t(torch, p) for p in GP_PARAMS])
    assert repr(d.support) == repr(theirs.support).replace("torch.", "nptorch.")
    x = d.sample((N,))
    assert x.shape == (N, 6) and bool(d.support.check(x).all())
    finite = GP_PARAMS[2] < 0.25
    mean, var = d.mean.numpy()[finite], d.variance.numpy()[finite]
    np.testing.assert_array_less(np.abs(x.numpy()[:, finite].mean(0) - mean),
                                 5 * np.sqrt(var / N))
    np.testing.assert_allclose(np.median(x.numpy(), 0), d.icdf(_t(nptorch, 0.5)).numpy(),
                               rtol=0.05, atol=0.02)
    # away from the branch points xi = 0 and xi = -1
    smooth = [0, 3, 5]
    inputs = [p[smooth].clone().requires_grad_() for p in params]

    def draw(*ps):
        nptorch.manual_seed(2)
        return D.GeneralizedPareto(*ps).rsample((3,))
    assert gradcheck(draw, inputs)
    value = nptorch.tensor(GP_VALUES[:, smooth])
    assert gradcheck(lambda *ps: D.GeneralizedPareto(*ps).log_prob(value), inputs)


# LogisticNormal

@pytest.mark.parametrize("loc, scale", [(np.array([[0.5, -1.0, 0.2], [0.0, 1.0, 2.0]]),
                                         np.array([1.0, 0.5, 2.0])),
                                        (np.array(0.3), np.array(1.5))])
def test_logistic_normal_matches_torch(torch, loc, scale):
    ours, theirs = (lib.distributions.LogisticNormal(_t(lib, loc), _t(lib, scale))
                    for lib in (nptorch, torch))
    assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape),
                                                    tuple(theirs.event_shape))
    value = RNG.uniform(0.1, 1.0, (4,) + tuple(theirs.batch_shape + theirs.event_shape))
    value /= value.sum(-1, keepdims=True)
    _close(ours.log_prob(_t(nptorch, value)), theirs.log_prob(_t(torch, value)), 1e-10)
    _close(ours.loc, theirs.loc, 0)
    _close(ours.scale, theirs.scale, 0)
    with pytest.raises(NotImplementedError):
        ours.mean
    expanded = ours.expand((5,) + tuple(ours.batch_shape))
    assert expanded.batch_shape == (5,) + ours.batch_shape
    assert expanded.sample((2,)).shape == (2, 5) + ours.batch_shape + ours.event_shape


def test_logistic_normal_samples():
    """The stick-breaking inverse of a draw is the Normal draw."""
    loc, scale = _t(nptorch, [0.5, -1.0, 0.2]), _t(nptorch, [1.0, 0.5, 2.0])
    d = D.LogisticNormal(loc, scale)
    x = d.sample((N,))
    assert x.shape == (N, 4) and bool(d.support.check(x).all())
    z = D.transforms.StickBreakingTransform().inv(x).numpy()
    np.testing.assert_array_less(np.abs(z.mean(0) - loc.numpy()), 5 * scale.numpy() / N ** 0.5)
    np.testing.assert_allclose(z.std(0), scale.numpy(), rtol=0.03)
    inputs = [loc.clone().requires_grad_(), scale.clone().requires_grad_()]

    def draw(*ps):
        nptorch.manual_seed(3)
        return D.LogisticNormal(*ps).rsample((2,))
    assert gradcheck(draw, inputs)


# Wishart

def _wishart(lib, df, key, matrix):
    return lib.distributions.Wishart(_t(lib, df), **{key: _t(lib, matrix)})


WISHART = [
    (np.array([4.0, 6.5]), "covariance_matrix", _spd(3, (2,))),
    (np.array(2.5), "precision_matrix", _spd(3)),
    (np.array([3.0, 5.0]), "scale_tril", np.linalg.cholesky(_spd(3))),
]


@pytest.mark.parametrize("df, key, matrix", WISHART, ids=[w[1] for w in WISHART])
def test_wishart_matches_torch(torch, df, key, matrix):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Low df values" for df = 2.5
        ours, theirs = _wishart(nptorch, df, key, matrix), _wishart(torch, df, key, matrix)
    value = _spd(3, (4, 1))
    _close(ours.log_prob(_t(nptorch, value)), theirs.log_prob(_t(torch, value)), 1e-10)
    for name in ("entropy", "mean", "variance", "mode", "covariance_matrix", "precision_matrix",
                 "scale_tril"):
        o, t = getattr(ours, name), getattr(theirs, name)
        _close(o() if callable(o) else o, t() if callable(t) else t, 1e-10)
    _close(D.ExponentialFamily.entropy(ours), theirs.entropy(), 1e-10)
    for o, t in zip(ours._natural_params, theirs._natural_params):
        _close(o, t, 1e-12)
    assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape), (3, 3))
    assert _plain(repr(ours)) == _plain(repr(theirs))
    assert ours.arg_constraints["df"].lower_bound == 2


def test_wishart_kl_and_gradients(torch):
    """The KL divergence is the Bregman divergence, as PyTorch's; gradients flow to the
    parameters through log_prob and entropy."""
    df_p, cov_p, df_q, cov_q = 4.0, _spd(2, (3,)), np.array([3.0, 2.5, 6.0]), _spd(2)
    kls = [lib.distributions.kl_divergence(
        lib.distributions.Wishart(_t(lib, df_p), _t(lib, cov_p)),
        lib.distributions.Wishart(_t(lib, df_q), _t(lib, cov_q))) for lib in (nptorch, torch)]
    _close(*kls, 1e-9)
    value = nptorch.tensor(_spd(2, (2,)))
    inputs = (_t(nptorch, [3.0, 4.5]).requires_grad_(),
              _t(nptorch, np.linalg.cholesky(_spd(2))).requires_grad_())

    def fn(df, a):
        d = D.Wishart(df, scale_tril=a.tril(-1) + a.diagonal().abs().diag_embed())
        return d.log_prob(value) + d.entropy()
    assert gradcheck(fn, inputs)


def test_wishart_samples():
    df, cov = _t(nptorch, [4.0, 7.5]), _t(nptorch, _spd(3))
    d = D.Wishart(df, cov)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a regular draw is not singular: no warning
        x = d.sample((N,))
    assert x.shape == (N, 2, 3, 3) and bool(d.support.check(x).all())
    tolerance = 5 * np.sqrt(d.variance.numpy() / N)
    np.testing.assert_array_less(np.abs(x.numpy().mean(0) - d.mean.numpy()), tolerance)
    np.testing.assert_allclose(x.numpy().var(0), d.variance.numpy(), rtol=0.1)
    L = _t(nptorch, np.linalg.cholesky(_spd(2))).requires_grad_()

    def draw(L):
        nptorch.manual_seed(4)
        return D.Wishart(_t(nptorch, 3.5), scale_tril=L.tril()).rsample((2,))
    assert gradcheck(draw, (L,))


def test_wishart_low_df_draws_are_corrected():
    with pytest.warns(UserWarning, match="Low df values detected"):
        d = D.Wishart(_t(nptorch, 1.0 + 1e-12), nptorch.eye(2, dtype=nptorch.float64))
    with pytest.warns(UserWarning, match="Singular sample detected"):
        x = d.rsample((200,), max_try_correction=0)
    with pytest.warns(UserWarning, match="Singular sample detected"):
        corrected = d.rsample((200,))
    assert x.shape == corrected.shape == (200, 2, 2)
    valid = [float(d.support.check(s).double().mean()) for s in (x, corrected)]
    assert valid[0] < 0.5 < valid[1]


# LKJCholesky

@pytest.mark.parametrize("dim", [2, 3, 5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lkj_cholesky_log_prob_matches_torch(torch, dim, dtype):
    concentration = np.array([0.5, 1.0, 3.0])
    ours = D.LKJCholesky(dim, _t(nptorch, concentration, dtype))
    theirs = torch.distributions.LKJCholesky(dim, _t(torch, concentration, dtype))
    value = ours.sample((4,))
    assert value.shape == (4, 3, dim, dim) and value.dtype == ours.concentration.dtype
    assert bool(ours.support.check(value).all())
    _close(ours.log_prob(value), theirs.log_prob(_t(torch, value.numpy(), dtype)),
           1e-5 if dtype == np.float32 else 1e-12)
    assert (ours.batch_shape, ours.event_shape) == (tuple(theirs.batch_shape),
                                                    tuple(theirs.event_shape))
    assert D.LKJCholesky(dim).batch_shape == ()


@pytest.mark.parametrize("dim", [3, 5])
def test_lkj_cholesky_samples_are_exchangeable(dim):
    """Every correlation ``r_ij`` of an LKJ(eta) draw has ``(r + 1) / 2 ~ Beta(a, a)`` with
    ``a = eta - 1 + dim / 2``: variance ``1 / (2 a + 1)``. (PyTorch's draws miss this for the
    correlations with rows below the second.)"""
    eta = np.array([0.5, 1.0, 3.0])
    x = D.LKJCholesky(dim, _t(nptorch, eta)).sample((N,)).numpy()
    corr = x @ np.swapaxes(x, -1, -2)
    np.testing.assert_allclose(np.diagonal(corr, axis1=-2, axis2=-1), 1.0, rtol=1e-12)
    rows, cols = np.tril_indices(dim, -1)
    r = corr[..., rows, cols]
    variance = 1 / (2 * (eta - 1 + dim / 2) + 1)
    np.testing.assert_allclose(r.var(0), variance[:, None].repeat(len(rows), 1), rtol=0.05)
    assert (np.abs(r.mean(0)) < 5 * np.sqrt(variance[:, None] / N)).all()


def test_lkj_cholesky_log_prob_is_the_density():
    """For dim 2, ``L_10 = r`` has density ``(1 - r^2) ** (eta - 1) / B(1/2, eta)``."""
    r = np.linspace(-0.99, 0.99, 7)
    L = np.zeros((7, 2, 2))
    L[:, 0, 0], L[:, 1, 0], L[:, 1, 1] = 1, r, np.sqrt(1 - r ** 2)
    eta = 2.5
    expected = (eta - 1) * np.log1p(-r ** 2) - (math.lgamma(0.5) + math.lgamma(eta)
                                                 - math.lgamma(eta + 0.5))
    log_prob = D.LKJCholesky(2, _t(nptorch, eta)).log_prob(nptorch.tensor(L))
    np.testing.assert_allclose(log_prob.numpy(), expected, rtol=1e-12)


# shared API

def _new_distributions(lib):
    D = lib.distributions
    return [D.VonMises(lib.zeros(2), lib.tensor([1.0, 2.0])),
            D.GeneralizedPareto(lib.zeros(2), 1.0, lib.tensor([0.2, -0.5])),
            D.LogisticNormal(lib.zeros(2, 3), lib.ones(3)),
            D.Wishart(lib.tensor([3.0, 4.0]), lib.eye(2)),
            D.LKJCholesky(3, lib.tensor([1.0, 2.0]))]


def test_expand_constraints_and_reprs(torch):
    for ours, theirs in zip(_new_distributions(nptorch), _new_distributions(torch)):
        assert _plain(repr(ours)) == _plain(repr(theirs))
        assert {k: repr(c) for k, c in ours.arg_constraints.items()} == {
            k: repr(c) for k, c in theirs.arg_constraints.items()}
        assert repr(ours.support) == repr(theirs.support).replace("torch.", "nptorch.")
        assert ours.has_rsample == theirs.has_rsample
        e, te = ours.expand((4, 2)), theirs.expand((4, 2))
        assert type(e) is type(ours)
        assert e.batch_shape == tuple(te.batch_shape) and e.event_shape == tuple(te.event_shape)
        x = e.sample((5,))
        assert x.shape == tuple(te.sample((5,)).shape)
        _close(e.log_prob(x), te.log_prob(torch.tensor(x.numpy())), 1e-5)


INVALID = [
    lambda lib: lib.distributions.VonMises(0.0, -1.0),
    lambda lib: lib.distributions.VonMises(0.0, 1.0).log_prob(lib.tensor(float("nan"))),
    lambda lib: lib.distributions.GeneralizedPareto(0.0, -1.0, 0.5),
    lambda lib: lib.distributions.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(lib.tensor([3.0])),
    lambda lib: lib.distributions.LogisticNormal(0.0, -1.0),
    lambda lib: lib.distributions.LogisticNormal(0.0, 1.0).log_prob(lib.tensor([0.5, 0.6])),
    lambda lib: lib.distributions.Wishart(3.0, lib.eye(2), scale_tril=lib.eye(2)),
    lambda lib: lib.distributions.Wishart(3.0),
    lambda lib: lib.distributions.Wishart(3.0, lib.ones(2)),
    lambda lib: lib.distributions.Wishart(0.5, lib.eye(2)),
    lambda lib: lib.distributions.Wishart(lib.tensor([3.0, 0.5]), lib.eye(2)),
    lambda lib: lib.distributions.Wishart(3.0, lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: lib.distributions.Wishart(3.0, lib.eye(2)).log_prob(
        lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: lib.distributions.LKJCholesky(1),
    lambda lib: lib.distributions.LKJCholesky(2).log_prob(lib.eye(2) * 2),
]


@pytest.mark.parametrize("build", INVALID)
def test_errors_match_torch(torch, build):
    errors = []
    for lib in (nptorch, torch):
        with pytest.raises(Exception) as info:
            build(lib)
        errors.append((type(info.value).__name__, _plain(str(info.value))))
    assert errors[0] == errors[1]


def test_lkj_cholesky_rejects_a_nonpositive_concentration():
    """Checked as the concentration (PyTorch fails on the Beta it builds from it)."""
    with pytest.raises(ValueError, match="Expected parameter concentration .* LKJCholesky"):
        D.LKJCholesky(3, -1.0)


_LOC = np.random.default_rng(12).normal(size=(3, 2))
_COV = _LOC.T @ _LOC + np.eye(2) * np.array([1.0, 2.0, 3.0])[:, None, None]


def _cholesky_parameterised(lib):
    D = lib.distributions
    cov, loc = _t(lib, _COV), _t(lib, _LOC)
    return [D.MultivariateNormal(loc, precision_matrix=cov),
            D.Wishart(_t(lib, [3.0, 4.0, 5.0]), scale_tril=lib.linalg.cholesky(cov)),
            D.LowRankMultivariateNormal(loc, _t(lib, np.ones((2, 1))), _t(lib, [1.0, 2.0]))]


def test_expand_shares_the_unbatched_factors(torch):
    """The matrices computed before ``expand`` are expanded; the Cholesky and low-rank
    factors, which lack the batch dims, are shared as they are."""
    for ours, theirs in zip(_cholesky_parameterised(nptorch), _cholesky_parameterised(torch)):
        ours.covariance_matrix, theirs.covariance_matrix
        e, te = ours.expand((4, 3)), theirs.expand((4, 3))
        assert e.batch_shape == tuple(te.batch_shape)
        for name in ("covariance_matrix", "precision_matrix", "scale_tril", "variance"):
            if hasattr(te, name):
                _close(getattr(e, name), getattr(te, name), 1e-10)
        x = te.sample((2,))
        _close(e.log_prob(nptorch.tensor(x.numpy())), te.log_prob(x), 1e-10)
        assert e.rsample((5,)).shape == tuple(te.rsample((5,)).shape)
