"""Matrix products, einsum and transposes compared with PyTorch, gradients and errors."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_error

torch = pytest.importorskip("torch")

MATMUL_SHAPES = [
    ((3,), (3,)),                 # vector . vector -> 0-d
    ((3,), (3, 4)),               # vector @ matrix
    ((2, 3), (3,)),               # matrix @ vector
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),          # batched @ matrix
    ((2, 3), (5, 3, 4)),          # matrix @ batched
    ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (4, 3, 2)),    # broadcast batch dims
    ((3,), (2, 5, 3, 4)),         # vector @ batched
    ((2, 5, 2, 3), (3,)),         # batched @ vector
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb):
    check_op(lambda lib, a, b: lib.matmul(a, b), sa, sb)
    check_op(lambda lib, a, b: a @ b, sa, sb, noncontiguous=False, seed=1)


PRODUCTS = [
    ("mm", lambda lib, a, b: lib.mm(a, b), (2, 3), (3, 4)),
    ("mm_method", lambda lib, a, b: a.mm(b), (1, 3), (3, 1)),
    ("bmm", lambda lib, a, b: lib.bmm(a, b), (4, 2, 3), (4, 3, 5)),
    ("mv", lambda lib, a, b: lib.mv(a, b), (2, 3), (3,)),
    ("dot", lambda lib, a, b: lib.dot(a, b), (4,), (4,)),
    ("outer", lambda lib, a, b: lib.outer(a, b), (3,), (4,)),
    ("ger", lambda lib, a, b: a.ger(b), (3,), (2,)),
    ("rmatmul", lambda lib, a, b: a.t() @ b, (3, 2), (3, 4)),
]


@pytest.mark.parametrize("name,fn,sa,sb", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_products(name, fn, sa, sb):
    check_op(fn, sa, sb)


ADDS = [
    ("addmm", lambda lib, c, a, b: lib.addmm(c, a, b), (2, 4), (2, 3), (3, 4)),
    ("addmm_scaled", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2), (4,), (2, 3),
     (3, 4)),
    ("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=-1.5), (1, 2, 4), (3, 2, 3),
     (3, 3, 4)),
    ("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b, beta=2), (2, 4), (3, 2, 3), (3, 3, 4)),
    ("addmv", lambda lib, c, a, b: lib.addmv(c, a, b, beta=3), (2,), (2, 3), (3,)),
    ("addr", lambda lib, c, a, b: lib.addr(c, a, b, alpha=2), (2, 3), (2,), (3,)),
]


@pytest.mark.parametrize("name,fn,sc,sa,sb", ADDS, ids=[p[0] for p in ADDS])
def test_scaled_products(name, fn, sc, sa, sb):
    check_op(fn, sc, sa, sb)


def test_addmm_beta_zero():
    check_op(lambda lib, a, b: lib.ones(2, 4).addmm(a, b, beta=0), (2, 3), (3, 4))


def test_addmm_beta_zero_ignores_nan_and_inplace_variant():
    c = nptorch.full((2, 2), float("nan"))
    out = nptorch.addmm(c, nptorch.eye(2), nptorch.ones(2, 2), beta=0)
    assert out.tolist() == [[1., 1.], [1., 1.]]
    c = nptorch.ones(2, 2)
    c.addmm_(nptorch.eye(2), nptorch.eye(2), alpha=2)
    assert c.tolist() == [[3., 1.], [1., 3.]]


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("i,i->", [(3,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij,ij->ij", [(2, 3), (1, 3)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("b...,b->...", [(2, 3, 4), (2,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum(eq, shapes):
    check_op(lambda lib, *xs: lib.einsum(eq, *xs), *shapes)


def test_einsum_operands_as_list():
    check_op(lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), (2, 3), (3, 4))


def test_einsum_integer():
    check_op(lambda lib, a: lib.einsum("ij->j", a), np.arange(6).reshape(2, 3), grad=False)


TRANSPOSES = [
    ("t", lambda lib, x: x.t(), (2, 3)),
    ("t_fn_1d", lambda lib, x: lib.t(x), (3,)),
    ("T", lambda lib, x: x.T, (2, 3)),
    ("T_3d", lambda lib, x: x.T, (2, 3, 4)),
    ("mT", lambda lib, x: x.mT, (2, 3, 4)),
    ("mH", lambda lib, x: x.mH, (3, 4)),
    ("H", lambda lib, x: x.H, (3, 4)),
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,fn,shape", TRANSPOSES, ids=[t[0] for t in TRANSPOSES])
def test_transposes(name, fn, shape):
    check_op(fn, shape)


def test_transposes_are_views():
    x = nptorch.zeros(2, 3)
    assert x.t()._base is x and x.T._base is x and x.mT._base is x
    assert np.shares_memory(x.t().numpy(), x.numpy())
    assert x.T.shape == (3, 2) and nptorch.ones(2, 3, 4).T.shape == (4, 3, 2)


def test_integer_matmul_and_dtypes():
    check_op(lambda lib, a, b: a @ b, np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4),
             grad=False)
    a = nptorch.ones(2, 2, dtype=nptorch.float64)
    assert (a @ a).dtype == nptorch.float64
    assert nptorch.dot(nptorch.ones(3), nptorch.ones(3)).shape == ()


@pytest.mark.parametrize("fn,shapes", [
    (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    (lambda a, b: a @ b, [(3,), (3,)]),
    (lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    (lambda a, b: a @ b, [(2, 1, 2, 3), (2, 3, 2)]),
    (lambda a, b: a.t() @ b.t(), [(3, 2), (2, 3)]),
    (lambda a, b: nptorch.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (2, 3, 2)]),
    (lambda a, b: nptorch.einsum("ii,i->i", a, b), [(3, 3), (3,)]),
])
def test_double_backward(fn, shapes):
    rng = np.random.default_rng(0)
    xs = [nptorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradgradcheck(fn, xs)


def test_gradients_of_transposed_operands_arrive_row_major():
    """``x @ w.t()`` (``linear``): the gradient of a transposed operand is computed transposed,
    as PyTorch does, so that it reaches the matrix row-major, with no transposing copy."""
    rng = np.random.default_rng(0)
    a, b = (nptorch.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 2), (4, 3)])
    seen = []
    for t in (a, b):
        t.register_hook(seen.append)
    dy = rng.standard_normal((2, 4))
    (a.t() @ b.t()).backward(nptorch.tensor(dy))
    assert all(g._data.flags.c_contiguous for g in seen) and len(seen) == 2
    np.testing.assert_allclose(a.grad.numpy(), (dy @ b.detach().numpy()).T)
    np.testing.assert_allclose(b.grad.numpy(), (a.detach().numpy() @ dy).T)


def test_gradient_of_a_tensor_used_twice():
    x = nptorch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    (x @ x).sum().backward()
    t = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    (t @ t).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


O = nptorch.ones
D = nptorch.float64
ERRORS = [
    (lambda: nptorch.mm(O(2, 3), O(4, 5)), "mat1 and mat2 shapes cannot be multiplied \\(2x3 and 4x5\\)"),
    (lambda: nptorch.mm(O(2), O(2, 2)), "self must be a matrix"),
    (lambda: nptorch.mm(O(2, 2), O(2)), "mat2 must be a matrix"),
    (lambda: nptorch.mm(O(2, 2), O(2, 2, dtype=D)),
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda: nptorch.matmul(O(2, 3), O(3, 2, dtype=nptorch.int64)),
     "expected m1 and m2 to have the same dtype, but got: float != long int"),
    (lambda: nptorch.bmm(O(2, 2, 3), O(3, 3, 5)),
     "Expected size for first two dimensions of batch2 tensor to be: \\[2, 3\\] but got: \\[3, 3\\]."),
    (lambda: nptorch.bmm(O(2, 3), O(2, 3, 3)), "batch1 must be a 3D tensor"),
    (lambda: nptorch.bmm(O(2, 2, 3), O(2, 3)), "batch2 must be a 3D tensor"),
    (lambda: nptorch.bmm(O(2, 2, 3), O(2, 3, 2, dtype=D)), "expected scalar type Float but found Double"),
    (lambda: nptorch.matmul(nptorch.tensor(1.), O(2, 2)),
     "both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    (lambda: nptorch.matmul(O(2, 3), O(4)), "size mismatch, got input \\(2\\), mat \\(2x3\\), vec \\(4\\)"),
    (lambda: nptorch.matmul(O(5, 2, 3), O(4)), "size mismatch, got input \\(10\\), mat \\(10x3\\), vec \\(4\\)"),
    (lambda: nptorch.matmul(O(3), O(4)), "inconsistent tensor size, expected tensor \\[3\\] and src \\[4\\]"),
    (lambda: nptorch.matmul(O(2), O(3, 2)), "mat1 and mat2 shapes cannot be multiplied \\(1x2 and 3x2\\)"),
    (lambda: nptorch.matmul(O(5, 2, 3), O(4, 2)), "mat1 and mat2 shapes cannot be multiplied \\(10x3 and 4x2\\)"),
    (lambda: nptorch.matmul(O(2, 2, 3), O(3, 3, 2)),
     "The size of tensor a \\(2\\) must match the size of tensor b \\(3\\) at non-singleton dimension 0"),
    (lambda: nptorch.matmul(O(3), O(5, 4, 2)),
     "Expected size for first two dimensions of batch2 tensor to be: \\[5, 3\\] but got: \\[5, 4\\]."),
    (lambda: nptorch.matmul(O(2, 2), O(2, dtype=D)),
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    (lambda: nptorch.mv(O(2), O(2)), "vector \\+ matrix @ vector expected, got 1, 1, 1"),
    (lambda: nptorch.dot(O(2, 2), O(2)), "1D tensors expected, but got 2D and 1D tensors"),
    (lambda: nptorch.dot(O(2), O(2, dtype=D)),
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    (lambda: nptorch.outer(O(2, 2), O(2)), "outer: Expected 1-D argument self, but got 2-D"),
    (lambda: nptorch.outer(O(2), O(2, 2)), "outer: Expected 1-D argument vec2, but got 2-D"),
    (lambda: nptorch.addmm(O(3, 3), O(2, 3), O(3, 2)),
     "The expanded size of the tensor \\(2\\) must match the existing size \\(3\\)"),
    (lambda: O(2, 2, 2).t(), "t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda: O(2).mT, "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."),
    (lambda: O(2).mH, "tensor.mH is only supported on matrices or batches of matrices"),
    (lambda: O(2, 3, 4).H, "tensor.H is only supported on matrices \\(2-D tensors\\). Got 3-D tensor. "
     "For batches of matrices, consider using tensor.mH"),
    (lambda: O(3).H, "Got 1-D tensor.$"),
    (lambda: nptorch.einsum("ij,jk->ik", O(2, 3), O(4, 2)),
     "einsum\\(\\): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    (lambda: nptorch.einsum("ij,jk->ik", O(2, 3)),
     "einsum\\(\\): fewer operands were provided than specified in the equation"),
    (lambda: nptorch.einsum("ij->", O(2, 3), O(2)),
     "einsum\\(\\): more operands were provided than specified in the equation"),
    (lambda: nptorch.einsum("ij->jk", O(2, 3)),
     "einsum\\(\\): output subscript k does not appear in the equation for any input operand"),
    (lambda: nptorch.einsum("i,i->ii", O(2), O(2)),
     "einsum\\(\\): output subscript i appears more than once in the output"),
    (lambda: nptorch.einsum("ii->i", O(2, 3)),
     "einsum\\(\\): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    (lambda: nptorch.einsum("ij->i", O(2, 3, 4)),
     "einsum\\(\\): the number of subscripts in the equation \\(2\\) does not match the number of "
     "dimensions \\(3\\) for operand 0 and no ellipsis was given"),
    (lambda: nptorch.einsum("i!->", O(2)),
     "einsum\\(\\): invalid subscript given at index 1 in the equation string, subscripts must be in \\[a-zA-Z\\]"),
    (lambda: nptorch.einsum("i,i->", O(2), O(2, dtype=D)), "expected scalar type Float but found Double"),
    (lambda: nptorch.cdist(O(3), O(2, 3)), "cdist only supports at least 2D tensors, X1 got: 1D"),
    (lambda: nptorch.cdist(O(2, 3), O(2, 4)), "X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
    (lambda: nptorch.cdist(O(2, 3), O(2, 3), -1), "cdist only supports non-negative p values"),
    (lambda: nptorch.einsum("...ij,...jk->...ik", O(5, 2, 3), O(4, 3, 2)),
     "einsum\\(\\): dimension 0 covered by ellipsis in operand 1 has size 4 which does not broadcast"),
]


@pytest.mark.parametrize("p", [0.5, 1.0, 2.0, 3.0, float("inf")])
@pytest.mark.parametrize("sa,sb", [((4, 3), (5, 3)), ((2, 4, 3), (1, 5, 3))])
def test_cdist(p, sa, sb):
    check_op(lambda lib, a, b: lib.cdist(a, b, p), sa, sb)


def test_cdist_zero_distances_and_p0():
    # equal rows: the gradient at a zero distance is 0, as PyTorch's
    rows = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, -1.0]], np.float32)
    for p in (0.5, 1.0, 2.0, 3.0):
        check_op(lambda lib, a, b: lib.cdist(a, b, p), rows, rows[::-1].copy(),
                 gradcheck_inputs=False)
    check_op(lambda lib, a, b: lib.cdist(a, b, 0), rows, rows + np.float32([[0, 0, 1]]), grad=False)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_compute_modes_agree(mode):
    check_op(lambda lib, a, b: lib.cdist(a, b, compute_mode=mode), (6, 4), (3, 4))


@pytest.mark.parametrize("fn,match", ERRORS)
def test_errors(fn, match):
    check_error(fn, RuntimeError, match)
