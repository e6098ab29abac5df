"""Activations (nn.functional and Modules) against PyTorch."""
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F
from nptorch.autograd import gradgradcheck
from helpers import check_op


def _f(lib):
    return lib.nn.functional


POINTWISE = {
    "relu": lambda lib, x: _f(lib).relu(x),
    "relu6": lambda lib, x: _f(lib).relu6(x * 4),
    "leaky_relu": lambda lib, x: _f(lib).leaky_relu(x, 0.2),
    "elu": lambda lib, x: _f(lib).elu(x, alpha=0.7),
    "selu": lambda lib, x: _f(lib).selu(x),
    "celu": lambda lib, x: _f(lib).celu(x, alpha=1.5),
    "gelu": lambda lib, x: _f(lib).gelu(x),
    "gelu_tanh": lambda lib, x: _f(lib).gelu(x, approximate="tanh"),
    "silu": lambda lib, x: _f(lib).silu(x),
    "mish": lambda lib, x: _f(lib).mish(x),
    "sigmoid": lambda lib, x: _f(lib).sigmoid(x),
    "tanh": lambda lib, x: _f(lib).tanh(x),
    "hardsigmoid": lambda lib, x: _f(lib).hardsigmoid(x * 2),
    "hardswish": lambda lib, x: _f(lib).hardswish(x * 2),
    "hardtanh": lambda lib, x: _f(lib).hardtanh(x, -0.5, 1.5),
    "softplus": lambda lib, x: _f(lib).softplus(x, beta=2.0, threshold=3.0),
    "softsign": lambda lib, x: _f(lib).softsign(x),
    "threshold": lambda lib, x: _f(lib).threshold(x, 0.3, -2.0),
    "logsigmoid": lambda lib, x: _f(lib).logsigmoid(x * 5),
    "tanhshrink": lambda lib, x: _f(lib).tanhshrink(x),
    "hardshrink": lambda lib, x: _f(lib).hardshrink(x, 0.6),
    "softshrink": lambda lib, x: _f(lib).softshrink(x, 0.6),
    "glu": lambda lib, x: _f(lib).glu(x, 0),
    "glu_last": lambda lib, x: _f(lib).glu(x),
    "softmax": lambda lib, x: _f(lib).softmax(x * 3, 1),
    "softmax_last": lambda lib, x: _f(lib).softmax(x, -1),
    "log_softmax": lambda lib, x: _f(lib).log_softmax(x * 3, 0),
    "log_softmax_last": lambda lib, x: _f(lib).log_softmax(x, -1),
    "softmin": lambda lib, x: _f(lib).softmin(x, 1),
    "softmax_dtype": lambda lib, x: _f(lib).softmax(x, 1, dtype=lib.float64),
    "log_softmax_dtype": lambda lib, x: _f(lib).log_softmax(x, 1, dtype=lib.float64),
}


@pytest.mark.parametrize("shape", [(4, 6), (2, 4, 2)])
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_activation_matches_torch(name, shape):
    check_op(POINTWISE[name], shape)


@pytest.mark.parametrize("weight_shape, shape", [((1,), (3, 4)), ((4,), (3, 4, 2)), ((1,), (5,)),
                                                 ((), (2, 3))])
def test_prelu(weight_shape, shape):
    w = np.random.default_rng(1).uniform(0.1, 0.5, weight_shape).astype(np.float32)
    check_op(lambda lib, x, w: _f(lib).prelu(x, w), shape, w)


def test_softmax_of_a_scalar_and_large_values():
    assert F.softmax(nptorch.tensor(2.0), 0).item() == 1.0
    x = nptorch.tensor([1000.0, 1001.0, 1002.0])
    np.testing.assert_allclose(F.softmax(x, 0).numpy(), [0.09003057, 0.24472847, 0.66524096],
                               rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(x, 0).numpy(), [-2.407606, -1.407606, -0.407606],
                               rtol=1e-6)


@pytest.mark.parametrize("ndim, dim", [(1, 0), (2, 1), (3, 0), (4, 1)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_implicit_softmax_dim_warns(torch, fn, ndim, dim):
    x = np.random.default_rng(0).standard_normal((2,) * ndim).astype(np.float32)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn} has been deprecated"):
        ours = getattr(F, fn)(nptorch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), getattr(F, fn)(nptorch.tensor(x), dim).numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, fn)(torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


INPLACE = {
    "relu": ((), {}), "relu6": ((), {}), "leaky_relu": ((0.3,), {}), "elu": ((0.5,), {}),
    "selu": ((), {}), "celu": ((2.0,), {}), "silu": ((), {}), "mish": ((), {}),
    "hardsigmoid": ((), {}), "hardswish": ((), {}), "hardtanh": ((-0.5, 0.5), {}),
    "threshold": ((0.1, 5.0), {}),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_modifies_input_and_matches_torch(torch, name):
    args, _ = INPLACE[name]
    x = np.random.default_rng(0).uniform(-4, 4, (3, 5)).astype(np.float32)
    g = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    leaf, tleaf = nptorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = leaf * 1, tleaf * 1
    version = y._version
    out = getattr(F, name)(y, *args, inplace=True)
    getattr(torch.nn.functional, name)(ty, *args, inplace=True)
    assert out is y and y._version > version
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6, atol=1e-7)
    y.backward(nptorch.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=1e-5, atol=1e-6)
    # no grad involved: the buffer itself changes
    plain = nptorch.tensor(x)
    getattr(F, name)(plain, *args, inplace=True)
    np.testing.assert_allclose(plain.numpy(), ty.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_inplace_on_a_leaf_that_requires_grad_raises():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        F.elu(nptorch.ones(3, requires_grad=True), inplace=True)


def test_inplace_then_saved_value_modified_raises():
    x = nptorch.ones(3, requires_grad=True)
    y = x.exp()
    F.relu(y, inplace=True).sum()
    z = y.sigmoid()
    F.elu(y, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


MODULES = [
    ("ReLU", (), "relu", ()), ("ReLU", (True,), "relu", ()), ("ReLU6", (), "relu6", ()),
    ("LeakyReLU", (0.2,), "leaky_relu", (0.2,)), ("ELU", (0.5,), "elu", (0.5,)),
    ("SELU", (), "selu", ()), ("CELU", (2.0,), "celu", (2.0,)),
    ("GELU", ("tanh",), "gelu", ()), ("SiLU", (), "silu", ()), ("Mish", (), "mish", ()),
    ("Sigmoid", (), "sigmoid", ()), ("Hardsigmoid", (), "hardsigmoid", ()),
    ("Hardswish", (True,), "hardswish", ()), ("Hardtanh", (-2.0, 3.0), "hardtanh", (-2.0, 3.0)),
    ("Tanh", (), "tanh", ()), ("Softplus", (2.0, 5.0), "softplus", (2.0, 5.0)),
    ("Softsign", (), "softsign", ()), ("Softmax", (1,), "softmax", (1,)),
    ("LogSoftmax", (0,), "log_softmax", (0,)), ("Softmin", (-1,), "softmin", (-1,)),
    ("Threshold", (0.5, -1.0), "threshold", (0.5, -1.0)), ("GLU", (1,), "glu", (1,)),
    ("LogSigmoid", (), "logsigmoid", ()), ("Tanhshrink", (), "tanhshrink", ()),
    ("Hardshrink", (0.3,), "hardshrink", (0.3,)), ("Softshrink", (0.3,), "softshrink", (0.3,)),
]


@pytest.mark.parametrize("cls, args, fn, fargs", MODULES)
def test_module_matches_functional_and_torch_repr(torch, cls, args, fn, fargs):
    x = np.random.default_rng(0).uniform(-4, 4, (3, 4)).astype(np.float32)
    module = getattr(nn, cls)(*args)
    assert repr(module) == repr(getattr(torch.nn, cls)(*args))
    expected = getattr(F, fn)(nptorch.tensor(x), *fargs)
    if cls == "GELU":
        expected = F.gelu(nptorch.tensor(x), approximate="tanh")
    np.testing.assert_allclose(module(nptorch.tensor(x)).numpy(), expected.numpy(), rtol=1e-6)
    theirs = getattr(torch.nn, cls)(*args)(torch.tensor(x))
    np.testing.assert_allclose(module(nptorch.tensor(x)).numpy(), theirs.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_module_keyword_and_bad_arguments():
    assert repr(nn.LeakyReLU(negative_slope=0.1, inplace=True)) == \
        "LeakyReLU(negative_slope=0.1, inplace=True)"
    with pytest.raises(TypeError, match="unexpected keyword argument 'slope'"):
        nn.LeakyReLU(slope=0.1)
    with pytest.raises(TypeError, match="positional arguments but 4 were given"):
        nn.ELU(1.0, True, 3)
    with pytest.raises(AssertionError):
        nn.Hardtanh(1.0, -1.0)


def test_prelu_module(torch):
    m, tm = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert repr(m) == repr(tm) == "PReLU(num_parameters=3)"
    assert isinstance(m.weight, nn.Parameter) and m.weight.shape == (3,)
    np.testing.assert_allclose(m.weight.detach().numpy(), [0.1] * 3, rtol=1e-7)
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    out, tout = m(nptorch.tensor(x)), tm(torch.tensor(x))
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-5)
    assert [name for name, _ in m.named_parameters()] == ["weight"]


@pytest.mark.parametrize("fn", [
    lambda x: F.softmax(x, 1), lambda x: F.log_softmax(x, 0), lambda x: F.gelu(x),
    lambda x: F.gelu(x, approximate="tanh"), lambda x: F.elu(x), lambda x: F.mish(x),
    lambda x: F.softplus(x, 2.0), lambda x: F.silu(x), lambda x: F.logsigmoid(x)])
def test_double_backward(fn):
    x = nptorch.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert gradgradcheck(fn, (x,))


def test_softmax_gradient_values():
    x = nptorch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    F.softmax(x, 1)[0, 2].backward()
    p = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(x.grad.numpy()[0], p[2] * (np.eye(3)[2] - p), rtol=1e-6)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: F.gelu(nptorch.ones(2), approximate="exact"), RuntimeError,
     "approximate argument must be either none or tanh."),
    (lambda: F.glu(nptorch.ones(3, 5)), RuntimeError,
     "Halving dimension must be even, but dimension 1 is size 5"),
    (lambda: F.glu(nptorch.tensor(1.0)), RuntimeError,
     "glu does not support scalars because halving size must be even"),
    (lambda: F.prelu(nptorch.ones(3, 5), nptorch.ones(3)), RuntimeError,
     r"Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and "
     r"channel size = 5."),
    (lambda: F.prelu(nptorch.tensor(1.0), nptorch.ones(3)), RuntimeError,
     "Not allow zero-dim input tensor."),
    (lambda: F.prelu(nptorch.ones(2, 3), nptorch.ones(1, 3)), RuntimeError,
     "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = 2"),
    (lambda: F.hardtanh(nptorch.ones(2), 2.0, 1.0), ValueError,
     "min_val cannot be greater than max_val"),
    (lambda: F.celu(nptorch.ones(2), alpha=0.0), RuntimeError,
     "ZeroDivisionError: alpha cannot be 0 for CELU"),
    (lambda: F.softshrink(nptorch.ones(2), -1.0), RuntimeError,
     r"lambda must be in range \[0, 3.40282e\+38\] for input dtype Float, but found -1"),
    (lambda: F.elu(nptorch.tensor([1, 2])), NotImplementedError,
     "\"elu_cpu\" not implemented for 'Long'"),
    (lambda: F.gelu(nptorch.tensor([1, 2])), NotImplementedError,
     "\"GeluKernelImpl\" not implemented for 'Long'"),
    (lambda: F.softmax(nptorch.tensor([1, 2]), 0), NotImplementedError,
     "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    (lambda: F.softmax(nptorch.ones(3), 1), IndexError,
     r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
