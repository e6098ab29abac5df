"""pad, interpolate, pixel_shuffle/unshuffle, Flatten/Unflatten and their modules against
PyTorch: values, input gradients, gradcheck, reprs and errors."""
import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F

from helpers import check_op


@pytest.mark.parametrize("shape, pad, kwargs", [
    ((2, 3, 4), (1, 2), {}),
    ((2, 3, 4), (1, -1, 2, 0), {"value": 2.5}),
    ((2, 3, 4), (-1, -1), {}),
    ((2, 3, 4), (1, 1, 1, 1, 1, 1), {}),
    ((3, 4), (2, 1), {"mode": "reflect"}),
    ((2, 3, 4), (2, 1, 1, 2), {"mode": "reflect"}),
    ((1, 2, 4), (-1, 2), {"mode": "reflect"}),
    ((1, 2, 3, 3, 3), (1, 2, 2, 1, 0, 1), {"mode": "reflect"}),
    ((2, 3, 4), (2, 3, 1, 2), {"mode": "replicate"}),
    ((1, 2, 3, 4, 3), (1, 1, 1, 1, 1, 1), {"mode": "replicate"}),
    ((1, 2, 3, 4), (2, 3, 1, 2), {"mode": "circular"}),
    ((2, 5), (5, 1), {"mode": "circular"}),
])
def test_pad(shape, pad, kwargs):
    check_op(lambda lib, x: lib.nn.functional.pad(x, pad, **kwargs), shape)


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 2, 3, 4), {"scale_factor": 2}),
    ((1, 2, 3, 4), {"size": (5, 7)}),
    ((1, 2, 5, 4), {"scale_factor": 1.7}),
    ((1, 2, 5, 4), {"scale_factor": 1.7, "recompute_scale_factor": True}),
    ((1, 2, 7), {"scale_factor": 0.6}),
    ((2, 2, 3), {"size": 8}),
    ((1, 2, 3, 4, 3), {"size": (2, 3, 5)}),
    ((1, 2, 3, 4), {"scale_factor": 2, "mode": "bilinear"}),
    ((1, 2, 3, 4), {"size": (5, 2), "mode": "bilinear", "align_corners": True}),
    ((2, 2, 3, 5), {"scale_factor": (1.5, 0.7), "mode": "bilinear"}),
    ((2, 2, 3, 5), {"scale_factor": (1.5, 0.7), "mode": "bilinear", "recompute_scale_factor": True}),
    ((2, 2, 3, 5), {"size": 1, "mode": "bilinear", "align_corners": True}),
    ((2, 2, 3), {"size": 7, "mode": "linear"}),
    ((2, 2, 4), {"scale_factor": 0.5, "mode": "linear", "align_corners": True}),
    ((1, 2, 2, 3, 2), {"size": (3, 4, 5), "mode": "trilinear"}),
])
def test_interpolate(shape, kwargs):
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, **kwargs), shape)


def test_nearest_uses_float32_floor_of_scaled_index(torch):
    x = np.arange(30, dtype=np.float32).reshape(1, 1, 30)
    for scale in (0.3, 1 / 3, 2.9):
        ours = F.interpolate(nptorch.tensor(x), scale_factor=scale).numpy()
        ref = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=scale).numpy()
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("fn, shape", [
    (lambda lib, x: lib.nn.functional.pixel_shuffle(x, 2), (2, 8, 3, 2)),
    (lambda lib, x: lib.nn.functional.pixel_shuffle(x, 3), (9, 2, 2)),
    (lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 2), (2, 1, 4, 6)),
    (lambda lib, x: lib.nn.PixelUnshuffle(3)(x), (2, 1, 2, 3, 6)),
    (lambda lib, x: lib.nn.PixelShuffle(2)(x), (1, 4, 2, 3)),
    (lambda lib, x: lib.nn.Flatten()(x), (2, 3, 4)),
    (lambda lib, x: lib.nn.Flatten(0, -2)(x), (2, 3, 4)),
    (lambda lib, x: lib.nn.Unflatten(1, (2, 2))(x), (3, 4, 2)),
    (lambda lib, x: lib.nn.Unflatten(-1, [2, -1])(x), (3, 4)),
    (lambda lib, x: lib.nn.ZeroPad2d((1, 0, 2, 1))(x), (1, 2, 3)),
    (lambda lib, x: lib.nn.ConstantPad1d(2, -1.5)(x), (2, 3)),
    (lambda lib, x: lib.nn.ConstantPad3d((1, 0, 0, 1, 1, 0), 3.0)(x), (1, 2, 2, 2)),
    (lambda lib, x: lib.nn.ZeroPad1d((2, -1))(x), (2, 3)),
    (lambda lib, x: lib.nn.ReflectionPad1d(2)(x), (2, 3)),
    (lambda lib, x: lib.nn.ReflectionPad2d((1, 0, 2, 1))(x), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.ReplicationPad1d((0, 3))(x), (1, 2, 3)),
    (lambda lib, x: lib.nn.ReplicationPad2d(2)(x), (2, 3, 3)),
    (lambda lib, x: lib.nn.CircularPad1d(1)(x), (1, 2, 3)),
    (lambda lib, x: lib.nn.CircularPad2d((1, 2, 0, 1))(x), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.Upsample(scale_factor=2)(x), (1, 2, 2, 3)),
    (lambda lib, x: lib.nn.Upsample(size=5, mode="linear", align_corners=True)(x), (1, 2, 3)),
    (lambda lib, x: lib.nn.UpsamplingNearest2d(size=(3, 5))(x), (1, 2, 2, 3)),
    (lambda lib, x: lib.nn.UpsamplingBilinear2d(scale_factor=2)(x), (1, 2, 2, 3)),
])
def test_modules(fn, shape):
    check_op(fn, shape)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.ZeroPad1d(2), lambda lib: lib.nn.ZeroPad2d((1, 2, 3, 4)),
    lambda lib: lib.nn.ZeroPad3d(1), lambda lib: lib.nn.ConstantPad2d(1, 2.5),
    lambda lib: lib.nn.ReflectionPad3d(1), lambda lib: lib.nn.ReplicationPad3d((1, 2, 1, 2, 0, 0)),
    lambda lib: lib.nn.CircularPad3d(2), lambda lib: lib.nn.PixelShuffle(3),
    lambda lib: lib.nn.PixelUnshuffle(2), lambda lib: lib.nn.Flatten(0, 2),
    lambda lib: lib.nn.Unflatten(1, [2, 3]), lambda lib: lib.nn.Upsample(size=(3, 4)),
    lambda lib: lib.nn.Upsample(scale_factor=(2, 3), mode="bilinear"),
    lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=2),
    lambda lib: lib.nn.UpsamplingBilinear2d(size=4),
])
def test_reprs(torch, make):
    assert repr(make(nptorch)) == repr(make(torch))


def test_pad_errors():
    x = nptorch.ones(1, 1, 2)
    cases = [
        (lambda: F.pad(x, (3, 3), mode="reflect"), RuntimeError,
         r"Argument #4: Padding size should be less than the corresponding input dimension, but "
         r"got: padding \(3, 3\) at dimension 2 of input \[1, 1, 2\]"),
        (lambda: F.pad(x, (0, 0, 1, 1), mode="reflect"), RuntimeError,
         r"Argument #6: .* padding \(1, 1\) at dimension 1 of input \[1, 1, 2\]"),
        (lambda: F.pad(x, (3, 3), mode="circular"), RuntimeError,
         "Padding value causes wrapping around more than once."),
        (lambda: F.pad(x, (1, 2, 3)), RuntimeError, "Padding length must be divisible by 2"),
        (lambda: F.pad(x, (1,) * 8), RuntimeError, "Padding length should be less than or equal "
         "to two times the input dimension but got padding length 8 and input of dimension 3"),
        (lambda: F.pad(nptorch.ones(2), (1, 1), mode="reflect"), NotImplementedError,
         "Padding size 2 is not supported for 1D input tensor."),
        (lambda: F.pad(x, (1, 1), mode="foo"), NotImplementedError, "Unrecognised padding mode foo"),
        (lambda: F.pad(x, (1, 1), mode="reflect", value=2), RuntimeError,
         'Padding mode "reflect" doesn\'t take in value argument'),
        (lambda: F.pad(x, (-3, 0)), RuntimeError, "narrow\\(\\): length must be non-negative."),
        (lambda: nn.CircularPad2d(1)(nptorch.ones(2, 2)), ValueError,
         r"expected 3D or 4D input \(got 2D input\)"),
    ]
    for fn, exc, match in cases:
        with pytest.raises(exc, match=match):
            fn()


def test_interpolate_errors():
    x = nptorch.ones(1, 1, 4)
    cases = [
        (dict(scale_factor=2, align_corners=True), ValueError,
         "align_corners option can only be set with the interpolating modes"),
        (dict(), ValueError, "either size or scale_factor should be defined"),
        (dict(size=2, scale_factor=2), ValueError, "only one of size or scale_factor should be defined"),
        (dict(size=2, recompute_scale_factor=True), ValueError,
         "recompute_scale_factor is not meaningful with an explicit size."),
        (dict(size=(2, 2)), ValueError, r"Input and output must have the same number of spatial "
         r"dimensions, but got input with spatial dimensions of \[4\] and output size of \(2, 2\)"),
        (dict(scale_factor=(2, 2)), ValueError, r"Input and scale_factor must have the same number "
         r"of spatial dimensions, but got input with spatial dimensions of \[4\] and scale_factor "
         r"of shape \(2, 2\)"),
        (dict(size=[2.5]), TypeError, "expected size to be one of int or Tuple\\[int\\]"),
        (dict(size=2, mode="bilinear"), NotImplementedError, "Got 3D input, but bilinear mode needs 4D input"),
        (dict(size=2, mode="bicubic"), NotImplementedError,
         r"Input Error: Only 3D, 4D and 5D input Tensors supported \(got 3D\) .* \(got bicubic\)"),
        (dict(size=0), RuntimeError, r"Input and output sizes should be greater than 0, but got "
         r"input \(W: 4\) and output \(W: 0\)"),
    ]
    for kwargs, exc, match in cases:
        with pytest.raises(exc, match=match):
            F.interpolate(x, **kwargs)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(nptorch.ones(1, 1, 2, 2), size=2, mode="linear")


def test_shuffle_and_flatten_errors():
    cases = [
        (lambda: F.pixel_shuffle(nptorch.ones(2, 3), 2), "pixel_shuffle expects input to have at "
         r"least 3 dimensions, but got input with 2 dimension\(s\)"),
        (lambda: F.pixel_shuffle(nptorch.ones(1, 5, 2, 2), 2), "pixel_shuffle expects its input's "
         r"'channel' dimension to be divisible by the square of upscale_factor, but "
         r"input.size\(-3\)=5 is not divisible by 4"),
        (lambda: F.pixel_shuffle(nptorch.ones(1, 4, 2, 2), 0),
         "pixel_shuffle expects a positive upscale_factor, but got 0"),
        (lambda: F.pixel_unshuffle(nptorch.ones(1, 1, 3, 4), 2), "pixel_unshuffle expects height "
         r"to be divisible by downscale_factor, but input.size\(-2\)=3 is not divisible by 2"),
        (lambda: F.pixel_unshuffle(nptorch.ones(1, 1, 4, 3), 2), "pixel_unshuffle expects width "
         r"to be divisible by downscale_factor, but input.size\(-1\)=3 is not divisible by 2"),
        (lambda: F.pixel_unshuffle(nptorch.ones(1, 4, 2, 2), -1),
         "pixel_unshuffle expects a positive downscale_factor, but got -1"),
    ]
    for fn, match in cases:
        with pytest.raises(RuntimeError, match=match):
            fn()
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 4)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element "
                                        "of type float at pos 1"):
        nn.Unflatten(1, (2, 2.0))
