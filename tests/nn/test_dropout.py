"""Dropout functionals and layers: statistics of the masks, scaling, gradients, eval identity,
reproducibility under manual_seed, repr and errors."""
import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics_and_gradient(p):
    x = nptorch.ones(200, 100, requires_grad=True)
    y = F.dropout(x, p)
    zeroed = (y == 0).float().mean().item()
    assert abs(zeroed - p) < 0.02
    kept = y[y != 0].detach()
    np.testing.assert_allclose(kept.numpy(), 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout_eval_identity_edges_and_seed():
    x = nptorch.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert nptorch.equal(F.dropout(x, 0.0), x)
    assert (F.dropout(x, 1.0) == 0).all().item()
    m = nptorch.nn.Dropout(0.4)
    m.eval()
    assert m(x) is x
    m.train()
    nptorch.manual_seed(3)
    a = m(x)
    nptorch.manual_seed(3)
    assert nptorch.equal(a, m(x))
    assert repr(m) == repr(torch.nn.Dropout(0.4)) == "Dropout(p=0.4, inplace=False)"


def test_dropout_inplace():
    x = nptorch.ones(50, 40)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    assert 0.4 < (x == 0).float().mean().item() < 0.6
    leaf = nptorch.ones(3, requires_grad=True)
    z = leaf * 1
    F.dropout(z, 0.5, inplace=True).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), z.detach().numpy())


@pytest.mark.parametrize("fn,shape,dims", [(F.dropout1d, (30, 20, 8), (2,)),
                                           (F.dropout1d, (20, 8), (1,)),
                                           (F.dropout2d, (30, 20, 3, 4), (2, 3)),
                                           (F.dropout3d, (30, 20, 2, 2, 3), (2, 3, 4)),
                                           (F.dropout3d, (20, 2, 2, 3), (1, 2, 3))])
def test_channel_dropout_zeroes_whole_channels(fn, shape, dims):
    x = nptorch.ones(*shape, requires_grad=True)
    y = fn(x, 0.3)
    assert tuple(y.shape) == shape
    per_channel = y.detach().numpy()
    lo, hi = per_channel.min(axis=dims), per_channel.max(axis=dims)
    np.testing.assert_array_equal(lo, hi)  # a channel is all zero or all scaled
    assert np.isin(lo.round(5), np.float32([0.0, 1 / 0.7]).round(5)).all()
    assert abs((lo == 0).mean() - 0.3) < 0.1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), per_channel)


def test_alpha_dropout_keeps_mean_and_variance():
    x = nptorch.randn(400, 250)
    assert F.alpha_dropout(x, 0.3) is x  # training defaults to False
    y = F.alpha_dropout(x, 0.3, training=True)
    assert abs(y.mean().item()) < 0.02
    assert abs(y.std().item() - 1) < 0.02
    assert (F.alpha_dropout(x, 1.0, True) == 0).all().item()
    y = F.feature_alpha_dropout(nptorch.randn(300, 200, 4), 0.5, training=True)
    assert abs(y.std().item() - 1) < 0.05
    vals = nptorch.nn.AlphaDropout(0.5)(nptorch.zeros(1000)).numpy()
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.5 + 1) * 0.5)
    np.testing.assert_allclose(np.unique(vals), [-a * 1.7580993408473766 * 0.5,
                                                 a * 1.7580993408473766 * 0.5], rtol=1e-6)


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                                  "AlphaDropout", "FeatureAlphaDropout"])
def test_modules_repr_and_eval(name):
    ours, theirs = getattr(nptorch.nn, name)(0.25, True), getattr(torch.nn, name)(0.25, True)
    assert repr(ours) == repr(theirs)
    ours.eval()
    ndim = {"Dropout1d": 3, "Dropout2d": 4}.get(name, 5)
    x = nptorch.randn(*(2, 3, 2, 2, 2)[:ndim])
    assert nptorch.equal(ours(x), x)


def test_errors():
    x = nptorch.randn(2, 3)
    for fn in (F.dropout, F.dropout1d, F.dropout2d, F.alpha_dropout):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, "
                                             "but got 1.5"):
            fn(x, 1.5)
    with pytest.raises(ValueError, match="but got -0.1"):
        nptorch.nn.Dropout(-0.1)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a "
                                           "4D input"):
        F.dropout1d(nptorch.randn(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        F.dropout2d(x)
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(nptorch.randn(2, 3, 4))
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout3d"):
        F.dropout3d(x)
