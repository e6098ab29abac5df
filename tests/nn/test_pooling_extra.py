"""Power-average, fractional, adaptive-max-1d and with-indices pooling, max_unpool1d, and the
Fold/Unfold layers, against PyTorch: values, indices, gradients, gradcheck, reprs, errors."""
import math

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from nptorch.autograd import gradgradcheck
from helpers import check_op, distinct_values


def _samples(batch, channels, seed=1):
    return np.random.default_rng(seed).random((batch, channels, 2)).astype(np.float32)


@pytest.mark.parametrize("fn, shape", [
    (lambda lib, x: lib.nn.functional.max_pool1d_with_indices(x, 3, 2, 1), (2, 3, 9)),
    (lambda lib, x: lib.nn.functional.max_pool2d_with_indices(x, 2, ceil_mode=True), (2, 3, 5, 7)),
    (lambda lib, x: lib.nn.functional.adaptive_max_pool1d_with_indices(x, 4), (3, 9)),
    (lambda lib, x: lib.nn.functional.adaptive_max_pool2d_with_indices(x, (2, 3)), (2, 3, 5, 7)),
])
def test_with_indices_always_returns_indices(fn, shape):
    check_op(fn, distinct_values(shape))


@pytest.mark.parametrize("size, shape, indices", [(4, (2, 3, 9), False), ((3,), (3, 7), True),
                                                  (9, (2, 3, 9), True), (1, (2, 2, 5), False)])
def test_adaptive_max_pool1d(size, shape, indices):
    check_op(lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, size, indices),
             distinct_values(shape))


@pytest.mark.parametrize("norm_type", [1, 2, 3, 1.5, math.inf, -math.inf])
@pytest.mark.parametrize("args", [(3,), (3, 2), (2, (1, 2)), ((2, 3), 2, True)])
def test_lp_pool2d(norm_type, args):
    check_op(lambda lib, x: lib.nn.functional.lp_pool2d(x, norm_type, *args),
             distinct_values((2, 3, 7, 8)) + 2.5)


@pytest.mark.parametrize("norm_type", [2, 3.5, math.inf])
@pytest.mark.parametrize("args", [(3,), (3, 2), (2, 3, True)])
def test_lp_pool1d(norm_type, args):
    check_op(lambda lib, x: lib.nn.functional.lp_pool1d(x, norm_type, *args),
             distinct_values((2, 3, 8)) + 3)
    check_op(lambda lib, x: lib.nn.functional.lp_pool1d(x, norm_type, *args),
             distinct_values((3, 8)) + 3)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy on 0 ** -0.5 and (-x) ** 1.5
def test_lp_pool_negative_inputs_and_zero_windows(torch):
    """Odd powers of negative values, and windows whose power sum is zero (zero gradient)."""
    x = np.array([[[-1.0, -2.0, 3.0, 0.0, 0.0, 0.0, 1.0, 2.0, -0.5]]], np.float32)
    for p, args in ((3, (3,)), (2, (3, 3, True)), (1, (2,))):
        ours = nptorch.tensor(x, requires_grad=True)
        theirs = torch.tensor(x, requires_grad=True)
        y, ty = F.lp_pool1d(ours, p, *args), torch.nn.functional.lp_pool1d(theirs, p, *args)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
        y.nan_to_num().sum().backward()
        ty.nan_to_num().sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5)
    assert np.isnan(F.lp_pool1d(nptorch.tensor(x), 1.5, 3).numpy()[0, 0, 0])
    assert F.lp_pool1d(nptorch.tensor(x), 2, 3).numpy()[0, 0, 1] == 0


@pytest.mark.parametrize("output_size", [None, (9,), [2, 3, 9]])
def test_max_unpool1d(torch, output_size):
    x = distinct_values((2, 3, 8))
    y, idx = torch.nn.functional.max_pool1d(torch.from_numpy(x), 2, return_indices=True)

    def indices(lib):  # made inside check_op's functions: on the device they run on
        return lib.tensor(idx.numpy()) if lib is nptorch else idx
    check_op(lambda lib, v: lib.nn.functional.max_unpool1d(v, indices(lib), 2,
                                                           output_size=output_size), y.numpy())
    check_op(lambda lib, v: lib.nn.functional.max_unpool1d(v, indices(lib)[0], 2), y.numpy()[0])


def test_max_unpool_overlapping_windows(torch):
    """Overlapping windows repeat an index: its value is written once, not summed."""
    x = distinct_values((1, 2, 9))
    y, idx = torch.nn.functional.max_pool1d(torch.from_numpy(x), 3, 2, 1, return_indices=True)
    ours = F.max_unpool1d(nptorch.tensor(y.numpy()), nptorch.tensor(idx.numpy()), 3, 2, 1)
    theirs = torch.nn.functional.max_unpool1d(y, idx, 3, 2, 1)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = distinct_values((2, 3, 7, 6))
    y, idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), 3, 1, 1, return_indices=True)

    def indices(lib):
        return lib.tensor(idx.numpy()) if lib is nptorch else idx
    # each repeated value gets the gradient at its place (as in PyTorch), which is no
    # finite-difference derivative: no gradcheck
    check_op(lambda lib, v: lib.nn.functional.max_unpool2d(v, indices(lib), 3, 1, 1), y.numpy(),
             gradcheck_inputs=False)


def _fractional(kernel, size=None, ratio=None, indices=False, samples=None):
    def fn(lib, x):
        s = None if samples is None else lib.tensor(samples).to(x.dtype)
        return lib.nn.functional.fractional_max_pool2d(x, kernel, size, ratio, indices,
                                                       _random_samples=s)
    return fn


@pytest.mark.parametrize("kernel, size, ratio", [
    (2, 4, None), ((3, 2), (5, 6), None), (1, 1, None), (2, (8, 7), None), (3, (7, 1), None),
    (2, None, (0.5, 0.7)), ((2, 3), None, [0.4, 0.5]),
])
def test_fractional_max_pool2d(kernel, size, ratio):
    check_op(_fractional(kernel, size, ratio, True, _samples(2, 3)), distinct_values((2, 3, 9, 8)))
    check_op(_fractional(kernel, size, ratio, False, _samples(2, 3)), distinct_values((3, 9, 8)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fractional_max_pool2d_ties_nans_and_sample_edges(torch, dtype):
    """The first of equal values, the last NaN, and samples at 0 and near 1, as PyTorch."""
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal((2, 4, 23, 17))).astype(dtype)
    x[0, 0, :3, :3] = np.nan
    x[1, 2, 5, 6] = np.nan
    s = rng.random((3, 4, 2)).astype(dtype)
    s[0, 0], s[0, 1], s[1, 2] = 0.0, np.nextafter(dtype(1), dtype(0)), (0.0, 0.999)
    for kernel, size in ((2, (11, 8)), ((3, 2), (9, 16)), (4, (20, 14))):
        y, idx = F.fractional_max_pool2d(nptorch.tensor(x), kernel, size, return_indices=True,
                                         _random_samples=nptorch.tensor(s))
        ty, tidx = torch.nn.functional.fractional_max_pool2d(
            torch.from_numpy(x), kernel, size, return_indices=True,
            _random_samples=torch.from_numpy(s))
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())


def test_fractional_max_pool2d_default_samples():
    """Drawn samples: reproducible under a seed, and every output is its window's maximum."""
    x = nptorch.tensor(distinct_values((2, 3, 11, 10)))
    nptorch.manual_seed(5)
    y, idx = F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5), return_indices=True)
    nptorch.manual_seed(5)
    np.testing.assert_array_equal(F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5)).numpy(),
                                  y.numpy())
    assert y.shape == (2, 3, 5, 5) and idx.dtype == nptorch.int64
    flat = x.numpy().reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.numpy().reshape(2, 3, -1), 2),
                                  y.numpy().reshape(2, 3, -1))
    rows, cols = idx.numpy() // 10, idx.numpy() % 10
    assert (np.diff(rows, axis=2) >= 0).all() and (np.diff(cols, axis=3) >= 0).all()
    assert F.fractional_max_pool2d(nptorch.zeros(0, 3, 5, 4), 2, 2).shape == (0, 3, 2, 2)


LAYERS = [
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)), ("AdaptiveMaxPool1d", (3, True), {}, (3, 9)),
    ("LPPool1d", (2, 3), {}, (2, 3, 9)), ("LPPool1d", (3, 2, 1, True), {}, (2, 3, 9)),
    ("LPPool2d", (2.5, (2, 3), 1, True), {}, (2, 3, 7, 8)), ("LPPool2d", (math.inf, 2), {},
                                                             (3, 7, 8)),
    ("FractionalMaxPool2d", (2,), {"output_size": 4, "return_indices": True}, (2, 3, 9, 8)),
    ("FractionalMaxPool2d", ((2, 3),), {"output_ratio": (0.5, 0.6)}, (3, 9, 8)),
    ("Unfold", (2,), {"padding": 1, "stride": (1, 2)}, (2, 3, 5, 6)),
    ("Fold", ((4, 5), 2), {"dilation": 1, "stride": 1}, (2, 12, 12)),
    ("Fold", (5, (2, 3)), {"padding": 1}, (12, 30)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", LAYERS)
def test_layers_match_pytorch(torch, name, args, kwargs, shape):
    if name == "FractionalMaxPool2d":
        samples = _samples(shape[0] if len(shape) == 4 else 1, shape[-3])
        ours = nptorch.nn.FractionalMaxPool2d(*args, **kwargs,
                                              _random_samples=nptorch.tensor(samples))
        theirs = torch.nn.FractionalMaxPool2d(*args, **kwargs,
                                              _random_samples=torch.tensor(samples))
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
    else:
        ours, theirs = getattr(nptorch.nn, name)(*args, **kwargs), \
            getattr(torch.nn, name)(*args, **kwargs)
        assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    assert repr(ours) == repr(theirs)
    x = distinct_values(shape) + (3 if name.startswith("LP") else 0)
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


@pytest.mark.parametrize("name, args", [
    ("FractionalMaxPool2d", (3, 2)), ("FractionalMaxPool2d", (2, None, 0.5)),
    ("MaxUnpool1d", (2,)), ("MaxUnpool1d", (3, 1, 1)), ("AdaptiveMaxPool1d", (None,)),
    ("LPPool1d", (1.0, (3,), 2)), ("Unfold", ((2, 3), 2, 1, 3)),
])
def test_layer_reprs(torch, name, args):
    assert repr(getattr(nptorch.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_max_unpool1d_layer(torch):
    pool, unpool = nptorch.nn.MaxPool1d(2, return_indices=True), nptorch.nn.MaxUnpool1d(2)
    x = distinct_values((1, 2, 9))
    y = unpool(*pool(nptorch.tensor(x)), output_size=(9,))
    t = torch.nn.MaxUnpool1d(2)(*torch.nn.MaxPool1d(2, return_indices=True)(torch.from_numpy(x)),
                                output_size=(9,))
    np.testing.assert_array_equal(y.numpy(), t.numpy())


def _i(*shape, value=0):
    return np.full(shape, value, np.int64)


def _s(*shape, dtype=np.float32):
    return np.full(shape, 0.5, dtype)


@pytest.mark.parametrize("call", [
    # max_unpool1d, and max_unpool2d's output_size
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 4), L.tensor(_i(1, 1, 4)), 2,
                                           output_size=(10,)),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 4), L.tensor(_i(1, 1, 4)), 2,
                                           output_size=(6,)),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 4), L.tensor(_i(1, 1, 4)), 2,
                                           output_size=[1, 9]),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 4), L.tensor(_i(1, 1, 4, value=7)),
                                           2, output_size=(7,)),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 4), L.tensor(_i(1, 1, 4, value=-1)),
                                           2),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 4), L.zeros(1, 1, 4), 2),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(4), L.tensor(_i(4)), 2),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 1, 1, 4), L.tensor(_i(1, 1, 1, 4)), 2),
    lambda L: L.nn.functional.max_unpool1d(L.zeros(1, 2, 4), L.tensor(_i(2, 4)), 2),
    lambda L: L.nn.functional.max_unpool2d(L.zeros(1, 1, 2, 2), L.tensor(_i(1, 1, 2, 2)), 2,
                                           output_size=(6, 6)),
    lambda L: L.nn.functional.max_unpool2d(L.zeros(1, 1, 2, 2), L.tensor(_i(1, 1, 2, 2)), 2,
                                           output_size=(2, 2)),
    lambda L: L.nn.functional.max_unpool2d(L.zeros(1, 1, 2, 2), L.tensor(_i(1, 1, 2, 2)), 2,
                                           output_size=[1, 5, 5]),
    lambda L: L.nn.functional.max_unpool2d(L.zeros(1, 1, 2, 2), L.tensor(_i(1, 1, 2, 2)), 2,
                                           1, 2),
    # adaptive_max_pool1d
    lambda L: L.nn.functional.adaptive_max_pool1d(L.zeros(5), 2),
    lambda L: L.nn.functional.adaptive_max_pool1d(L.zeros(2, 3, 4), (2, 2)),
    lambda L: L.nn.functional.adaptive_max_pool1d(L.zeros(2, 3, 0), 2),
    # fractional_max_pool2d
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 2),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 2,
                                                    output_ratio=(0.5, 0.5, 0.5)),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), (2, 2, 2), 4,
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 2, (4, 4, 4),
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(9, 8), 2, 4,
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 0, 9, 8), 2, 4,
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 6, 4,
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), (2, 5), (4, 5),
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(2, 3, 9, 8), 2, 4,
                                                    _random_samples=L.tensor(_s(1, 3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 2, 4,
                                                    _random_samples=L.tensor(_s(1, 2, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 2, 4,
                                                    _random_samples=L.tensor(_s(1, 3, 3))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.zeros(1, 3, 9, 8), 2, 4,
                                                    _random_samples=L.tensor(_s(3, 2))),
    lambda L: L.nn.functional.fractional_max_pool2d(
        L.zeros(1, 3, 9, 8), 2, 4, _random_samples=L.tensor(_s(1, 3, 2, dtype=np.float64))),
    lambda L: L.nn.functional.fractional_max_pool2d(L.tensor(_i(1, 3, 9, 8)), 2, 4),
    lambda L: L.nn.FractionalMaxPool2d(2),
    lambda L: L.nn.FractionalMaxPool2d(2, 3, 0.5),
    lambda L: L.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda L: L.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1.0)),
], ids=lambda _: "")
def test_errors_match_pytorch(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(nptorch)
    assert str(ours.value) == str(theirs.value)


def test_second_derivatives():
    x = nptorch.tensor(distinct_values((1, 2, 7, 6)).astype(np.float64) + 3, requires_grad=True)
    s = nptorch.tensor(_samples(1, 2).astype(np.float64))
    assert gradgradcheck(lambda x: F.lp_pool2d(x, 3, 2, 1), (x,))
    assert gradgradcheck(lambda x: F.lp_pool1d(x[:, :, 0], 2.5, 3, 2, True), (x,))
    assert gradgradcheck(lambda x: F.fractional_max_pool2d(x, 2, 3, _random_samples=s) ** 2, (x,))
    assert gradgradcheck(lambda x: F.adaptive_max_pool1d(x[:, :, 0], 4) ** 2, (x,))
    y = nptorch.tensor(distinct_values((1, 2, 4)).astype(np.float64), requires_grad=True)
    idx = nptorch.tensor([[[0, 3, 5, 6], [1, 2, 4, 7]]])
    assert gradgradcheck(lambda y: F.max_unpool1d(y, idx, 2) ** 2, (y,))
