"""BatchNorm fusion, skip_init and functional_call against PyTorch."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck
from nptorch.func import functional_call
from nptorch.nn.utils import stateless

from helpers import as_numpy, load_torch_state

torch = pytest.importorskip("torch")


def _trained_bn(lib, n, affine=True):
    """A BatchNorm whose running statistics and affine parameters are not the defaults."""
    bn = getattr(lib.nn, "BatchNorm2d")(n, affine=affine)
    with lib.no_grad():
        bn.running_mean.copy_(lib.linspace(-1.0, 1.0, n))
        bn.running_var.copy_(lib.linspace(0.5, 2.0, n))
        if affine:
            bn.weight.copy_(lib.linspace(0.5, 1.5, n))
            bn.bias.copy_(lib.linspace(-0.3, 0.3, n))
    return bn.eval()


# -- fusion -----------------------------------------------------------------------------------
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_fuse_conv_bn_eval(transpose, bias, affine):
    def conv(lib):
        cls = lib.nn.ConvTranspose2d if transpose else lib.nn.Conv2d
        return cls(2, 3, 3, bias=bias).eval()
    conv_t, bn_t = conv(torch), _trained_bn(torch, 3, affine)
    conv_o, bn_o = conv(nptorch), _trained_bn(nptorch, 3, affine)
    load_torch_state(conv_o, conv_t)
    fused_o = nptorch.nn.utils.fuse_conv_bn_eval(conv_o, bn_o, transpose=transpose)
    fused_t = torch.nn.utils.fuse_conv_bn_eval(conv_t, bn_t, transpose=transpose)
    assert type(fused_o) is type(conv_o) and fused_o is not conv_o
    assert isinstance(fused_o.bias, nptorch.nn.Parameter)
    assert list(fused_o.state_dict()) == list(fused_t.state_dict()) == ["weight", "bias"]
    for name in ("weight", "bias"):
        np.testing.assert_allclose(as_numpy(getattr(fused_o, name)),
                                   as_numpy(getattr(fused_t, name)), rtol=1e-5, atol=1e-6)
    x = nptorch.randn(2, 2, 5, 5)
    np.testing.assert_allclose(as_numpy(fused_o(x)), as_numpy(bn_o(conv_o(x))),
                               rtol=1e-4, atol=1e-5)
    assert (conv_o.bias is None) == (not bias)  # the original is untouched


def test_fuse_linear_bn_eval():
    lin_t, lin_o = torch.nn.Linear(4, 3).eval(), nptorch.nn.Linear(4, 3).eval()
    load_torch_state(lin_o, lin_t)
    bn_t, bn_o = torch.nn.BatchNorm1d(3), nptorch.nn.BatchNorm1d(3)
    for bn, lib in ((bn_t, torch), (bn_o, nptorch)):
        with lib.no_grad():
            bn.running_mean.copy_(lib.tensor([0.1, -0.2, 0.3]))
            bn.running_var.copy_(lib.tensor([0.5, 1.5, 2.0]))
            bn.weight.copy_(lib.tensor([1.2, 0.7, -0.4]))
        bn.eval()
    fused_o = nptorch.nn.utils.fuse_linear_bn_eval(lin_o, bn_o)
    fused_t = torch.nn.utils.fuse_linear_bn_eval(lin_t, bn_t)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(as_numpy(getattr(fused_o, name)),
                                   as_numpy(getattr(fused_t, name)), rtol=1e-5, atol=1e-6)
    x = nptorch.randn(5, 4)
    np.testing.assert_allclose(as_numpy(fused_o(x)), as_numpy(bn_o(lin_o(x))),
                               rtol=1e-4, atol=1e-5)
    w, b = nptorch.nn.utils.fuse_linear_bn_weights(lin_o.weight, None, bn_o.running_mean,
                                                   bn_o.running_var, bn_o.eps, bn_o.weight,
                                                   bn_o.bias)
    tw, tb = torch.nn.utils.fuse_linear_bn_weights(lin_t.weight, None, bn_t.running_mean,
                                                   bn_t.running_var, bn_t.eps, bn_t.weight,
                                                   bn_t.bias)
    np.testing.assert_allclose(as_numpy(b), as_numpy(tb), rtol=1e-5, atol=1e-6)
    assert b.requires_grad is tb.requires_grad is False and w.requires_grad


def test_fusion_errors():
    conv, bn = nptorch.nn.Conv2d(2, 3, 1), nptorch.nn.BatchNorm2d(3)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nptorch.nn.utils.fuse_conv_bn_eval(conv, bn.eval())
    with pytest.raises(AssertionError, match="To fuse, linear.out_features == bn.num_features or "
                                             "bn.num_features == 1, got linear.out_features=3 and "
                                             "bn.num_features=4"):
        nptorch.nn.utils.fuse_linear_bn_eval(nptorch.nn.Linear(2, 3).eval(),
                                             nptorch.nn.BatchNorm1d(4).eval())


# -- skip_init ----------------------------------------------------------------------------------
def test_skip_init():
    m = nptorch.nn.utils.skip_init(nptorch.nn.Linear, 5, 2, bias=False, dtype=nptorch.float64)
    assert type(m) is nptorch.nn.Linear and m.bias is None
    assert tuple(m.weight.shape) == (2, 5) and m.weight.dtype == nptorch.float64
    assert isinstance(m.weight, nptorch.nn.Parameter) and m.weight.requires_grad
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip "
                                           "initialization"):
        nptorch.nn.utils.skip_init(nptorch.nn.ReLU)
    with pytest.raises(RuntimeError, match="Expected a Module; got <class 'int'>"):
        nptorch.nn.utils.skip_init(int)


# -- functional_call ----------------------------------------------------------------------------
def test_functional_call_replaces_and_restores():
    m = nptorch.nn.Linear(3, 2)
    w0 = m.weight
    x = nptorch.randn(4, 3)
    w = nptorch.randn(2, 3, requires_grad=True)
    y = functional_call(m, {"weight": w}, (x,))
    np.testing.assert_allclose(as_numpy(y), as_numpy(x) @ as_numpy(w).T + as_numpy(m.bias),
                               rtol=1e-5, atol=1e-6)
    assert m.weight is w0 and m.weight.grad is None
    y.sum().backward()
    np.testing.assert_allclose(as_numpy(w.grad), np.tile(as_numpy(x).sum(0), (2, 1)), rtol=1e-5)
    y2 = functional_call(m, ({"weight": w}, {"bias": nptorch.zeros(2)}), x)
    np.testing.assert_allclose(as_numpy(y2), as_numpy(x) @ as_numpy(w).T, rtol=1e-5, atol=1e-6)
    kw = functional_call(m, {}, (), {"input": x})
    np.testing.assert_allclose(as_numpy(kw), as_numpy(m(x)))


def test_functional_call_gradcheck_nested():
    m = nptorch.nn.Sequential(nptorch.nn.Linear(3, 4), nptorch.nn.Tanh(),
                              nptorch.nn.Linear(4, 2)).double()
    x = nptorch.randn(2, 3, dtype=nptorch.float64)
    params = [p.detach().clone().requires_grad_() for p in m.parameters()]
    names = [n for n, _ in m.named_parameters()]
    assert gradcheck(lambda *ps: functional_call(m, dict(zip(names, ps)), x), params)


def test_functional_call_buffers_updated_in_the_dict():
    bn = nptorch.nn.BatchNorm1d(2)
    mean = nptorch.zeros(2)
    given = {"running_mean": mean}
    functional_call(bn, given, nptorch.tensor([[1.0, 2.0], [3.0, 6.0]]))
    np.testing.assert_allclose(as_numpy(given["running_mean"]), [0.2, 0.4], rtol=1e-6)
    np.testing.assert_array_equal(as_numpy(bn.running_mean), [0.0, 0.0])


class _Tied:
    """``y = x @ w.T + x @ w_tied.T`` with ``w_tied`` the same parameter as ``w``."""

    def __init__(self, lib):
        class Tied(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = lib.nn.Linear(2, 2, bias=False)
                self.b = lib.nn.Linear(2, 2, bias=False)
                self.b.weight = self.a.weight

            def forward(self, x):
                return self.a(x) + self.b(x)
        self.module = Tied()


@pytest.mark.parametrize("tie_weights", [True, False])
def test_functional_call_tied_weights(tie_weights):
    ours, theirs = _Tied(nptorch).module, _Tied(torch).module
    load_torch_state(ours, theirs)
    x = np.ones((1, 2), np.float32)
    yo = functional_call(ours, {"a.weight": nptorch.zeros(2, 2)}, nptorch.tensor(x),
                         tie_weights=tie_weights)
    yt = torch.func.functional_call(theirs, {"a.weight": torch.zeros(2, 2)}, torch.tensor(x),
                                    tie_weights=tie_weights)
    np.testing.assert_allclose(as_numpy(yo), as_numpy(yt), rtol=1e-6)
    assert bool(np.abs(as_numpy(yo)).sum() == 0) == tie_weights
    both = {"a.weight": nptorch.zeros(2, 2), "b.weight": nptorch.ones(2, 2)}
    if tie_weights:
        with pytest.raises(ValueError, match=r"functional_call got multiple values for keys "
                                             r"\['a.weight', 'b.weight'\], which are tied. "
                                             "Consider using tie_weights=False"):
            functional_call(ours, both, nptorch.tensor(x))
    else:
        np.testing.assert_allclose(as_numpy(functional_call(ours, both, nptorch.tensor(x),
                                                       tie_weights=False)), [[2.0, 2.0]])


def test_functional_call_errors_match_pytorch():
    mo, mt = nptorch.nn.Linear(2, 2), torch.nn.Linear(2, 2)

    def both(exc, args_o, args_t, **kw):
        with pytest.raises(exc) as eo:
            functional_call(mo, *args_o, **kw)
        with pytest.raises(exc) as et:
            torch.func.functional_call(mt, *args_t, **kw)
        assert str(eo.value) == str(et.value)
    xo, xt = nptorch.ones(1, 2), torch.ones(1, 2)
    both(RuntimeError, ({"weight": nptorch.ones(2, 2), "extra": nptorch.ones(1)}, xo),
         ({"weight": torch.ones(2, 2), "extra": torch.ones(1)}, xt), strict=True)
    both(ValueError, (({"weight": nptorch.ones(2, 2)}, {"weight": nptorch.ones(2, 2)}), xo),
         (({"weight": torch.ones(2, 2)}, {"weight": torch.ones(2, 2)}), xt))
    both(ValueError, (({"weight": nptorch.ones(2, 2)}, 3), xo),
         (({"weight": torch.ones(2, 2)}, 3), xt))
    with pytest.raises(ValueError, match="Expected parameter_and_buffer_dicts to be a dict, or a "
                                         "list/tuple of dicts, but got <class 'int'>"):
        functional_call(mo, 3, xo)
    with pytest.raises(AttributeError, match="Linear has no attribute `sub`"):
        functional_call(mo, {"sub.weight": nptorch.ones(2, 2)}, xo)
    with pytest.raises(TypeError, match="is not an instance of torch.Tensor"):
        functional_call(mo, {"weight": 3.0}, xo)
    assert list(mo.state_dict()) == ["weight", "bias"]  # restored after each failure


def test_stateless_functional_call_is_deprecated():
    m = nptorch.nn.Linear(2, 1)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.stateless.functional_call` is "
                                           "deprecated as of PyTorch 2.0"):
        y = stateless.functional_call(m, {"bias": nptorch.tensor([10.0])}, nptorch.zeros(1, 2))
    np.testing.assert_array_equal(as_numpy(y), [[10.0]])
