"""Counting and searching ops compared exactly with PyTorch (values and dtypes) and errors."""
import numpy as np
import pytest

import nptorch
import nptorch.return_types

from helpers import check_same_error_as_torch

torch = pytest.importorskip("torch")


def _t(lib, v, **kwargs):
    return lib.tensor(v, **kwargs)


def _equal(ours, theirs):
    if isinstance(theirs, tuple):
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _equal(o, t)
        return
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


X = [0.3, -1.2, 2.5, 0.3, 1.9, -0.7, 2.5]
SEQ = [[1, 3, 5, 7], [2, 4, 6, 8]]

CASES = [
    ("bincount", lambda lib: lib.bincount(_t(lib, [1, 1, 3, 0]))),
    ("bincount_minlength", lambda lib: _t(lib, [1, 1, 3]).bincount(minlength=6)),
    ("bincount_float_weights", lambda lib: lib.bincount(_t(lib, [1, 1, 3]), _t(lib, [.5, .25, 1.]))),
    ("bincount_int_weights", lambda lib: lib.bincount(_t(lib, [2, 0, 2]), _t(lib, [1, 2, 3]))),
    ("bincount_half_weights", lambda lib: lib.bincount(_t(lib, [1, 2], dtype=lib.int32),
                                                       _t(lib, [.5, 1.], dtype=lib.float16))),
    ("bincount_empty", lambda lib: lib.bincount(_t(lib, [], dtype=lib.long))),
    ("histc", lambda lib: lib.histc(_t(lib, X), bins=4, min=-1, max=2)),
    ("histc_data_range", lambda lib: _t(lib, X).histc(5)),
    ("histc_single_value", lambda lib: lib.histc(_t(lib, [1., 1., 1.]), bins=3)),
    ("histc_empty", lambda lib: lib.histc(_t(lib, []), bins=3)),
    ("histc_double", lambda lib: lib.histc(_t(lib, X, dtype=lib.float64), 3, 0, 3)),
    ("histogram_bins", lambda lib: lib.histogram(_t(lib, X), 3)),
    ("histogram_range_weight", lambda lib: _t(lib, X).histogram(
        4, range=(0., 3.), weight=_t(lib, [1., 2., 4., 1., 1., 1., 1.]))),
    ("histogram_edges_density", lambda lib: lib.histogram(
        _t(lib, X), _t(lib, [-1., 0.5, 2., 3.]), density=True)),
    ("histogram_single_value", lambda lib: lib.histogram(_t(lib, [1., 1.]), 3)),
    ("histogram_empty", lambda lib: lib.histogram(_t(lib, []), 3)),
    ("histogram_2d_weight", lambda lib: lib.histogram(
        _t(lib, [[0., 1.], [2., 3.]]), 3, weight=_t(lib, [[1., 2.], [3., 4.]]))),
    ("histogram_density", lambda lib: lib.histogram(_t(lib, X), 3, density=True)),
    ("searchsorted", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), _t(lib, [[3, 6], [9, 0]]))),
    ("searchsorted_right", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), _t(lib, [3, 6, 7]), right=True)),
    ("searchsorted_side", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), _t(lib, [3, 6, 7]), side="right")),
    ("searchsorted_int32", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), _t(lib, [3]), out_int32=True)),
    ("searchsorted_rows", lambda lib: lib.searchsorted(_t(lib, SEQ), _t(lib, [[3, 6, 0], [9, 1, 4]]))),
    ("searchsorted_scalar", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), 5)),
    ("searchsorted_0d", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), _t(lib, 5), side="right")),
    ("searchsorted_sorter", lambda lib: lib.searchsorted(
        _t(lib, [5, 1, 3]), _t(lib, [4, 0, 6]), sorter=_t(lib, [1, 2, 0]))),
    ("searchsorted_float_values", lambda lib: lib.searchsorted(_t(lib, SEQ[0]), _t(lib, [4.5]))),
    ("bucketize", lambda lib: lib.bucketize(_t(lib, [[3, 6], [9, 1]]), _t(lib, SEQ[0]))),
    ("bucketize_right_int32", lambda lib: lib.bucketize(_t(lib, [3, 6, 9, 1]), _t(lib, SEQ[0]),
                                                        right=True, out_int32=True)),
    ("bucketize_scalar", lambda lib: lib.bucketize(3, _t(lib, SEQ[0]))),
    ("isin", lambda lib: lib.isin(_t(lib, [[1, 2], [3, 4]]), _t(lib, [2, 5, 4]))),
    ("isin_invert_scalar", lambda lib: lib.isin(_t(lib, [1, 2, 3]), 2, invert=True)),
    ("isin_scalar_elements", lambda lib: lib.isin(2, _t(lib, [1, 2, 3]))),
    ("isin_unique", lambda lib: lib.isin(_t(lib, [1., 2., 3.]), _t(lib, [2, 5]), assume_unique=True)),
    ("unique_consecutive", lambda lib: lib.unique_consecutive(_t(lib, [1, 1, 2, 2, 3, 1, 1, 2]))),
    ("unique_consecutive_all", lambda lib: _t(lib, [1, 1, 2, 2, 3, 1, 1, 2]).unique_consecutive(
        return_inverse=True, return_counts=True)),
    ("unique_consecutive_2d_inverse", lambda lib: lib.unique_consecutive(
        _t(lib, [[1, 1], [1, 1], [2, 3]]), return_inverse=True)),
    ("unique_consecutive_dim", lambda lib: lib.unique_consecutive(
        _t(lib, [[1, 1], [1, 1], [2, 3]]), return_inverse=True, return_counts=True, dim=0)),
    ("unique_consecutive_dim1", lambda lib: lib.unique_consecutive(
        _t(lib, [[1, 1, 2], [1, 1, 3]]), return_counts=True, dim=-1)),
    ("unique_consecutive_0d", lambda lib: lib.unique_consecutive(
        _t(lib, 3), return_inverse=True, return_counts=True)),
    ("unique_consecutive_empty", lambda lib: lib.unique_consecutive(
        _t(lib, [], dtype=lib.long), return_inverse=True, return_counts=True)),
]


@pytest.mark.parametrize("fn", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_pytorch(fn):
    _equal(fn(nptorch), fn(torch))


def test_histogram_returns_named_tuple():
    hist, bin_edges = nptorch.histogram(_t(nptorch, [1., 2., 1.]), 2)
    result = nptorch.histogram(_t(nptorch, [1., 2., 1.]), 2)
    assert result.hist.tolist() == hist.tolist() == [2., 1.]
    assert result.bin_edges.tolist() == bin_edges.tolist() == [1., 1.5, 2.]
    assert type(result) is nptorch.return_types.histogram


ERRORS = [
    ("bincount_negative", lambda lib: lib.bincount(_t(lib, [-1, 1]))),
    ("bincount_2d", lambda lib: lib.bincount(_t(lib, [[1]]))),
    ("bincount_float", lambda lib: lib.bincount(_t(lib, [1.]))),
    ("bincount_weights", lambda lib: lib.bincount(_t(lib, [1, 2]), _t(lib, [1.]))),
    ("bincount_minlength", lambda lib: lib.bincount(_t(lib, [1, 2]), minlength=-1)),
    ("histc_int", lambda lib: lib.histc(_t(lib, [1, 2]), bins=4)),
    ("histc_bins", lambda lib: lib.histc(_t(lib, [1., 2.]), bins=0)),
    ("histc_range", lambda lib: lib.histc(_t(lib, [1., 2.]), bins=3, min=3, max=1)),
    ("histogram_int", lambda lib: lib.histogram(_t(lib, [1, 2]), 3)),
    ("histogram_bins", lambda lib: lib.histogram(_t(lib, [1., 2.]), -1)),
    ("histogram_range", lambda lib: lib.histogram(_t(lib, [1., 2.]), 3, range=(2., 1.))),
    ("histogram_half", lambda lib: lib.histogram(_t(lib, [1., 2.], dtype=lib.float16), 3)),
    ("histogram_nan", lambda lib: lib.histogram(_t(lib, [float("nan"), 1.]), 3)),
    ("histogram_weight_dtype", lambda lib: lib.histogram(
        _t(lib, [1., 2.]), 3, weight=_t(lib, [1., 2.], dtype=lib.float64))),
    ("histogram_edges_2d", lambda lib: lib.histogram(_t(lib, [1., 2.]), lib.ones(2, 2))),
    ("histogram_dtypes", lambda lib: lib.histogram(_t(lib, [1., 2.], dtype=lib.float64),
                                                   _t(lib, [0., 1., 4.]))),
    ("searchsorted_opposites", lambda lib: lib.searchsorted(_t(lib, [1, 2]), _t(lib, [1]),
                                                            side="left", right=True)),
    ("searchsorted_side", lambda lib: lib.searchsorted(_t(lib, [1, 2]), _t(lib, [1]), side="up")),
    ("searchsorted_rows", lambda lib: lib.searchsorted(_t(lib, SEQ), _t(lib, [[3, 6]]))),
    ("searchsorted_0d", lambda lib: lib.searchsorted(_t(lib, 5), _t(lib, [4]))),
    ("searchsorted_sorter_size", lambda lib: lib.searchsorted(_t(lib, [5, 1, 3]), _t(lib, [4]),
                                                              sorter=_t(lib, [1, 2]))),
    ("searchsorted_sorter_range", lambda lib: lib.searchsorted(_t(lib, [5, 1, 3]), _t(lib, [4]),
                                                               sorter=_t(lib, [1, 2, 3]))),
    ("bucketize_2d", lambda lib: lib.bucketize(_t(lib, [3.]), lib.ones(2, 2))),
]


@pytest.mark.parametrize("fn", [c[1] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(fn):
    check_same_error_as_torch(fn)


def test_histc_nan_range():
    # PyTorch prints the NaN bounds as C's "-nan"
    for lib in (nptorch, torch):
        with pytest.raises(RuntimeError, match=r"torch.histc: range of \[-?nan, -?nan\] is not finite"):
            lib.histc(_t(lib, [1., float("nan")]), bins=3)
