"""Pooling functionals and layers against PyTorch: values, indices, gradients, gradcheck, errors."""

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_same_error_as_torch, distinct_values


@pytest.mark.parametrize("args, kwargs", [
    ((2,), {}), ((3, 2, 1), {}), (((3, 2), (2, 1), (1, 0), (2, 1)), {"ceil_mode": True}),
    ((3,), {"stride": 2, "ceil_mode": True, "return_indices": True}),
])
def test_max_pool2d(args, kwargs):
    check_op(lambda lib, x: lib.nn.functional.max_pool2d(x, *args, **kwargs),
             distinct_values((2, 3, 7, 8)))


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                                    {"kernel_size": 2, "ceil_mode": True}])
def test_max_pool2d_nan_and_ties(torch, kwargs):
    """PyTorch's choice among equal values (the first) and NaNs (the last NaN wins)."""
    x = np.round(np.random.default_rng(0).standard_normal((2, 3, 7, 9))).astype(np.float32)
    x[0, 0, :2, :2] = np.nan
    x[1, 2, 3, 4] = np.nan
    y, idx = F.max_pool2d(nptorch.tensor(x), return_indices=True, **kwargs)
    ty, tidx = torch.nn.functional.max_pool2d(torch.from_numpy(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


def test_max_pool2d_unbatched_and_1d():
    check_op(lambda lib, x: lib.nn.functional.max_pool2d(x, 2, return_indices=True),
             distinct_values((3, 6, 5)))
    check_op(lambda lib, x: lib.nn.functional.max_pool1d(x, 3, 2, 1, 2, True, True),
             distinct_values((2, 3, 9)))
    check_op(lambda lib, x: lib.nn.functional.max_pool1d(x, 2), distinct_values((3, 8)))


@pytest.mark.parametrize("args", [(2,), (3, 2, 1), ((3, 2), (2, 1), (1, 0), True, False),
                                  (3, 2, 1, True, True, 4)])
def test_avg_pool2d(args):
    check_op(lambda lib, x: lib.nn.functional.avg_pool2d(x, *args), (2, 3, 7, 8))


def test_avg_pool1d():
    check_op(lambda lib, x: lib.nn.functional.avg_pool1d(x, 3, 2, 1, True, False), (2, 3, 8))
    check_op(lambda lib, x: lib.nn.functional.avg_pool1d(x, 2), (3, 8))


@pytest.mark.parametrize("size", [(3, 4), 5, (None, 2), (7, 9)])
def test_adaptive_pool2d(size):
    check_op(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, size), (2, 3, 7, 6))
    check_op(lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, size, True),
             distinct_values((2, 3, 7, 6)))


def test_adaptive_avg_pool1d():
    check_op(lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, 4), (2, 3, 9))
    check_op(lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, (3,)), (3, 7))


def test_max_unpool2d(torch):
    x = distinct_values((2, 3, 6, 6))
    y, idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    def indices(lib):  # made inside check_op's functions: on the device they run on
        return lib.tensor(idx.numpy()) if lib is nptorch else idx

    for output_size in (None, (7, 6), [2, 3, 6, 7]):
        check_op(lambda lib, v: lib.nn.functional.max_unpool2d(
            v, indices(lib), 2, output_size=output_size), y.numpy())
    check_op(lambda lib, v: lib.nn.functional.max_unpool2d(v, indices(lib)[0], 2), y.numpy()[0])


def test_second_derivatives():
    x = nptorch.tensor(distinct_values((1, 2, 5, 4)).astype(np.float64), requires_grad=True)
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2, 1) ** 2, (x,))
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, True, False) ** 2, (x,))
    assert gradgradcheck(lambda x: F.adaptive_avg_pool2d(x, 3) ** 2, (x,))
    assert gradgradcheck(lambda x: F.adaptive_max_pool2d(x, 3) ** 2, (x,))


@pytest.mark.parametrize("name, args, forward", [
    ("MaxPool1d", (3, 2, 1), {}), ("MaxPool2d", (3,), {}),
    ("MaxPool2d", ((2, 3), 1, (1, 0), 2, True, True), {}),
    ("AvgPool1d", (3, 2, 1, True, False), {}), ("AvgPool2d", (3, 2, 1, True, True, 2), {}),
    ("AdaptiveAvgPool1d", (4,), {}), ("AdaptiveAvgPool2d", ((3, None),), {}),
    ("AdaptiveMaxPool2d", (3, True), {}),
])
def test_layers_match_pytorch(torch, name, args, forward):
    ours, theirs = getattr(nptorch.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    x = distinct_values((2, 3, 9) if name.endswith("1d") else (2, 3, 9, 8))
    xo, xt = nptorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    if isinstance(yt, tuple):
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())
        yo, yt = yo[0], yt[0]
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    yo.backward(nptorch.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_max_unpool_layer(torch):
    pool, unpool = nptorch.nn.MaxPool2d(2, return_indices=True), nptorch.nn.MaxUnpool2d(2)
    assert repr(unpool) == repr(torch.nn.MaxUnpool2d(2))
    x = nptorch.tensor(distinct_values((1, 2, 4, 5)))
    y = unpool(*pool(x), output_size=(4, 5))
    t = torch.nn.MaxUnpool2d(2)(*torch.nn.MaxPool2d(2, return_indices=True)(
        torch.from_numpy(x.numpy())), output_size=(4, 5))
    np.testing.assert_array_equal(y.numpy(), t.numpy())


@pytest.mark.parametrize("fn, message", [
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 3, padding=2),
     r"pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
     r"dilation=1"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 3, stride=0), "stride should not be zero"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 0), "stride should not be zero"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 0, stride=1),
     "kernel size should be greater than zero, but got kH: 0 kW: 0"),
    (lambda: F.max_pool2d(nptorch.zeros(5, 5), 2),
     r"non-empty 3D or 4D \(batch mode\) tensor expected for input"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 1, 1), 2),
     r"Given input size: \(3x1x1\)\. Calculated output size: \(3x0x0\)\. Output size is too small"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 2, dilation=0),
     "dilation should be greater than zero, but got dilationH: 0 dilationW: 0"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 2, padding=-1),
     "pad must be non-negative, but got pad: -1"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), (2, 2, 2)),
     "max_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    (lambda: F.max_pool2d(nptorch.zeros(2, 3, 5, 5), 2, stride=(1, 1, 1)),
     "max_pool2d: stride must either be omitted, a single int, or a tuple of two ints"),
    (lambda: F.max_pool1d(nptorch.zeros(5), 2),
     r"max_pool1d: Expected 2D or 3D \(batch mode\) tensor with optional 0 dim batch size for "
     r"input, but got:\[5\]"),
    (lambda: F.max_pool1d(nptorch.zeros(2, 3, 1), 2),
     r"max_pool1d\(\) Invalid computed output size: 0"),
    (lambda: F.max_pool1d(nptorch.zeros(2, 3, 5), 3, padding=2),
     r"max_pool1d\(\) padding should be at most half of kernel size, but got padding=2 and "
     r"kernel_size=3"),
    (lambda: F.avg_pool2d(nptorch.zeros(2, 3, 5, 5), 3, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3"),
    (lambda: F.avg_pool2d(nptorch.zeros(2, 3, 1, 1), 2), r"Calculated output size: \(3x0x0\)"),
    (lambda: F.avg_pool2d(nptorch.zeros(2, 3, 5, 5), 2, stride=0), "stride should not be zero"),
    (lambda: F.avg_pool2d(nptorch.zeros(2, 3, 5, 5), 2, divisor_override=0),
     "divisor must be not zero"),
    (lambda: F.avg_pool2d(nptorch.zeros(2, 3, 5, 5), (2, 2, 2)),
     "avg_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    (lambda: F.avg_pool1d(nptorch.zeros(5), 2),
     r"Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' \(while "
     r"checking arguments for avg_pool1d\)"),
    (lambda: F.avg_pool1d(nptorch.zeros(2, 3, 5), 3, padding=2), "pad should be at most half"),
    (lambda: F.adaptive_avg_pool2d(nptorch.zeros(5, 5), 2),
     r"adaptive_avg_pool2d\(\): Expected 3D or 4D tensor, but got \[5, 5\]"),
    (lambda: F.adaptive_avg_pool2d(nptorch.zeros(2, 3, 0, 4), 2),
     r"adaptive_avg_pool2d\(\): Expected input to have non-zero size for non-batch dimensions, "
     r"but input has sizes \[2, 3, 0, 4\] with dimension 2 being empty"),
    (lambda: F.adaptive_avg_pool2d(nptorch.zeros(2, 3, 5, 5), (2, 2, 2)),
     "adaptive_avg_pool2d: output_size must be 2"),
    (lambda: F.adaptive_max_pool2d(nptorch.zeros(5, 5), 2),
     r"adaptive_max_pool2d\(\): Expected 3D or 4D tensor, but got: \[5, 5\]"),
    (lambda: F.adaptive_avg_pool1d(nptorch.zeros(5), 2),
     r"Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' \(while "
     r"checking arguments for adaptive_avg_pool1d\)"),
    (lambda: F.adaptive_avg_pool1d(nptorch.zeros(2, 3, 4), (2, 2)),
     r"adaptive_avg_pool1d\(\) argument 'output_size' should contain one int \(got 2\)"),
    (lambda: F.max_unpool2d(nptorch.zeros(1, 1, 2, 2),
                            nptorch.zeros(1, 1, 2, 2, dtype=nptorch.int64) + 100, 2),
     r"Found an invalid max index: 100 \(output volumes are of size 4x4\)"),
    (lambda: F.max_unpool2d(nptorch.zeros(1, 1, 2, 2),
                            nptorch.zeros(1, 1, 2, 2, dtype=nptorch.int64) - 1, 2),
     r"Found an invalid max index: -1"),
    (lambda: F.max_unpool2d(nptorch.zeros(1, 1, 2, 2),
                            nptorch.zeros(1, 1, 2, 3, dtype=nptorch.int64), 2),
     r"Expected shape of indices to be same as that of the input tensor \(\[1, 1, 2, 2\]\) but "
     r"got indices tensor with shape: \[1, 1, 2, 3\]"),
    (lambda: F.max_unpool2d(nptorch.zeros(1, 1, 2, 2), nptorch.zeros(1, 1, 2, 2), 2),
     "elements in indices should be type int64 but got: Float"),
    (lambda: F.max_unpool2d(nptorch.zeros(2, 2), nptorch.zeros(2, 2, dtype=nptorch.int64), 2),
     "Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with 2 dimensions."),
])
def test_errors(fn, message):
    with pytest.raises(RuntimeError, match=message):
        fn()


@pytest.mark.parametrize("op, shape, output_size", [
    ("adaptive_avg_pool1d", (2, 3, 4), -1), ("adaptive_avg_pool1d", (2, 3, 0), 2),
    ("adaptive_avg_pool1d", (3, 0), 2), ("adaptive_max_pool1d", (2, 3, 4), -1),
    ("adaptive_max_pool1d", (2, 0, 4), 2), ("adaptive_max_pool1d", (2, 0, 4), -1),
    ("adaptive_avg_pool2d", (2, 3, 4, 4), (2, -3)), ("adaptive_avg_pool2d", (2, 3, 0, 4), (-1, 2)),
    ("adaptive_max_pool2d", (3, 4, 4), (None, -2)), ("adaptive_max_pool2d", (2, 0, 4, 4), (-1, 2)),
    ("adaptive_avg_pool3d", (2, 3, 4, 4, 4), (-1, 2, 2)),
    ("adaptive_max_pool3d", (2, 3, 4, 4, 4), (2, 2, -3)),
])
def test_adaptive_output_size_errors(op, shape, output_size):
    """Negative output sizes and empty inputs, checked in PyTorch's order (1-D average pooling
    reports as the 2-D pooling it runs as)."""
    check_same_error_as_torch(
        lambda lib: getattr(lib.nn.functional, op)(lib.zeros(*shape), output_size))


def test_unpool_output_size_error():
    with pytest.raises(ValueError, match=r'invalid output_size "\(9, 9\)" \(dim 0 must be between '
                                         r'2 and 6\)'):
        F.max_unpool2d(nptorch.zeros(1, 1, 2, 2), nptorch.zeros(1, 1, 2, 2, dtype=nptorch.int64),
                       2, output_size=(9, 9))
