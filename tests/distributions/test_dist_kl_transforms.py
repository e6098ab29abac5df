"""KL divergences and transforms against PyTorch, with float64 gradchecks."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

RNG = np.random.default_rng(1)


def _u(*shape, low=0.5, high=2.0):
    return RNG.uniform(low, high, shape)


def _spd(n):
    a = RNG.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def _same(lib, name):
    return lambda *ps: getattr(lib.distributions, name)(*ps)


# (id, factory(lib) -> make(*params), params of p, params of q)
KL_CASES = [
    ("Normal", "Normal", [RNG.normal(size=3), _u(3)], [RNG.normal(size=3), _u(3)]),
    ("Laplace", "Laplace", [RNG.normal(size=3), _u(3)], [RNG.normal(size=3), _u(3)]),
    ("Exponential", "Exponential", [_u(3)], [_u(3)]),
    ("Gamma", "Gamma", [_u(3), _u(3)], [_u(3), _u(3)]),
    ("Beta", "Beta", [_u(3), _u(3)], [_u(3), _u(3)]),
    ("Dirichlet", "Dirichlet", [_u(2, 3)], [_u(2, 3)]),
    ("Poisson", "Poisson", [_u(3)], [_u(3)]),
    ("Bernoulli", "Bernoulli", [np.array([0.0, 0.3, 1.0, 0.5])], [np.array([0.2, 0.0, 1.0, 1.0])]),
    ("Categorical", "Categorical", [np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])],
     [np.array([[0.3, 0.0, 0.7], [0.1, 0.1, 0.8]])]),
    ("OneHotCategorical", "OneHotCategorical", [_u(2, 3)], [_u(2, 3)]),
    ("Uniform", "Uniform", [np.array([0.0, -1.0]), np.array([1.0, 2.0])],
     [np.array([-1.0, 0.0]), np.array([2.0, 3.0])]),
    ("HalfNormal", "HalfNormal", [_u(3)], [_u(3)]),
    ("Gumbel", "Gumbel", [RNG.normal(size=3), _u(3)], [RNG.normal(size=3), _u(3)]),
    ("Pareto", "Pareto", [np.array([0.5, 1.0, 2.0]), _u(3)], [np.array([0.3, 0.4, 1.0]), _u(3)]),
    ("ParetoInfinite", "Pareto", [np.array([0.5, 1.0]), _u(2)], [np.array([0.7, 0.4]), _u(2)]),
    ("MultivariateNormal", "MultivariateNormal", [RNG.normal(size=(2, 3)), _spd(3)],
     [RNG.normal(size=3), _spd(3)]),
]


def _independent(lib):
    D = lib.distributions
    return lambda loc, scale: D.Independent(D.Normal(loc, scale), 1)


def _mvn_from_factor(lib):
    """A covariance ``a a^T + 3 I`` (perturbing one entry of a symmetric matrix would break
    its symmetry in gradcheck)."""
    def make(loc, a):
        cov = a @ a.mT + 3 * lib.eye(a.shape[-1], dtype=a.dtype)
        return lib.distributions.MultivariateNormal(loc, cov)
    return make


KL_CASES.append(("MVNFactor", _mvn_from_factor, [RNG.normal(size=(2, 3)), RNG.normal(size=(3, 3))],
                 [RNG.normal(size=3), RNG.normal(size=(2, 3, 3))]))
KL_CASES.append(("Independent", _independent, [RNG.normal(size=(2, 3)), _u(2, 3)],
                 [RNG.normal(size=(2, 3)), _u(2, 3)]))


def _maker(lib, spec):
    return _same(lib, spec) if isinstance(spec, str) else spec(lib)


def _tensors(lib, arrays, dtype, requires_grad=False):
    return [lib.tensor(a.astype(dtype), requires_grad=requires_grad) for a in arrays]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, spec, p, q", KL_CASES, ids=[c[0] for c in KL_CASES])
def test_kl_matches_torch(torch, name, spec, p, q, dtype):
    def kl(lib):
        make = _maker(lib, spec)
        return lib.distributions.kl_divergence(make(*_tensors(lib, p, dtype)),
                                               make(*_tensors(lib, q, dtype)))
    ours, theirs = kl(nptorch), kl(torch)
    assert tuple(ours.shape) == tuple(theirs.shape)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name, spec, p, q", [c for c in KL_CASES if c[0] not in (
    "Bernoulli", "Categorical", "Uniform", "MultivariateNormal", "ParetoInfinite")],
    ids=[c[0] for c in KL_CASES if c[0] not in (
        "Bernoulli", "Categorical", "Uniform", "MultivariateNormal", "ParetoInfinite")])
def test_kl_gradcheck(name, spec, p, q):
    make = _maker(nptorch, spec)
    inputs = _tensors(nptorch, p + q, np.float64, requires_grad=True)
    n = len(p)
    assert gradcheck(lambda *ps: nptorch.distributions.kl_divergence(make(*ps[:n]),
                                                                     make(*ps[n:])), inputs)


def test_register_kl_dispatches_to_the_most_specific():
    D = nptorch.distributions

    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)
    assert D.kl_divergence(p, q).item() == pytest.approx(0.5)

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return nptorch.tensor(42.0)

    try:
        assert D.kl_divergence(p, q).item() == 42.0
        assert D.kl_divergence(q, q).item() == 0.0
    finally:
        del D.kl._KL_REGISTRY[MyNormal, D.Normal]
        D.kl._dispatch_kl.cache_clear()
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)


def _transforms(lib):
    T = lib.distributions.transforms
    scale = lib.tensor([2.0, -0.5, 1.5], dtype=lib.float64)
    return [T.ExpTransform(), T.SigmoidTransform(), T.TanhTransform(), T.AbsTransform(),
            T.AffineTransform(1.0, -2.0), T.AffineTransform(lib.ones(3, dtype=lib.float64), scale),
            T.AffineTransform(0.5, scale, event_dim=1), T.PowerTransform(2.5),
            T.SoftmaxTransform(), T.StickBreakingTransform(),
            T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.ExpTransform()]),
            T.ExpTransform().inv, T.identity_transform, T.SoftplusTransform(),
            T.IndependentTransform(T.AffineTransform(0.5, scale), 1)]


@pytest.mark.parametrize("index", range(15))
def test_transforms_match_torch(torch, index):
    ours, theirs = _transforms(nptorch)[index], _transforms(torch)[index]
    assert repr(ours) == repr(theirs)
    positive = ("PowerTransform" in repr(ours) or "_InverseTransform" in repr(ours))
    x = RNG.uniform(0.2, 0.9, (2, 3)) if positive else RNG.normal(size=(2, 3))
    ox, tx = nptorch.tensor(x), torch.tensor(x)
    oy, ty = ours(ox), theirs(tx)
    np.testing.assert_allclose(oy.numpy(), ty.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.inv(oy).numpy(), theirs.inv(ty).numpy(), rtol=1e-9)
    for attr in ("bijective",):
        assert getattr(ours, attr) == getattr(theirs, attr)
    assert repr(ours.domain) == repr(theirs.domain)
    assert repr(ours.codomain) == repr(theirs.codomain)
    assert ours.inv.inv is ours
    assert tuple(ours.forward_shape((2, 3))) == tuple(theirs.forward_shape((2, 3)))
    assert tuple(ours.inverse_shape((2, 3))) == tuple(theirs.inverse_shape((2, 3)))
    try:
        expected = theirs.log_abs_det_jacobian(tx, ty).numpy()
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ours.log_abs_det_jacobian(ox, oy)
        return
    np.testing.assert_allclose(ours.log_abs_det_jacobian(ox, oy).numpy(), expected, rtol=1e-9)
    if ours.bijective:
        xg = nptorch.tensor(x, requires_grad=True)
        assert gradcheck(lambda v: ours.log_abs_det_jacobian(v, ours(v)), (xg,))
        assert gradcheck(lambda v: ours(v), (xg,))


def test_transform_sign_equality_and_cache():
    T = nptorch.distributions.transforms
    assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.SigmoidTransform()
    assert T.AffineTransform(1.0, -2.0).sign == -1 and T.TanhTransform().sign == 1
    assert T.ComposeTransform([T.ExpTransform(), T.AffineTransform(0.0, -1.0)]).sign == -1
    t = T.ExpTransform(cache_size=1)
    x = nptorch.tensor([3.0])
    y = t(x)
    assert t.inv(y) is x  # the cache returns the exact input
    assert T.ExpTransform().with_cache().inv(T.ExpTransform()(x)) is not x
