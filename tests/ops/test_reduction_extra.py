"""NaN-ignoring reductions, quantiles, running extremes, logcumsumexp and diff against
PyTorch: values, indices, gradients and errors."""
import numpy as np
import pytest

import nptorch

from helpers import check_op, check_error_like_torch

torch = pytest.importorskip("torch")

DISTINCT = np.random.default_rng(3).permutation(60).reshape(3, 5, 4).astype(np.float32) / 7 - 4
WITH_NAN = DISTINCT.copy()
WITH_NAN[0, 1, 2] = WITH_NAN[2, 3, 1] = WITH_NAN[1, 4, 0] = np.nan
ALL_NAN_COLUMN = WITH_NAN.copy()
ALL_NAN_COLUMN[1, :, 3] = np.nan


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.nansum(x), lambda lib, x: x.nansum(1), lambda lib, x: lib.nansum(x, (0, 2), True),
    lambda lib, x: lib.nanmean(x), lambda lib, x: x.nanmean(-1, keepdim=True),
    lambda lib, x: lib.nanmedian(x), lambda lib, x: x.nanmedian(1),
    lambda lib, x: lib.nanquantile(x, 0.3, dim=1),
    lambda lib, x: lib.nanquantile(x, lib.tensor([0.2, 0.9], dtype=x.dtype), dim=0, keepdim=True),
])
def test_nan_ignoring(fn):
    check_op(fn, WITH_NAN, gradcheck_inputs=False)


def test_nan_ignoring_on_all_nan_slices():
    for fn in (lambda lib, x: x.nansum(1), lambda lib, x: x.nanmean(1),
               lambda lib, x: lib.nanquantile(x, 0.5, dim=1), lambda lib, x: x.nanmedian(1)[0]):
        check_op(fn, ALL_NAN_COLUMN, grad=False)
    # the index of an all-NaN slice's median is unspecified; the others are PyTorch's
    ours, theirs = nptorch.nanmedian(nptorch.tensor(ALL_NAN_COLUMN), 1), \
        torch.nanmedian(torch.tensor(ALL_NAN_COLUMN), 1)
    defined = ~np.isnan(theirs.values.numpy())
    assert (ours.indices.numpy()[defined] == theirs.indices.numpy()[defined]).all()


def test_nan_ignoring_reductions_of_clean_input_are_the_plain_ones():
    check_op(lambda lib, x: (lib.nansum(x, 0), lib.nanmean(x, 1)), DISTINCT)


@pytest.mark.parametrize("q", [0.0, 0.35, 1.0, "tensor"])
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), (-1, True)])
def test_quantile(q, interpolation, dim, keepdim):
    def fn(lib, x):
        qs = lib.tensor([0.1, 0.5, 0.75], dtype=x.dtype) if q == "tensor" else q
        return lib.quantile(x, qs, dim=dim, keepdim=keepdim, interpolation=interpolation)
    check_op(fn, DISTINCT)


def test_quantile_with_nan_gives_nan():
    check_op(lambda lib, x: lib.quantile(x, 0.5, dim=1), WITH_NAN, gradcheck_inputs=False)


def test_quantile_of_scalars_and_vectors():
    check_op(lambda lib, x: x[0, 0, 0].quantile(0.3), DISTINCT)
    check_op(lambda lib, x: x[0, 0].quantile(lib.tensor([0.3, 0.6], dtype=x.dtype), dim=0), DISTINCT)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_running_extremes(name, dim):
    check_op(lambda lib, x: getattr(x, name)(dim), DISTINCT)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_running_extremes_ties_nan_and_integers(name):
    x = np.array([1.0, 3.0, 3.0, np.nan, 2.0, np.nan, 5.0, 0.0, 0.0], np.float32)
    ties = np.array([[3.0, 1.0, 1.0, 0.0, 0.0, 4.0, 4.0]], np.float32)
    for values in (x, ties, ties.astype(np.int64), ties.astype(bool)):
        check_op(lambda lib, v: getattr(lib, name)(v, -1), values, gradcheck_inputs=False)
    check_op(lambda lib, v: getattr(lib, name)(v[0, 0, 0], 0), DISTINCT)


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_logcumsumexp(dim):
    check_op(lambda lib, x: lib.logcumsumexp(x, dim), DISTINCT)


def test_logcumsumexp_extremes():
    x = np.array([[1.0, 2.0, -200.0, 300.0, -np.inf, 5.0]], np.float32)
    check_op(lambda lib, v: v.logcumsumexp(1), x, gradcheck_inputs=False)
    check_op(lambda lib, v: v.double().logcumsumexp(1), x)


def test_logcumsumexp_double_backward():
    x = nptorch.tensor(DISTINCT[0].astype(np.float64), requires_grad=True)
    assert nptorch.autograd.gradgradcheck(lambda v: v.logcumsumexp(1), (x,))


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.diff(x), lambda lib, x: x.diff(n=2, dim=0), lambda lib, x: x.diff(n=0),
    lambda lib, x: lib.diff(x, dim=1, prepend=x[:, :2], append=x[:, -1:] * 2),
    lambda lib, x: lib.diff(x, n=9, dim=1), lambda lib, x: lib.diff(x[0, 0], 3),
])
def test_diff(fn):
    check_op(fn, DISTINCT)


def test_diff_of_integers_and_bools():
    for values in ([1, 4, 9, 7], [True, False, False, True]):
        assert nptorch.diff(nptorch.tensor(values)).tolist() == torch.diff(torch.tensor(values)).tolist()
    assert nptorch.tensor([True, False]).diff().dtype == nptorch.bool


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.quantile(lib.tensor([1, 2]), 0.5), RuntimeError,
     "quantile\\(\\) input tensor must be either float or double dtype"),
    (lambda lib: lib.quantile(lib.tensor([1.0]), lib.tensor([0.5], dtype=lib.float64)), RuntimeError,
     "quantile\\(\\) q tensor must be same dtype as the input tensor"),
    (lambda lib: lib.quantile(lib.tensor([1.0]), 1.5), RuntimeError,
     "quantile\\(\\) q must be in the range \\[0, 1\\] but got 1.5"),
    (lambda lib: lib.quantile(lib.tensor([1.0]), lib.tensor([1.5])), RuntimeError,
     "quantile\\(\\) q values must be in the range \\[0, 1\\]"),
    (lambda lib: lib.quantile(lib.tensor([1.0]), lib.tensor([[0.5]])), RuntimeError,
     "quantile\\(\\) q must be a scalar or 1D tensor"),
    (lambda lib: lib.quantile(lib.tensor([1.0]), 0.5, interpolation="cubic"), RuntimeError,
     "quantile\\(\\) interpolation must be one of linear, lower, higher, midpoint or nearest, "
     "but got cubic"),
    (lambda lib: lib.quantile(lib.tensor([]), 0.5), RuntimeError,
     "quantile\\(\\) input tensor must be non-empty"),
    (lambda lib: lib.nanmean(lib.tensor([1, 2])), RuntimeError,
     "nanmean\\(\\): expected input to have floating point or complex dtype but got Long"),
    (lambda lib: lib.logcumsumexp(lib.tensor([1, 2]), 0), NotImplementedError,
     "\"logcumsumexp_out_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.cummax(lib.tensor([1.0]), 1), IndexError, "Dimension out of range"),
    (lambda lib: lib.diff(lib.tensor(1.0)), RuntimeError,
     "diff expects input to be at least one-dimensional"),
    (lambda lib: lib.diff(lib.tensor([1.0]), n=-1), RuntimeError, "order must be non-negative but got -1"),
    (lambda lib: lib.diff(lib.ones(2, 2), prepend=lib.ones(2)), RuntimeError,
     "diff expects prepend or append to be the same dimension as input"),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)
