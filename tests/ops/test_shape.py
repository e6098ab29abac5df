"""Shape ops compared with PyTorch: values, gradients, views and errors."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_error

torch = pytest.importorskip("torch")

CASES = [
    ("reshape", lambda lib, x: x.reshape(4, -1), (2, 3, 4)),
    ("reshape_tuple_fn", lambda lib, x: lib.reshape(x, (-1,)), (2, 3)),
    ("reshape_as", lambda lib, x: x.reshape_as(lib.ones(3, 2)), (2, 3)),
    ("flatten", lambda lib, x: x.flatten(), (2, 3, 4)),
    ("flatten_range", lambda lib, x: lib.flatten(x, 1, -1), (2, 3, 4)),
    ("flatten_same_dim", lambda lib, x: x.flatten(1, 1), (2, 3)),
    ("flatten_0d", lambda lib, x: x.flatten(), ()),
    ("unflatten", lambda lib, x: x.unflatten(1, (2, -1)), (2, 6)),
    ("unflatten_neg", lambda lib, x: lib.unflatten(x, -1, (3, 2)), (2, 6)),
    ("squeeze_all", lambda lib, x: x.squeeze(), (1, 3, 1, 2)),
    ("squeeze_dim", lambda lib, x: lib.squeeze(x, -2), (1, 3, 1, 2)),
    ("squeeze_not_one", lambda lib, x: x.squeeze(1), (1, 3, 1, 2)),
    ("squeeze_tuple", lambda lib, x: x.squeeze((0, 1, 2)), (1, 3, 1, 2)),
    ("unsqueeze", lambda lib, x: x.unsqueeze(1), (2, 3)),
    ("unsqueeze_neg", lambda lib, x: lib.unsqueeze(x, -1), (2, 3)),
    ("permute_varargs", lambda lib, x: x.permute(2, 0, 1), (2, 3, 4)),
    ("permute_tuple_neg", lambda lib, x: lib.permute(x, (-1, 1, 0)), (2, 3, 4)),
    ("transpose", lambda lib, x: x.transpose(0, 2), (2, 3, 4)),
    ("transpose_neg", lambda lib, x: lib.transpose(x, -1, -2), (2, 3, 4)),
    ("transpose_0d", lambda lib, x: x.transpose(0, -1), ()),
    ("swapaxes", lambda lib, x: x.swapaxes(0, 1), (2, 3)),
    ("swapdims", lambda lib, x: lib.swapdims(x, 1, 0), (2, 3)),
    ("movedim_int", lambda lib, x: x.movedim(0, -1), (2, 3, 4)),
    ("movedim_tuple", lambda lib, x: lib.movedim(x, (0, 1), (2, 0)), (2, 3, 4)),
    ("moveaxis", lambda lib, x: lib.moveaxis(x, 2, 0), (2, 3, 4)),
    ("expand", lambda lib, x: x.expand(2, 3, -1), (3, 1)),
    ("expand_as", lambda lib, x: x.expand_as(lib.ones(2, 3, 4)), (1, 4)),
    ("repeat", lambda lib, x: x.repeat(2, 3), (2, 3)),
    ("repeat_new_dims", lambda lib, x: x.repeat(2, 1, 2), (3,)),
    ("tile_short", lambda lib, x: x.tile((2,)), (2, 3)),
    ("tile_fn", lambda lib, x: lib.tile(x, (2, 1, 1)), (2, 3)),
    ("cat", lambda lib, x: lib.cat([x, x * 2], 0), (2, 3)),
    ("cat_neg_dim", lambda lib, x: lib.cat((x, x[:, :1]), dim=-1), (2, 3)),
    ("concat", lambda lib, x: lib.concat([x, x], 1), (2, 3)),
    ("concatenate", lambda lib, x: lib.concatenate([x, x], axis=0), (2, 3)),
    ("stack", lambda lib, x: lib.stack([x, x * 3]), (2, 3)),
    ("stack_last", lambda lib, x: lib.stack([x, x], dim=-1), (2, 3)),
    ("hstack_1d", lambda lib, x: lib.hstack([x, x[:2]]), (3,)),
    ("hstack_2d", lambda lib, x: lib.hstack([x, x]), (2, 3)),
    ("vstack", lambda lib, x: lib.vstack([x, x * 2]), (3,)),
    ("dstack", lambda lib, x: lib.dstack([x, x]), (2, 3)),
    ("atleast_3d", lambda lib, x: lib.atleast_3d(x), (3,)),
    ("split_int", lambda lib, x: x.split(2), (5, 2)),
    ("split_sizes", lambda lib, x: lib.split(x, [1, 3], dim=1), (2, 4)),
    ("chunk", lambda lib, x: x.chunk(3, -1), (2, 5)),
    ("chunk_fn", lambda lib, x: lib.chunk(x, 2), (4, 2)),
    ("unbind", lambda lib, x: x.unbind(1), (2, 3)),
    ("unbind_fn", lambda lib, x: lib.unbind(x), (2, 3)),
    ("flip", lambda lib, x: x.flip(0), (2, 3)),
    ("flip_dims", lambda lib, x: lib.flip(x, (0, -1)), (2, 3, 4)),
    ("fliplr", lambda lib, x: lib.fliplr(x), (2, 3)),
    ("roll_flat", lambda lib, x: x.roll(2), (2, 3)),
    ("roll_dim", lambda lib, x: lib.roll(x, -1, 1), (2, 3)),
    ("roll_dims", lambda lib, x: x.roll((1, 2), (0, -1)), (2, 3, 4)),
    ("narrow", lambda lib, x: x.narrow(1, 1, 2), (2, 4)),
    ("narrow_neg_start", lambda lib, x: lib.narrow(x, -1, -3, 2), (2, 4)),
    ("select", lambda lib, x: x.select(1, -1), (2, 3, 4)),
    ("tril", lambda lib, x: x.tril(), (3, 4)),
    ("tril_diag", lambda lib, x: lib.tril(x, diagonal=-1), (2, 3, 4)),
    ("triu", lambda lib, x: x.triu(1), (3, 4)),
    ("triu_batched", lambda lib, x: lib.triu(x, -1), (2, 3, 3)),
    ("diag_vector", lambda lib, x: lib.diag(x), (3,)),
    ("diag_vector_offset", lambda lib, x: x.diag(-1), (3,)),
    ("diag_matrix", lambda lib, x: lib.diag(x, 1), (3, 4)),
    ("diagonal", lambda lib, x: x.diagonal(), (3, 4)),
    ("diagonal_dims", lambda lib, x: lib.diagonal(x, -1, 0, 2), (3, 2, 4)),
    ("diag_embed", lambda lib, x: x.diag_embed(), (2, 3)),
    ("diag_embed_dims", lambda lib, x: lib.diag_embed(x, 1, 0, 2), (2, 3)),
]


@pytest.mark.parametrize("fn, shape", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_op(fn, shape):
    check_op(fn, shape)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.view(3, 2),
    lambda lib, x: x.view(-1),
    lambda lib, x: x.view((1, 6)),
    lambda lib, x: x.view_as(lib.ones(6, 1)),
], ids=["view", "view_infer", "view_tuple", "view_as"])
def test_view(fn):
    check_op(fn, (2, 3), noncontiguous=False)


@pytest.mark.parametrize("fn", [
    lambda x: x.transpose(0, 1).repeat(2, 1).roll(1, 0),
    lambda x: x.diagonal().diag_embed() * x,
    lambda x: nptorch.cat([x, x.flip(1)]).tril() ** 2,
    lambda x: nptorch.stack(x.unbind(1)).pow(2),
], ids=["transpose_repeat_roll", "diagonal_embed", "cat_flip_tril", "unbind_stack"])
def test_double_backward(fn):
    x = nptorch.tensor(np.random.default_rng(0).standard_normal((3, 3)), requires_grad=True)
    assert gradgradcheck(lambda x: fn(x), [x])


def test_cat_skips_empty_1d_and_promotes():
    for lib in (nptorch, torch):
        a = lib.ones(2, 2, dtype=lib.int32)
        b = lib.tensor([[0.5, 1.5]], dtype=lib.float64, requires_grad=True)
        out = lib.cat([lib.zeros(0), a, b])
        assert out.dtype == lib.float64 and tuple(out.shape) == (3, 2)
        (out * lib.arange(6.).reshape(3, 2)).sum().backward()
        np.testing.assert_allclose(np.asarray(b.grad), [[4., 5.]])
        np.testing.assert_allclose(np.asarray(out.detach()), [[1, 1], [1, 1], [0.5, 1.5]])
    assert tuple(nptorch.cat([nptorch.zeros(0), nptorch.zeros(0)]).shape) == (0,)
    out = nptorch.empty(2, 2)
    assert nptorch.stack([nptorch.ones(2), nptorch.zeros(2)], out=out) is out
    assert out.tolist() == [[1., 1.], [0., 0.]]


def test_view_shares_memory_and_version():
    x = nptorch.arange(6.)
    v = x.view(2, 3)
    assert v._base is x and v.data_ptr() == x.data_ptr()
    with nptorch.no_grad():
        v[1, 2] = 50.
        v.mul_(2)
    assert x.tolist() == [0., 2., 4., 6., 8., 100.]
    assert x._version == v._version == 2


@pytest.mark.parametrize("make", [
    lambda x: x.reshape(3, 4), lambda x: x.squeeze(0), lambda x: x.unsqueeze(0),
    lambda x: x.permute(1, 2, 0), lambda x: x.transpose(1, 2), lambda x: x.movedim(0, 1),
    lambda x: x.expand(2, 1, 3, 4), lambda x: x.narrow(2, 1, 2), lambda x: x.split(2, 2)[1],
    lambda x: x.chunk(3, 1)[2], lambda x: x.unbind(1)[0], lambda x: x.diagonal(0, 1, 2),
    lambda x: x.flatten(), lambda x: x.unflatten(2, (2, 2)), lambda x: x.select(1, 0),
], ids=["reshape", "squeeze", "unsqueeze", "permute", "transpose", "movedim", "expand", "narrow",
        "split", "chunk", "unbind", "diagonal", "flatten", "unflatten", "select"])
def test_views_share_storage(make):
    x = nptorch.arange(12.).reshape(1, 3, 4).clone()
    v = make(x)
    assert v._base is x and np.shares_memory(v.numpy(), x.numpy())
    assert x._version_counter is v._version_counter


def test_copies_are_not_views():
    x = nptorch.arange(6.).reshape(2, 3).clone()
    for y in (x.flip(0), x.roll(1), x.repeat(1, 1), x.tril(), nptorch.cat([x]), x.diag(),
              x.t().reshape(6)):
        assert y._base is None and not np.shares_memory(y.numpy(), x.numpy())


def test_view_non_viewable_raises_but_reshape_copies():
    x = nptorch.arange(6.).reshape(2, 3).t()
    check_error(lambda: x.view(6), RuntimeError,
                r"view size is not compatible with input tensor's size and stride \(at least one "
                r"dimension spans across two contiguous subspaces\). Use \.reshape\(\.\.\.\) instead\.")
    assert x.reshape(6).tolist() == [0., 3., 1., 4., 2., 5.]
    assert tuple(x.view(3, 1, 2).shape) == (3, 1, 2)  # splitting a dim is still a view


def test_view_dtype():
    x = nptorch.tensor([1.0, -2.0], dtype=nptorch.float32)
    v = x.view(nptorch.int32)
    assert v.dtype == nptorch.int32
    assert v.tolist() == torch.tensor([1.0, -2.0]).view(torch.int32).tolist()
    assert v._base is x


def test_iteration():
    x = nptorch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    rows = list(x)
    assert [r.tolist() for r in rows] == [[1., 2.], [3., 4.]]
    (rows[0] * 2 + rows[1]).sum().backward()
    assert x.grad.tolist() == [[2., 2.], [1., 1.]]
    a, b = nptorch.arange(2)
    assert (a.item(), b.item()) == (0, 1)
    check_error(lambda: iter(nptorch.tensor(1.)), TypeError, "iteration over a 0-d tensor")


def test_split_chunk_sizes_match_torch():
    for n, k in [(5, 3), (5, 4), (6, 3), (0, 2)]:
        ours = [tuple(p.shape) for p in nptorch.ones(n).chunk(k)]
        theirs = [tuple(p.shape) for p in torch.ones(n).chunk(k)]
        assert ours == theirs
    assert [tuple(p.shape) for p in nptorch.ones(0).split(2)] == [(0,)]


X = nptorch.ones(2, 3)
ERRORS = [
    (lambda: X.view(4), RuntimeError, r"shape '\[4\]' is invalid for input of size 6"),
    (lambda: X.reshape(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda: X.flatten(1, 0), RuntimeError, "start_dim cannot come after end_dim"),
    (lambda: X.unflatten(1, (2, 2)), RuntimeError,
     r"unflatten: Provided sizes \[2, 2\] don't multiply up to the size of dim 1 \(3\)"),
    (lambda: X.unflatten(1, ()), RuntimeError, "unflatten: sizes must be non-empty"),
    (lambda: X.squeeze((0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: X.unsqueeze(3), IndexError, r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"),
    (lambda: X.permute(0), RuntimeError, r"input.dim\(\) = 2 is not equal to len\(dims\) = 1"),
    (lambda: X.permute(0, -2), RuntimeError, r"permute\(\): duplicate dims are not allowed."),
    (lambda: X.transpose(0, 2), IndexError, "Dimension out of range"),
    (lambda: X.movedim((0, 1), (0,)), RuntimeError,
     r"movedim: Invalid source or destination dims: source \(\[0, 1\] dims\) should contain the same number of dims as destination \(\[0\] dims\)"),
    (lambda: X.movedim((0, 0), (0, 1)), RuntimeError, r"movedim: repeated dim in `source` \(\[0, 0\]\)"),
    (lambda: X.movedim((0, 1), (1, 1)), RuntimeError, r"movedim: repeated dim in `destination` \(\[1, 1\]\)"),
    (lambda: X.expand(3, 3), RuntimeError, r"The expanded size of the tensor \(3\) must match the existing size \(2\)"),
    (lambda: X.expand(3), RuntimeError, r"the number of sizes provided \(1\) must be greater or equal"),
    (lambda: X.expand(-1, 2, 3), RuntimeError, "isn't allowed in a leading, non-existing dimension 0"),
    (lambda: X.repeat(2), RuntimeError, "Number of dimensions of repeat dims can not be smaller"),
    (lambda: nptorch.cat([]), ValueError, r"torch.cat\(\): expected a non-empty list of Tensors"),
    (lambda: nptorch.cat([X, nptorch.ones(2, 4)]), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list."),
    (lambda: nptorch.cat([X, nptorch.ones(3)]), RuntimeError, "Tensors must have same number of dimensions: got 2 and 1"),
    (lambda: nptorch.cat([nptorch.tensor(1.)]), RuntimeError,
     r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
    (lambda: nptorch.cat([X, X], 2), IndexError, "Dimension out of range"),
    (lambda: nptorch.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda: nptorch.stack([X, nptorch.ones(2, 4)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"),
    (lambda: X.split(0), RuntimeError, "split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    (lambda: X.split([1, 1], 1), RuntimeError,
     r"split_with_sizes expects split_sizes to sum exactly to 3 \(input tensor's size at dimension 1\), but got split_sizes=\[1, 1\]"),
    (lambda: X.chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    (lambda: X.roll((1, 2), 0), RuntimeError, "shifts and dimensions must align. shifts: 2, dims:1"),
    (lambda: X.roll((1, 2)), RuntimeError, "shifts and dimensions must align. shifts: 2, dims:0"),
    (lambda: X.flip(0, 0), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: X.narrow(1, 4, 1), IndexError, r"start out of range \(expected to be in range of \[-3, 3\], but got 4\)"),
    (lambda: X.narrow(1, 2, 3), RuntimeError, r"start \(2\) \+ length \(3\) exceeds dimension size \(3\)."),
    (lambda: X.narrow(1, 1, -1), RuntimeError, r"narrow\(\): length must be non-negative."),
    (lambda: X.select(0, 5), IndexError, r"select\(\): index 5 out of range for tensor of size \[2, 3\] at dimension 0"),
    (lambda: nptorch.ones(3).tril(), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda: nptorch.ones(3).triu(), RuntimeError, "triu: input tensor must have at least 2 dimensions"),
    (lambda: nptorch.ones(2, 2, 2).diag(), RuntimeError, r"diag\(\): Supports 1D or 2D tensors. Got 3D"),
    (lambda: X.diagonal(0, 1, -1), RuntimeError, "diagonal dimensions cannot be identical 1, -1"),
    (lambda: X.diag_embed(0, 0, -3), RuntimeError, "diagonal dimensions cannot be identical 0, -3"),
]


@pytest.mark.parametrize("fn, exc, match", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, exc, match):
    check_error(fn, exc, match)
