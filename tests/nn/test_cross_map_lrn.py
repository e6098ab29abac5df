"""CrossMapLRN2d compared with torch.nn.CrossMapLRN2d: values, gradients and errors."""
import numpy as np
import pytest

import nptorch


def _forward_backward(lib, data, seed, *args, **kwargs):
    x = lib.tensor(data, requires_grad=True)
    y = lib.nn.CrossMapLRN2d(*args, **kwargs)(x)
    y.backward(lib.tensor(seed))
    return y, x.grad


CASES = [
    ((3,), {}),
    ((5,), dict(alpha=0.5, beta=0.6, k=1.5)),
    ((2,), dict(alpha=1.0, beta=0.75, k=2)),
    ((4,), dict(alpha=0.3, beta=1.2, k=0.5)),
    ((7,), dict(alpha=2.0)),
]


@pytest.mark.parametrize("channels", [1, 3, 6, 11])
@pytest.mark.parametrize("args,kwargs", CASES)
@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-6), (np.float64, 1e-13)])
def test_matches_torch(torch, args, kwargs, channels, dtype, tol):
    rng = np.random.default_rng(channels)
    data = rng.standard_normal((2, channels, 3, 4)).astype(dtype)
    seed = rng.standard_normal(data.shape).astype(dtype)
    ours = _forward_backward(nptorch, data, seed, *args, **kwargs)
    theirs = _forward_backward(torch, data, seed, *args, **kwargs)
    for o, t, what in zip(ours, theirs, ("output", "input gradient")):
        assert tuple(o.shape) == tuple(t.shape) and str(o.dtype)[-7:] == str(t.dtype)[-7:], what
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=tol * 10,
                                   atol=tol, err_msg=what)


def test_values_by_hand():
    """Channel c of a size-3 window sums the squares of channels c - 1 .. c + 1, and keeps
    channel 0's from channel 2 on, as PyTorch's running sum does."""
    x = nptorch.tensor([1.0, 2.0, 3.0, 4.0]).reshape(1, 4, 1, 1)
    y = nptorch.nn.CrossMapLRN2d(3, alpha=3.0, beta=1.0, k=1.0)(x)
    sums = np.array([1 + 4, 1 + 4 + 9, 1 + 4 + 9 + 16, 1 + 9 + 16])
    np.testing.assert_allclose(y.flatten().numpy(), [1, 2, 3, 4] / (sums + 1.0), rtol=1e-6)


def test_gradient_of_noncontiguous_input(torch):
    data = np.random.default_rng(5).standard_normal((3, 5, 4, 2)).astype(np.float32)
    grads = []
    for lib in (torch, nptorch):
        x = lib.tensor(data, requires_grad=True)
        y = lib.nn.CrossMapLRN2d(3, alpha=0.4)(x.transpose(2, 3))
        (y * y).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(0, 3, 2, 2), (2, 3, 0, 2), (2, 1, 2, 2)])
def test_empty_and_single_channel_inputs(torch, shape):
    data = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    ours = _forward_backward(nptorch, data, np.ones(shape, np.float32), 3, alpha=0.5)
    theirs = _forward_backward(torch, data, np.ones(shape, np.float32), 3, alpha=0.5)
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape) == shape
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)


def _same_error(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(nptorch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)
    return str(ours.value)


@pytest.mark.parametrize("shape", [(3, 4, 4), (1, 2, 3, 4, 5), (5,)])
def test_requires_4d_input(torch, shape):
    message = _same_error(lambda lib: lib.nn.CrossMapLRN2d(3)(lib.zeros(shape)), torch)
    assert message == f"CrossMapLRN2d: Expected input to be 4D, got {len(shape)}D instead."


def test_zero_channels_error(torch):
    message = _same_error(lambda lib: lib.nn.CrossMapLRN2d(3)(lib.zeros(2, 0, 2, 2)), torch)
    assert message.startswith("select(): index 0 out of range")


def test_size_one_backward_error(torch):
    """PyTorch's backward cannot place a size-1 window; its forward works (channel 0's square
    stays in the later channels' sums)."""
    def call(lib):
        x = lib.ones(1, 3, 2, 2, requires_grad=True)
        y = lib.nn.CrossMapLRN2d(1, alpha=1.0)(x)
        expected = np.array([2.0, 3.0, 3.0]) ** -0.75
        np.testing.assert_allclose(y.detach().numpy()[0, :, 0, 0], expected, rtol=1e-6)
        y.sum().backward()

    assert _same_error(call, torch) == "start (1) + length (3) exceeds dimension size (3)."


def test_module_attributes_and_repr(torch):
    ours, theirs = nptorch.nn.CrossMapLRN2d(5, beta=0.5), torch.nn.CrossMapLRN2d(5, beta=0.5)
    assert repr(ours) == repr(theirs) == "CrossMapLRN2d(5, alpha=0.0001, beta=0.5, k=1)"
    assert (ours.size, ours.alpha, ours.beta, ours.k) == (theirs.size, theirs.alpha, theirs.beta,
                                                          theirs.k)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    assert isinstance(ours, nptorch.nn.Module)
    assert nptorch.nn.CrossMapLRN2d is nptorch.nn.modules.CrossMapLRN2d
