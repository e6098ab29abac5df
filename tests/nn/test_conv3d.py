"""3-D convolutions (functional, layers, lazy layers) against PyTorch: values, every gradient,
gradcheck, second derivatives, reprs, state_dicts and errors."""

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("kwargs", [
    {}, {"stride": 2, "padding": 1},
    {"stride": (1, 2, 1), "padding": (1, 0, 2), "dilation": (2, 1, 1)},
    {"groups": 2}, {"padding": "same", "dilation": (1, 2, 1)}, {"padding": "valid", "stride": 2},
])
def test_conv3d(kwargs):
    groups = kwargs.get("groups", 1)
    check_op(lambda lib, x, w, b: lib.nn.functional.conv3d(x, w, b, **kwargs),
             (2, 4, 4, 5, 4), (4, 4 // groups, 2, 3, 2), (4,), atol=1e-5)


def test_conv3d_unbatched_even_kernel_same_padding():
    check_op(lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding="same"),
             (2, 3, 4, 3), (3, 2, 2, 1, 2), atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    {}, {"stride": 2, "padding": 1, "output_padding": (1, 0, 1)},
    {"groups": 2, "dilation": (2, 1, 1), "stride": (1, 2, 1), "output_padding": (1, 1, 0)},
])
def test_conv_transpose3d(kwargs):
    check_op(lambda lib, x, w, b: lib.nn.functional.conv_transpose3d(x, w, b, **kwargs),
             (2, 4, 3, 3, 2), (4, 2, 2, 3, 2), (2 * kwargs.get("groups", 1),), atol=1e-5)


def test_conv_transpose3d_unbatched():
    check_op(lambda lib, x, w: lib.nn.functional.conv_transpose3d(x, w, stride=(2, 1, 1)),
             (2, 2, 3, 2), (2, 3, 2, 2, 1), atol=1e-5)


@pytest.mark.parametrize("kwargs", [{"stride": 2, "padding": 1}, {"groups": 2, "dilation": 2,
                                                                  "padding": (2, 1, 0)}])
def test_second_derivatives(kwargs):
    """conv3d and conv_transpose3d differentiate twice through every operand."""
    rng = np.random.default_rng(0)
    groups = kwargs.get("groups", 1)
    x = nptorch.tensor(rng.standard_normal((1, 2 * groups, 4, 3, 3)), requires_grad=True)
    w = nptorch.tensor(rng.standard_normal((2 * groups, 2, 2, 2, 1)), requires_grad=True)
    b = nptorch.tensor(rng.standard_normal(2 * groups), requires_grad=True)
    assert gradgradcheck(lambda x, w, b: F.conv3d(x, w, b, **kwargs), (x, w, b))
    wt = nptorch.tensor(rng.standard_normal((2 * groups, 1, 2, 1, 2)), requires_grad=True)
    assert gradgradcheck(lambda x, w: F.conv_transpose3d(x, w, **kwargs), (x, wt))


def test_top_level_names():
    check_op(lambda lib, x, w: lib.conv3d(x, w, None, 1, 1), (1, 2, 3, 3, 3), (2, 2, 2, 2, 2))
    check_op(lambda lib, x, w: lib.conv_transpose3d(x, w, None, 2), (1, 2, 2, 2, 2),
             (2, 1, 2, 2, 2))


def _copy_parameters(ours, theirs):
    for name, p in theirs.named_parameters():
        getattr(ours, name).data = nptorch.tensor(p.detach().numpy())


def _compare_module(ours, theirs, shape, **forward_kwargs):
    """Forward and the gradients of input and parameters, weights copied from PyTorch."""
    _copy_parameters(ours, theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xo, xt = nptorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo, **forward_kwargs), theirs(xt, **forward_kwargs)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    yo.backward(nptorch.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.numpy(), p.grad.numpy(), rtol=1e-4,
                                   atol=1e-4)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv3d_layer(padding_mode):
    args = (4, 6, (2, 3, 2))
    kwargs = {"stride": (1, 2, 1), "padding": (1, 2, 0), "groups": 2, "padding_mode": padding_mode}
    _compare_module(nptorch.nn.Conv3d(*args, **kwargs), torch.nn.Conv3d(*args, **kwargs),
                    (2, 4, 4, 5, 3))


def test_conv3d_layer_same_padding_without_bias():
    kwargs = {"padding": "same", "bias": False, "dilation": (2, 1, 1), "padding_mode": "reflect"}
    _compare_module(nptorch.nn.Conv3d(2, 3, 2, **kwargs), torch.nn.Conv3d(2, 3, 2, **kwargs),
                    (1, 2, 4, 3, 3))


def test_conv_transpose3d_layer_with_output_size():
    kwargs = {"stride": 2, "padding": (1, 0, 1), "dilation": (1, 2, 1)}
    ours, theirs = nptorch.nn.ConvTranspose3d(3, 4, 3, **kwargs), torch.nn.ConvTranspose3d(3, 4, 3,
                                                                                          **kwargs)
    _compare_module(ours, theirs, (2, 3, 2, 3, 2), output_size=(4, 10, 4))
    with pytest.raises(ValueError, match="requested an output size of"):
        ours(nptorch.zeros(1, 3, 2, 3, 2), output_size=(9, 9, 9))


def test_layer_init_matches_pytorch_bounds():
    layer = nptorch.nn.Conv3d(4, 6, 3)
    bound = 1 / np.sqrt(4 * 27)
    assert layer.weight.shape == (6, 4, 3, 3, 3) and layer.bias.shape == (6,)
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_lazy_layers():
    conv = nptorch.nn.LazyConv3d(6, 2, groups=2)
    assert conv(nptorch.randn(1, 4, 3, 3, 3)).shape == (1, 6, 2, 2, 2)
    assert type(conv) is nptorch.nn.Conv3d and conv.weight.shape == (6, 2, 2, 2, 2)
    deconv = nptorch.nn.LazyConvTranspose3d(6, 2, groups=2)
    assert deconv(nptorch.randn(4, 3, 3, 3)).shape == (6, 4, 4, 4)  # unbatched
    assert type(deconv) is nptorch.nn.ConvTranspose3d and deconv.weight.shape == (4, 3, 2, 2, 2)
    with pytest.raises(RuntimeError, match=r"Expected 4D \(unbatched\) or 5D \(batched\) input "
                                           "to LazyConv3d"):
        nptorch.nn.LazyConv3d(6, 2)(nptorch.zeros(2, 3, 4))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.functional.conv3d(lib.zeros(4, 5, 6), lib.zeros(2, 4, 1, 1, 1)),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 3, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 2, 3, 3, 3),
                                         groups=3),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(5, 2, 3, 3, 3),
                                         groups=2),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 4, 3, 3, 9)),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 4, 3, 3, 3),
                                         stride=0),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 4, 1, 1, 1),
                                         stride=(1, 2)),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 4, 1, 1, 1),
                                         padding="same", stride=2),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(1, 4, 5, 6, 7), lib.zeros(6, 4, 1, 1, 1),
                                         lib.zeros(5)),
    lambda lib: lib.nn.functional.conv_transpose3d(lib.zeros(1, 4, 2, 2, 2),
                                                   lib.zeros(4, 2, 2, 2, 2),
                                                   stride=2, output_padding=(0, 2, 0)),
    lambda lib: lib.nn.functional.conv_transpose3d(lib.zeros(1, 4, 2, 2, 2),
                                                   lib.zeros(3, 2, 2, 2, 2)),
])
def test_errors_match_pytorch(fn):
    check_same_error_as_torch(fn)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nptorch.nn.Conv3d(3, 4, 2, groups=2)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for '
                                         "ConvTranspose3d"):
        nptorch.nn.ConvTranspose3d(2, 2, 2, padding_mode="reflect")
