"""Convolution functionals and layers against PyTorch: values, every gradient, gradcheck, errors."""

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from nptorch.autograd import gradcheck, gradgradcheck

from nptorch._ops.winograd import WinogradConvolution

from helpers import check_op, check_same_error_as_torch


@pytest.mark.parametrize("kwargs", [
    {}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": (2, 1)}, {"groups": 2},
    {"padding": "same"},
    {"padding": "valid", "stride": 3},
])
def test_conv2d(kwargs):
    groups = kwargs.get("groups", 1)
    check_op(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kwargs),
             (2, 4, 6, 7), (6, 4 // groups, 3, 2), (6,), atol=1e-5)


@pytest.fixture
def winograd_calls(monkeypatch):
    """The number of convolutions run by Winograd's transforms so far."""
    calls = []
    run = WinogradConvolution._winograd_conv2d

    def counted(self, *args):
        calls.append(args)
        return run(self, *args)

    monkeypatch.setattr(WinogradConvolution, "_winograd_conv2d", counted)
    return calls


@pytest.mark.parametrize("padding", [0, 1, 2, "same"])
def test_conv2d_by_winograd(winograd_calls, padding):
    """3x3 stride-1 convolutions with 16 or more channels (on 16x16 planes or more) run by
    Winograd's transforms: forward and input gradient, on every device."""
    check_op(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=padding),
             (2, 16, 18, 19), (24, 16, 3, 3), (24,), rtol=1e-4, atol=1e-4,
             gradcheck_inputs=False)
    assert len(winograd_calls) >= 4  # forward and input gradient, contiguous and not


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_winograd_gradcheck(monkeypatch, winograd_calls, padding):
    """Winograd's forward and both gradients (any channel count here), first and second
    derivatives in float64."""
    monkeypatch.setattr(WinogradConvolution, "WINOGRAD_MIN_CHANNELS", 0)
    rng = np.random.default_rng(0)
    x = nptorch.tensor(rng.standard_normal((2, 3, 5, 6)), requires_grad=True)
    w = nptorch.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    b = nptorch.tensor(rng.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=padding), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=padding), (x, w, b))
    assert winograd_calls


def test_conv2d_even_kernel_same_padding_and_unbatched():
    check_op(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same", dilation=(1, 2)),
             (3, 5, 6), (2, 3, 2, 4), atol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1, "dilation": 2}, {"groups": 3},
                                    {"padding": "same"}])
def test_conv1d(kwargs):
    groups = kwargs.get("groups", 1)
    check_op(lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, **kwargs),
             (2, 3, 9), (6, 3 // groups, 3), (6,), atol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1, "output_padding": 1},
                                    {"groups": 2, "dilation": (2, 1)}])
def test_conv_transpose2d(kwargs):
    check_op(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **kwargs),
             (2, 4, 4, 5), (4, 3, 3, 2), (3 * kwargs.get("groups", 1),), atol=1e-5)


def test_conv_transpose1d():
    check_op(lambda lib, x, w: lib.nn.functional.conv_transpose1d(x, w, stride=3, padding=1,
                                                                  output_padding=2),
             (2, 2, 5), (2, 3, 4), atol=1e-5)


def test_unfold_fold():
    check_op(lambda lib, x: lib.nn.functional.unfold(x, (2, 3), dilation=(1, 2), padding=1,
                                                     stride=2), (2, 3, 5, 6))
    check_op(lambda lib, x: lib.nn.functional.fold(x, (5, 6), (2, 3), padding=1, stride=(1, 2)),
             (2, 12, 6 * 3))


@pytest.mark.parametrize("kwargs", [{"stride": 2, "padding": 1}, {"padding": 1, "groups": 2},
                                    {"dilation": 2, "padding": (2, 1)}])
def test_second_derivatives(kwargs):
    """Each of conv2d, its input gradient and its weight gradient differentiates into the others:
    second derivatives through every operand, bias included."""
    rng = np.random.default_rng(0)
    groups = kwargs.get("groups", 1)
    x = nptorch.tensor(rng.standard_normal((2, 2 * groups, 5, 4)), requires_grad=True)
    w = nptorch.tensor(rng.standard_normal((2 * groups, 2, 2, 3)), requires_grad=True)
    b = nptorch.tensor(rng.standard_normal(2 * groups), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), (x, w, b))
    wt = nptorch.tensor(rng.standard_normal((2 * groups, 3, 2, 2)), requires_grad=True)
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, **kwargs), (x, wt))


def test_input_gradient_is_differentiable_in_the_weight():
    rng = np.random.default_rng(1)
    x = nptorch.tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    w = nptorch.tensor(rng.standard_normal((2, 2, 3, 3)), requires_grad=True)
    assert gradgradcheck(lambda w: nptorch.autograd.grad(
        (F.conv2d(x, w, padding=1) ** 2).sum(), x, create_graph=True)[0], (w,))


def _copy_params(ours, theirs, torch):
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        with torch.no_grad():
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))


def _check_layer(torch, ours, theirs, shape, device="cpu", **forward_kwargs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs, torch)
    ours.to(device)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    xo = nptorch.tensor(x, requires_grad=True, device=device)
    xt = torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo, **forward_kwargs), theirs(xt, **forward_kwargs)
    np.testing.assert_allclose(yo.detach().cpu().numpy(), yt.detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    g = np.random.default_rng(2).standard_normal(tuple(yt.shape)).astype(np.float32)
    yo.backward(nptorch.tensor(g, device=device))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.cpu().numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.cpu().numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-4,
                                   err_msg=name)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("Conv2d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, (2, 4, 7, 6)),
    ("Conv2d", (3, 2, (2, 3)), {"bias": False, "dilation": 2}, (3, 7, 8)),
    ("Conv2d", (3, 4, 3), {"padding": "same", "padding_mode": "reflect"}, (2, 3, 5, 6)),
    ("Conv2d", (16, 32, 3), {"padding": 1}, (2, 16, 16, 16)),                  # by Winograd
    ("Conv2d", (3, 4, 2), {"padding": 1, "padding_mode": "replicate"}, (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), {"padding": (2, 1), "padding_mode": "circular"}, (2, 3, 5, 6)),
    ("Conv1d", (2, 4, 3), {"padding": 2, "padding_mode": "reflect", "stride": 2}, (2, 2, 9)),
    ("Conv1d", (2, 4, 4), {"padding": "same"}, (2, 2, 9)),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "output_padding": 1, "groups": 2}, (2, 4, 4, 5)),
    ("ConvTranspose2d", (32, 16, 3), {"padding": 1}, (2, 32, 16, 16)),         # by Winograd
    ("ConvTranspose1d", (2, 3, 3), {"stride": 2, "dilation": 2}, (2, 2, 6)),
])
def test_layers_match_pytorch(torch, device, name, args, kwargs, shape):
    nptorch.manual_seed(0)
    ours = getattr(nptorch.nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    _check_layer(torch, ours, theirs, shape, device)


def test_conv_transpose_output_size(torch, device):
    ours, theirs = nptorch.nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    _check_layer(torch, ours, theirs, (1, 2, 4, 4), device, output_size=(10, 9))
    with pytest.raises(ValueError, match=r"requested an output size of \[12, 9\], but valid sizes "
                                         r"range from 9 to 10 \(for an input of \[4, 4\]\)"):
        ours(nptorch.zeros(1, 2, 4, 4, device=device), output_size=(12, 9))


def test_reset_parameters_bounds():
    layer = nptorch.nn.Conv2d(4, 8, (3, 5), groups=2)
    fan_in = 2 * 3 * 5
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.shape == (8, 2, 3, 5) and b.shape == (8,)
    # kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as is the bias
    assert np.abs(w).max() <= 1 / np.sqrt(fan_in) and np.abs(w).max() > 0.8 / np.sqrt(fan_in)
    assert np.abs(b).max() <= 1 / np.sqrt(fan_in)
    assert layer.weight.dtype == nptorch.float32


def test_layer_gradcheck_float64():
    nptorch.manual_seed(0)
    layer = nptorch.nn.Conv2d(2, 3, 2, padding=1, padding_mode="reflect").double()
    x = nptorch.randn(1, 2, 4, 3, dtype=nptorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(nptorch.nn.functional.conv._pad(x, ((1, 1), (1, 1)),
                                                                              "reflect"), w, b),
                     (x, layer.weight, layer.bias))


@pytest.mark.parametrize("fn, message", [
    (lambda: F.conv2d(nptorch.zeros(3, 5, 5, 5, 5), nptorch.zeros(4, 3, 3, 3)),
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: "
     r"\[3, 5, 5, 5, 5\]"),
    (lambda: F.conv1d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3)),
     r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d, but got input of size: "
     r"\[2, 3, 5, 5\]"),
    (lambda: F.conv2d(nptorch.zeros(2, 4, 5, 5), nptorch.zeros(4, 3, 3, 3)),
     r"Given groups=1, weight of size \[4, 3, 3, 3\], expected input\[2, 4, 5, 5\] to have 3 "
     r"channels, but got 4 channels instead"),
    (lambda: F.conv2d(nptorch.zeros(4, 5, 5), nptorch.zeros(4, 3, 3, 3)),
     r"expected input\[1, 4, 5, 5\] to have 3 channels"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 2, 2), nptorch.zeros(4, 3, 3, 3)),
     r"Calculated padded input size per channel: \(2 x 2\)\. Kernel size: \(3 x 3\)\. Kernel size "
     r"can't be greater than actual input size"),
    (lambda: F.conv1d(nptorch.zeros(2, 3, 2), nptorch.zeros(4, 3, 3)),
     r"Calculated padded input size per channel: \(2\)\. Kernel size: \(3\)\."),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), stride=0),
     "non-positive stride is not supported"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), padding=-1),
     "negative padding is not supported"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), dilation=0),
     "non-positive dilation is not supported"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), groups=0),
     "non-positive groups is not supported"),
    (lambda: F.conv2d(nptorch.zeros(2, 4, 5, 5), nptorch.zeros(3, 2, 3, 3), groups=2),
     r"Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of "
     r"size \[\[3, 2, 3, 3\]\] instead"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3),
                      bias=nptorch.zeros(3)),
     r"Given weight of size \[4, 3, 3, 3\], expected bias to be 1-dimensional with 4 elements, "
     r"but got bias of size \[3\] instead"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), stride=(1, 1, 1)),
     r"expected stride to be a single integer value or a list of 2 values to match the "
     r"convolution dimensions, but got stride=\[1, 1, 1\]"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3)),
     r"expected stride to be a single integer value or a list of 1 values"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), stride=2,
                      padding="same"), "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3), padding="foo"),
     "Invalid padding string: 'foo'"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3, dtype=nptorch.float64)),
     r"Input type \(torch\.FloatTensor\) and weight type \(torch\.DoubleTensor\) should be the "
     r"same"),
    (lambda: F.conv2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(4, 3, 3, 3),
                      nptorch.zeros(4, dtype=nptorch.float64)),
     r"Input type \(float\) and bias type \(double\) should be the same"),
    (lambda: F.conv_transpose2d(nptorch.zeros(2, 4, 5, 5), nptorch.zeros(3, 2, 3, 3)),
     r"Given transposed=1, weight of size \[3, 2, 3, 3\], expected input\[2, 4, 5, 5\] to have 3 "
     r"channels, but got 4 channels instead"),
    (lambda: F.conv_transpose2d(nptorch.zeros(2, 3, 5, 5), nptorch.zeros(3, 2, 3, 3),
                                output_padding=1),
     r"output padding must be smaller than either stride or dilation, but got "
     r"output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 "
     r"dilation_height: 1 dilation_width: 1"),
    (lambda: F.conv_transpose2d(nptorch.zeros(2, 4, 5, 5), nptorch.zeros(4, 2, 3, 3),
                                output_padding=-1), "negative output_padding is not supported"),
    (lambda: F.conv_transpose2d(nptorch.zeros(2, 4, 5, 5), nptorch.zeros(4, 2, 3, 3), groups=2,
                                bias=nptorch.zeros(3)),
     r"Given transposed=1, weight of size \[4, 2, 3, 3\], expected bias to be 1-dimensional with 4 "
     r"elements, but got bias of size \[3\] instead"),
    (lambda: F.conv_transpose2d(nptorch.zeros(2, 3, 5, 5, 5, 5), nptorch.zeros(3, 2, 3, 3)),
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv_transpose2d"),
    (lambda: F.unfold(nptorch.zeros(2, 3, 5, 5), 7),
     r"Given input with spatial size \(5, 5\), kernel_size=\(7, 7\), dilation=\(1, 1\), "
     r"padding=\(0, 0\), calculated shape of the array of sliding blocks as \(-1, -1\), but its "
     r"components must be at least one\."),
    (lambda: F.unfold(nptorch.zeros(2, 3, 5, 5), 2, stride=0),
     "stride should be greater than zero, but got stride_height: 0 stride_width: 0"),
    (lambda: F.unfold(nptorch.zeros(2, 3, 5, 5), 2, dilation=0),
     "dilation should be greater than zero, but got dilation_height: 0 dilation_width: 0"),
    (lambda: F.unfold(nptorch.zeros(2, 3, 5, 5), 2, padding=-1),
     "padding should be non-negative, but got pad_height: -1 pad_width: -1"),
    (lambda: F.fold(nptorch.zeros(1, 13, 4), (3, 3), 2),
     r"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
     r"got input.size\(1\)=13 and kernel_size=\(2, 2\)\."),
    (lambda: F.fold(nptorch.zeros(1, 12, 5), (3, 3), 2),
     r"Given output_size=\(3, 3\), kernel_size=\(2, 2\), dilation=\(1, 1\), padding=\(0, 0\), "
     r"stride=\(1, 1\), expected size of input's dimension 2 to match the calculated number of "
     r"sliding blocks 2 \* 2 = 4, but got input.size\(2\)=5\."),
    (lambda: F.fold(nptorch.zeros(12), (3, 3), 2), r"Expected 2D or 3D \(batch mode\) tensor"),
    (lambda: nptorch.nn.Conv2d(4, 6, 3, padding=5, padding_mode="reflect")(
        nptorch.zeros(1, 4, 3, 3)),
     r"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
     r"padding \(5, 5\) at dimension 3 of input \[1, 4, 3, 3\]"),
])
def test_errors(fn, message):
    with pytest.raises(RuntimeError, match=message):
        fn()


def test_unfold_of_a_matrix_is_an_index_error():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        F.unfold(nptorch.zeros(3, 3), 2)


@pytest.mark.parametrize("fn, message", [
    (lambda: nptorch.nn.Conv2d(3, 6, 3, groups=2), "in_channels must be divisible by groups"),
    (lambda: nptorch.nn.Conv2d(4, 6, 3, groups=4), "out_channels must be divisible by groups"),
    (lambda: nptorch.nn.Conv2d(4, 6, 3, groups=0), "groups must be a positive integer"),
    (lambda: nptorch.nn.Conv2d(4, 6, 3, padding_mode="foo"),
     r"padding_mode must be one of \{'zeros', 'replicate', 'reflect', 'circular'\}, but got "
     r"padding_mode='foo'"),
    (lambda: nptorch.nn.Conv2d(4, 6, 3, padding="foo"),
     r"Invalid padding string 'foo', should be one of \{'valid', 'same'\}"),
    (lambda: nptorch.nn.Conv2d(4, 6, 3, padding="same", stride=2),
     "padding='same' is not supported for strided convolutions"),
    (lambda: nptorch.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_layer_errors(fn, message):
    with pytest.raises(ValueError, match=message):
        fn()


@pytest.mark.parametrize("d, kwargs", [
    (1, {"stride": 2, "output_padding": 2}), (1, {"dilation": 2, "output_padding": 2}),
    (2, {"stride": (2, 3), "dilation": (1, 2), "output_padding": (2, 1)}),
    (3, {"stride": 2, "output_padding": 2})])
@pytest.mark.parametrize("batched", [True, False])
def test_conv_transpose_output_padding_error_matches_torch(d, kwargs, batched):
    """PyTorch reports a 1-d convolution's output padding as that of a 2-d one of height 1."""
    shape = (2,) + (5,) * d

    def call(lib):
        fn = getattr(lib.nn.functional, f"conv_transpose{d}d")
        x = lib.ones((1,) + shape if batched else shape)
        return fn(x, lib.ones((2, 3) + (3,) * d), **kwargs)
    check_same_error_as_torch(call)
