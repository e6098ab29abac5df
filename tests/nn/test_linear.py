"""Linear, Bilinear and Identity against PyTorch: values, every gradient, gradcheck, init
bounds, state_dict keys, repr and errors."""
import math

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F

from helpers import check_op, check_same_error_as_torch, load_torch_state

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5), (5,)])
def test_linear(shape):
    check_op(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), shape, (3, 5), (3,),
             atol=1e-5)
    check_op(lambda lib, x, w: lib.nn.functional.linear(x, w), shape, (3, 5), atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_second_derivatives(shape, bias):
    x = nptorch.randn(*shape, dtype=nptorch.float64, requires_grad=True)
    w = nptorch.randn(3, 5, dtype=nptorch.float64, requires_grad=True)
    b = nptorch.randn(3, dtype=nptorch.float64, requires_grad=True) if bias else None
    inputs = (x, w, b) if bias else (x, w)
    assert nptorch.autograd.gradgradcheck(lambda *a: F.linear(*a), inputs)


@pytest.mark.parametrize("shape", [(2, 3), (5, 2, 3), (3,)])
def test_linear_bias_of_another_dtype(shape):
    for x_dtype, b_dtype in [("float32", "float64"), ("float64", "float32")]:
        check_same_error_as_torch(lambda lib: lib.nn.functional.linear(
            lib.ones(*shape, dtype=getattr(lib, x_dtype)),
            lib.ones(4, 3, dtype=getattr(lib, x_dtype)), lib.ones(4, dtype=getattr(lib, b_dtype))))


def test_linear_broadcast_bias():
    check_op(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (4, 5), (3, 5), (4, 3),
             atol=1e-5)


@pytest.mark.parametrize("batch", [(4,), (2, 3), ()])
def test_bilinear(batch):
    check_op(lambda lib, a, b, w, c: lib.nn.functional.bilinear(a, b, w, c), batch + (3,),
             batch + (4,), (2, 3, 4), (2,), atol=1e-5)
    check_op(lambda lib, a, b, w: lib.nn.functional.bilinear(a, b, w), batch + (3,),
             batch + (4,), (2, 3, 4), atol=1e-5)


@pytest.mark.parametrize("name,args,kwargs", [("Linear", (5, 3), {}),
                                              ("Linear", (5, 3), {"bias": False}),
                                              ("Bilinear", (5, 4, 3), {}),
                                              ("Bilinear", (5, 4, 3), {"bias": False})])
def test_modules(name, args, kwargs):
    ours, theirs = getattr(nptorch.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args,
                                                                                      **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape)
                                                           for p in theirs.parameters()]
    bound = 1 / math.sqrt(args[0])
    for p in ours.parameters():
        assert p.abs().max().item() <= bound
        assert p.abs().max().item() > bound / 2
    load_torch_state(ours, theirs)
    inputs = [np.random.randn(4, n).astype(np.float32) for n in args[:-1]]
    xo = [nptorch.tensor(a, requires_grad=True) for a in inputs]
    xt = [torch.tensor(a, requires_grad=True) for a in inputs]
    yo, yt = ours(*xo), theirs(*xt)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), atol=1e-5)
    yo.square().sum().backward()
    yt.square().sum().backward()
    for a, b in zip(xo + list(ours.parameters()), xt + list(theirs.parameters())):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-4)
    assert ours.weight.shape == (args[-1],) + tuple(args[:-1])


def test_identity():
    m = nptorch.nn.Identity(3, unused=True)
    x = nptorch.randn(2)
    assert m(x) is x
    assert repr(m) == repr(torch.nn.Identity()) == "Identity()"


def test_errors():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 5x4\)"):
        F.linear(nptorch.randn(2, 3), nptorch.randn(4, 5))
    a, b, w = nptorch.randn(2, 3), nptorch.randn(2, 4), nptorch.randn(5, 3, 4)
    with pytest.raises(RuntimeError, match="bilinear\\(\\): input2 size does not match weight "
                                           "size: got 4 but expected 3"):
        F.bilinear(a, b, nptorch.randn(5, 3, 3))
    with pytest.raises(RuntimeError, match="input1 size does not match weight size: got 3 but "
                                           "expected 4"):
        F.bilinear(a, b, nptorch.randn(5, 4, 4))
    with pytest.raises(RuntimeError, match="input dimensions do not match: got 2 and 3"):
        F.bilinear(a, b.unsqueeze(0), w)
    with pytest.raises(RuntimeError, match="input batch dimensions do not match: got 2 and 3"):
        F.bilinear(a, nptorch.randn(3, 4), w)
    with pytest.raises(RuntimeError, match="bias size does not match weight size: got 2 but "
                                           "expected 5"):
        F.bilinear(a, b, w, nptorch.randn(2))
