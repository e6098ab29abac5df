"""Weight and spectral normalization (parametrizations and the older hooks) against PyTorch."""
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck
from nptorch.func import functional_call
from nptorch.nn.utils import parametrizations, parametrize

from helpers import as_numpy, load_torch_state

torch = pytest.importorskip("torch")


def _layer(lib, kind):
    return {"linear": lambda: lib.nn.Linear(4, 3),
            "conv": lambda: lib.nn.Conv2d(2, 3, 3),
            "convT": lambda: lib.nn.ConvTranspose2d(2, 3, 3)}[kind]()


def _old_weight_norm(lib, module, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return lib.nn.utils.weight_norm(module, **kw)


def _input(kind):
    return np.random.randn(2, 4).astype(np.float32) if kind == "linear" else \
        np.random.randn(2, 2, 5, 5).astype(np.float32)


def _compare_forward_backward(ours, theirs, kind, names):
    x = _input(kind)
    yo, yt = ours(nptorch.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(as_numpy(yo), as_numpy(yt), rtol=1e-5, atol=1e-5)
    (yo ** 2).sum().backward()
    (yt ** 2).sum().backward()
    po, pt = dict(ours.named_parameters()), dict(theirs.named_parameters())
    for name in names:
        np.testing.assert_allclose(as_numpy(po[name].grad), as_numpy(pt[name].grad),
                                   rtol=1e-4, atol=1e-5, err_msg=name)


# -- parametrizations.weight_norm -------------------------------------------------------------
@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_parametrization(kind, dim):
    theirs = torch.nn.utils.parametrizations.weight_norm(_layer(torch, kind), dim=dim)
    ours = parametrizations.weight_norm(_layer(nptorch, kind), dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == \
        ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert repr(ours) == repr(theirs)
    chain = ours.parametrizations.weight
    assert tuple(chain.original0.shape) == tuple(theirs.parametrizations.weight.original0.shape)
    np.testing.assert_allclose(as_numpy(chain.original1), as_numpy(ours.weight), rtol=1e-6)
    load_torch_state(ours, theirs)
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    _compare_forward_backward(ours, theirs, kind, ["parametrizations.weight.original0",
                                                   "parametrizations.weight.original1"])


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_gradcheck(dim):
    m = parametrizations.weight_norm(nptorch.nn.Conv1d(2, 3, 2).double(), dim=dim)
    x = nptorch.randn(2, 2, 4, dtype=nptorch.float64)
    chain = m.parametrizations.weight
    g = chain.original0.detach().clone().requires_grad_()
    v = chain.original1.detach().clone().requires_grad_()

    def f(g, v):
        return functional_call(m, {"parametrizations.weight.original0": g,
                                   "parametrizations.weight.original1": v}, x)
    assert gradcheck(f, (g, v))


def test_weight_norm_parametrization_loads_old_checkpoints_and_removes():
    old = _old_weight_norm(torch, torch.nn.Linear(4, 3))
    ours = parametrizations.weight_norm(nptorch.nn.Linear(4, 3))
    load_torch_state(ours, old)  # weight_g / weight_v become original0 / original1
    np.testing.assert_allclose(as_numpy(ours.parametrizations.weight.original0),
                               as_numpy(old.weight_g))
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(old.weight), rtol=1e-6)
    w = as_numpy(ours.weight)
    parametrize.remove_parametrizations(ours, "weight")
    assert list(ours.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(as_numpy(ours.weight), w, rtol=1e-6)


# -- the hook-based weight_norm ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("dim", [0, 1, None])
def test_old_weight_norm(kind, dim):
    theirs = _old_weight_norm(torch, _layer(torch, kind), dim=dim)
    with pytest.warns(FutureWarning, match=r"`torch.nn.utils.weight_norm` is deprecated in favor "
                                           r"of `torch.nn.utils.parametrizations.weight_norm`."):
        ours = nptorch.nn.utils.weight_norm(_layer(nptorch, kind), dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert tuple(ours.weight_g.shape) == tuple(theirs.weight_g.shape)
    assert repr(ours) == repr(theirs)
    load_torch_state(ours, theirs)
    _compare_forward_backward(ours, theirs, kind, ["weight_g", "weight_v"])
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    assert nptorch.nn.utils.remove_weight_norm(ours) is ours
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == ["bias", "weight"]
    assert isinstance(ours.weight, nptorch.nn.Parameter) and not ours._forward_pre_hooks
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)


def test_old_weight_norm_gradcheck_and_errors():
    m = _old_weight_norm(nptorch, nptorch.nn.Linear(3, 2).double())
    x = nptorch.randn(4, 3, dtype=nptorch.float64)
    g = m.weight_g.detach().clone().requires_grad_()
    v = m.weight_v.detach().clone().requires_grad_()
    assert gradcheck(lambda g, v: functional_call(m, {"weight_g": g, "weight_v": v}, x), (g, v))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same "
                                           "parameter weight"):
        _old_weight_norm(nptorch, m)
    with pytest.raises(ValueError, match=r"weight_norm of 'bias' not found in Linear\("):
        nptorch.nn.utils.remove_weight_norm(m, "bias")


# -- parametrizations.spectral_norm -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
def test_spectral_norm_parametrization(kind):
    theirs = torch.nn.utils.parametrizations.spectral_norm(_layer(torch, kind))
    ours = parametrizations.spectral_norm(_layer(nptorch, kind))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == \
        ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
         "parametrizations.weight.0._v"]
    assert repr(ours) == repr(theirs)
    sn = ours.parametrizations.weight[0]
    assert sn.dim == (1 if kind == "convT" else 0)
    assert tuple(sn._u.shape) == tuple(theirs.parametrizations.weight[0]._u.shape)
    u0 = np.random.randn(*sn._u.shape).astype(np.float32)
    u0 /= np.linalg.norm(u0)  # far from converged, so one iteration moves it
    with torch.no_grad():
        theirs.parametrizations.weight[0]._u.copy_(torch.tensor(u0))
    load_torch_state(ours, theirs)
    _compare_forward_backward(ours, theirs, kind, ["parametrizations.weight.original"])
    assert not np.allclose(as_numpy(sn._u), u0)  # a training forward runs one power iteration
    for name in ("_u", "_v"):
        np.testing.assert_allclose(as_numpy(getattr(sn, name)),
                                   as_numpy(getattr(theirs.parametrizations.weight[0], name)),
                                   rtol=1e-5, atol=1e-6)
    ours.eval()
    theirs.eval()
    u1 = as_numpy(sn._u).copy()
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(as_numpy(sn._u), u1)


def test_spectral_norm_parametrization_normalizes():
    rng = np.random.default_rng(0)
    q1, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    q2, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    w = (q1[:, :4] * [6.0, 2.0, 1.0, 0.5]) @ q2.T
    m = nptorch.nn.Linear(4, 5)
    with nptorch.no_grad():
        m.weight.copy_(nptorch.tensor(w.astype(np.float32)))
    parametrizations.spectral_norm(m).eval()
    # the 15 power iterations made at registration find the top singular value
    np.testing.assert_allclose(np.linalg.norm(as_numpy(m.weight), 2), 1.0, rtol=1e-5)
    np.testing.assert_allclose(as_numpy(m.weight), w / 6.0, rtol=1e-4, atol=1e-6)
    b = nptorch.nn.Module()
    b.register_buffer("weight", nptorch.tensor([3.0, 4.0]))
    parametrizations.spectral_norm(b)
    np.testing.assert_allclose(as_numpy(b.weight), [0.6, 0.8], rtol=1e-6)
    assert list(b.state_dict()) == ["parametrizations.weight.original"]


def test_spectral_norm_parametrization_gradcheck():
    m = parametrizations.spectral_norm(nptorch.nn.Linear(3, 4).double()).eval()
    x = nptorch.randn(2, 3, dtype=nptorch.float64)
    w = m.parametrizations.weight.original.detach().clone().requires_grad_()
    assert gradcheck(
        lambda w: functional_call(m, {"parametrizations.weight.original": w}, x), (w,))


def test_spectral_norm_parametrization_errors():
    def both(exc, **kw):
        with pytest.raises(exc) as eo:
            parametrizations.spectral_norm(nptorch.nn.Linear(2, 2), **kw)
        with pytest.raises(exc) as et:
            torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(2, 2), **kw)
        assert str(eo.value) == str(et.value)
    both(ValueError, n_power_iterations=0)
    both(IndexError, dim=2)
    both(ValueError, name="nope")


# -- the hook-based spectral_norm -------------------------------------------------------------
@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
def test_old_spectral_norm(kind):
    theirs = torch.nn.utils.spectral_norm(_layer(torch, kind), n_power_iterations=2)
    ours = nptorch.nn.utils.spectral_norm(_layer(nptorch, kind), n_power_iterations=2)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == \
        ["bias", "weight_orig", "weight_u", "weight_v"]
    assert tuple(ours.weight_u.shape) == tuple(theirs.weight_u.shape)
    assert tuple(ours.weight_v.shape) == tuple(theirs.weight_v.shape)
    assert not isinstance(ours.weight, nptorch.nn.Parameter)
    load_torch_state(ours, theirs)
    _compare_forward_backward(ours, theirs, kind, ["weight_orig"])
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(as_numpy(ours.weight_u), as_numpy(theirs.weight_u),
                               rtol=1e-5, atol=1e-6)
    ours.eval()
    theirs.eval()
    u = as_numpy(ours.weight_u).copy()
    x = _input(kind)
    np.testing.assert_allclose(as_numpy(ours(nptorch.tensor(x))), as_numpy(theirs(torch.tensor(x))),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(as_numpy(ours.weight_u), u)
    assert nptorch.nn.utils.remove_spectral_norm(ours) is ours
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-5, atol=1e-6)
    assert not ours._forward_pre_hooks


def test_old_spectral_norm_gradcheck_and_errors():
    m = nptorch.nn.utils.spectral_norm(nptorch.nn.Linear(3, 4).double()).eval()
    x = nptorch.randn(2, 3, dtype=nptorch.float64)
    w = m.weight_orig.detach().clone().requires_grad_()
    assert gradcheck(lambda w: functional_call(m, {"weight_orig": w}, x), (w,))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same "
                                           "parameter weight"):
        nptorch.nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match=r"spectral_norm of 'bias' not found in Linear\("):
        nptorch.nn.utils.remove_spectral_norm(m, "bias")
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got "
                                         "n_power_iterations=0"):
        nptorch.nn.utils.spectral_norm(nptorch.nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="`SpectralNorm` cannot be applied as parameter `bias` "
                                         "is None"):
        nptorch.nn.utils.spectral_norm(nptorch.nn.Linear(2, 2, bias=False), name="bias")


def test_training_steps_match_pytorch():
    def build(lib):
        m = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))
        lib.nn.utils.parametrizations.spectral_norm(m[0])
        lib.nn.utils.parametrizations.weight_norm(m[2])
        return m
    theirs, ours = build(torch), build(nptorch)
    load_torch_state(ours, theirs)
    opt_o = nptorch.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        x, y = np.random.randn(8, 4).astype(np.float32), np.random.randn(8, 2).astype(np.float32)
        for m, opt, lib in ((ours, opt_o, nptorch), (theirs, opt_t, torch)):
            opt.zero_grad()
            lib.nn.functional.mse_loss(m(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
    so, st = ours.state_dict(), theirs.state_dict()
    assert list(so) == list(st)
    for k in so:
        np.testing.assert_allclose(as_numpy(so[k]), as_numpy(st[k]),
                                   rtol=1e-4, atol=1e-5, err_msg=k)
