"""``ExponentialFamily``: natural parameters, log normalisers, Bregman entropies and KL
divergences, against PyTorch."""
import numpy as np
import pytest

import nptorch

RNG = np.random.default_rng(5)


def _u(*shape, low=0.5, high=2.0):
    return RNG.uniform(low, high, shape)


def test_same_classes_are_exponential_families(torch):
    checked = 0
    for name in torch.distributions.__all__:
        theirs = getattr(torch.distributions, name)
        ours = getattr(nptorch.distributions, name, None)
        if not isinstance(theirs, type) or ours is None:
            continue
        assert issubclass(ours, nptorch.distributions.ExponentialFamily) == issubclass(
            theirs, torch.distributions.ExponentialFamily), name
        checked += 1
    assert checked >= 40


# (name, params, keyword of the last param or None)
CASES = [
    ("Bernoulli", [_u(3, low=0.1, high=0.9)], None),
    ("Bernoulli", [RNG.normal(size=3)], "logits"),
    ("Beta", [_u(3), _u(3)], None),
    ("ContinuousBernoulli", [np.array([0.1, 0.4995, 0.5004, 0.8])], None),
    ("ContinuousBernoulli", [np.array([-2.0, -1e-4, 0.0, 3e-4, 0.7])], "logits"),
    ("Dirichlet", [_u(2, 3)], None),
    ("Exponential", [_u(3)], None),
    ("Gamma", [_u(3), _u(3)], None),
    ("Chi2", [_u(3, high=5.0)], None),
    ("Normal", [RNG.normal(size=3), _u(3)], None),
    ("Poisson", [_u(3, high=4.0)], None),
]


def _make(lib, name, params, keyword, dtype=np.float64):
    tensors = [lib.tensor(p.astype(dtype)) for p in params]
    kwargs = {keyword: tensors.pop()} if keyword else {}
    return getattr(lib.distributions, name)(*tensors, **kwargs)


def _bregman_entropy(lib, d):
    try:
        return lib.distributions.ExponentialFamily.entropy(d)
    except NotImplementedError:
        return NotImplementedError


@pytest.mark.parametrize("name, params, keyword", CASES)
def test_natural_params_and_entropy_match_torch(torch, name, params, keyword):
    ours, theirs = _make(nptorch, name, params, keyword), _make(torch, name, params, keyword)
    assert isinstance(ours, nptorch.distributions.ExponentialFamily)
    ours_params, theirs_params = ours._natural_params, theirs._natural_params
    assert len(ours_params) == len(theirs_params)
    for o, t in zip(ours_params, theirs_params):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours._log_normalizer(*ours_params).numpy(),
                               theirs._log_normalizer(*theirs_params).numpy(), rtol=1e-9)
    expected = _bregman_entropy(torch, theirs)
    entropy = _bregman_entropy(nptorch, ours)
    if expected is NotImplementedError:
        assert entropy is NotImplementedError
        return
    assert entropy.shape == tuple(expected.shape)
    np.testing.assert_allclose(entropy.detach().numpy(), expected.detach().numpy(), rtol=1e-8)
    np.testing.assert_allclose(entropy.detach().numpy(), ours.entropy().numpy(), rtol=1e-6,
                               atol=1e-9)


def test_bregman_entropy_under_no_grad():
    d = nptorch.distributions.Normal(nptorch.zeros(2), nptorch.tensor([1.0, 2.0]))
    with nptorch.no_grad():
        entropy = nptorch.distributions.ExponentialFamily.entropy(d)
    np.testing.assert_allclose(entropy.detach().numpy(), d.entropy().numpy(), rtol=1e-6)


def test_continuous_bernoulli_kl_is_the_bregman_divergence(torch):
    """The closed form of this pair, near and inside the Taylor region of ``probs = 1/2``."""
    p, q = np.array([0.1, 0.3, 0.4999, 0.8]), np.array([0.6, 0.5001, 0.2, 0.8])
    grads = []
    for lib in (nptorch, torch):
        q_probs = lib.tensor(q, requires_grad=True)
        CB = lib.distributions.ContinuousBernoulli
        kl = lib.distributions.kl_divergence(CB(lib.tensor(p)), CB(q_probs))
        kl.sum().backward()
        grads.append((kl.detach().numpy(), q_probs.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-5, atol=1e-10)
    assert grads[0][0][-1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name, params, keyword", CASES)
def test_bregman_kl_matches_closed_forms(name, params, keyword):
    from nptorch.distributions._kl_same_family import _kl_expfamily_expfamily

    other = [np.flip(p).copy() for p in params]
    p, q = _make(nptorch, name, params, keyword), _make(nptorch, name, other, keyword)
    expected = nptorch.distributions.kl_divergence(p, q)
    np.testing.assert_allclose(_kl_expfamily_expfamily(p, q).detach().numpy(),
                               expected.numpy(), rtol=1e-6, atol=1e-10)


def test_cross_family_kl_error(torch):
    messages = []
    for lib in (nptorch, torch):
        D = lib.distributions
        with pytest.raises(NotImplementedError) as info:
            D.kl_divergence(D.Poisson(1.0), D.Exponential(1.0))
        messages.append(str(info.value))
    assert messages[0] == messages[1]
