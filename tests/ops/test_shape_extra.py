"""The extra shape ops (splitting, stacking, rotating, structured matrices, in-place shape
methods, as_strided) compared with PyTorch: values, gradients, views and errors."""
import pytest

import nptorch
from nptorch.autograd import gradcheck, gradgradcheck

from helpers import (check_op, check_error_like_torch, check_equal_to_torch,
                     check_same_error_as_torch)

torch = pytest.importorskip("torch")


def _t(lib, v):
    return lib.tensor(v)


CASES = [
    ("ravel", lambda lib, x: x.ravel(), (2, 3)),
    ("ravel_fn", lambda lib, x: lib.ravel(x.t()), (2, 3)),
    ("tensor_split_sections", lambda lib, x: lib.tensor_split(x, 3, 1), (2, 7)),
    ("tensor_split_indices", lambda lib, x: x.tensor_split([1, -2, 9], dim=-1), (2, 7)),
    ("tensor_split_tensor_sections", lambda lib, x: x.tensor_split(_t(lib, 4)), (6, 2)),
    ("tensor_split_tensor_indices", lambda lib, x: lib.tensor_split(x, _t(lib, [2, 3])), (6, 2)),
    ("hsplit_1d", lambda lib, x: lib.hsplit(x, 2), (6,)),
    ("hsplit", lambda lib, x: x.hsplit([1, 3]), (2, 4)),
    ("vsplit", lambda lib, x: lib.vsplit(x, 2), (4, 3)),
    ("dsplit", lambda lib, x: x.dsplit([1]), (2, 2, 3)),
    ("split_with_sizes", lambda lib, x: x.split_with_sizes([1, 3], 1), (2, 4)),
    ("unsafe_split", lambda lib, x: lib.unsafe_split(x, 2), (5, 2)),
    ("unsafe_chunk", lambda lib, x: x.unsafe_chunk(2, -1), (2, 5)),
    ("narrow_copy", lambda lib, x: x.narrow_copy(1, 1, 2), (2, 4)),
    ("column_stack", lambda lib, x: lib.column_stack([x[0], x, x[:, 1]]), (3, 3)),
    ("row_stack", lambda lib, x: lib.row_stack([x[0], x]), (2, 3)),
    ("rot90", lambda lib, x: x.rot90(), (2, 3)),
    ("rot90_k2", lambda lib, x: lib.rot90(x, 2, [1, 2]), (2, 3, 4)),
    ("rot90_k3_neg_dims", lambda lib, x: lib.rot90(x, 3, (-1, 0)), (2, 3)),
    ("rot90_k_neg", lambda lib, x: lib.rot90(x, -1, (1, 0)), (2, 3)),
    ("rot90_k0", lambda lib, x: lib.rot90(x, 4), (2, 3)),
    ("diagflat", lambda lib, x: lib.diagflat(x), (2, 2)),
    ("diagflat_offset", lambda lib, x: x.diagflat(-1), (3,)),
    ("block_diag", lambda lib, x: lib.block_diag(x, x[0], x[0, 0], x[:1, :2] * 2), (2, 3)),
    ("cartesian_prod", lambda lib, x: lib.cartesian_prod(x[0], x[1, :2], x[0, 1:]), (2, 3)),
    ("cartesian_prod_one", lambda lib, x: lib.cartesian_prod(x), (3,)),
    ("combinations", lambda lib, x: lib.combinations(x), (4,)),
    ("combinations_r3", lambda lib, x: lib.combinations(x, 3), (5,)),
    ("combinations_replacement", lambda lib, x: lib.combinations(x, 2, True), (3,)),
    ("combinations_r0", lambda lib, x: lib.combinations(x, 0), (3,)),
    ("vander_n0", lambda lib, x: lib.vander(x, N=0), (4,)),
    ("as_strided", lambda lib, x: x.as_strided((3, 3), (1, 2)), (12,)),
    ("as_strided_offset", lambda lib, x: lib.as_strided(x * 1, (2, 2), (3, 1), 4), (3, 4)),
    ("as_strided_of_view", lambda lib, x: (x * 1)[1:].as_strided((2, 3), (1, 1)), (3, 4)),
    ("sum_to_size", lambda lib, x: x.sum_to_size(1, 3), (2, 3)),
    ("sum_to_size_tuple", lambda lib, x: x.sum_to_size((3, 1)), (2, 3, 4)),
    ("renorm", lambda lib, x: lib.renorm(x, 2, 0, 1.5), (3, 4)),
    ("renorm_p1_dim", lambda lib, x: x.renorm(1, -1, 2.0), (2, 3, 4)),
    ("positive", lambda lib, x: lib.positive(x) * 2, (2, 3)),
    ("t_", lambda lib, x: (x * 1).t_(), (2, 3)),
    ("transpose_", lambda lib, x: (x * 1).transpose_(0, 2), (2, 3, 4)),
    ("swapaxes_", lambda lib, x: (x * 1).swapaxes_(0, 1), (2, 3)),
    ("swapdims_", lambda lib, x: (x * 1).swapdims_(-1, 0), (2, 3)),
    ("squeeze_", lambda lib, x: (x * 1).squeeze_(), (1, 3, 1)),
    ("squeeze_dim_", lambda lib, x: (x * 1).squeeze_(2), (1, 3, 1)),
    ("unsqueeze_", lambda lib, x: (x * 1).unsqueeze_(-1), (2, 3)),
    ("tril_", lambda lib, x: (x * 1).tril_(-1), (3, 4)),
    ("triu_", lambda lib, x: (x * 1).triu_(), (3, 4)),
    ("cumsum_", lambda lib, x: (x * 1).cumsum_(1), (3, 4)),
    ("cumprod_", lambda lib, x: (x * 1).cumprod_(0), (3, 4)),
]


@pytest.mark.parametrize("fn,shape", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_pytorch(fn, shape):
    check_op(fn, shape, low=0.5, high=2.0)


@pytest.mark.parametrize("kwargs", [{}, {"N": 3, "increasing": True}])
def test_vander(kwargs):
    # PyTorch's own vander backward fails (an in-place write to a saved tensor): compare the
    # values with it and check the gradients numerically, at zero as well
    check_op(lambda lib, x: lib.vander(x, **kwargs), (4,), grad=False)
    x = nptorch.tensor([0., 0.5, -1.5, 2.], dtype=nptorch.float64, requires_grad=True)
    assert gradcheck(lambda x: nptorch.vander(x, **kwargs), (x,))
    assert gradgradcheck(lambda x: nptorch.vander(x, **kwargs), (x,))


INTEGER = [
    ("tril_indices", lambda lib: lib.tril_indices(3, 4)),
    ("tril_indices_offset", lambda lib: lib.tril_indices(4, 3, -1, dtype=lib.int32)),
    ("triu_indices", lambda lib: lib.triu_indices(3, 3, 1)),
    ("triu_indices_empty", lambda lib: lib.triu_indices(0, 4)),
    ("vander_int", lambda lib: lib.vander(lib.tensor([1, 2, 3], dtype=lib.int32), 4)),
    ("vander_bool", lambda lib: lib.vander(lib.tensor([True, False]))),
    ("vander_zero", lambda lib: lib.vander(lib.tensor([0., 2.]), 3)),
    ("block_diag_promotes", lambda lib: lib.block_diag(lib.ones(1, 2, dtype=lib.int32),
                                                       lib.tensor([2.5]))),
    ("block_diag_empty", lambda lib: lib.block_diag()),
    ("cartesian_prod_int", lambda lib: lib.cartesian_prod(lib.tensor([1, 2]), lib.tensor([3, 4]))),
    ("combinations_int", lambda lib: lib.combinations(lib.arange(4), 2)),
    ("combinations_too_long", lambda lib: lib.combinations(lib.arange(2), 3)),
    ("tensor_split_out_of_order", lambda lib: lib.tensor_split(lib.arange(10), [3, 1, 20])),
    ("rot90_int", lambda lib: lib.arange(6).reshape(2, 3).rot90(1, (1, 0))),
    ("cumsum__int", lambda lib: lib.arange(5, dtype=lib.int32).cumsum_(0)),
    ("diagflat_2d", lambda lib: lib.diagflat(lib.arange(4).reshape(2, 2), 1)),
    ("column_stack_int", lambda lib: lib.column_stack([lib.arange(2), lib.ones(2, 2, dtype=lib.long)])),
]


@pytest.mark.parametrize("fn", [c[1] for c in INTEGER], ids=[c[0] for c in INTEGER])
def test_exact(fn):
    check_equal_to_torch(fn)


def test_predicates():
    for lib in (nptorch, torch):
        x = lib.ones(2, 3)
        assert x.is_same_size(lib.zeros(2, 3)) and not lib.is_same_size(x, lib.ones(3, 2))
        assert lib.tensor([[2.]]).is_nonzero() and not lib.is_nonzero(lib.tensor([0]))
        assert [lib.ones(1, dtype=d).is_signed() for d in
                (lib.uint8, lib.bool, lib.int8, lib.float32)] == [False, False, True, True]
        assert lib.positive(x) is x


def test_views_share_memory():
    x = nptorch.arange(12.)
    assert x.ravel()._base is x and nptorch.ravel(x.reshape(3, 4).t())._base is None
    for piece in nptorch.tensor_split(x, 5) + x.reshape(3, 4).hsplit(2):
        assert piece._base is x
    s = x.as_strided((2, 2), (1, 1), 3)
    assert s._base is x
    x[4] = 40.
    assert s.tolist() == [[3., 40.], [40., 5.]]
    s[0, 0] = 30.
    assert x[3].item() == 30.
    assert x.narrow_copy(0, 0, 2)._base is None


def test_as_strided_of_view_starts_at_its_offset():
    x = nptorch.arange(12.)
    assert x[2:].as_strided((2, 2), (1, 1)).tolist() == [[2., 3.], [3., 4.]]
    assert x.reshape(3, 4)[1].as_strided((2,), (4,)).tolist() == [4., 8.]


def test_in_place_shape_methods_keep_the_object():
    x = nptorch.tensor([[1., 2., 3.]], requires_grad=True)
    y = x * 2
    version = y._version
    assert y.t_() is y and y.shape == (3, 1) and y._version == version + 1
    assert y.squeeze_() is y and y.shape == (3,)
    assert y.unsqueeze_(0).swapdims_(0, 1).shape == (3, 1)
    (y * nptorch.tensor([[1.], [2.], [3.]])).sum().backward()
    assert x.grad.tolist() == [[2., 4., 6.]]
    base = nptorch.zeros(3, 4)
    view = base[:2]
    view.t_()
    assert view.shape == (4, 2) and view._base is base
    view[0, 1] = 5.
    assert base[1, 0].item() == 5.


ERRORS = [
    ("tensor_split_0d", lambda lib: lib.tensor_split(lib.tensor(1.), 2)),
    ("tensor_split_zero", lambda lib: lib.tensor_split(lib.ones(3), 0)),
    ("tensor_split_float_tensor", lambda lib: lib.tensor_split(lib.ones(3), lib.tensor([1.]))),
    ("tensor_split_2d_tensor", lambda lib: lib.tensor_split(lib.ones(3), lib.tensor([[1]]))),
    ("hsplit_0d", lambda lib: lib.hsplit(lib.tensor(1.), 1)),
    ("hsplit_indivisible", lambda lib: lib.hsplit(lib.ones(10), 3)),
    ("vsplit_1d", lambda lib: lib.vsplit(lib.ones(4), 2)),
    ("dsplit_indivisible", lambda lib: lib.ones(1, 2, 4).dsplit(3)),
    ("split_with_sizes", lambda lib: lib.ones(10).split_with_sizes([3, 6])),
    ("column_stack_empty", lambda lib: lib.column_stack([])),
    ("rot90_1d", lambda lib: lib.rot90(lib.ones(3))),
    ("rot90_same_dims", lambda lib: lib.rot90(lib.ones(2, 3), 1, [0, -2])),
    ("rot90_three_dims", lambda lib: lib.rot90(lib.ones(2, 3), 1, [0, 1, 2])),
    ("block_diag_3d", lambda lib: lib.block_diag(lib.ones(2), lib.ones(1, 2, 2))),
    ("cartesian_prod_2d", lambda lib: lib.cartesian_prod(lib.ones(2, 3))),
    ("cartesian_prod_dtypes", lambda lib: lib.cartesian_prod(lib.ones(2), lib.ones(2).long())),
    ("combinations_2d", lambda lib: lib.combinations(lib.ones(2, 2))),
    ("combinations_negative", lambda lib: lib.combinations(lib.ones(2), -1)),
    ("tril_indices_float", lambda lib: lib.tril_indices(3, 3, dtype=lib.float32)),
    ("triu_indices_bool", lambda lib: lib.triu_indices(3, 3, dtype=lib.bool)),
    ("vander_2d", lambda lib: lib.vander(lib.ones(2, 2))),
    ("vander_negative", lambda lib: lib.vander(lib.ones(2), -1)),
    ("as_strided_lengths", lambda lib: lib.ones(4).as_strided((2, 2), (1,))),
    ("as_strided_negative", lambda lib: lib.ones(4).as_strided((2,), (-1,))),
    ("as_strided_offset", lambda lib: lib.ones(4).as_strided((2,), (1,), -1)),
    ("as_strided_bounds", lambda lib: lib.arange(12.).as_strided((3, 3), (4, 1), 10)),
    ("sum_to_size", lambda lib: lib.ones(2, 3).sum_to_size(2, 2)),
    ("sum_to_size_longer", lambda lib: lib.ones(2, 3).sum_to_size(1, 2, 3)),
    ("renorm_p", lambda lib: lib.renorm(lib.ones(2, 3), 0, 0, 1.)),
    ("renorm_maxnorm", lambda lib: lib.renorm(lib.ones(2, 3), 2, 0, -1.)),
    ("renorm_1d", lambda lib: lib.ones(3).renorm(2, 0, 1.)),
    ("renorm_int", lambda lib: lib.ones(2, 3, dtype=lib.long).renorm(2, 0, 1.)),
    ("is_nonzero_many", lambda lib: lib.ones(2).is_nonzero()),
    ("is_nonzero_empty", lambda lib: lib.ones(0).is_nonzero()),
    ("positive_bool", lambda lib: lib.positive(lib.tensor([True]))),
    ("t__3d", lambda lib: lib.ones(2, 3, 4).t_()),
    ("t__leaf", lambda lib: lib.ones(2, 3, requires_grad=True).t_()),
]


@pytest.mark.parametrize("fn", [c[1] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(fn):
    check_same_error_as_torch(fn)


@pytest.mark.parametrize("args", [(1, 3, 2), (0, 2, 1), (1, 1, 1), (-1, 6, 3), (0, 4, 4), (1, 2, 5)])
def test_unfold(args):
    check_op(lambda lib, x: x.unfold(*args), (4, 6))


def test_unfold_is_a_view_and_handles_scalars_and_strided_input():
    x = nptorch.zeros(5)
    windows = x.unfold(0, 2, 1)
    x[1] = 7.0
    assert windows[:2].tolist() == [[0.0, 7.0], [7.0, 0.0]]
    assert nptorch.tensor(3.0).unfold(0, 1, 1).tolist() == [3.0]
    assert nptorch.arange(10.0)[::2].unfold(0, 2, 2).tolist() == [[0.0, 2.0], [4.0, 6.0]]


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.arange(7.0).unfold(0, 8, 1), RuntimeError,
     "maximum size for tensor at dimension 0 is 7 but size is 8"),
    (lambda lib: lib.arange(7.0).unfold(0, 2, 0), RuntimeError, "step is 0 but must be > 0"),
    (lambda lib: lib.arange(7.0).unfold(1, 2, 1), IndexError, "Dimension out of range"),
    (lambda lib: lib.tensor(3.0).unfold(0, 2, 1), RuntimeError,
     "maximum size for tensor at dimension 0 is 1 but size is 2"),
])
def test_unfold_errors(call, error, message):
    check_error_like_torch(call, error, message)


def test_flatten_of_empty_tensors():
    for shape, start in (((0, 3, 5, 4), 2), ((0, 3), 0), ((2, 0, 3), 1)):
        assert nptorch.zeros(*shape).flatten(start).shape == torch.zeros(*shape).flatten(start).shape
