"""The ``*_copy`` forms of the view ops compared with PyTorch: values, gradients, float64
gradcheck, fresh contiguous memory and errors."""
import numpy as np
import pytest

import nptorch

from helpers import check_equal_to_torch, check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")

CASES = [
    ("view_copy", lambda lib, x: lib.view_copy(x, [4, 3]), (3, 4)),
    ("view_copy_tuple", lambda lib, x: lib.view_copy(x, (2, -1)), (3, 4)),
    ("view_copy_transposed", lambda lib, x: lib.view_copy(x.t(), [12]), (3, 4)),
    ("permute_copy", lambda lib, x: lib.permute_copy(x, (2, 0, 1)), (2, 3, 4)),
    ("transpose_copy", lambda lib, x: lib.transpose_copy(x, 0, -1), (2, 3, 4)),
    ("t_copy", lambda lib, x: lib.t_copy(x), (3, 4)),
    ("t_copy_1d", lambda lib, x: lib.t_copy(x), (4,)),
    ("squeeze_copy", lambda lib, x: lib.squeeze_copy(x), (1, 3, 1)),
    ("squeeze_copy_dim", lambda lib, x: lib.squeeze_copy(x, 2), (1, 3, 1)),
    ("squeeze_copy_dims", lambda lib, x: lib.squeeze_copy(x, [0, 1]), (1, 3, 1)),
    ("unsqueeze_copy", lambda lib, x: lib.unsqueeze_copy(x, -1), (3, 4)),
    ("select_copy", lambda lib, x: lib.select_copy(x, 1, -1), (3, 4)),
    ("slice_copy", lambda lib, x: lib.slice_copy(x, 1, 1, 3), (3, 4)),
    ("slice_copy_clamped", lambda lib, x: lib.slice_copy(x, 1, -10, 30, 2), (3, 4)),
    ("slice_copy_empty", lambda lib, x: lib.slice_copy(x, 1, 3, 1), (3, 4)),
    ("slice_copy_defaults", lambda lib, x: lib.slice_copy(x), (3, 4)),
    ("slice_copy_negative", lambda lib, x: lib.slice_copy(x, 0, -2, None, 1), (3, 4)),
    ("diagonal_copy", lambda lib, x: lib.diagonal_copy(x, 1), (3, 4)),
    ("diagonal_copy_dims", lambda lib, x: lib.diagonal_copy(x, -1, 2, 0), (3, 2, 4)),
    ("expand_copy", lambda lib, x: lib.expand_copy(x, [2, 3, 4]), (1, 4)),
    ("expand_copy_implicit", lambda lib, x: lib.expand_copy(x, (-1, 4), implicit=True), (3, 1)),
    ("alias_copy", lambda lib, x: lib.alias_copy(x) * 2, (3, 4)),
    ("unbind_copy", lambda lib, x: lib.unbind_copy(x, 1), (3, 4)),
    ("split_copy", lambda lib, x: lib.split_copy(x, 2), (5, 2)),
    ("split_copy_dim", lambda lib, x: lib.split_copy(x, 3, dim=1), (2, 5)),
    ("split_with_sizes_copy", lambda lib, x: lib.split_with_sizes_copy(x, [1, 3], 1), (2, 4)),
    ("unfold_copy", lambda lib, x: lib.unfold_copy(x, 1, 2, 1), (3, 4)),
    ("as_strided_copy", lambda lib, x: lib.as_strided_copy(x, (2, 2), (1, 2)), (3, 4)),
    ("as_strided_copy_offset", lambda lib, x: lib.as_strided_copy(x, (2, 2), (4, 1), 5),
     (3, 4)),
]


@pytest.mark.parametrize("name,fn,shape", CASES, ids=[c[0] for c in CASES])
def test_copies_match_torch(name, fn, shape):
    check_op(fn, shape)


@pytest.mark.parametrize("name,fn,shape", CASES, ids=[c[0] for c in CASES])
def test_copies_own_contiguous_memory(name, fn, shape):
    x = nptorch.tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
    before = x.numpy().copy()
    outs = fn(nptorch, x)
    for out in outs if isinstance(outs, tuple) else (outs,):
        assert out.is_contiguous() and out._base is None
        if out.numel():
            out.fill_(-1.0)
    np.testing.assert_array_equal(x.numpy(), before)


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.unsafe_split_with_sizes(x, [2, 1]),
    lambda lib, x: x.unsafe_split_with_sizes([1, 1], 1),
])
def test_unsafe_split_with_sizes_matches_torch(fn):
    check_op(fn, (3, 2))


def test_view_copy_reinterprets_dtypes():
    check_equal_to_torch(lambda lib: lib.view_copy(lib.arange(4.0), lib.int32))
    check_equal_to_torch(lambda lib: lib.view_copy(lib.arange(4, dtype=lib.int16), lib.uint8))


def test_detach_copy_is_a_detached_copy():
    x = nptorch.arange(3.0, requires_grad=True)
    y = nptorch.detach_copy(x)
    assert y.tolist() == [0.0, 1.0, 2.0] and y.data_ptr() != x.data_ptr()
    assert not y.requires_grad and y.grad_fn is None


def test_split_and_unbind_copies_are_tuples_like_torch():
    for lib in (torch, nptorch):
        assert type(lib.split_copy(lib.ones(4), 2)) is tuple
        assert type(lib.unbind_copy(lib.ones(2, 2))) is tuple
        assert type(lib.split_with_sizes_copy(lib.ones(4), [1, 3])) is tuple


@pytest.mark.parametrize("call", [
    lambda lib: lib.slice_copy(lib.ones(3, 4), 1, 0, 4, 0),
    lambda lib: lib.slice_copy(lib.ones(3, 4), 1, 0, 4, -1),
    lambda lib: lib.slice_copy(lib.ones(3, 4), 2),
    lambda lib: lib.slice_copy(lib.tensor(1.0)),
    lambda lib: lib.view_copy(lib.ones(3, 4), [5]),
    lambda lib: lib.permute_copy(lib.ones(3, 4), (0,)),
    lambda lib: lib.select_copy(lib.ones(3, 4), 1, 4),
    lambda lib: lib.t_copy(lib.ones(2, 3, 4)),
    lambda lib: lib.diagonal_copy(lib.ones(3, 4), 0, 1, 1),
    lambda lib: lib.split_with_sizes_copy(lib.ones(4), [1, 2]),
    lambda lib: lib.unfold_copy(lib.ones(3, 4), 1, 5, 1),
    lambda lib: lib.expand_copy(lib.ones(2, 3), [4, 3]),
])
def test_copy_errors_match_torch(call):
    check_same_error_as_torch(call)
