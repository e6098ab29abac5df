"""Indexing ops compared with PyTorch: getitem/setitem, gather/scatter, sorting, unique, errors."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_error

torch = pytest.importorskip("torch")

# distinct values for the sorting ops
DISTINCT = np.random.default_rng(3).permutation(24).reshape(2, 3, 4).astype(np.float32) / 4 - 3


def _t(lib, v):
    return lib.tensor(v)


GETITEM = [
    ("int", lambda lib, x: x[1]),
    ("neg_int", lambda lib, x: x[-1, -2]),
    ("all_ints_0d", lambda lib, x: x[1, 2, 3]),
    ("slice", lambda lib, x: x[:, 1:]),
    ("slice_step", lambda lib, x: x[::2, ::2, 1::3]),
    ("slice_neg_bounds", lambda lib, x: x[:, -2:, :-1]),
    ("none", lambda lib, x: x[None, :, None]),
    ("ellipsis", lambda lib, x: x[..., 1]),
    ("ellipsis_none", lambda lib, x: x[0, ..., None]),
    ("tensor", lambda lib, x: x[_t(lib, [2, 0])]),
    ("tensor_repeated", lambda lib, x: x[_t(lib, [1, 1, 2, 1])]),
    ("tensor_2d", lambda lib, x: x[:, _t(lib, [[0, 2], [2, 2]])]),
    ("tensor_0d", lambda lib, x: x[:, _t(lib, 1)]),
    ("list", lambda lib, x: x[[0, 2, 0]]),
    ("numpy_array", lambda lib, x: x[:, :, np.array([3, 3, -1])]),
    ("two_adjacent_arrays", lambda lib, x: x[:, [0, 1, 1], [3, 3, 0]]),
    ("separated_arrays", lambda lib, x: x[[0, 1], :, [3, 3]]),
    ("int_then_array", lambda lib, x: x[0, :, [0, 2]]),
    ("array_int_slice", lambda lib, x: x[[2, 0], 1, 1:]),
    ("broadcast_arrays", lambda lib, x: x[_t(lib, [[0], [2]]), _t(lib, [1, 1, 0])]),
    ("bool_mask", lambda lib, x: x[x > 0]),
    ("bool_mask_dim", lambda lib, x: x[:, _t(lib, [True, False, True])]),
    ("bool_mask_2d", lambda lib, x: x[_t(lib, [[True, False, True], [False, False, True], [True, True, False]])]),
    ("bool_list", lambda lib, x: x[[True, False, True]]),
    ("bool_and_int_array", lambda lib, x: x[_t(lib, [False, True, True]), :, _t(lib, [0, 0])]),
    ("bool_scalar", lambda lib, x: x[True]),
    ("bool_scalar_false", lambda lib, x: x[False, 1]),
    ("mixed_everything", lambda lib, x: x[None, [1, 1], ..., 1:3]),
]


@pytest.mark.parametrize("fn", [c[1] for c in GETITEM], ids=[c[0] for c in GETITEM])
def test_getitem(fn):
    check_op(fn, (3, 3, 4))


def test_getitem_repeated_indices_accumulate():
    x = nptorch.tensor([1., 2., 3.], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3., 0., 1.]


def test_basic_indexing_is_a_view():
    x = nptorch.arange(12.).reshape(3, 4).clone()
    for v in (x[1], x[:, 1::2], x[None, ..., 0], x[1, 2]):
        assert v._base is x and np.shares_memory(v.numpy(), x.numpy())
    assert x[[0, 1]]._base is None
    v = x[1, 2]
    with nptorch.no_grad():
        v.add_(100)
    assert x[1, 2].item() == 106. and x._version == v._version == 1


def test_getitem_double_backward():
    x = nptorch.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert gradgradcheck(lambda x: x[[0, 0, 2]][:, 1::2] ** 2, [x])
    assert gradgradcheck(lambda x: x[x > 0] ** 3, [x])


def _setitem_program(lib):
    w = lib.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    v = lib.tensor([10., 20.], requires_grad=True)
    y = w * 2
    y[:, 0] = v
    y[1, [1, 1]] = v[0] * 3
    y[0] += 1
    y[:, 2] *= 3
    y[y > 25] = 0.
    (y * lib.arange(6.).reshape(2, 3)).sum().backward()
    return y, w.grad, v.grad


def test_setitem_autograd_matches_torch():
    ours, theirs = _setitem_program(nptorch), _setitem_program(torch)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())


def test_setitem_plus_equals_on_non_leaf():
    for lib in (nptorch, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 2
        y[:, 0] += 1
        (y ** 2).sum().backward()
        assert y.tolist() == [[3., 2., 2.], [3., 2., 2.]]
        assert x.grad.tolist() == [[12., 8., 8.], [12., 8., 8.]]


def test_setitem_values():
    x = nptorch.zeros(2, 3)
    x[0] = 5
    x[1, 1:] = nptorch.tensor([1., 2.], dtype=nptorch.float64)  # cast to self's dtype
    x[:, 0] = nptorch.tensor([7, 8])
    x[0] = nptorch.ones(1, 1, 3)  # leading size-1 dims, as in PyTorch
    assert x.dtype == nptorch.float32
    assert x.tolist() == [[1., 1., 1.], [8., 1., 2.]]
    assert x._version == 4
    xi = nptorch.zeros(3, dtype=nptorch.int64)
    xi[[0, 2]] = 1.7
    assert xi.tolist() == [1, 0, 1]


@pytest.mark.parametrize("value", ["a", None, [7, 8], (7, 8), np.array([7.0, 8.0]), object()])
def test_setitem_refuses_what_is_not_a_number_or_tensor(value):
    for dtype in ("float32", "int64"):
        x = nptorch.zeros(2, dtype=getattr(nptorch, dtype))
        with pytest.raises(TypeError) as ours:
            x[:] = value
        t = torch.zeros(2, dtype=getattr(torch, dtype))
        with pytest.raises(TypeError) as theirs:
            t[:] = value
        assert str(ours.value) == str(theirs.value)
        assert x.tolist() == [0, 0]


def test_setitem_gradient_to_value_sums_broadcast():
    for lib in (nptorch, torch):
        y = lib.zeros(3, 4)
        v = lib.tensor([1., 2., 3., 4.], requires_grad=True)
        s = lib.tensor(2., requires_grad=True)
        y[1:] = v
        y[0, ::2] = s
        (y * lib.arange(12.).reshape(3, 4)).sum().backward()
        assert v.grad.tolist() == [12., 14., 16., 18.] and s.grad.item() == 2.


def test_setitem_double_backward():
    def f(x, v):
        y = x * x
        y[:, 1] = v ** 2
        return y * x
    x = nptorch.tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    v = nptorch.tensor([0.5, -1.5], dtype=nptorch.float64, requires_grad=True)
    assert gradgradcheck(f, [x, v])


def test_setitem_on_leaf_requiring_grad():
    x = nptorch.ones(3, requires_grad=True)
    check_error(lambda: x.__setitem__(0, 2.), RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation.")
    with nptorch.no_grad():
        x[0] = 2.
    assert x.tolist() == [2., 1., 1.]


I = np.array([[0, 2, 1, 0], [2, 2, 0, 1]], np.int64)  # index into dim 0 of a (3, 4)
REPEAT_ROWS = np.array([0, 2, 0], np.int64)

CASES = [
    ("gather_dim0", lambda lib, x, i: x.gather(0, i), (3, 4), I),
    ("gather_dim1_small_index", lambda lib, x, i: lib.gather(x, 1, i[:, :2].T), (3, 4), I),
    ("gather_neg_dim", lambda lib, x, i: x.gather(-2, i), (3, 4), I),
    ("scatter_src", lambda lib, x, i: x.scatter(0, i[:1], x[:1] * 3), (3, 4), I),
    ("scatter_value", lambda lib, x, i: x.scatter(0, i, 1.5), (3, 4), I),
    ("scatter_add", lambda lib, x, i: x.scatter_add(0, i, x[:2] * 2), (3, 4), I),
    ("scatter_add_fn", lambda lib, x, i: lib.scatter_add(x, -1, i.T[:3], x[:, :2] * 3), (3, 4), I),
    ("index_select", lambda lib, x, i: x.index_select(0, i), (3, 4), REPEAT_ROWS),
    ("index_select_dim1", lambda lib, x, i: lib.index_select(x, 1, i), (3, 4), REPEAT_ROWS),
    ("index_add", lambda lib, x, i: x.index_add(0, i, x * 2), (3, 4), REPEAT_ROWS),
    ("index_add_alpha", lambda lib, x, i: lib.index_add(x, 1, i, x[:, :3], alpha=-2), (3, 4), REPEAT_ROWS),
    ("index_fill", lambda lib, x, i: x.index_fill(1, i, -1.), (3, 4), REPEAT_ROWS),
    ("index_fill_tensor", lambda lib, x, i: x.index_fill(0, i, x[1, 1]), (3, 4), REPEAT_ROWS),
    ("index_put", lambda lib, x, i: x.index_put((i[1:],), x[0] * 3), (3, 4), REPEAT_ROWS),
    ("index_put_acc", lambda lib, x, i: x.index_put((i, i), x[0, :3], accumulate=True), (3, 4), REPEAT_ROWS),
    ("take", lambda lib, x, i: x.take(i * 3 - 1), (3, 4), I),
    ("take_along_dim", lambda lib, x, i: x.take_along_dim(i, 0), (3, 4), I),
    ("take_along_dim_bcast", lambda lib, x, i: lib.take_along_dim(x, i[:1, :1], 1), (3, 4), I),
    ("repeat_interleave_counts", lambda lib, x, i: x.repeat_interleave(i, 0), (3, 4), REPEAT_ROWS),
    ("repeat_interleave_one_count", lambda lib, x, i: x.repeat_interleave(i[1:2], -1), (3, 4), REPEAT_ROWS),
    ("repeat_interleave_int", lambda lib, x, i: lib.repeat_interleave(x, 2, dim=1, output_size=8), (3, 4), I),
    ("repeat_interleave_flat", lambda lib, x, i: x.repeat_interleave(lib.tensor(3)), (3, 4), I),
    ("take_along_dim_flat", lambda lib, x, i: lib.take_along_dim(x.contiguous(), (i * 5).contiguous()), (3, 4), I),
]


@pytest.mark.parametrize("fn, shape, index", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_op(fn, shape, index):
    check_op(fn, shape, index)


def test_scatter_src_larger_than_index():
    # only the part of src under index is read (PyTorch cannot differentiate this case)
    # no index repeats within a row: which write wins would be unspecified there
    rows = np.array([[0, 2], [3, 1], [1, 0]], np.int64)
    check_op(lambda lib, x, i: lib.scatter(x, 1, i, x * 2), (3, 4), rows, grad=False)
    x = nptorch.zeros(2, 3)
    src = nptorch.arange(1., 7.).reshape(2, 3).requires_grad_()
    out = x.scatter(1, nptorch.tensor([[2], [0]]), src)
    assert out.tolist() == [[0., 0., 1.], [4., 0., 0.]]
    out.sum().backward()
    assert src.grad.tolist() == [[1., 0., 0.], [1., 0., 0.]]


def test_repeat_interleave_of_counts_alone():
    for counts in ([2, 0, 1], [], [0, 3]):
        assert nptorch.repeat_interleave(nptorch.tensor(counts, dtype=nptorch.int64)).tolist() == \
            torch.repeat_interleave(torch.tensor(counts, dtype=torch.int64)).tolist()


def test_masked_select():
    check_op(lambda lib, x: x.masked_select(x > 0), (3, 4))
    check_op(lambda lib, x: lib.masked_select(x, lib.tensor([True, False, True, True])), (3, 4))
    check_op(lambda lib, x: x[0].masked_select(x > 0), (3, 4))


SORTING = [
    ("sort", lambda lib, x: x.sort()),
    ("sort_dim_desc", lambda lib, x: lib.sort(x, 1, descending=True)),
    ("sort_neg_dim", lambda lib, x: x.sort(dim=-3)),
    ("argsort", lambda lib, x: x.argsort(1, True)),
    ("topk", lambda lib, x: x.topk(2)),
    ("topk_smallest", lambda lib, x: lib.topk(x, 2, dim=1, largest=False)),
    ("kthvalue", lambda lib, x: x.kthvalue(2)),
    ("kthvalue_keepdim", lambda lib, x: lib.kthvalue(x, 3, 1, keepdim=True)),
]


@pytest.mark.parametrize("fn", [c[1] for c in SORTING], ids=[c[0] for c in SORTING])
def test_sorting(fn):
    check_op(fn, DISTINCT)


def test_sort_named_tuple_and_stable_ties():
    ties = [[2., 1., 2., 0., 1.], [3., 3., 3., 1., 3.]]
    for desc in (False, True):
        out = nptorch.tensor(ties).sort(descending=desc, stable=True)
        ref = torch.tensor(ties).sort(descending=desc, stable=True)
        assert out.values.tolist() == ref.values.tolist()
        assert out.indices.tolist() == ref.indices.tolist()
        assert out.indices.dtype == nptorch.int64
    assert type(out).__name__ == "sort" and type(nptorch.ones(3).topk(1)).__name__ == "topk"


def test_sort_scalar():
    values, indices = nptorch.tensor(3.).sort()
    assert values.item() == 3. and indices.item() == 0 and indices.dim() == 0


def test_nonzero_argwhere_unique_match_torch():
    data = [[3, 0, 3], [2, 0, 1]]
    for fn in [
        lambda lib, x: x.nonzero(),
        lambda lib, x: lib.nonzero(x, as_tuple=True),
        lambda lib, x: lib.argwhere(x),
        lambda lib, x: lib.nonzero(lib.tensor(5)),
        lambda lib, x: lib.tensor(0.).nonzero(as_tuple=True),
        lambda lib, x: x.unique(),
        lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True),
        lambda lib, x: lib.unique(x, return_counts=True),
        lambda lib, x: lib.unique(x, dim=1, return_inverse=True),
        lambda lib, x: lib.unique(x.float(), sorted=False),
    ]:
        ours, theirs = fn(nptorch, nptorch.tensor(data)), fn(torch, torch.tensor(data))
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert tuple(a.shape) == tuple(b.shape) and str(a.dtype)[8:] == str(b.dtype)[6:]
            assert a.tolist() == b.tolist()


def test_inplace_variants():
    i = nptorch.tensor([[0, 2, 1]])
    for name, args, expected in [
        ("scatter_", (0, i, 5.), [[5, 1, 1], [1, 1, 5], [1, 5, 1]]),
        ("scatter_add_", (0, i, nptorch.ones(1, 3)), [[2, 1, 1], [1, 1, 2], [1, 2, 1]]),
        ("index_add_", (1, nptorch.tensor([2, 2]), nptorch.ones(3, 2)), [[1, 1, 3]] * 3),
        ("index_fill_", (0, nptorch.tensor([1]), 0.), [[1, 1, 1], [0, 0, 0], [1, 1, 1]]),
        ("index_put_", ((nptorch.tensor([0]),), nptorch.tensor(4.)), [[4, 4, 4], [1, 1, 1], [1, 1, 1]]),
    ]:
        x = nptorch.ones(3, 3)
        assert getattr(x, name)(*args) is x
        assert x.tolist() == expected and x._version == 1


def test_inplace_scatter_autograd():
    for lib in (nptorch, torch):
        x = lib.ones(2, 3, requires_grad=True)
        src = lib.tensor([[1., 2., 3.]], requires_grad=True)
        y = x * 3
        y.scatter_add_(0, lib.tensor([[1, 0, 1]]), src * src)
        (y * lib.arange(6.).reshape(2, 3)).sum().backward()
        assert x.grad.tolist() == [[0., 3., 6.], [9., 12., 15.]]
        assert src.grad.tolist() == [[6., 4., 30.]]


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_reduce(reduce):
    index = [[0, 1, 0], [0, 0, 0]]
    outs = [lib.full((2, 3), 2.).scatter(0, lib.tensor(index), lib.tensor([[3., 4., 5.]] * 2),
                                          reduce=reduce) for lib in (nptorch, torch)]
    assert outs[0].tolist() == outs[1].tolist()
    w = nptorch.ones(2, 3, requires_grad=True)
    check_error(lambda: w.scatter(0, nptorch.tensor(index), 3., reduce=reduce),
                RuntimeError, "derivative for aten::scatter is not implemented")


X = nptorch.arange(6.).reshape(2, 3)
IDX = nptorch.tensor([[0, 1]])
ERRORS = [
    (lambda: X[5], IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: X[0, -4], IndexError, "index -4 is out of bounds for dimension 1 with size 3"),
    (lambda: X[nptorch.tensor([0, 5])], IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: X[:, [0, -4]], IndexError, "index -4 is out of bounds for dimension 1 with size 3"),
    (lambda: X[::-1], ValueError, "step must be greater than zero"),
    (lambda: X[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (lambda: X[1.5], IndexError, r"only integers, slices \(`:`\), ellipsis \(`\.\.\.`\), None and long or byte Variables are valid indices \(got float\)"),
    (lambda: X[nptorch.tensor([1.5])], IndexError, "tensors used as indices must be long, int, byte or bool tensors"),
    (lambda: X[[True, False, True]], IndexError,
     r"The shape of the mask \[3\] at index 0 does not match the shape of the indexed tensor \[2, 3\] at index 0"),
    (lambda: X[:, nptorch.tensor([True, False])], IndexError,
     r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor \[2, 3\] at index 1"),
    (lambda: X.clone().__setitem__([0, 1], nptorch.ones(3, dtype=nptorch.float64)), RuntimeError,
     "Index put requires the source and destination dtypes match, got Float for the destination and Double for the source."),
    (lambda: X.gather(0, nptorch.tensor([0])), RuntimeError, "Index tensor must have the same number of dimensions as input tensor"),
    (lambda: X.gather(0, nptorch.tensor([[0.]])), RuntimeError, r"gather\(\): Expected dtype int32/int64 for index"),
    (lambda: X.gather(0, nptorch.tensor([[0, 0, 0, 0]])), RuntimeError,
     r"Size does not match at dimension 1 expected index \[1, 4\] to be no larger than self \[2, 3\] apart from dimension 0"),
    (lambda: X.gather(0, nptorch.tensor([[0, 5]])), RuntimeError, "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: X.scatter(0, IDX, nptorch.ones(1, 1)), RuntimeError,
     r"Expected index \[1, 2\] to be no larger than self \[2, 3\] apart from dimension 0 and to be no larger size than src \[1, 1\]"),
    (lambda: X.scatter(0, IDX, nptorch.ones(1, 2, dtype=nptorch.float64)), RuntimeError,
     r"scatter\(\): Expected self.dtype to be equal to src.dtype"),
    (lambda: X.scatter(0, IDX, 1.0, reduce="foo"), RuntimeError, "reduce argument must be either add or multiply."),
    (lambda: X.scatter(0, IDX), TypeError, "missing required argument"),
    (lambda: X.scatter(0, nptorch.tensor([[0, 5]]), 1.), RuntimeError, "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: X.scatter_add(0, IDX, nptorch.ones(1, 1)), RuntimeError, "to be no larger size than src"),
    (lambda: X.index_select(0, nptorch.tensor([[0]])), IndexError, r"index_select\(\): Index is supposed to be a vector"),
    (lambda: X.index_select(0, nptorch.tensor([0.])), RuntimeError, r"index_select\(\): Expected dtype int32 or int64 for index"),
    (lambda: X.index_select(0, nptorch.tensor([3])), IndexError, "index out of range in self"),
    (lambda: X.index_add(0, nptorch.tensor([0]), nptorch.ones(1, 3, dtype=nptorch.float64)), RuntimeError,
     r"index_add_\(\): self \(Float\) and source \(Double\) must have the same scalar type"),
    (lambda: X.index_add(0, nptorch.tensor([0]), nptorch.ones(2, 3)), RuntimeError,
     r"index_add_\(\): Number of indices \(1\) should be equal to source.size\(dim\): \(2\), for dim: 0"),
    (lambda: X.index_add(0, nptorch.tensor([5]), nptorch.ones(1, 3)), RuntimeError,
     "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: X.index_fill(0, nptorch.tensor([5]), 1.), IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: X.index_fill(0, nptorch.tensor([0]), nptorch.tensor([1., 2.])), RuntimeError,
     r"index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension\(s\)."),
    (lambda: X.index_fill(0, nptorch.tensor([0], dtype=nptorch.int32), 1.), IndexError,
     r"index_fill_\(\): Expected dtype int64 for index."),
    (lambda: X.index_put((nptorch.tensor([0]),), nptorch.tensor(1, dtype=nptorch.int64)), RuntimeError,
     "Index put requires the source and destination dtypes match, got Float for the destination and Long for the source."),
    (lambda: X.masked_select(nptorch.tensor([1, 0, 1])), RuntimeError, "masked_select: expected BoolTensor for mask"),
    (lambda: X.masked_select(nptorch.ones(3, 3, dtype=nptorch.bool)), RuntimeError,
     r"The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 0"),
    (lambda: X.take(nptorch.tensor([7])), IndexError, "out of range: tried to access index 7 on a tensor of 6 elements."),
    (lambda: X.take(nptorch.tensor([1.])), RuntimeError, r"take\(\): Expected a long tensor for index, but got Float"),
    (lambda: X.take_along_dim(nptorch.tensor([[0.]]), 1), RuntimeError,
     r"torch.take_along_dim\(\): dtype of indices should be Long but got Float"),
    (lambda: X.take_along_dim(nptorch.tensor([0]), 1), RuntimeError,
     r"input and indices should have the same number of dimensions, but got 2 dimensions for input, and 1 dimensions for indices"),
    (lambda: X.repeat_interleave(nptorch.tensor([1, 2, 3]), 0), RuntimeError,
     r"repeats must have the same size as input along dim, but got repeats.size\(0\) = 3 and input.size\(0\) = 2"),
    (lambda: X.repeat_interleave(nptorch.tensor([1, -1]), 0), RuntimeError, "repeats can not be negative"),
    (lambda: X.repeat_interleave(-1), RuntimeError, "Repeats must be non-negative"),
    (lambda: X.repeat_interleave(2, 0, output_size=3), RuntimeError,
     "repeat_interleave: Invalid output_size, expected 4 but got 3"),
    (lambda: X.repeat_interleave(nptorch.tensor([1., 2.]), 0), NotImplementedError,
     "\"repeat_interleave_cpu\" not implemented for 'Float'"),
    (lambda: nptorch.repeat_interleave(nptorch.tensor([[1, 2]])), RuntimeError,
     "repeat_interleave only accept 1D vector as repeat"),
    (lambda: X.repeat_interleave(nptorch.tensor([[1, 2]]), 0), RuntimeError, "repeats must be 0-dim or 1-dim tensor"),
    (lambda: X.topk(4), RuntimeError, "selected index k out of range"),
    (lambda: X.kthvalue(4), RuntimeError, r"kthvalue\(\): selected number k out of range for dimension 1"),
    (lambda: X.kthvalue(0), RuntimeError, r"kthvalue\(\): selected number k out of range for dimension 1"),
    (lambda: X.sort(2), IndexError, "Dimension out of range"),
    (lambda: X.unique(dim=3), IndexError, "Dimension out of range"),
]


@pytest.mark.parametrize("fn, exc, match", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, exc, match):
    check_error(fn, exc, match)
