"""householder_product / orgqr, geqrf, solve_ex, lu_factor_ex, the LDL factorization and
linalg.vander against PyTorch: values, gradients (float64 gradcheck included), named tuples,
``info`` and errors."""
import numpy as np
import pytest

import nptorch

from helpers import check_op, check_error_like_torch

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-4, atol=1e-5)


def wc(lib, x):
    """A well-conditioned square matrix built from ``x``."""
    return x + lib.eye(x.shape[-1], dtype=x.dtype) * x.shape[-1]


def symmetric(shape, dtype=np.float64, seed=0):
    """Random symmetric indefinite matrices with a small diagonal (so sytrf takes 2x2 pivots)."""
    s = np.random.default_rng(seed).standard_normal(shape)
    s = s + s.swapaxes(-1, -2)
    s[..., range(shape[-1]), range(shape[-1])] *= 0.01
    return s.astype(dtype)


def same(ours, theirs, rtol=1e-7, atol=1e-10):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype)[8:] == str(theirs.dtype)[6:]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=atol)


def pair(fn, *arrays):
    return (fn(nptorch, *[nptorch.tensor(a) for a in arrays]),
            fn(torch, *[torch.tensor(a) for a in arrays]))


def same_fields(ours, theirs, fields, **tol):
    """Named tuples with these fields, equal to PyTorch's field by field."""
    assert ours._fields == fields
    for field in fields:
        same(getattr(ours, field), getattr(theirs, field), **tol)


CASES = [
    ("householder_product", lambda lib, a, t: lib.linalg.householder_product(a, t),
     [(5, 3), (2,)]),
    ("householder_product_batched", lambda lib, a, t: lib.linalg.householder_product(a, t),
     [(2, 4, 3), (2, 3)]),
    ("orgqr", lambda lib, a, t: lib.orgqr(a, t), [(3, 3), (3,)]),
    ("orgqr_method", lambda lib, a, t: a.orgqr(t), [(4, 2), (1,)]),
    ("solve_ex", lambda lib, a, b: tuple(lib.linalg.solve_ex(wc(lib, a), b)), [(3, 3), (3, 2)]),
    ("solve_ex_vector", lambda lib, a, b: tuple(lib.linalg.solve_ex(wc(lib, a), b)),
     [(2, 3, 3), (2, 3)]),
    ("solve_ex_broadcast", lambda lib, a, b: tuple(lib.linalg.solve_ex(wc(lib, a), b)),
     [(3, 3), (2, 3, 4)]),
    ("solve_ex_right", lambda lib, a, b: lib.linalg.solve_ex(wc(lib, a), b, left=False).result,
     [(2, 3, 3), (4, 3)]),
    ("lu_factor_ex", lambda lib, a: tuple(lib.linalg.lu_factor_ex(wc(lib, a))), [(2, 3, 3)]),
    ("vander", lambda lib, x: lib.linalg.vander(x), [(4,)]),
    ("vander_n", lambda lib, x: lib.linalg.vander(x, N=5), [(2, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_against_torch(name, fn, shapes):
    check_op(fn, *shapes, **TOL)


def test_householder_product_of_geqrf_is_q():
    a = np.random.default_rng(1).standard_normal((2, 5, 3))
    same_fields(*pair(lambda lib, x: lib.geqrf(x), a), ("a", "tau"), atol=1e-12)
    same_fields(*pair(lambda lib, x: x.mT.geqrf(), a), ("a", "tau"), atol=1e-12)
    same(*pair(lambda lib, x: lib.linalg.householder_product(*lib.geqrf(x)), a), atol=1e-12)
    q = nptorch.linalg.householder_product(*nptorch.geqrf(nptorch.tensor(a)))
    same(q, torch.linalg.qr(torch.tensor(a)).Q, atol=1e-12)
    x = nptorch.tensor(a, requires_grad=True)
    q = nptorch.linalg.householder_product(x, nptorch.ones(2, 3, dtype=nptorch.float64))
    q.sum().backward()
    assert x.grad.triu().abs().sum().item() == 0  # only the part below the diagonal is read


def test_empty_householder_product_and_geqrf():
    for fn in (lambda lib: lib.linalg.householder_product(lib.ones(4, 3), lib.ones(0)),
               lambda lib: lib.linalg.householder_product(lib.ones(4, 0), lib.ones(0)),
               lambda lib: lib.geqrf(lib.ones(2, 3, 0)).tau,
               lambda lib: lib.geqrf(lib.ones(0, 3)).a):
        same(fn(nptorch), fn(torch))


def test_solve_ex_and_lu_factor_ex_info():
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    for fn in (lambda lib, a: lib.linalg.solve_ex(a, lib.ones(2, dtype=a.dtype)),
               lambda lib, a: lib.linalg.solve_ex(a, lib.ones(3, 1, 1, 2, dtype=a.dtype),
                                                  left=False)):
        same_fields(*pair(fn, singular), ("result", "info"))
    for fn in (lambda lib, a: lib.linalg.lu_factor_ex(a),
               lambda lib, a: lib.linalg.lu_factor_ex(a[..., :1, :]),
               lambda lib, a: lib.linalg.lu_factor_ex(lib.zeros_like(a))):
        same_fields(*pair(fn, singular), ("LU", "pivots", "info"))
    assert pair(lambda lib, a: lib.linalg.solve_ex(a, a), singular)[0].info.tolist() == [2, 0]
    info = nptorch.linalg.solve_ex(nptorch.eye(3).expand(5, 3, 3), nptorch.ones(2, 1, 3, 4)).info
    assert info.shape == (5,) and info.dtype == nptorch.int32 and not info.any()


def test_ldl_factor():
    for shape, dtype, rtol in (((5, 5), np.float64, 1e-12), ((2, 6, 6), np.float32, 1e-5)):
        s = symmetric(shape, dtype)
        ours, theirs = pair(lambda lib, a: lib.linalg.ldl_factor_ex(a), s)
        same_fields(ours, theirs, ("LD", "pivots", "info"), rtol=rtol, atol=rtol)
        assert (ours.pivots.numpy() < 0).any()  # 2x2 blocks were taken
        same_fields(*pair(lambda lib, a: lib.linalg.ldl_factor(a, hermitian=True), s),
                    ("LD", "pivots"), rtol=rtol, atol=rtol)
    ours, theirs = pair(lambda lib, a: lib.linalg.ldl_factor_ex(a), np.zeros((2, 3, 3)))
    same_fields(ours, theirs, ("LD", "pivots", "info"))
    assert ours.info.tolist() == [1, 1]
    same(*pair(lambda lib, a: lib.linalg.ldl_factor(a).LD, np.ones((0, 0))))


def test_ldl_solve():
    s, b = symmetric((2, 5, 5)), np.random.default_rng(2).standard_normal((2, 5, 3))
    for fn in (lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b),
               lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b[0],
                                                      hermitian=True)):
        same(*pair(fn, s, b), rtol=1e-10)
    # batch dims broadcast (PyTorch 2.13 crashes here; compare with solve)
    ld, pivots = nptorch.linalg.ldl_factor(nptorch.tensor(s))
    x = nptorch.linalg.ldl_solve(ld, pivots.long(), nptorch.tensor(b[:1]).expand(3, 1, 5, 3))
    np.testing.assert_allclose(x.numpy(), np.broadcast_to(np.linalg.solve(s, b[:1]), (3, 2, 5, 3)),
                               rtol=1e-10)


def test_vander_dtypes():
    for dtype in (np.int64, np.int32, np.uint8, np.float32):
        same(*pair(lambda lib, x: lib.linalg.vander(x, N=4), np.array([1, 2, 3]).astype(dtype)))
    same(*pair(lambda lib, x: lib.linalg.vander(x, N=3), np.array(2.0)))
    check_op(lambda lib, x: lib.linalg.vander(x, N=4), np.array([0.0, -2.0, 0.5]),
             noncontiguous=False)


def _backward(fn):
    def call(lib):
        x = lib.tensor(symmetric((3, 3)), requires_grad=True)
        fn(lib, x).sum().backward()
    return call


@pytest.mark.parametrize("call,error,message", [
    (_backward(lambda lib, x: lib.geqrf(x).a), NotImplementedError,
     "the derivative for 'geqrf' is not implemented."),
    (_backward(lambda lib, x: lib.linalg.ldl_factor(x).LD), RuntimeError,
     "derivative for aten::linalg_ldl_factor_ex is not implemented"),
    (_backward(lambda lib, x: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(x.detach()), x)),
     RuntimeError, "derivative for aten::linalg_ldl_solve is not implemented"),
    (lambda lib: lib.geqrf(lib.ones(3)), RuntimeError,
     "torch.geqrf: input must have at least 2 dimensions."),
    (lambda lib: lib.geqrf(lib.ones(3, 3, dtype=lib.int64)), NotImplementedError,
     "\"geqrf_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.linalg.householder_product(lib.ones(3), lib.ones(2)), RuntimeError,
     "householder_product: input must have at least 2 dimensions."),
    (lambda lib: lib.linalg.householder_product(lib.ones(3, 4), lib.ones(2)), RuntimeError,
     r"householder_product: input.shape\[-2\] must be greater than or equal to "
     r"input.shape\[-1\]"),
    (lambda lib: lib.linalg.householder_product(lib.ones(4, 3), lib.ones(4)), RuntimeError,
     r"householder_product: input.shape\[-1\] must be greater than or equal to tau.shape\[-1\]"),
    (lambda lib: lib.linalg.householder_product(lib.ones(4, 3), lib.ones(2, 2)), RuntimeError,
     "Expected tau to have one dimension less than input, but got tau.ndim equal to 2 and "
     "input.ndim is equal to 2"),
    (lambda lib: lib.linalg.householder_product(lib.ones(2, 4, 3), lib.ones(3, 2)), RuntimeError,
     r"Expected batch dimensions of tau to be equal to input.shape\[:-2\], but got \[3\]"),
    (lambda lib: lib.linalg.householder_product(lib.ones(4, 3), lib.ones(2, dtype=lib.float64)),
     RuntimeError, "householder_product: tau dtype Double does not match input dtype Float"),
    (lambda lib: lib.orgqr(lib.ones(4, 3, dtype=lib.int64), lib.ones(2, dtype=lib.int64)),
     NotImplementedError, "\"orgqr_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.linalg.solve_ex(lib.tensor([[1.0, 2.0], [2.0, 4.0]]), lib.ones(2),
                                     check_errors=True), RuntimeError,
     "torch.linalg.solve_ex: The solver failed because the input matrix is singular."),
    (lambda lib: lib.linalg.solve_ex(lib.stack([lib.eye(2), lib.zeros(2, 2)]), lib.ones(2),
                                     check_errors=True), RuntimeError,
     r"torch.linalg.solve_ex: \(Batch element 1\): The solver failed"),
    (lambda lib: lib.linalg.solve_ex(lib.eye(3), lib.ones(3), left=False), RuntimeError,
     r"linalg.solve: Incompatible shapes of A and B for the equation XA = B \(3x3 and 3x1\)"),
    (lambda lib: lib.linalg.solve_ex(lib.ones(2, 3), lib.ones(2)), RuntimeError,
     "linalg.solve: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda lib: lib.linalg.solve_ex(lib.eye(3), lib.ones(3, dtype=lib.float64)), RuntimeError,
     "linalg.solve: Expected A and B to have the same dtype"),
    (lambda lib: lib.linalg.lu_factor_ex(lib.ones(2, 2), check_errors=True), RuntimeError,
     r"torch.linalg.lu_factor_ex: U\[2,2\] is zero and using it on lu_solve would result in a "
     "division by zero."),
    (lambda lib: lib.linalg.lu_factor_ex(lib.ones(3)), RuntimeError,
     r"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: \[3\] instead"),
    (lambda lib: lib.linalg.lu_factor(lib.ones(3, 3, dtype=lib.int32)), NotImplementedError,
     "\"lu_cpu\" not implemented for 'Int'"),
    (lambda lib: lib.linalg.lu(lib.ones(3)), RuntimeError,
     "linalg.lu: Expected tensor with 2 or more dimensions."),
    (lambda lib: lib.linalg.lu_factor_ex(lib.ones(3, 3), pivot=False), RuntimeError,
     "linalg.lu_factor: LU without pivoting is not implemented on the CPU"),
    (lambda lib: lib.linalg.ldl_factor(lib.zeros(2, 3, 3)), RuntimeError,
     r"torch.linalg.ldl_factor: Unknown error code: 1\."),
    (lambda lib: lib.linalg.ldl_factor_ex(lib.zeros(3, 3), check_errors=True), RuntimeError,
     r"torch.linalg.ldl_factor_ex: Unknown error code: 1\."),
    (lambda lib: lib.linalg.ldl_factor(lib.ones(3, 4)), RuntimeError,
     "torch.linalg.ldl_factor_ex: A must be batches of square matrices, but they are 3 by 4 "
     "matrices"),
    (lambda lib: lib.linalg.ldl_factor(lib.ones(3, 3, dtype=lib.int64)), RuntimeError,
     "torch.linalg.ldl_factor_ex: Expected a floating point or complex tensor as input. "
     "Got Long"),
    (lambda lib: lib.linalg.ldl_factor(lib.ones(3, 3, dtype=lib.float16)), NotImplementedError,
     "\"ldl_factor_kernel_cpu\" not implemented for 'Half'"),
    (lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(2, dtype=lib.int32), lib.ones(3, 1)),
     RuntimeError, r"ldl_solve: Expected LD.shape\[:-1\] and pivots.shape to be the same, but "
                   r"got pivots with shape \[2\] instead"),
    (lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(3), lib.ones(3, 1)), RuntimeError,
     "torch.linalg.ldl_solve: Expected pivots to be integers. Got Float"),
    (lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(3, dtype=lib.int32), lib.ones(3)),
     IndexError, r"Dimension out of range \(expected to be in range of \[-1, 0\], but got -2\)"),
    (lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(3, dtype=lib.int32), lib.ones(4, 2)),
     RuntimeError, "Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is 3 by "
                   "3 but each b matrix is 4 by 2"),
    (lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(3, dtype=lib.int32),
                                      lib.ones(3, 2, dtype=lib.float64)), RuntimeError,
     "Expected b and A to have the same dtype, but found b of type Double and A of type Float "
     "instead."),
    (lambda lib: lib.linalg.ldl_solve(lib.ones(3, 2), lib.ones(3, dtype=lib.int32),
                                      lib.ones(3, 2)), RuntimeError,
     "torch.linalg.ldl_solve: A must be batches of square matrices, but they are 3 by 2"),
    (lambda lib: lib.linalg.vander(lib.tensor([True, False])), RuntimeError,
     "linalg.vander supports floating point, complex, and integer tensors, but got Bool"),
    (lambda lib: lib.linalg.vander(lib.ones(1)), RuntimeError, "N must be greater than 1."),
    (lambda lib: lib.linalg.vander(lib.ones(3), N=1), RuntimeError, "N must be greater than 1."),
    (lambda lib: lib.linalg.vander(lib.ones(3), N=2.5), TypeError,
     "linalg_vander\\(\\): argument 'N' must be int, not float"),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)
