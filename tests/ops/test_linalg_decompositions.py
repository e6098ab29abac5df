"""``nptorch.linalg`` and the top-level linear-algebra ops against PyTorch: values, gradients
(float64 gradcheck included), named tuples and errors.

Inputs are made well conditioned inside each case (``x + n I``, ``x x^T + n I``), so that
gradients flow through the construction; singular vectors are compared up to their sign.
"""
import warnings

import numpy as np
import pytest

import nptorch
from nptorch import return_types
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_error

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-4, atol=1e-5)


def eye(lib, x, n=None):
    return lib.eye(x.shape[-1] if n is None else n, dtype=x.dtype)


def wc(lib, x):
    """A well-conditioned square matrix built from ``x``."""
    return x + eye(lib, x) * x.shape[-1]


def spd(lib, x):
    """A symmetric positive-definite matrix built from ``x``."""
    return x @ x.mT + eye(lib, x, x.shape[-2]) * x.shape[-2]


def sym(lib, x):
    """A symmetric matrix with well-separated eigenvalues built from ``x``."""
    d = lib.arange(x.shape[-1], dtype=x.dtype) * 3
    return (x + x.mT) * 0.25 + lib.diag_embed(d)


def signed(u, v=None):
    """Singular / eigen vectors with the sign of each first row entry made positive."""
    s = u[..., :1, :].sign()
    return (u * s,) if v is None else (u * s, v * s.mT)


CASES = [
    ("det", lambda lib, x: lib.linalg.det(wc(lib, x)), [(3, 3)]),
    ("det_batched", lambda lib, x: lib.linalg.det(wc(lib, x)), [(2, 3, 3)]),
    ("det_method", lambda lib, x: wc(lib, x).det(), [(4, 4)]),
    ("slogdet", lambda lib, x: tuple(lib.linalg.slogdet(wc(lib, x))), [(2, 3, 3)]),
    ("slogdet_top", lambda lib, x: tuple(lib.slogdet(x - 4 * eye(lib, x))), [(3, 3)]),
    ("logdet", lambda lib, x: lib.logdet(spd(lib, x)), [(2, 3, 3)]),
    ("inv", lambda lib, x: lib.linalg.inv(wc(lib, x)), [(2, 3, 3)]),
    ("inverse", lambda lib, x: wc(lib, x).inverse(), [(4, 4)]),
    ("inv_ex", lambda lib, x: tuple(lib.linalg.inv_ex(wc(lib, x))), [(3, 3)]),
    ("solve", lambda lib, a, b: lib.linalg.solve(wc(lib, a), b), [(3, 3), (3, 2)]),
    ("solve_vector", lambda lib, a, b: lib.linalg.solve(wc(lib, a), b), [(3, 3), (3,)]),
    ("solve_batched_vector", lambda lib, a, b: lib.linalg.solve(wc(lib, a), b),
     [(2, 3, 3), (2, 3)]),
    ("solve_broadcast", lambda lib, a, b: lib.linalg.solve(wc(lib, a), b), [(3, 3), (2, 3, 4)]),
    ("solve_right", lambda lib, a, b: lib.linalg.solve(wc(lib, a), b, left=False),
     [(2, 3, 3), (4, 3)]),
    ("solve_triangular_upper", lambda lib, a, b: lib.linalg.solve_triangular(
        wc(lib, a).triu(), b, upper=True), [(3, 3), (2, 3, 2)]),
    ("solve_triangular_lower_right", lambda lib, a, b: lib.linalg.solve_triangular(
        wc(lib, a).tril(), b, upper=False, left=False), [(3, 3), (2, 3)]),
    ("solve_triangular_unit", lambda lib, a, b: lib.linalg.solve_triangular(
        a.tril(), b, upper=False, unitriangular=True), [(3, 3), (3, 2)]),
    ("triangular_solve", lambda lib, b, a: tuple(lib.triangular_solve(
        b, wc(lib, a).triu(), transpose=True)), [(3, 2), (3, 3)]),
    ("cholesky", lambda lib, x: lib.linalg.cholesky(spd(lib, x)), [(2, 3, 3)]),
    ("cholesky_upper", lambda lib, x: lib.linalg.cholesky(spd(lib, x), upper=True), [(4, 2)]),
    ("cholesky_top", lambda lib, x: spd(lib, x).cholesky(upper=True), [(3, 3)]),
    ("cholesky_ex", lambda lib, x: tuple(lib.linalg.cholesky_ex(spd(lib, x))), [(3, 3)]),
    ("cholesky_solve", lambda lib, b, x: lib.cholesky_solve(
        b, lib.linalg.cholesky(spd(lib, x))), [(3, 2), (2, 3, 3)]),
    ("cholesky_solve_upper", lambda lib, b, x: b.cholesky_solve(
        lib.linalg.cholesky(spd(lib, x), upper=True), upper=True), [(3, 2), (3, 3)]),
    ("cholesky_inverse", lambda lib, x: lib.cholesky_inverse(
        lib.linalg.cholesky(spd(lib, x))), [(3, 3)]),
    ("qr_tall", lambda lib, x: tuple(lib.linalg.qr(x)), [(2, 4, 3)]),
    ("qr_square_complete", lambda lib, x: tuple(lib.linalg.qr(x, mode="complete")), [(3, 3)]),
    ("qr_wide", lambda lib, x: tuple(lib.linalg.qr(x)), [(2, 3, 5)]),
    ("qr_top_some", lambda lib, x: tuple(x.qr()), [(4, 3)]),
    ("svd", lambda lib, x: signed(*lib.linalg.svd(x, full_matrices=False)[::2]) + (
        lib.linalg.svd(x, full_matrices=False).S,), [(4, 3)]),
    ("svd_wide", lambda lib, x: signed(*lib.linalg.svd(x, full_matrices=False)[::2]) + (
        lib.linalg.svdvals(x),), [(2, 3, 5)]),
    ("svd_full_s", lambda lib, x: lib.linalg.svd(x).S, [(3, 5)]),
    ("svd_full_u", lambda lib, x: signed(lib.linalg.svd(x).U[..., :3]), [(5, 3)]),
    ("svd_top", lambda lib, x: signed(x.svd().U, x.svd().V.mT) + (x.svd().S,), [(4, 3)]),
    ("svdvals", lambda lib, x: lib.linalg.svdvals(x), [(2, 4, 3)]),
    ("eigh", lambda lib, x: signed(lib.linalg.eigh(sym(lib, x)).eigenvectors) + (
        lib.linalg.eigh(sym(lib, x)).eigenvalues,), [(2, 4, 4)]),
    ("eigh_upper", lambda lib, x: lib.linalg.eigh(sym(lib, x), UPLO="U").eigenvalues,
     [(3, 3)]),
    ("eigvalsh", lambda lib, x: lib.linalg.eigvalsh(sym(lib, x)), [(2, 3, 3)]),
    ("pinv_tall", lambda lib, x: lib.linalg.pinv(x), [(2, 4, 3)]),
    ("pinv_wide", lambda lib, x: lib.linalg.pinv(x), [(3, 5)]),
    ("pinv_hermitian", lambda lib, x: lib.linalg.pinv(spd(lib, x), hermitian=True), [(3, 3)]),
    ("pinverse", lambda lib, x: x.pinverse(), [(3, 4)]),
    ("lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b).solution, [(5, 3), (5, 2)]),
    ("lstsq_vector", lambda lib, a, b: lib.linalg.lstsq(a, b).solution, [(2, 5, 3), (2, 5)]),
    ("lu_factor", lambda lib, x: lib.linalg.lu_factor(wc(lib, x)).LU, [(2, 3, 3)]),
    ("lu", lambda lib, x: tuple(lib.linalg.lu(wc(lib, x))), [(4, 4)]),
    ("lu_solve", lambda lib, x, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(wc(lib, x)), b),
     [(3, 3), (3, 2)]),
    ("lu_solve_adjoint", lambda lib, x, b: lib.linalg.lu_solve(
        *lib.linalg.lu_factor(wc(lib, x)), b, adjoint=True), [(2, 3, 3), (3, 2)]),
    ("lu_solve_right", lambda lib, x, b: lib.linalg.lu_solve(
        *lib.linalg.lu_factor(wc(lib, x)), b, left=False), [(3, 3), (2, 3)]),
    ("lu_solve_top", lambda lib, x, b: b.lu_solve(*lib.linalg.lu_factor(wc(lib, x))),
     [(3, 3), (3, 2)]),
    ("lu_unpack", lambda lib, x: tuple(lib.lu_unpack(*lib.linalg.lu_factor(wc(lib, x)))),
     [(3, 3)]),
    ("matrix_exp", lambda lib, x: lib.linalg.matrix_exp(x), [(2, 3, 3)]),
    ("matrix_exp_method", lambda lib, x: (x * 0.5).matrix_exp(), [(4, 4)]),
    ("matrix_power", lambda lib, x: lib.linalg.matrix_power(x, 5), [(2, 3, 3)]),
    ("matrix_power_neg", lambda lib, x: lib.linalg.matrix_power(wc(lib, x), -2), [(3, 3)]),
    ("matrix_power_method", lambda lib, x: x.matrix_power(1), [(3, 3)]),
    ("multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [(2, 3), (3, 5),
                                                                        (5, 2)]),
    ("multi_dot_vectors", lambda lib, a, b, c, d: lib.linalg.multi_dot([a, b, c, d]),
     [(3,), (3, 4), (4, 2), (2,)]),
    ("chain_matmul", lambda lib, a, b, c: lib.chain_matmul(a, b, c), [(4, 3), (3, 2), (2, 5)]),
    ("linalg_cross", lambda lib, a, b: lib.linalg.cross(a, b), [(2, 3), (1, 3)]),
    ("linalg_cross_dim", lambda lib, a, b: lib.linalg.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    ("cross", lambda lib, a, b: a.cross(b, dim=1), [(2, 3), (2, 3)]),
    ("vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), [(2, 4), (4,)]),
    ("vecdot_dim", lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 2)]),
    ("linalg_diagonal", lambda lib, x: lib.linalg.diagonal(x, offset=1), [(2, 3, 4)]),
    ("trace", lambda lib, x: x.trace(), [(3, 4)]),
    ("inner", lambda lib, a, b: lib.inner(a, b), [(2, 3), (4, 3)]),
    ("vdot", lambda lib, a, b: a.vdot(b), [(4,), (4,)]),
    ("kron", lambda lib, a, b: lib.kron(a, b), [(2, 3), (3, 2)]),
    ("tensordot", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 0], [0, 2])),
     [(3, 2, 4), (2, 5, 3)]),
    ("tensordot_int", lambda lib, a, b: lib.tensordot(a, b), [(2, 3, 4), (3, 4, 2)]),
    ("dist", lambda lib, a, b: lib.dist(a, b, 3), [(2, 3), (3,)]),
    ("dist_method", lambda lib, a, b: a.dist(b), [(4,), (4,)]),
    ("cov", lambda lib, x: lib.cov(x), [(3, 6)]),
    ("cov_vector", lambda lib, x: x.cov(correction=0), [(6,)]),
    ("corrcoef", lambda lib, x: x.corrcoef(), [(3, 6)]),
    ("tensorinv", lambda lib, x: lib.linalg.tensorinv(
        wc(lib, x).reshape(2, 3, 6), ind=2), [(6, 6)]),
    ("tensorsolve", lambda lib, x, b: lib.linalg.tensorsolve(
        wc(lib, x).reshape(2, 3, 6), b), [(6, 6), (2, 3)]),
    ("tensorsolve_dims", lambda lib, x, b: lib.linalg.tensorsolve(
        wc(lib, x).reshape(6, 2, 3), b, dims=(0,)), [(6, 6), (2, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_against_torch(name, fn, shapes):
    check_op(fn, *shapes, **TOL)


NORMS = [("fro", (2, 3, 4)), ("nuc", (3, 4)), (float("inf"), (3, 4)), (-float("inf"), (3, 4)),
         (1, (2, 3, 4)), (-1, (3, 4)), (2, (4, 3)), (-2, (2, 4, 3))]


@pytest.mark.parametrize("shape", [(2, 3, 5), (5, 3)])
def test_lu_of_rectangular_matrices(shape):
    check_op(lambda lib, x: tuple(lib.linalg.lu(x)) + tuple(lib.linalg.lu_factor(x)), shape,
             grad=False, **TOL)
    x = nptorch.ones(shape, requires_grad=True)
    check_error(lambda: nptorch.linalg.lu(x).U.sum().backward(), NotImplementedError,
                "the gradient of linalg.lu_factor is only implemented for square matrices")


def test_kron_of_different_ranks():
    # PyTorch's kron fails on these shapes when the inputs are not contiguous
    check_op(lambda lib, a, b: a.kron(b), (2,), (2, 3, 2), noncontiguous=False)


@pytest.mark.parametrize("ord,shape", NORMS, ids=[str(n[0]) for n in NORMS])
def test_matrix_norm(ord, shape):
    check_op(lambda lib, x: lib.linalg.matrix_norm(x, ord), shape, **TOL)
    check_op(lambda lib, x: lib.linalg.matrix_norm(x, ord, dim=(0, -1), keepdim=True), shape,
             noncontiguous=False, seed=1, **TOL)


NORM_CALLS = [
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x)),
    ("vector_norm_ord", lambda lib, x: lib.linalg.vector_norm(x, 3, dim=(0, 2), keepdim=True)),
    ("vector_norm_inf", lambda lib, x: lib.linalg.vector_norm(x, float("inf"), dim=-1)),
    ("norm_default", lambda lib, x: lib.linalg.norm(x)),
    ("norm_dim", lambda lib, x: lib.linalg.norm(x, dim=1)),
    ("norm_matrix_dims", lambda lib, x: lib.linalg.norm(x, "nuc", dim=(0, 1))),
    ("norm_ord_2d", lambda lib, x: lib.linalg.norm(x[0], 1)),
    ("norm_ord_1d", lambda lib, x: lib.linalg.norm(x[0, 0], 1)),
    ("cond", lambda lib, x: lib.linalg.cond(wc(lib, x[..., :3]))),
    ("cond_rect", lambda lib, x: lib.linalg.cond(x)),
    ("cond_neg2", lambda lib, x: lib.linalg.cond(x, -2)),
]


@pytest.mark.parametrize("name,fn", NORM_CALLS, ids=[c[0] for c in NORM_CALLS])
def test_norms(name, fn):
    check_op(fn, (2, 3, 4), **TOL)


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, float("inf"), -float("inf")])
def test_cond_norms(p):
    # PyTorch cannot differentiate these (its inv_ex output is modified in place)
    check_op(lambda lib, x: lib.linalg.cond(wc(lib, x), p), (2, 3, 3), grad=False, **TOL)
    x = nptorch.tensor(np.random.default_rng(0).uniform(-1, 1, (3, 3)), requires_grad=True)
    assert nptorch.autograd.gradcheck(lambda a: nptorch.linalg.cond(wc(nptorch, a), p), [x])


def test_double_backward():
    rng = np.random.default_rng(0)

    def x(*shape):
        return nptorch.tensor(rng.uniform(-1, 1, shape), requires_grad=True)
    assert gradgradcheck(lambda a: wc(nptorch, a).inverse(), [x(3, 3)])
    assert gradgradcheck(lambda a: nptorch.linalg.det(wc(nptorch, a)), [x(3, 3)])
    assert gradgradcheck(lambda a: nptorch.linalg.slogdet(wc(nptorch, a))[1], [x(3, 3)])
    assert gradgradcheck(lambda a, b: nptorch.linalg.solve(wc(nptorch, a), b), [x(3, 3), x(3, 2)])
    assert gradgradcheck(lambda a: nptorch.linalg.cholesky(spd(nptorch, a)), [x(3, 3)])
    assert gradgradcheck(lambda a: nptorch.linalg.eigvalsh(sym(nptorch, a)), [x(3, 3)])
    assert gradgradcheck(lambda a: nptorch.linalg.matrix_exp(a), [x(3, 3)])
    assert gradgradcheck(lambda a: nptorch.linalg.pinv(a), [x(4, 3)])


def test_named_tuples():
    a = nptorch.tensor([[4.0, 1.0], [1.0, 3.0]])
    assert a.slogdet().__class__.__name__ == "slogdet"
    sign, logabsdet = nptorch.linalg.slogdet(a)
    assert sign.item() == 1.0 and abs(logabsdet.item() - np.log(11.0)) < 1e-6
    assert nptorch.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    assert nptorch.linalg.inv_ex(a)._fields == ("inverse", "info")
    assert nptorch.linalg.inv_ex(a).info.dtype == nptorch.int32
    assert nptorch.linalg.cholesky_ex(a)._fields == ("L", "info")
    assert nptorch.linalg.qr(a)._fields == ("Q", "R")
    assert nptorch.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert nptorch.svd(a)._fields == ("U", "S", "V")
    assert nptorch.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert nptorch.linalg.lu_factor(a)._fields == ("LU", "pivots")
    assert nptorch.linalg.lu_factor(a).pivots.dtype == nptorch.int32
    assert nptorch.linalg.lu(a)._fields == ("P", "L", "U")
    assert nptorch.lu_unpack(*nptorch.linalg.lu_factor(a))._fields == ("P", "L", "U")
    assert nptorch.triangular_solve(a, a)._fields == ("solution", "cloned_coefficient")
    assert repr(nptorch.linalg.eigh(a)).startswith("nptorch.return_types.linalg_eigh(")
    assert return_types.linalg_lstsq._fields == (
        "solution", "residuals", "rank", "singular_values")


def _pair(fn, *arrays):
    return fn(nptorch, *[nptorch.tensor(a) for a in arrays]), fn(
        torch, *[torch.tensor(a) for a in arrays])


def _same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
@pytest.mark.parametrize("shapes", [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((2, 5, 3), (2, 5))],
                         ids=["tall", "wide", "vector"])
def test_lstsq_fields(driver, shapes):
    if driver == "gels" and shapes[0][-2] < shapes[0][-1]:
        pytest.skip("gels needs full column rank")
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(s) for s in shapes)
    ours, theirs = _pair(lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver), a, b)
    for o, t in zip(ours, theirs):
        _same(o, t)


def test_lstsq_rank_deficient():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    b = np.array([[1.0], [2.0], [2.0]])
    ours, theirs = _pair(lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd"), a, b)
    for o, t in zip(ours, theirs):
        _same(o, t)
    assert ours.rank.item() == 1


def test_rank_svd_top_level_and_qr_r():
    rng = np.random.default_rng(1)
    low = rng.standard_normal((2, 4, 2)) @ rng.standard_normal((2, 2, 5))
    for fn in (lambda lib, a: lib.linalg.matrix_rank(a),
               lambda lib, a: lib.linalg.matrix_rank(a, atol=1.0, rtol=0.1),
               lambda lib, a: lib.linalg.matrix_rank(a, tol=0.5),
               lambda lib, a: lib.linalg.matrix_rank(a @ a.mT, hermitian=True),
               lambda lib, a: lib.linalg.pinv(a, atol=0.5),
               lambda lib, a: lib.linalg.pinv(a, 0.1),
               lambda lib, a: lib.svd(a, compute_uv=False).U,
               lambda lib, a: lib.svd(a, compute_uv=False).V,
               lambda lib, a: lib.linalg.qr(a, mode="r").Q,
               lambda lib, a: lib.linalg.qr(a, mode="r").R,
               lambda lib, a: lib.linalg.svd(a).U.shape[-1] * lib.ones(1),
               lambda lib, a: lib.linalg.matrix_power(a[..., :4], 0)):
        _same(*_pair(fn, low))
    assert nptorch.linalg.matrix_rank(nptorch.tensor(low)).tolist() == [2, 2]


def test_singular_and_nan_results():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for fn in (lambda lib, a: lib.linalg.det(a), lambda lib, a: lib.logdet(a),
               lambda lib, a: lib.logdet(-lib.eye(3, dtype=a.dtype)),
               lambda lib, a: lib.linalg.cond(a, 1),
               lambda lib, a: lib.linalg.inv_ex(lib.diag(lib.tensor([1.0, 0.0]))).info):
        _same(*_pair(fn, singular))
    # the 2-norm condition divides by a rounding error (the smallest singular value, 1e-16 or
    # 2e-16 as the SVD's LAPACK goes): both are huge, not equal
    assert all(c.item() > 1e15 for c in _pair(lambda lib, a: lib.linalg.cond(a), singular))
    ours, theirs = _pair(lambda lib, a: lib.linalg.cholesky_ex(a), -np.eye(3))
    _same(ours.info, theirs.info)
    assert ours.info.item() == 1


def test_gradient_errors():
    x = nptorch.ones(4, 3, requires_grad=True)
    check_error(lambda: nptorch.linalg.qr(x, mode="r").R.sum().backward(), RuntimeError,
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'")
    check_error(lambda: nptorch.linalg.qr(x, mode="complete").Q.sum().backward(), RuntimeError,
                r"not differentiable when mode='complete' and nrows > ncols")


def _errors():
    f, i = np.ones((3, 3), np.float32), np.ones((3, 3), np.int64)
    rect, vec = np.ones((2, 3), np.float32), np.ones(3, np.float32)
    singular = np.diag([1.0, 1.0, 0.0]).astype(np.float32)
    batch_singular = np.stack([np.eye(3), np.diag([1.0, 0.0, 1.0])]).astype(np.float32)
    return [
        (lambda lib, a: lib.linalg.inv(a), singular, "linalg.inv: The diagonal element 3 is zero"),
        (lambda lib, a: lib.linalg.inv(a), batch_singular,
         r"linalg.inv: \(Batch element 1\): The diagonal element 2 is zero"),
        (lambda lib, a: lib.inverse(a), singular, "inversion could not be completed"),
        (lambda lib, a: lib.linalg.inv(a), rect,
         "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
        (lambda lib, a: lib.linalg.inv(a), vec,
         "linalg.inv: The input tensor A must have at least 2 dimensions."),
        (lambda lib, a: lib.linalg.inv(a), i,
         "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
        (lambda lib, a: lib.linalg.det(a), i, "linalg.det: Expected a floating point"),
        (lambda lib, a: lib.linalg.slogdet(a), rect, "linalg.slogdet: A must be batches"),
        (lambda lib, a: lib.linalg.solve(a, lib.ones(3)), singular,
         "torch.linalg.solve: The solver failed because the input matrix is singular."),
        (lambda lib, a: lib.linalg.solve(a, lib.ones(4)), f,
         r"linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x1\)"),
        (lambda lib, a: lib.linalg.solve(a, lib.ones(3), left=False), f,
         r"linalg.solve: Incompatible shapes of A and B for the equation XA = B \(3x3 and 3x1\)"),
        (lambda lib, a: lib.linalg.solve(a, lib.ones(3, 2, dtype=lib.float64)), f,
         "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B "
         "of type Double instead"),
        (lambda lib, a: lib.linalg.solve(a, a), i, "linalg.solve: Expected a floating point"),
        (lambda lib, a: lib.linalg.cholesky(-a), np.eye(3, dtype=np.float32),
         r"linalg.cholesky: The factorization could not be completed because the input is not "
         r"positive-definite \(the leading minor of order 1 is not positive-definite\)."),
        (lambda lib, a: lib.linalg.cholesky(a), batch_singular,
         r"linalg.cholesky: \(Batch element 1\): The factorization could not be completed "
         r"because the input is not positive-definite \(the leading minor of order 2"),
        (lambda lib, a: lib.linalg.cholesky(a), rect, "linalg.cholesky: A must be batches"),
        (lambda lib, a: lib.linalg.cholesky(a), i, "linalg.cholesky: Expected a floating point"),
        (lambda lib, a: lib.linalg.eigh(a), rect, "linalg.eigh: A must be batches"),
        (lambda lib, a: lib.linalg.eigh(a, UPLO="X"), f,
         "Expected UPLO argument to be 'L' or 'U', but got X"),
        (lambda lib, a: lib.linalg.qr(a, mode="x"), f,
         "qr received unrecognized mode 'x' but expected one of 'reduced' \\(default\\), 'r', "
         "or 'complete'"),
        (lambda lib, a: lib.linalg.qr(a), i, "linalg.qr: Expected a floating point"),
        (lambda lib, a: lib.linalg.svd(a), vec,
         "linalg.svd: The input tensor A must have at least 2 dimensions."),
        (lambda lib, a: lib.linalg.svd(a), i, "linalg.svd: Expected a floating point"),
        (lambda lib, a: lib.linalg.pinv(a), i,
         r"linalg.pinv\(Long\{\[3, 3\]\}\): expected a tensor with 2 or more dimensions of float"),
        (lambda lib, a: lib.linalg.matrix_norm(a), vec,
         "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
        (lambda lib, a: lib.linalg.matrix_norm(a, ord=3), f,
         "linalg.matrix_norm: Order 3 not supported."),
        (lambda lib, a: lib.linalg.norm(a, "fro", dim=0), f,
         "linalg.matrix_norm: dim must be a 2-tuple. Got 0"),
        (lambda lib, a: lib.linalg.matrix_norm(a), i, "linalg.matrix_norm: Expected a floating"),
        (lambda lib, a: lib.linalg.vector_norm(a), i, "linalg.vector_norm: Expected a floating"),
        (lambda lib, a: lib.linalg.norm(a.reshape(1, 3, 3), ord=2), f,
         "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
        (lambda lib, a: lib.linalg.cond(a, p=1), rect,
         r"linalg.cond\(ord=1\): A must be batches of square matrices"),
        (lambda lib, a: lib.linalg.cond(a, p="abc"), f,
         "linalg.cond got an invalid norm type: abc"),
        (lambda lib, a: lib.linalg.matrix_power(a, 2), rect,
         "linalg.matrix_power: A must be batches of square matrices"),
        (lambda lib, a: lib.linalg.matrix_power(a, -1), i,
         "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
        (lambda lib, a: lib.linalg.matrix_exp(a), rect, "linalg.matrix_exp: A must be batches"),
        (lambda lib, a: lib.linalg.cross(a, lib.ones(2, 4)), rect,
         "linalg.cross: inputs dimension -1 must have length 3. Got 3 and 4"),
        (lambda lib, a: lib.linalg.cross(a, lib.ones(3)), rect,
         "linalg.cross: inputs must have the same number of dimensions."),
        (lambda lib, a: lib.cross(a[:, :2], a[:, :2]), rect, "no dimension of size 3 in input"),
        (lambda lib, a: lib.linalg.multi_dot([a]), f,
         r"multi_dot\(\): expected at least 2 tensors but got 1"),
        (lambda lib, a: lib.linalg.multi_dot([a.reshape(1, 3, 3), a]), f,
         r"multi_dot\(\): the first tensor must be 1D or 2D but got 3D"),
        (lambda lib, a: lib.linalg.multi_dot([a, a[0], a]), f,
         r"multi_dot\(\): tensor 1 must be 2D but got 1D"),
        (lambda lib, a: lib.linalg.multi_dot([a, lib.ones(4, 5)]), rect,
         r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[4, 5\] cannot be multiplied"),
        (lambda lib, a: lib.linalg.multi_dot([a, a.double()]), f,
         r"multi_dot\(\): all tensors must have be the same dtype but tensor 0 is float and "
         "tensor 1 double"),
        (lambda lib, a: lib.linalg.solve_triangular(a, lib.ones(3), upper=True), f,
         "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."),
        (lambda lib, a: lib.linalg.solve_triangular(a, lib.ones(4, 1), upper=True), f,
         r"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
         r"\(3x3 and 4x1\)"),
        (lambda lib, a: lib.linalg.lstsq(a, lib.ones(4, 1)), rect,
         r"torch.linalg.lstsq: input.size\(-2\) should match other.size\(-2\)"),
        (lambda lib, a: lib.linalg.lstsq(a, lib.ones(2, 1), driver="x"), rect,
         r"torch.linalg.lstsq: parameter `driver` should be one of \(gels, gelsy, gelsd, gelss\)"),
        (lambda lib, a: lib.linalg.matrix_rank(a), i,
         "This function doesn't handle types other than float and double"),
        (lambda lib, a: lib.trace(a.reshape(1, 3, 3)), f,
         "trace: expected a matrix, but got tensor with dim 3"),
        (lambda lib, a: lib.linalg.tensorinv(a.reshape(3, 3, 1), ind=0), f,
         "Expected a strictly positive integer for 'ind', but got 0"),
        (lambda lib, a: lib.linalg.tensorinv(a[:, :2].reshape(2, 3), ind=1), f,
         r"Expected self to satisfy the requirement prod\(self.shape\[ind:\]\) == "
         r"prod\(self.shape\[:ind\]\), but got 3 != 2"),
        (lambda lib, a: lib.linalg.lu_factor(a), singular,
         r"torch.linalg.lu_factor: U\[3,3\] is zero and using it on lu_solve would result in a "
         "division by zero."),
        (lambda lib, a: lib.linalg.lu_factor(a), batch_singular,
         r"torch.linalg.lu_factor: \(Batch element 1\): U\[2,2\] is zero"),
        (lambda lib, a: lib.linalg.lu_solve(*lib.linalg.lu_factor(a + 3 * lib.eye(3)),
                                            lib.ones(4, 1)), f,
         r"linalg.lu_solve: Incompatible shapes of A and B for the equation AX = B "
         r"\(3x3 and 4x1\)"),
        (lambda lib, a: lib.cholesky_solve(lib.ones(3), a), f,
         "b should have at least 2 dimensions, but has 1 dimensions instead"),
        (lambda lib, a: lib.cov(a.reshape(1, 3, 3)), f,
         r"cov\(\): expected input to have two or fewer dimensions but got an input with 3"),
        (lambda lib, a: lib.inner(a, lib.ones(4, 4)), rect,
         r"inner\(\) the last dimension must match on both input tensors but got shapes "
         r"\[2, 3\] and \[4, 4\]"),
        (lambda lib, a: lib.vdot(a[0], a), f, "1D tensors expected, but got 1D and 2D tensors"),
        (lambda lib, a: lib.tensordot(a, lib.ones(4, 4), dims=1), rect,
         "contracted dimensions need to match, but first has size 3 in dim -1 and second has "
         "size 4 in dim 0"),
    ]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", range(len(_errors())))
def test_errors(case):
    fn, array, message = _errors()[case]
    for lib in (nptorch, torch):
        check_error(lambda: fn(lib, lib.tensor(array)), RuntimeError, message)


def test_linalg_error_type_and_eigh_integer():
    singular = nptorch.zeros(2, 2)
    with pytest.raises(nptorch.linalg.LinAlgError):
        nptorch.linalg.inv(singular)
    for lib in (nptorch, torch):
        check_error(lambda: lib.linalg.eigh(lib.ones(3, 3, dtype=lib.int64)), NotImplementedError,
                    "\"linalg_eigh_cpu\" not implemented for 'Long'")
        check_error(lambda: lib.linalg.vector_norm(lib.ones(3), ord="fro"), TypeError,
                    "argument 'ord' must be Number, not str")


def test_cross_default_dim_warns():
    a, b = np.eye(3, dtype=np.float32), np.ones((3, 3), np.float32)
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg"):
        ours = nptorch.cross(nptorch.tensor(a), nptorch.tensor(b))
    with warnings.catch_warnings():  # PyTorch warns once per process
        warnings.simplefilter("ignore")
        theirs = torch.cross(torch.tensor(a), torch.tensor(b))
    _same(ours, theirs)


def test_integer_trace_and_matrix_power():
    for fn in (lambda lib, a: lib.trace(a), lambda lib, a: lib.linalg.matrix_power(a, 3),
               lambda lib, a: lib.cov(a), lambda lib, a: lib.kron(a, a)):
        _same(*_pair(fn, np.arange(9).reshape(3, 3)))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3), (0, 2, 2)])
def test_lu_of_empty_matrices_matches_pytorch(shape):
    ours, theirs = nptorch.zeros(shape), torch.zeros(shape)
    pairs = [(nptorch.linalg.lu_factor_ex(ours), torch.linalg.lu_factor_ex(theirs)),
             (nptorch.linalg.lu(ours), torch.linalg.lu(theirs))]
    for got, expected in pairs:
        for g, e in zip(got, expected):
            assert tuple(g.shape) == tuple(e.shape) and str(g.dtype)[8:] == str(e.dtype)[6:]
            np.testing.assert_array_equal(g.numpy(), e.numpy())
