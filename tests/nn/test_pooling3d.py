"""3-D pooling, unpooling and resampling (functional and layers) against PyTorch: values,
indices, gradients, gradcheck, second derivatives, reprs and errors."""

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_same_error_as_torch, distinct_values

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("args, kwargs", [
    ((2,), {}), (((2, 3, 2), (1, 2, 2), 1), {"return_indices": True}),
    (((2, 3, 2), (1, 2, 2), 1, (1, 1, 2)), {"ceil_mode": True, "return_indices": True}),
    ((3,), {"stride": 2, "padding": (1, 0, 1), "ceil_mode": True}),
])
def test_max_pool3d(args, kwargs):
    check_op(lambda lib, x: lib.nn.functional.max_pool3d(x, *args, **kwargs),
             distinct_values((2, 2, 4, 5, 6), divisor=7))


def test_max_pool3d_unbatched_with_indices_and_top_level():
    check_op(lambda lib, x: lib.nn.functional.max_pool3d_with_indices(x, 2, 1),
             distinct_values((2, 3, 4, 3), divisor=7))
    check_op(lambda lib, x: lib.max_pool3d(x, 2, 1, 1),
             distinct_values((1, 2, 3, 4, 3), divisor=7))


def test_max_pool3d_nan_and_ties():
    """PyTorch's choice among equal values (the first) and NaNs (the last NaN wins)."""
    x = np.round(np.random.default_rng(0).standard_normal((2, 2, 5, 4, 6))).astype(np.float32)
    x[0, 0, :2, :2, :2] = np.nan
    x[1, 1, 3, 2, 4] = np.nan
    y, idx = F.max_pool3d(nptorch.tensor(x), 2, 1, 1, return_indices=True)
    ty, tidx = torch.nn.functional.max_pool3d(torch.from_numpy(x), 2, 1, 1, return_indices=True)
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


@pytest.mark.parametrize("args, kwargs", [
    ((2,), {}), (((2, 3, 2), (1, 2, 2), 1), {"count_include_pad": False}),
    (((3, 2, 3), 2, (1, 1, 0)), {"ceil_mode": True}),
    ((3, 2, 1), {"ceil_mode": True, "divisor_override": 5}),
])
def test_avg_pool3d(args, kwargs):
    check_op(lambda lib, x: lib.nn.functional.avg_pool3d(x, *args, **kwargs), (2, 2, 4, 5, 6))


def test_avg_pool3d_unbatched():
    check_op(lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, padding=1), (2, 3, 4, 3))


@pytest.mark.parametrize("output_size", [2, (3, None, 2), (4, 5, 6), (1, 1, 1)])
def test_adaptive_pool3d(output_size):
    check_op(lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, output_size), (2, 2, 4, 5, 6))
    check_op(lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x, output_size, True),
             distinct_values((2, 2, 4, 5, 6), divisor=7))


def test_adaptive_pool3d_unbatched_with_indices():
    check_op(lambda lib, x: lib.nn.functional.adaptive_max_pool3d_with_indices(x, (2, 3, 2)),
             distinct_values((2, 3, 5, 4), divisor=7))
    check_op(lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, 3), (2, 3, 5, 4))


@pytest.mark.parametrize("norm_type, kwargs", [(2, {}), (1.5, {"stride": (1, 2, 1)}),
                                               (3, {"stride": 2, "ceil_mode": True})])
def test_lp_pool3d(norm_type, kwargs):
    check_op(lambda lib, x: lib.nn.functional.lp_pool3d(x, norm_type, (2, 3, 2), **kwargs),
             (2, 2, 4, 5, 5), low=0.5, high=2.0)


@pytest.mark.parametrize("output_size", [None, (5, 7, 5), (1, 2, 5, 7, 5)])
def test_max_unpool3d(output_size):
    def fn(lib, x):
        y, idx = lib.nn.functional.max_pool3d(x, 2, return_indices=True)
        return lib.nn.functional.max_unpool3d(y, idx, 2, output_size=output_size)
    check_op(fn, distinct_values((1, 2, 4, 6, 4), divisor=7))


def test_second_derivatives():
    rng = np.random.default_rng(0)
    x = nptorch.tensor(rng.permutation(2 * 4 * 3 * 4).reshape(1, 2, 4, 3, 4) / 5.0,
                       requires_grad=True)
    assert gradgradcheck(lambda x: F.max_pool3d(x, 2, 1, 1), (x,))
    assert gradgradcheck(lambda x: F.avg_pool3d(x, (2, 3, 2), 1, 1, ceil_mode=True), (x,))
    assert gradgradcheck(lambda x: F.adaptive_avg_pool3d(x, (3, 2, 3)), (x,))
    assert gradgradcheck(lambda x: F.adaptive_max_pool3d(x, (3, 2, 3)), (x,))


@pytest.mark.parametrize("kwargs", [
    {"scale_factor": 2, "mode": "trilinear"},
    {"size": (3, 7, 4), "mode": "trilinear", "align_corners": True},
    {"scale_factor": (1.5, 0.7, 2.3), "mode": "trilinear"},
    {"scale_factor": (1.5, 0.7, 2.3), "mode": "nearest"},
    {"size": (7, 3, 5), "mode": "nearest-exact"},
    {"scale_factor": (1.7, 0.6, 2.2), "mode": "nearest-exact", "recompute_scale_factor": True},
])
def test_interpolate_5d(kwargs):
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, **kwargs), (2, 2, 3, 4, 5))


def test_nearest_exact_on_fewer_dims():
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=1.7,
                                                          mode="nearest-exact"), (1, 2, 5))
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, size=(3, 8), mode="nearest-exact"),
             (1, 2, 5, 4))


@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool3d(2),
    lambda nn: nn.MaxPool3d((2, 3, 2), stride=1, padding=1, dilation=(1, 1, 2), ceil_mode=True),
    lambda nn: nn.AvgPool3d(2),
    lambda nn: nn.AvgPool3d((2, 1, 2), padding=(1, 0, 1), count_include_pad=False,
                            ceil_mode=True),
    lambda nn: nn.AdaptiveAvgPool3d((2, None, 3)),
    lambda nn: nn.AdaptiveMaxPool3d(2),
    lambda nn: nn.LPPool3d(2, (2, 3, 2), stride=1),
    lambda nn: nn.Upsample(scale_factor=(2, 1.5, 1), mode="trilinear"),
    lambda nn: nn.Upsample(size=(3, 5, 7), mode="nearest-exact"),
])
def test_layers(make):
    ours, theirs = make(nptorch.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    check_op(lambda lib, x: make(lib.nn)(x), distinct_values((2, 2, 4, 5, 6), divisor=7), low=0.5)


def test_max_unpool3d_layer():
    ours, theirs = nptorch.nn.MaxUnpool3d((2, 1, 2)), torch.nn.MaxUnpool3d((2, 1, 2))
    assert repr(ours) == repr(theirs)

    def fn(lib, x):
        y, idx = lib.nn.MaxPool3d((2, 1, 2), return_indices=True)(x)
        return lib.nn.MaxUnpool3d((2, 1, 2))(y, idx, output_size=(5, 3, 4))
    check_op(fn, distinct_values((1, 2, 4, 3, 4), divisor=7))


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(5, 6, 7), 2),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), (2, 2)),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, stride=(1, 2)),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, dilation=(1, 1)),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, stride=0),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, stride=-1),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 0, stride=1),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, dilation=0),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, padding=(0, 2, 0)),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, padding=-1),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(1, 2, 5, 6, 7), 3, dilation=3),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(2, 0, 3, 3, 3), 2),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(5, 6, 7), 2),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 2, 5, 6, 7), (2, 2)),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, stride=(1, 2, 3, 4)),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, padding=(1, 1)),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 2, 5, 6, 7), 9),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 2, 2, 6, 7), (3, 1, 1), padding=1),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, divisor_override=0),
    lambda lib: lib.nn.functional.avg_pool3d(lib.zeros(2, 0, 3, 3, 3), 2),
    lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(5, 6, 7), 2),
    lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(1, 2, 5, 6, 7), (2, 2)),
    lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(2, 0, 3, 3, 3), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.zeros(2, 0, 3, 3, 3), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.zeros(2, 3, 3, 0, 3), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.zeros(5, 6, 7), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.zeros(1, 2, 5, 6, 7), (2, 2)),
    lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(1, 2, 5, 6, 7), (2, -1, -3)),
    lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.zeros(2, 0, 3, 3, 3), -1),
    lambda lib: lib.nn.functional.adaptive_avg_pool2d(lib.zeros(2, 5, 6), (2, -1)),
    lambda lib: lib.nn.functional.adaptive_avg_pool1d(lib.zeros(2, 5), -2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.zeros(2, 5, 6, 7), (2, -1, -3)),
    lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.zeros(1, 2, 5, 6), -1),
    lambda lib: lib.nn.functional.adaptive_max_pool1d(lib.zeros(1, 2, 5), -2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.zeros(5, 6, 7), lib.zeros(5, 6, 7).long(), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.zeros(1, 2, 2, 2, 2),
                                               lib.zeros(1, 2, 2, 2, 2), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.zeros(1, 2, 2, 2, 2),
                                               lib.zeros(2, 2, 2, 2).long(), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.zeros(1, 2, 2, 2, 2),
                                               lib.zeros(1, 2, 2, 2, 2).long() + 64, 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.zeros(1, 2, 2, 2, 2),
                                               lib.zeros(1, 2, 2, 2, 2).long(), 2,
                                               output_size=(1, 2)),
    lambda lib: lib.nn.functional.max_unpool3d(lib.zeros(2, 4, 0, 3, 3),
                                               lib.zeros(2, 4, 0, 3, 3).long(), 2),
    lambda lib: lib.nn.functional.lp_pool3d(lib.zeros(1, 2, 5, 6, 7), 2, (2, 2)),
    lambda lib: lib.nn.functional.interpolate(lib.zeros(1, 2, 3, 3, 3), scale_factor=2,
                                              mode="bilinear"),
    lambda lib: lib.nn.functional.interpolate(lib.zeros(1, 2, 3, 3, 3), scale_factor=2,
                                              mode="nearest-exact", align_corners=True),
])
def test_errors_match_pytorch(fn):
    check_same_error_as_torch(fn)


def _fractional3d(kernel, size=None, ratio=None, samples=None):
    def fn(lib, x):
        s = None if samples is None else lib.tensor(samples).to(x.dtype)
        return lib.nn.functional.fractional_max_pool3d(x, kernel, size, ratio, True,
                                                       _random_samples=s)
    return fn


@pytest.mark.parametrize("kernel, size, ratio", [
    (2, 3, None), ((2, 3, 2), (4, 3, 5), None), (1, (5, 6, 7), None), (2, None, (0.5, 0.6, 0.4)),
])
def test_fractional_max_pool3d(kernel, size, ratio):
    samples = np.random.default_rng(3).random((2, 3, 3))
    x = np.random.default_rng(4).permutation(2 * 3 * 6 * 7 * 8).reshape(2, 3, 6, 7, 8) / 50.0
    check_op(_fractional3d(kernel, size, ratio, samples), x.astype(np.float32))
    check_op(_fractional3d(kernel, size, ratio, samples), x[0].astype(np.float32))


def test_fractional_max_pool3d_module_and_errors(torch):
    for lib in (torch, nptorch):
        layer = lib.nn.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True)
        y, idx = layer(lib.ones(1, 2, 6, 8, 4))
        assert tuple(y.shape) == (1, 2, 3, 4, 2) and tuple(idx.shape) == (1, 2, 3, 4, 2)
    assert repr(nptorch.nn.FractionalMaxPool3d(2, 3)) == repr(torch.nn.FractionalMaxPool3d(2, 3))
    x = np.zeros((1, 3, 6, 7, 8), np.float32)
    for call in (
        lambda L: L.nn.functional.fractional_max_pool3d(L.tensor(x), 2),
        lambda L: L.nn.functional.fractional_max_pool3d(L.tensor(x), 7, 3),
        lambda L: L.nn.functional.fractional_max_pool3d(L.tensor(x), 1, (5, 7, 8)),
        lambda L: L.nn.functional.fractional_max_pool3d(L.tensor(x), (2, 2), 3),
        lambda L: L.nn.functional.fractional_max_pool3d(L.tensor(x[0, 0, 0]), 2, 3,
                                                        _random_samples=L.rand(1, 7, 3)),
        lambda L: L.nn.functional.fractional_max_pool3d(L.tensor(x), 2, 3,
                                                        _random_samples=L.rand(1, 3, 2)),
        lambda L: L.nn.FractionalMaxPool3d(2),
        lambda L: L.nn.FractionalMaxPool3d(2, output_ratio=1.5),
    ):
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(type(theirs.value)) as ours:
            call(nptorch)
        assert str(ours.value) == str(theirs.value)
