"""Every registered KL pair against PyTorch: values (with their +inf entries), shapes and
dtypes in float32 and float64, float64 gradchecks where the divergence is finite and smooth,
and the pairs that raise."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

from helpers import check_same_error_as_torch
from test_dist_kl_transforms import _mvn_from_factor

RNG = np.random.default_rng(7)


def _u(*shape, low=0.5, high=2.0):
    return RNG.uniform(low, high, shape)


def _n(*shape):
    return RNG.normal(size=shape)


# finite, smooth parameters of batch shape (3,) for each family
PARAMS = {
    "Bernoulli": [np.array([0.2, 0.7, 0.4])],
    "Beta": [_u(3), _u(3)],
    "Binomial": [np.array([0.3, 0.5, 0.6])],
    "Cauchy": [_n(3), _u(3)],
    "ContinuousBernoulli": [np.array([0.2, 0.8, 0.35])],
    "Exponential": [_u(3)],
    "Gamma": [_u(3), _u(3)],
    "Geometric": [np.array([0.2, 0.7, 0.4])],
    "Gumbel": [_n(3), _u(3)],
    "Laplace": [_n(3), _u(3)],
    "LogNormal": [_n(3), _u(3)],
    "HalfCauchy": [_u(3)],
    "Normal": [_n(3), _u(3)],
    "Pareto": [_u(3), _u(3, low=2.5, high=4.0)],
    "Poisson": [_u(3)],
    "Uniform": [np.array([0.1, 0.2, 0.3]), np.array([0.6, 0.9, 0.4])],
}


def _binomial(counts):
    def factory(lib):
        return lambda probs: lib.distributions.Binomial(lib.tensor(counts, dtype=probs.dtype),
                                                        probs=probs)
    return factory


def _normal_through(transforms):
    """A TransformedDistribution of a Normal through ``transforms(lib)``."""
    def factory(lib):
        return lambda loc, scale: lib.distributions.TransformedDistribution(
            lib.distributions.Normal(loc, scale), transforms(lib))
    return factory


def _affine_exp(lib):
    T = lib.distributions.transforms
    return [T.AffineTransform(0.5, 2.0), T.ExpTransform()]


def _case(p, q, p_params=None, q_params=None, name=None, grad=True):
    """(id, p family, p parameters, q family, q parameters, gradcheck it); a family is a name
    in ``lib.distributions`` or ``factory(lib) -> make(*params)``."""
    name = name or f"{p}-{q}"
    return (name, p, PARAMS[p] if p_params is None else p_params,
            q, PARAMS[q] if q_params is None else q_params, grad)


def _with_inf(p, q, p_params=None, q_params=None):
    return _case(p, q, p_params, q_params, name=f"{p}-{q}-inf", grad=False)


CROSS_CASES = [
    _case("Bernoulli", "Poisson"),
    _case("Beta", "ContinuousBernoulli",
          q_params=[np.array([0.2, 0.5, 0.7])]),  # 0.5: inside the Taylor region
    _case("Beta", "Exponential"),
    _case("Beta", "Gamma"),
    _case("Beta", "Normal"),
    _case("Beta", "Uniform", q_params=[np.array([-0.5, -1.0, -0.1]), np.array([1.5, 1.2, 2.0])]),
    _with_inf("Beta", "Uniform",
              q_params=[np.array([0.0, 0.2, -1.0]), np.array([1.0, 2.0, 0.9])]),
    _case("ContinuousBernoulli", "ContinuousBernoulli",
          q_params=[np.array([0.6, 0.3, 0.9])]),
    _case("ContinuousBernoulli", "Exponential"),
    _case("ContinuousBernoulli", "Normal"),
    _case("ContinuousBernoulli", "Uniform",
          q_params=[np.array([-0.5, -1.0, -0.1]), np.array([1.5, 1.2, 2.0])]),
    # PyTorch counts the divergence from Uniform(0, 2) and Uniform(-1, 1) as +inf too
    _with_inf("ContinuousBernoulli", "Uniform",
              q_params=[np.array([-0.5, 0.0, -1.0]), np.array([1.5, 2.0, 1.0])]),
    _case("Exponential", "Gamma"),
    _case("Exponential", "Gumbel"),
    _case("Exponential", "Normal"),
    _case("Gamma", "Exponential"),
    _case("Gamma", "Gumbel"),
    _case("Gamma", "Normal"),
    _case("Geometric", "Geometric", q_params=[np.array([0.5, 0.1, 0.9])]),
    _case("Gumbel", "Normal"),
    _case("Laplace", "Normal"),
    _case("Normal", "Gumbel"),
    _case("Normal", "Laplace"),
    _case("Pareto", "Exponential", p_params=[_u(3), _u(3, low=1.2, high=3.0)]),
    _with_inf("Pareto", "Exponential", p_params=[_u(3), np.array([0.5, 1.0, 3.0])]),
    _case("Pareto", "Gamma", p_params=[_u(3), _u(3, low=1.2, high=3.0)]),
    _with_inf("Pareto", "Gamma", p_params=[_u(3), np.array([0.5, 1.0, 3.0])]),
    _case("Pareto", "Normal"),
    _with_inf("Pareto", "Normal", p_params=[_u(3), np.array([1.5, 2.0, 4.0])]),
    _case("Uniform", "Beta"),
    _with_inf("Uniform", "Beta",
              p_params=[np.array([-0.1, 0.0, 0.2]), np.array([0.5, 1.0, 1.1])]),
    _case("Uniform", "ContinuousBernoulli"),
    _with_inf("Uniform", "ContinuousBernoulli",
              p_params=[np.array([0.0, 0.2, 0.1]), np.array([0.5, 1.0, 0.7])]),
    _case("Uniform", "Exponential"),
    _with_inf("Uniform", "Exponential", p_params=[np.array([-0.5, 0.0, 0.5]), _u(3, low=2.0)]),
    _case("Uniform", "Gamma"),
    _with_inf("Uniform", "Gamma", p_params=[np.array([-0.5, 0.0, 0.5]), _u(3, low=2.0)]),
    _case("Uniform", "Gumbel", p_params=[np.array([-1.5, 0.2, 1.0]), np.array([0.5, 0.9, 3.0])]),
    _case("Uniform", "Normal", p_params=[np.array([-1.5, 0.2, 1.0]), np.array([0.5, 0.9, 3.0])]),
    _case("Uniform", "Pareto", q_params=[np.array([0.05, 0.1, 0.2]), _u(3)]),
    _with_inf("Uniform", "Pareto", p_params=[np.array([0.6, 0.5, 0.3]), np.array([0.9, 1.0, 2.0])],
              q_params=[np.array([0.5, 1.0, 0.2]), _u(3)]),
    # subclasses dispatch to their base's closed form
    _case("Chi2", "Normal", p_params=[_u(3)], q_params=PARAMS["Normal"]),
]

SAME_FAMILY_CASES = [
    _case("Binomial", "Binomial", q_params=[np.array([0.5, 0.2, 0.8])]),
    _case("Cauchy", "Cauchy", q_params=[_n(3), _u(3)]),
    _case("LogNormal", "LogNormal", q_params=[_n(3), _u(3)]),
    _case("HalfCauchy", "HalfCauchy", q_params=[_u(3)]),
    _case("TransformedNormal", "TransformedNormal", PARAMS["Normal"], [_n(3), _u(3)]),
    _case("LowRank", "LowRank", [_n(2, 3), _n(3, 2), _u(3)], [_n(3), _n(2, 3, 2), _u(2, 3)]),
    _case("MVN", "LowRank", [_n(2, 3), _n(3, 3)], [_n(3), _n(3, 2), _u(3)]),
    _case("LowRank", "MVN", [_n(3), _n(2, 3, 1), _u(3)], [_n(2, 3), _n(3, 3)]),
]
SAME_FAMILY_CASES += [
    ("Binomial-Binomial-inf", _binomial([5.0, 7.0, 6.0]), PARAMS["Bernoulli"],
     _binomial([5.0, 5.0, 6.0]), PARAMS["Binomial"], False),
]

# pairs whose divergence is +inf everywhere: the result has the batch shape of p alone
ALWAYS_INFINITE = {
    "Beta": ["Pareto"], "ContinuousBernoulli": ["Pareto"],
    "Exponential": ["Beta", "ContinuousBernoulli", "Pareto", "Uniform"],
    "Gamma": ["Beta", "ContinuousBernoulli", "Pareto", "Uniform"],
    "Pareto": ["Beta", "ContinuousBernoulli", "Uniform"], "Poisson": ["Bernoulli", "Binomial"],
    **{p: ["Beta", "ContinuousBernoulli", "Exponential", "Gamma", "Pareto", "Uniform"]
       for p in ("Gumbel", "Laplace", "Normal")},
}
INFINITE_CASES = [_case(p, q, q_params=[a[:2, None] for a in PARAMS[q]], grad=False)
                  for p, qs in ALWAYS_INFINITE.items() for q in qs]

FACTORIES = {"Binomial": _binomial([5.0, 5.0, 5.0]), "LowRank": "LowRankMultivariateNormal",
             "MVN": _mvn_from_factor, "TransformedNormal": _normal_through(_affine_exp)}
CASES = CROSS_CASES + SAME_FAMILY_CASES + INFINITE_CASES


def _maker(lib, spec):
    spec = FACTORIES.get(spec, spec)
    if isinstance(spec, str):
        return getattr(lib.distributions, spec)
    return spec(lib)


def _kl(lib, p_spec, p_params, q_spec, q_params, dtype=np.float64, requires_grad=False):
    tensors = [lib.tensor(a.astype(dtype), requires_grad=requires_grad)
               for a in p_params + q_params]
    return _divergence(lib, p_spec, q_spec, len(p_params))(*tensors), tensors


def _divergence(lib, p_spec, q_spec, n_p):
    make_p, make_q = _maker(lib, p_spec), _maker(lib, q_spec)
    return lambda *ps: lib.distributions.kl_divergence(make_p(*ps[:n_p]), make_q(*ps[n_p:]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, p, p_params, q, q_params, grad", CASES, ids=[c[0] for c in CASES])
def test_kl_pair_matches_torch(torch, name, p, p_params, q, q_params, grad, dtype):
    (ours, _), (theirs, _) = (_kl(lib, p, p_params, q, q_params, dtype) for lib in (nptorch, torch))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.numpy().dtype == theirs.numpy().dtype
    assert np.array_equal(np.isinf(ours.numpy()), np.isinf(theirs.numpy()))
    assert np.isfinite(theirs.numpy()).all() == grad
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=rtol)


GRAD_CASES = [c for c in CASES if c[-1]]


@pytest.mark.parametrize("name, p, p_params, q, q_params, grad", GRAD_CASES,
                         ids=[c[0] for c in GRAD_CASES])
def test_kl_pair_gradcheck(name, p, p_params, q, q_params, grad):
    inputs = [nptorch.tensor(a, requires_grad=True) for a in p_params + q_params]
    assert gradcheck(_divergence(nptorch, p, q, len(p_params)), inputs)


BROADCAST_CASES = [c for c in CROSS_CASES if c[0].endswith("-inf")]


@pytest.mark.parametrize("name, p, p_params, q, q_params, grad", BROADCAST_CASES,
                         ids=[c[0] for c in BROADCAST_CASES])
def test_kl_pair_infinite_entries_broadcast(torch, name, p, p_params, q, q_params, grad):
    """A batch of q wider than that of p: PyTorch's masked assignment of +inf needs the mask
    as wide as the result, so it is given p's parameters already broadcast."""
    p_params, q_params = [a[None] for a in p_params], [np.stack([a, a[::-1]]) for a in q_params]
    ours, _ = _kl(nptorch, p, p_params, q, q_params)
    shape = ours.shape
    theirs, _ = _kl(torch, p, [np.broadcast_to(a, shape) for a in p_params], q, q_params)
    assert tuple(shape) == tuple(theirs.shape) == (2, 3)
    assert np.isinf(ours.numpy()).any()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)


def test_registry_matches_torch(torch):
    def names(registry):
        return {(p.__name__, q.__name__) for p, q in registry}
    assert names(nptorch.distributions.kl._KL_REGISTRY) == names(
        torch.distributions.kl._KL_REGISTRY)


def _D(lib):
    return lib.distributions


def _t(lib, *values):
    return lib.tensor(values, dtype=lib.float64)


RAISING = [
    # q has more trials somewhere
    lambda lib: _D(lib).kl_divergence(_D(lib).Binomial(_t(lib, 5.0, 3.0), _t(lib, 0.2, 0.3)),
                                      _D(lib).Binomial(_t(lib, 5.0, 4.0), _t(lib, 0.4, 0.5))),
    # different transforms
    lambda lib: _D(lib).kl_divergence(_D(lib).LogNormal(0.0, 1.0), _D(lib).Pareto(1.0, 2.0)),
    lambda lib: _D(lib).kl_divergence(
        _D(lib).TransformedDistribution(_D(lib).Normal(0.0, 1.0),
                                        _D(lib).transforms.AffineTransform(1.0, 2.0)),
        _D(lib).TransformedDistribution(_D(lib).Normal(0.0, 1.0),
                                        _D(lib).transforms.AffineTransform(1.0, 3.0))),
    # the same transform, different event shapes
    lambda lib: _D(lib).kl_divergence(
        _D(lib).TransformedDistribution(_D(lib).Independent(_D(lib).Normal(_t(lib, 0, 1), 1.0),
                                                            1), _D(lib).transforms.ExpTransform()),
        _D(lib).TransformedDistribution(_D(lib).Normal(_t(lib, 0, 1), 1.0),
                                        _D(lib).transforms.ExpTransform())),
    # no closed form registered
    lambda lib: _D(lib).kl_divergence(_D(lib).Beta(1.0, 2.0), _D(lib).Laplace(0.0, 1.0)),
    lambda lib: _D(lib).kl_divergence(_D(lib).HalfNormal(1.0), _D(lib).LogNormal(0.0, 1.0)),
    # Gaussians of different sizes, in each combination
    *[lambda lib, p=p, q=q: _D(lib).kl_divergence(_gaussian(lib, p, 2), _gaussian(lib, q, 3))
      for p in (False, True) for q in (False, True)],
]


def _gaussian(lib, low_rank, n):
    loc = lib.zeros(n, dtype=lib.float64)
    if low_rank:
        return _D(lib).LowRankMultivariateNormal(loc, lib.ones(n, 1, dtype=lib.float64),
                                                 lib.ones(n, dtype=lib.float64))
    return _D(lib).MultivariateNormal(loc, lib.eye(n, dtype=lib.float64))


@pytest.mark.parametrize("call", RAISING)
def test_kl_pair_errors_match_torch(call):
    check_same_error_as_torch(call)
