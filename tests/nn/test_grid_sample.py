"""affine_grid and grid_sample against PyTorch: values, input and grid gradients, gradcheck,
non-contiguous inputs, warnings and errors."""
import itertools
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_same_error_as_torch

MODES = ("bilinear", "nearest", "bicubic")
PADDING_MODES = ("zeros", "border", "reflection")


def _grid(shape, low=-1.6, high=1.6, seed=1):
    """Random places, about a third of them off the input."""
    return np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)


def _sample(mode, padding_mode, align_corners):
    return lambda lib, x, g: lib.nn.functional.grid_sample(
        x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


def _tolerance(mode):
    # float32 rounding of the cubic weights' derivatives differs from PyTorch's kernel
    return {"atol": 1e-4} if mode == "bicubic" else {}


@pytest.mark.parametrize("mode, padding_mode, align_corners",
                         itertools.product(MODES, PADDING_MODES, (False, True)))
def test_grid_sample_2d(mode, padding_mode, align_corners):
    check_op(_sample(mode, padding_mode, align_corners), (2, 3, 4, 5), _grid((2, 3, 4, 2)),
             **_tolerance(mode))


@pytest.mark.parametrize("mode, padding_mode, align_corners",
                         itertools.product(("bilinear", "nearest"), PADDING_MODES, (False, True)))
def test_grid_sample_3d(mode, padding_mode, align_corners):
    check_op(_sample(mode, padding_mode, align_corners), (2, 2, 3, 4, 5),
             _grid((2, 2, 3, 2, 3)))


# the edges (-1, 1), pixel centres, points between them and far outside: the kinks where
# PyTorch's gradient conventions (a clipped border counts as outside) show
EXACT_PLACES = np.array([[[[-1, -1], [1, 1], [0, 0], [-0.5, 0.5], [-1, 0.2]],
                          [[0.25, -0.75], [1, -1], [-1, 1], [0.6, 0.2], [1, 0.3]],
                          [[-3.2, 0.1], [2.6, 4.1], [-1.25, 1.5], [-5.5, -7.0], [0.2, -1]]]],
                        np.float32)


@pytest.mark.parametrize("mode, padding_mode, align_corners",
                         itertools.product(MODES, PADDING_MODES, (False, True)))
def test_grid_sample_at_edges_and_centres(mode, padding_mode, align_corners):
    check_op(_sample(mode, padding_mode, align_corners), (1, 2, 4, 5), EXACT_PLACES,
             gradcheck_inputs=False, **_tolerance(mode))


@pytest.mark.parametrize("mode, padding_mode, align_corners",
                         itertools.product(MODES, PADDING_MODES, (False, True)))
@pytest.mark.parametrize("shape", [(1, 2, 1, 4), (1, 1, 1, 1)])
def test_grid_sample_unit_dims(shape, mode, padding_mode, align_corners):
    check_op(_sample(mode, padding_mode, align_corners), shape, _grid((1, 3, 2, 2), -2.5, 2.5),
             **_tolerance(mode))


def test_grid_sample_reads_expected_pixels():
    x = nptorch.arange(12.).reshape(1, 1, 3, 4)
    g = nptorch.tensor([[[[-1., -1.], [1., 1.], [0., 0.], [1 / 3, -1.]]]])
    out = F.grid_sample(x, g, align_corners=True)
    np.testing.assert_allclose(out.numpy().ravel(), [0., 11., 5.5, 2.])
    out = F.grid_sample(x, g, mode="nearest", align_corners=False)
    np.testing.assert_allclose(out.numpy().ravel(), [0., 0., 6., 2.])  # 3.5 rounds to 4: off


def test_nearest_gives_the_grid_a_zero_gradient():
    x = nptorch.randn(1, 2, 3, 4, requires_grad=True)
    g = nptorch.tensor(_grid((1, 2, 2, 2)), requires_grad=True)
    F.grid_sample(x, g, mode="nearest", align_corners=False).sum().backward()
    assert g.grad is not None and g.grad.shape == g.shape
    assert not g.grad.numpy().any()


@pytest.mark.parametrize("mode", ("bilinear", "bicubic"))
def test_grid_sample_second_derivatives(mode):
    x = nptorch.tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)),
                       requires_grad=True)
    g = nptorch.tensor(_grid((1, 2, 3, 2)).astype(np.float64), requires_grad=True)
    assert gradgradcheck(lambda x, g: F.grid_sample(x, g, mode=mode, padding_mode="reflection",
                                                    align_corners=False), (x, g))


@pytest.mark.parametrize("size, align_corners", [
    ((2, 3, 4, 5), False), ((2, 3, 4, 5), True), ((1, 1, 1, 3), False), ((1, 1, 3, 1), True),
    ((2, 1, 3, 4, 2), False), ((2, 1, 3, 4, 2), True), ((1, 2, 1, 2, 3), True),
])
def test_affine_grid(size, align_corners):
    d = len(size) - 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning
        check_op(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners),
                 (size[0], d, d + 1))


def test_affine_grid_identity_gives_pixel_centres():
    eye = nptorch.tensor([[[1., 0., 0.], [0., 1., 0.]]])
    g = F.affine_grid(eye, (1, 1, 2, 4), align_corners=False)
    np.testing.assert_allclose(g[0, 0, :, 0].numpy(), [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(g[0, :, 0, 1].numpy(), [-0.5, 0.5])
    g = F.affine_grid(eye, (1, 1, 2, 4), align_corners=True)
    np.testing.assert_allclose(g[0, 0, :, 0].numpy(), [-1, -1 / 3, 1 / 3, 1], rtol=1e-6)


@pytest.mark.parametrize("mode", ("bilinear", "bicubic"))
def test_spatial_transformer(mode):
    """affine_grid then grid_sample: gradients reach theta."""
    def stn(lib, x, theta):
        grid = lib.nn.functional.affine_grid(theta, (2, 3, 5, 4), align_corners=False)
        return lib.nn.functional.grid_sample(x, grid, mode=mode, padding_mode="border",
                                             align_corners=False)
    theta = np.array([[[0.9, 0.2, 0.1], [-0.3, 1.1, -0.2]],
                      [[1.2, -0.1, 0.3], [0.15, 0.8, 0.05]]], np.float32)
    check_op(stn, (2, 3, 4, 6), theta, **_tolerance(mode))


def _caught(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(lib)
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2)),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 2, 2)),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 1, 2), True),
])
def test_warnings(torch, fn):
    ours = _caught(nptorch, fn)
    assert ours and ours == _caught(torch, fn)


def test_no_warning_with_align_corners():
    def fn(lib):
        F.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2), align_corners=False)
    assert _caught(nptorch, fn) == []


@pytest.mark.parametrize("input, grid, kwargs", [
    ((2, 3, 4, 5), (1, 6, 7, 2), {}),
    ((2, 3, 4, 5), (2, 6, 7, 1), {}),
    ((3, 4, 5), (2, 6, 7, 2), {}),
    ((2, 3, 4, 5), (6, 7, 2), {}),
    ((2, 3, 0, 5), (2, 6, 7, 2), {}),
    ((2, 3, 4, 5, 6), (2, 3, 3, 3, 3), {"mode": "bicubic"}),
    ((2, 3, 4, 5, 6), (2, 3, 3, 3, 2), {}),
    ((2, 3, 4), (2, 3, 1), {}),
    ((2, 3, 4, 5), (2, 3, 3, 3, 2), {}),
    ((2, 3, 4, 5, 6), (2, 3, 3, 3), {}),
    ((2, 3, 4, 5), (2, 6, 7, 2), {"mode": "foo"}),
    ((2, 3, 4, 5), (2, 6, 7, 2), {"padding_mode": "foo"}),
])
def test_grid_sample_errors(input, grid, kwargs):
    def fn(lib):
        return lib.nn.functional.grid_sample(lib.ones(*input), lib.zeros(*grid),
                                             align_corners=False, **kwargs)
    check_same_error_as_torch(fn)


@pytest.mark.parametrize("x_dtype, g_dtype", [("float64", "float32"), ("int64", "float32")])
def test_grid_sample_dtype_errors(x_dtype, g_dtype):
    def fn(lib):
        return lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2, dtype=getattr(lib, x_dtype)),
                                             lib.zeros(1, 1, 1, 2, dtype=getattr(lib, g_dtype)),
                                             align_corners=False)
    check_same_error_as_torch(fn)


@pytest.mark.parametrize("theta, size", [
    ((2, 2, 4), (2, 3, 4, 5)),
    ((2, 2, 4), [2, 3, 4, 5, 6]),
    ((2, 2, 4), [2, 3, 4]),
    ((2, 2, 3), [2, 3, 0, 5]),
    ((2, 2, 3), [2, 0, 4, 5]),
    ((3, 2, 3), [2, 3, 4, 5]),
])
def test_affine_grid_errors(theta, size):
    check_same_error_as_torch(
        lambda lib: lib.nn.functional.affine_grid(lib.ones(*theta), size, False),
        nptorch_names=("Size",))


def test_affine_grid_needs_floating_theta():
    check_same_error_as_torch(lambda lib: lib.nn.functional.affine_grid(
        lib.ones(1, 2, 3, dtype=lib.int64), (1, 1, 2, 2), False), nptorch_names=("int64",))
