"""Sampling checks for the relaxed and straight-through distributions, whose moments PyTorch
does not define, and parameter edge cases."""
import math

import numpy as np
import pytest

import nptorch
from nptorch.distributions.relaxed import ExpRelaxedCategorical, LogitRelaxedBernoulli

D = nptorch.distributions
N = 20000


def _t(*values):
    return nptorch.tensor(values, dtype=nptorch.float64)


def test_logit_relaxed_bernoulli_is_logistic():
    """Its draws are Logistic(logits / T, 1 / T): mean logits / T, variance pi^2 / (3 T^2)."""
    nptorch.manual_seed(0)
    temperature, logits = _t(0.5, 2.0), _t(-1.0, 0.7)
    x = LogitRelaxedBernoulli(temperature, logits=logits).sample((N,)).numpy()
    mean = (logits / temperature).numpy()
    std = math.pi / np.sqrt(3) / temperature.numpy()
    np.testing.assert_array_less(np.abs(x.mean(0) - mean), 5 * std / np.sqrt(N))
    y = D.RelaxedBernoulli(temperature, logits=logits).rsample((4, 5))
    assert y.shape == (4, 5, 2) and bool(((y > 0) & (y < 1)).all())


def test_relaxed_one_hot_argmax_is_categorical():
    """The argmax of a relaxed draw is a Categorical(probs) draw (the Gumbel-max trick)."""
    nptorch.manual_seed(0)
    probs = _t(0.1, 0.2, 0.7)
    x = D.RelaxedOneHotCategorical(nptorch.tensor(0.7, dtype=nptorch.float64), probs).sample((N,))
    assert x.shape == (N, 3)
    np.testing.assert_allclose(x.sum(-1).numpy(), 1.0)
    counts = np.bincount(x.numpy().argmax(-1), minlength=3) / N
    np.testing.assert_allclose(counts, probs.numpy(), atol=5 * np.sqrt(0.25 / N))
    log_x = ExpRelaxedCategorical(nptorch.tensor(0.7), _t(0.1, 0.2, 0.7)).rsample((2,))
    assert log_x.shape == (2, 3)


def test_relaxed_rsample_has_gradient():
    logits = _t(0.2, -0.3).requires_grad_()
    D.RelaxedBernoulli(nptorch.tensor(0.5, dtype=nptorch.float64),
                       logits=logits).rsample().sum().backward()
    assert logits.grad.shape == (2,) and bool((logits.grad > 0).all())


def test_straight_through_gradient(torch):
    """Draws are one-hot; their gradient is that of ``probs`` (PyTorch's, whatever the draw)."""
    weights = np.array([[1.0, -2.0, 0.5], [0.3, 0.0, 4.0]])
    grads = []
    for lib in (nptorch, torch):
        probs = lib.tensor([0.2, 0.3, 0.5], dtype=lib.float64, requires_grad=True)
        x = lib.distributions.OneHotCategoricalStraightThrough(probs).rsample((2,))
        assert tuple(x.shape) == (2, 3)
        np.testing.assert_array_equal(x.detach().numpy().sum(-1), 1.0)
        (x * lib.tensor(weights)).sum().backward()
        grads.append(probs.grad.numpy())
    np.testing.assert_allclose(*grads)


def test_continuous_bernoulli_clamps_probs_unless_validating(torch):
    """Unless ``validate_args`` is given, out-of-range ``probs`` are clamped, not rejected."""
    for lib in (nptorch, torch):
        d = lib.distributions.ContinuousBernoulli(lib.tensor([-0.5, 1.5]))
        np.testing.assert_allclose(d.probs.numpy(), [np.finfo(np.float32).eps,
                                                     1 - np.finfo(np.float32).eps])


def test_reshape_transform(torch):
    results = []
    for lib in (nptorch, torch):
        D, T = lib.distributions, lib.distributions.transforms
        t = T.ReshapeTransform((6,), (2, 3))
        d = D.TransformedDistribution(D.Normal(lib.zeros(4, 6, dtype=lib.float64), 2.0), t)
        value = lib.tensor(np.linspace(-1, 1, 24).reshape(4, 2, 3))
        results.append((repr(t), repr(t.domain), repr(t.codomain), tuple(d.batch_shape),
                        tuple(d.event_shape), tuple(d.sample((5,)).shape),
                        tuple(t.forward_shape((4, 6))), tuple(t.inverse_shape((4, 2, 3))),
                        tuple(t.inv(value).shape), d.log_prob(value).numpy().round(12).tolist(),
                        t.log_abs_det_jacobian(t.inv(value), value).numpy().tolist()))
    assert results[0] == results[1]
    assert results[0][-2][0] < 0


def test_reshape_transform_errors(torch):
    def messages(lib):
        T = lib.distributions.transforms
        out = []
        for build in (lambda: T.ReshapeTransform((6,), (4,)),
                      lambda: T.ReshapeTransform((6,), (2, 3)).forward_shape((2, 3)),
                      lambda: T.ReshapeTransform((6,), (2, 3)).inverse_shape((3,)),
                      lambda: T.IndependentTransform(T.ExpTransform(), 2)(lib.ones(3))):
            with pytest.raises(ValueError) as info:
                build()
            out.append(str(info.value))
        return out
    assert messages(nptorch) == [m.replace("torch.Size", "nptorch.Size") for m in messages(torch)]


def test_lowrank_mvn_matrices(torch):
    """Its covariance, precision and Cholesky factor match PyTorch's and a dense MVN's."""
    rng = np.random.default_rng(3)
    loc, W, d = rng.normal(size=(2, 4)), rng.normal(size=(4, 2)), rng.uniform(0.5, 2, (2, 4))
    value = rng.normal(size=(3, 2, 4))
    ours = D.LowRankMultivariateNormal(nptorch.tensor(loc), nptorch.tensor(W), nptorch.tensor(d))
    theirs = torch.distributions.LowRankMultivariateNormal(torch.tensor(loc), torch.tensor(W),
                                                           torch.tensor(d))
    for name in ("covariance_matrix", "precision_matrix", "scale_tril"):
        np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(theirs, name).numpy(),
                                   rtol=1e-10, atol=1e-12)
    dense = D.MultivariateNormal(ours.loc, ours.covariance_matrix)
    np.testing.assert_allclose(ours.log_prob(nptorch.tensor(value)).numpy(),
                               dense.log_prob(nptorch.tensor(value)).numpy(), rtol=1e-10)


def test_dirichlet_mode_with_every_concentration_below_one_is_the_first_vertex():
    """As PyTorch: the density is unbounded at every vertex, and the first is returned."""
    c = nptorch.tensor([[0.5, 0.9, 0.2], [2.0, 3.0, 0.5]])
    expected = nptorch.tensor([[1.0, 0.0, 0.0], [1 / 3, 2 / 3, 0.0]])
    assert nptorch.allclose(D.Dirichlet(c).mode, expected)
