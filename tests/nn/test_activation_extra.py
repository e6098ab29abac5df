"""RReLU, Softmax2d, channel shuffling and gumbel_softmax against PyTorch: the deterministic
parts value for value, the random parts by their distribution and gradients."""
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F
from helpers import check_op


@pytest.mark.parametrize("args", [(), (0.1, 0.3), (-0.5, 2.0)])
def test_rrelu_eval_matches_torch(args):
    check_op(lambda lib, x: lib.nn.functional.rrelu(x, *args), (3, 5))
    check_op(lambda lib, x: lib.nn.functional.rrelu(x, *args, training=False), (2, 3, 4))


@pytest.mark.parametrize("inplace", [False, True])
def test_rrelu_training_slopes_and_gradient(inplace):
    lower, upper = 0.1, 0.4
    # not seed 0: nptorch's seed-0 stream would draw the same uniforms as the data
    x = nptorch.tensor(np.random.default_rng(42).uniform(-3, 3, (200, 100)).astype(np.float32),
                       requires_grad=True)
    h = x * 1
    y = F.rrelu(h, lower, upper, training=True, inplace=inplace)
    assert (y is h) == inplace
    xs, ys = x.detach().numpy(), y.detach().numpy()
    positive = xs > 0
    np.testing.assert_array_equal(ys[positive], xs[positive])
    slopes = ys[~positive] / xs[~positive]
    assert slopes.min() >= lower and slopes.max() <= upper
    assert abs(slopes.mean() - (lower + upper) / 2) < 0.005
    assert abs(slopes.std() - (upper - lower) / np.sqrt(12)) < 0.003
    assert len(np.unique(slopes)) > 0.99 * len(slopes)
    y.sum().backward()
    grad = x.grad.numpy()
    np.testing.assert_array_equal(grad[positive], 1)
    np.testing.assert_allclose(grad[~positive], slopes, rtol=1e-5)


def test_rrelu_seeded_and_module_modes(torch):
    x = nptorch.tensor([[-1.0, 2.0, -3.0, 0.5]])
    nptorch.manual_seed(3)
    a = F.rrelu(x, training=True)
    nptorch.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x, training=True).numpy(), a.numpy())
    m, tm = nn.RReLU(0.2, 0.3), torch.nn.RReLU(0.2, 0.3)
    assert repr(m) == repr(tm) == "RReLU(lower=0.2, upper=0.3)"
    assert repr(nn.RReLU()) == repr(torch.nn.RReLU())
    assert repr(nn.RReLU(0.1, 0.2, True)) == repr(torch.nn.RReLU(0.1, 0.2, True))
    slopes = (m(x) / x).numpy()[0, [0, 2]]
    assert ((slopes >= 0.2) & (slopes <= 0.3)).all()
    m.eval()
    tm.eval()
    np.testing.assert_allclose(m(x).numpy(), tm(torch.tensor(x.numpy())).numpy(), rtol=1e-6)


def test_rrelu_inplace_eval_and_functional_underscore():
    x = nptorch.tensor([-2.0, 1.0])
    assert F.rrelu_(x) is x
    np.testing.assert_allclose(x.numpy(), [-2.0 * (1 / 8 + 1 / 3) / 2, 1.0], rtol=1e-6)
    y = nptorch.tensor([-2.0, 1.0])
    F.rrelu_(y, 0.5, 0.5, training=True)
    np.testing.assert_allclose(y.numpy(), [-1.0, 1.0])


@pytest.mark.parametrize("groups, shape", [(2, (2, 6, 3)), (3, (2, 6, 2, 3)), (1, (1, 4, 5)),
                                           (4, (2, 8, 2, 1, 3)), (6, (6, 2))])
def test_channel_shuffle(groups, shape):
    if len(shape) == 2:
        shape = (1,) + shape
    check_op(lambda lib, x: lib.nn.functional.channel_shuffle(x, groups), shape)
    # PyTorch has no derivative for native_channel_shuffle: forward only
    check_op(lambda lib, x: lib.nn.functional.native_channel_shuffle(x, groups), shape,
             grad=False)


def test_channel_shuffle_module_and_integers(torch):
    m, tm = nn.ChannelShuffle(3), torch.nn.ChannelShuffle(3)
    assert repr(m) == repr(tm) == "ChannelShuffle(groups=3)"
    x = np.arange(2 * 6 * 2).reshape(2, 6, 2)
    np.testing.assert_array_equal(m(nptorch.tensor(x)).numpy(), tm(torch.tensor(x)).numpy())
    assert F.channel_shuffle(nptorch.zeros(0, 6, 2), 3).shape == (0, 6, 2)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)])
def test_softmax2d(torch, shape):
    assert repr(nn.Softmax2d()) == repr(torch.nn.Softmax2d()) == "Softmax2d()"
    check_op(lambda lib, x: lib.nn.Softmax2d()(x), shape)


def test_gumbel_softmax_soft_and_hard_samples():
    logits = nptorch.tensor(np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32),
                            requires_grad=True)
    w = nptorch.tensor(np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32))
    for dim in (-1, 0):
        nptorch.manual_seed(7)
        soft = F.gumbel_softmax(logits, tau=0.5, dim=dim)
        np.testing.assert_allclose(soft.detach().sum(dim).numpy(), 1, rtol=1e-6)
        assert (soft.detach().numpy() > 0).all()
        (soft * w).sum().backward()
        soft_grad, logits.grad = logits.grad.numpy().copy(), None
        nptorch.manual_seed(7)
        hard = F.gumbel_softmax(logits, tau=0.5, hard=True, dim=dim)
        one_hot = np.moveaxis(np.eye(soft.shape[dim])[soft.detach().numpy().argmax(dim)], -1,
                              dim % 2)
        np.testing.assert_array_equal(hard.detach().numpy(), one_hot)
        (hard * w).sum().backward()
        np.testing.assert_allclose(logits.grad.numpy(), soft_grad, rtol=1e-5, atol=1e-7)
        logits.grad = None


def test_gumbel_softmax_temperature_and_distribution():
    logits = nptorch.tensor([[0.5, -1.0, 2.0, 0.0]])
    nptorch.manual_seed(1)
    soft = F.gumbel_softmax(logits)
    nptorch.manual_seed(1)
    cold = F.gumbel_softmax(logits, tau=0.25)
    # both share the noise: softmax((logits + g) / tau) = softmax(log(soft) / tau)
    np.testing.assert_allclose(cold.numpy(), F.softmax(soft.log() * 4, -1).numpy(), rtol=1e-4,
                               atol=1e-7)
    # Gumbel-max: the argmax of a sample has the categorical distribution softmax(logits)
    many = F.gumbel_softmax(logits.expand(40000, 4), hard=True)
    np.testing.assert_allclose(many.mean(0).numpy(), F.softmax(logits, -1).numpy()[0], atol=0.01)


def test_gumbel_softmax_eps_warning(torch):
    for lib in (nptorch, torch):
        with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect.") \
                as record:
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-5)
        assert record[0].filename == __file__
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3))


def _long(L):
    return L.tensor([1, -2])


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.rrelu(L.ones(3), 0.5, 0.1, training=True),
    lambda L: L.nn.functional.rrelu(L.ones(3), 0.5, 0.1),
    lambda L: L.nn.functional.rrelu(_long(L), training=True),
    lambda L: L.nn.functional.rrelu(_long(L)),
    lambda L: L.nn.functional.rrelu_(L.ones(3, requires_grad=True), training=True),
    lambda L: L.nn.functional.channel_shuffle(L.ones(4, 6), 2),
    lambda L: L.nn.functional.channel_shuffle(L.ones(1, 6, 2), 4),
    lambda L: L.nn.functional.channel_shuffle(L.ones(1, 6, 2), 0),
    lambda L: L.nn.functional.native_channel_shuffle(L.ones(1, 6, 2), -1),
    lambda L: L.nn.Softmax2d()(L.ones(2, 3)),
    lambda L: L.nn.Softmax2d()(L.ones(1, 2, 3, 4, 5)),
], ids=lambda _: "")
def test_errors_match_pytorch(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(nptorch)
    assert str(ours.value) == str(theirs.value)
