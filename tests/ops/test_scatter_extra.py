"""The extra writing ops (index_copy, masked_scatter, put, *_scatter, scatter_reduce,
index_reduce, fill_diagonal_) compared with PyTorch: values, gradients and errors."""
import warnings

import numpy as np
import pytest

import nptorch

from helpers import check_op, check_same_error_as_torch, check_equal_to_torch

torch = pytest.importorskip("torch")


def _t(lib, v, **kwargs):
    return lib.tensor(v, **kwargs)


def _mask(lib):
    return _t(lib, [[True, False, True], [False, False, True]])


ROWS = [[0, 2, 1], [1, 0, 0]]

CASES = [
    ("index_copy", lambda lib, x, s: x.index_copy(0, _t(lib, [3, 0]), s), (4, 3), (2, 3)),
    ("index_copy_dim", lambda lib, x, s: lib.index_copy(x, -1, _t(lib, [2, 0]), s.t()), (3, 3), (2, 3)),
    ("index_copy_", lambda lib, x, s: (x * 1).index_copy_(1, _t(lib, [1]), s[:, :1]), (2, 3), (2, 3)),
    ("masked_scatter", lambda lib, x, s: x.masked_scatter(_mask(lib), s), (2, 3), (5,)),
    ("masked_scatter_broadcast", lambda lib, x, s: lib.masked_scatter(x, _mask(lib), s), (3,), (2, 3)),
    ("masked_scatter_", lambda lib, x, s: (x * 1).masked_scatter_(_mask(lib)[0], s), (2, 3), (2, 2)),
    ("put", lambda lib, x, s: x.put(_t(lib, [0, -1, 4]), s), (2, 3), (3,)),
    ("put_accumulate", lambda lib, x, s: lib.put(x, _t(lib, [[1, 1], [5, 1]]), s, accumulate=True), (2, 3), (2, 2)),
    ("put_", lambda lib, x, s: (x * 1).put_(_t(lib, [2, 3]), s, True), (2, 3), (2,)),
    ("select_scatter", lambda lib, x, s: x.select_scatter(s, 1, -1), (2, 3), (2,)),
    ("select_scatter_fn", lambda lib, x, s: lib.select_scatter(x, s, 0, 1), (3, 2, 2), (2, 2)),
    ("slice_scatter", lambda lib, x, s: x.slice_scatter(s, 0, 1, None, 2), (4, 3), (2, 3)),
    ("slice_scatter_neg", lambda lib, x, s: lib.slice_scatter(x, s, dim=-1, start=-2), (2, 4), (2, 2)),
    ("diagonal_scatter", lambda lib, x, s: x.diagonal_scatter(s), (3, 3), (3,)),
    ("diagonal_scatter_offset", lambda lib, x, s: lib.diagonal_scatter(x, s, -1, 2, 0), (3, 2, 4), (2, 3)),
    ("fill_diagonal_", lambda lib, x: (x * 1).fill_diagonal_(2.5), (3, 4)),
    ("fill_diagonal_3d", lambda lib, x: (x * 1).fill_diagonal_(0), (2, 2, 2)),
]


@pytest.mark.parametrize("fn,shapes", [(c[1], c[2:]) for c in CASES], ids=[c[0] for c in CASES])
def test_matches_pytorch(fn, shapes):
    check_op(fn, *shapes)


def test_fill_diagonal_wrap():
    # PyTorch's wrapping fill of a non-contiguous tensor fails (an out-of-bounds as_strided)
    check_op(lambda lib, x: (x * 1).fill_diagonal_(-1, wrap=True), (7, 2), noncontiguous=False)


REDUCES = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_scatter_reduce(reduce, include_self):
    check_op(lambda lib, x, s: x.scatter_reduce(0, _t(lib, ROWS), s, reduce,
                                                include_self=include_self), (3, 4), (2, 3),
             low=0.5, high=2.0)
    check_op(lambda lib, x, s: lib.scatter_reduce(x, -1, _t(lib, ROWS), s, reduce,
                                                  include_self=include_self), (2, 3), (2, 3),
             low=0.5, high=2.0)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES[1:])
def test_index_reduce(reduce, include_self):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's "index_reduce() is in beta"
        check_op(lambda lib, x, s: x.index_reduce(0, _t(lib, [2, 0, 2]), s, reduce,
                                                  include_self=include_self), (4, 2), (3, 2),
                 low=0.5, high=2.0)
        check_op(lambda lib, x, s: (x * 1).index_reduce_(1, _t(lib, [1, 1]), s, reduce,
                                                         include_self=include_self), (2, 3), (2, 2),
                 low=0.5, high=2.0)


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_with_zeros(include_self):
    x = np.array([[0., 2.], [3., 0.], [1.5, 2.5]], np.float32)
    src = np.array([[0., 2.], [0., 3.], [4., 0.]], np.float32)
    index = [[0, 1], [0, 1], [1, 1]]
    check_op(lambda lib, x, s: x.scatter_reduce(0, _t(lib, index), s, "prod",
                                                include_self=include_self), x, src,
             gradcheck_inputs=False)


INTEGER = [
    ("scatter_reduce_mean_floor", lambda lib: lib.scatter_reduce(
        lib.arange(3), 0, _t(lib, [0, 0, 1]), _t(lib, [4, 5, 7]), "mean")),
    ("scatter_reduce_mean_no_self", lambda lib: lib.arange(3).scatter_reduce(
        0, _t(lib, [0, 0, 1]), _t(lib, [4, 5, 7]), "mean", include_self=False)),
    ("scatter_reduce_amax_no_self", lambda lib: lib.arange(4).scatter_reduce(
        0, _t(lib, [3, 3, 1]), _t(lib, [-4, -5, -7]), "amax", include_self=False)),
    ("scatter_reduce_amin_int32", lambda lib: lib.arange(4, dtype=lib.int32).scatter_reduce_(
        0, _t(lib, [2, 2]), _t(lib, [9, -9], dtype=lib.int32), "amin")),
    ("scatter_reduce_prod", lambda lib: lib.arange(1, 5).scatter_reduce(
        0, _t(lib, [0, 0, 3]), _t(lib, [2, 3, 5]), "prod", include_self=False)),
    ("index_reduce_mean", lambda lib: lib.index_reduce(
        lib.arange(3), 0, _t(lib, [0, 0]), _t(lib, [4, 5]), "mean")),
    ("index_copy_scalar", lambda lib: lib.zeros(3).index_copy(0, _t(lib, 1), _t(lib, 5.))),
    ("index_copy_int", lambda lib: lib.zeros(2, 3, dtype=lib.long).index_copy_(
        1, _t(lib, [2, 0]), _t(lib, [[1, 2], [3, 4]]))),
    ("masked_scatter_int", lambda lib: lib.zeros(2, 2, dtype=lib.int32).masked_scatter_(
        _t(lib, [[False, True], [True, True]]), lib.arange(5, dtype=lib.int32))),
    ("put_int", lambda lib: lib.arange(6).reshape(2, 3).put_(_t(lib, [0, 0]), _t(lib, [7, 8]),
                                                             accumulate=True)),
    ("fill_diagonal_int", lambda lib: lib.zeros(3, 5, dtype=lib.long).fill_diagonal_(2.7)),
    ("fill_diagonal_wide_wrap", lambda lib: lib.zeros(2, 5).fill_diagonal_(1, True)),
    ("diagonal_scatter_casts", lambda lib: lib.zeros(3, 3).diagonal_scatter(lib.ones(3).long())),
    ("select_scatter_casts", lambda lib: lib.zeros(2, 3).select_scatter(lib.ones(2).double(), 1, 0)),
]


@pytest.mark.parametrize("fn", [c[1] for c in INTEGER], ids=[c[0] for c in INTEGER])
def test_exact(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_equal_to_torch(fn)


def test_in_place_writes_keep_the_object():
    x = nptorch.zeros(2, 3)
    assert x.put_(_t(nptorch, [5]), _t(nptorch, [1.])) is x and x[1, 2].item() == 1.
    assert x.fill_diagonal_(4.) is x and x.diagonal().tolist() == [4., 4.]
    assert x.index_copy_(0, _t(nptorch, [0]), nptorch.ones(1, 3)) is x and x[0].tolist() == [1.] * 3


ERRORS = [
    ("index_copy_count", lambda lib: lib.zeros(5, 3).index_copy(0, _t(lib, [0, 4]), lib.ones(3, 3))),
    ("index_copy_slices", lambda lib: lib.zeros(5, 3, 4).index_copy(1, _t(lib, [0, 2]), lib.ones(5, 2, 3))),
    ("index_copy_dtype", lambda lib: lib.zeros(5, 3).index_copy(0, _t(lib, [0]), lib.ones(1, 3).double())),
    ("index_copy_bounds", lambda lib: lib.zeros(5, 3).index_copy(0, _t(lib, [0, 5]), lib.ones(2, 3))),
    ("index_copy_negative", lambda lib: lib.zeros(5, 3).index_copy(1, _t(lib, [-1]), lib.ones(5, 1))),
    ("index_copy_float_index", lambda lib: lib.zeros(5, 3).index_copy(0, _t(lib, [0.]), lib.ones(1, 3))),
    ("index_copy_int_index", lambda lib: lib.zeros(5).index_copy(0, _t(lib, [0], dtype=lib.int32), lib.ones(1))),
    ("index_copy_2d_index", lambda lib: lib.zeros(5, 3).index_copy(0, _t(lib, [[0]]), lib.ones(1, 3))),
    ("index_copy_ndim", lambda lib: lib.zeros(5, 3).index_copy(0, _t(lib, [0, 4]), lib.ones(2))),
    ("masked_scatter_short", lambda lib: lib.zeros(2, 2).masked_scatter(lib.ones(2, 2, dtype=lib.bool), lib.ones(3))),
    ("masked_scatter_byte", lambda lib: lib.zeros(2).masked_scatter(lib.ones(2, dtype=lib.uint8), lib.ones(3))),
    ("masked_scatter_dtype", lambda lib: lib.zeros(2).masked_scatter(lib.ones(2, dtype=lib.bool), lib.ones(3).double())),
    ("put_bounds", lambda lib: lib.zeros(2, 3).put(_t(lib, [0, 6]), lib.ones(2))),
    ("put_negative_bounds", lambda lib: lib.zeros(2, 3).put(_t(lib, [-7]), lib.ones(1))),
    ("put_count", lambda lib: lib.zeros(2, 3).put(_t(lib, [0, 1]), lib.ones(3))),
    ("put_dtype", lambda lib: lib.zeros(2, 3).put(_t(lib, [0]), lib.ones(1).double())),
    ("put_int_index", lambda lib: lib.zeros(2, 3).put(_t(lib, [0], dtype=lib.int32), lib.ones(1))),
    ("select_scatter_size", lambda lib: lib.zeros(2, 3).select_scatter(lib.ones(3), 1, 0)),
    ("select_scatter_index", lambda lib: lib.zeros(2, 3).select_scatter(lib.ones(2), 1, 5)),
    ("slice_scatter_size", lambda lib: lib.zeros(4, 3).slice_scatter(lib.ones(1, 3), 0, 1, None, 2)),
    ("diagonal_scatter_size", lambda lib: lib.zeros(3, 3).diagonal_scatter(lib.ones(3), 1)),
    ("scatter_reduce_bad", lambda lib: lib.ones(3, 2).scatter_reduce(0, _t(lib, [[0, 0]]), lib.ones(1, 2), "bad")),
    ("scatter_reduce_dtype", lambda lib: lib.ones(3, 2).scatter_reduce(0, _t(lib, [[0, 0]]), lib.ones(1, 2).double(), "sum")),
    ("index_reduce_sum", lambda lib: lib.ones(3, 2).index_reduce(0, _t(lib, [0]), lib.ones(1, 2), "sum")),
    ("index_reduce_shape", lambda lib: lib.ones(3, 2).index_reduce(0, _t(lib, [0, 0]), lib.ones(2, 3), "mean")),
    ("index_reduce_count", lambda lib: lib.ones(3, 2).index_reduce(0, _t(lib, [0, 0]), lib.ones(3, 2), "mean")),
    ("index_reduce_bounds", lambda lib: lib.ones(3, 2).index_reduce(0, _t(lib, [0, 3]), lib.ones(2, 2), "amax")),
    ("index_reduce_dtype", lambda lib: lib.ones(3, 2).index_reduce(0, _t(lib, [0]), lib.ones(1, 2).double(), "prod")),
    ("fill_diagonal_1d", lambda lib: lib.zeros(3).fill_diagonal_(2)),
    ("fill_diagonal_unequal", lambda lib: lib.zeros(3, 3, 2).fill_diagonal_(2)),
]


@pytest.mark.parametrize("fn", [c[1] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(fn):
    check_same_error_as_torch(fn, ignored_warning=UserWarning)
