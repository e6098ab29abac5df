"""Determinants, inverses, solvers and factorizations: ``torch.linalg``'s core and the
top-level aliases (``det``, ``inverse``, ``cholesky``, ``qr``, ``svd``, ``lu_solve``, ...).

Only real floating dtypes are supported; batch dims lead, as in PyTorch.
"""

import numpy as np

from .. import _dtype
from .._device import xp_of
from .._functions import decompositions as F
from .._functions._utils import BuiltinFunction, wrap_dim
from .._tensor import Tensor
from .linalg import _broadcast_batch
from .math import _not_implemented
from .reduction import _return_type
from .shape import cat
from ..amp._policy import autocast_op

scalar_type_name = _dtype.scalar_type_name

return_types = {name: _return_type(name, fields) for name, fields in (
    ("linalg_slogdet", ("sign", "logabsdet")), ("slogdet", ("sign", "logabsdet")),
    ("linalg_inv_ex", ("inverse", "info")), ("linalg_cholesky_ex", ("L", "info")),
    ("linalg_qr", ("Q", "R")), ("qr", ("Q", "R")), ("linalg_svd", ("U", "S", "Vh")),
    ("svd", ("U", "S", "V")), ("linalg_eigh", ("eigenvalues", "eigenvectors")),
    ("linalg_lstsq", ("solution", "residuals", "rank", "singular_values")),
    ("linalg_lu_factor", ("LU", "pivots")), ("linalg_lu", ("P", "L", "U")),
    ("lu_unpack", ("P", "L", "U")), ("triangular_solve", ("solution", "cloned_coefficient")),
    ("linalg_solve_ex", ("result", "info")), ("linalg_lu_factor_ex", ("LU", "pivots", "info")),
    ("linalg_ldl_factor", ("LD", "pivots")), ("linalg_ldl_factor_ex", ("LD", "pivots", "info")),
    ("geqrf", ("a", "tau")))}

LinAlgError = F.LinAlgError


# -- argument checks -----------------------------------------------------------------------
def check_floating(op, *tensors):
    for t in tensors:
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                               f"Got {scalar_type_name(t)}")


def check_matrix(op, t, name="A"):
    if t.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")


def check_square(op, t, name="A"):
    """``t`` is a floating (batch of) square matrix."""
    check_matrix(op, t, name)
    m, n = t.shape[-2:]
    if m != n:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{m} by {n} matrices")
    check_floating(op, t)


def _same_dtype(op, a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of type "
                           f"{scalar_type_name(a)} and B of type {scalar_type_name(b)} instead")


def _rhs(op, a, b, left, vector_ok=True):
    """``B`` as a batch of matrices matching ``A`` for ``AX = B`` (``XA = B`` when not left),
    both expanded to one batch shape; and whether ``B`` was a vector."""
    vector = vector_ok and (b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]))
    if not vector:
        check_matrix(op, b, "B")
    b2 = b.unsqueeze(-1) if vector else b
    n = a.shape[-1]
    if (b2.shape[-2] if left else b2.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {b2.shape[-2]}x{b2.shape[-1]})")
    batch = _broadcast_batch(a.shape[:-2], b2.shape[:-2])
    return a.expand(batch + a.shape[-2:]), b2.expand(batch + b2.shape[-2:]), vector


# -- determinants and inverses ---------------------------------------------------------------
def det(A):
    """The determinant of (a batch of) square matrices."""
    check_square("linalg.det", A)
    return F.Det.apply(A)


def slogdet(A):
    """``(sign, logabsdet)`` of the determinant."""
    check_square("linalg.slogdet", A)
    return return_types["linalg_slogdet"](*F.SlogDet.apply(A))


def _slogdet(input):
    return return_types["slogdet"](*slogdet(input))


def logdet(input):
    """``log(det(input))``: nan for a negative determinant, -inf for a singular matrix."""
    check_square("logdet", input)
    sign, logabs = F.SlogDet.apply(input)
    xp = xp_of(sign._data)
    return logabs + Tensor._make(xp.where(sign._data < 0, xp.nan, 0).astype(sign._data.dtype))


@autocast_op("inv")
def inv(A):
    """The inverse of (a batch of) square matrices."""
    check_square("linalg.inv", A)
    return F.Inv.apply(A)


@autocast_op("inv_ex")
def inv_ex(A, *, check_errors=False):
    """``(inverse, info)``: info is the 1-based index of a zero pivot, 0 when invertible."""
    check_square("linalg.inv_ex", A)
    try:
        y = F.Inv.apply(A)
    except LinAlgError:
        if check_errors:
            raise
        y, info = F.inv_ex_array(A._data)
        return return_types["linalg_inv_ex"](Tensor._make(y), Tensor._make(info))
    info = xp_of(A._data).zeros(A.shape[:-2], np.int32)
    return return_types["linalg_inv_ex"](y, Tensor._make(info))


@autocast_op("solve")
def solve(A, B, *, left=True):
    """The solution ``X`` of ``AX = B`` (``XA = B`` when not ``left``); ``B`` may be a vector."""
    op = "linalg.solve"
    check_square(op, A)
    check_floating(op, B)
    _same_dtype(op, A, B)
    a, b, vector = _rhs(op, A, B, left)
    x = F.Solve.apply(a, b) if left else F.Solve.apply(a.mT, b.mT).mT
    return x.squeeze(-1) if vector else x


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """The solution of ``AX = B`` (``XA = B``) for a triangular ``A``."""
    op = "linalg.solve_triangular"
    check_square(op, A)
    check_floating(op, B)
    _same_dtype(op, A, B)
    a, b, _ = _rhs(op, A, B, left, vector_ok=False)
    if left:
        return F.solve_triangular(a, b, upper, unitriangular)
    return F.solve_triangular(a.mT, b.mT, not upper, unitriangular).mT


@autocast_op("triangular_solve")
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """``(solution, cloned_coefficient)`` of ``op(A) X = b``, ``op`` transposing when asked."""
    if b.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {b.ndim} dimensions "
                           "instead")
    a = A.mT if transpose else A
    x = solve_triangular(a, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types["triangular_solve"](x, A.expand(x.shape[:-2] + A.shape[-2:]).clone())


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None):
    """The Moore-Penrose pseudo-inverse; singular values at most ``max(atol, rtol * s_max)``
    count as zero (``rcond`` is ``rtol``)."""
    if A._data.dtype.kind != "f" or A.ndim < 2:
        raise RuntimeError(f"linalg.pinv({scalar_type_name(A)}{{{list(A.shape)}}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble "
                           "types")
    if hermitian:
        check_square("linalg.pinv", A)
    atol, rtol = tolerances(A, atol, rcond if rtol is None else rtol)
    return F.Pinv.apply(A, atol, rtol, hermitian)


def tolerances(A, atol, rtol):
    """PyTorch's ``(atol, rtol)`` arrays: rtol defaults to ``eps * max(m, n)`` where atol is
    not positive, to 0 where it is."""
    xp = xp_of(A._data)
    dt = A._data.dtype

    def array(v):
        return xp.asarray(v._data if isinstance(v, Tensor) else v, dtype=dt)
    default = np.finfo(dt).eps * max(A.shape[-2:])
    atol_a = xp.zeros((), dt) if atol is None else array(atol)
    if rtol is not None:
        return atol_a, array(rtol)
    if atol is None:
        return atol_a, xp.asarray(default, dt)
    return atol_a, xp.where(atol_a > 0, 0, default).astype(dt)


@autocast_op("pinverse")
def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


# -- factorizations ---------------------------------------------------------------------------
@autocast_op("cholesky")
def cholesky(A, *, upper=False, _op="linalg.cholesky"):
    """The lower factor ``L`` of ``A = L L^T`` (its transpose when ``upper``)."""
    check_square(_op, A)
    L = F.Cholesky.apply(A, _op)
    return L.mT if upper else L


def _cholesky(input, upper=False):
    return cholesky(input, upper=upper, _op="cholesky")


def cholesky_ex(A, *, upper=False, check_errors=False):
    """``(L, info)``: info is the order of the first non positive-definite minor, else 0."""
    try:
        L = cholesky(A, upper=upper, _op="linalg.cholesky_ex")
    except LinAlgError:
        if check_errors:
            raise
        factor, info = F.cholesky_info(A._data)
        xp = xp_of(A._data)
        L = Tensor._make(xp.asarray(factor.swapaxes(-1, -2) if upper else factor))
        return return_types["linalg_cholesky_ex"](L, Tensor._make(xp.asarray(info)))
    info = xp_of(A._data).zeros(A.shape[:-2], np.int32)
    return return_types["linalg_cholesky_ex"](L, Tensor._make(info))


@autocast_op("cholesky_solve")
def cholesky_solve(B, L, upper=False):
    """The solution of ``AX = B`` given the Cholesky factor of ``A``."""
    if B.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B.ndim} dimensions "
                           "instead")
    lower = L.mT if upper else L
    y = solve_triangular(lower, B, upper=False)
    return solve_triangular(lower.mT, y, upper=True)


@autocast_op("cholesky_inverse")
def cholesky_inverse(L, upper=False):
    """The inverse of ``A`` given its Cholesky factor."""
    check_square("cholesky_inverse", L, "input")
    eye = Tensor._make(xp_of(L._data).eye(L.shape[-1], dtype=L._data.dtype))
    return cholesky_solve(eye.expand(L.shape), L, upper)


_QR_MODES = ("reduced", "complete", "r")


@autocast_op("qr")
def qr(A, mode="reduced"):
    """``(Q, R)`` with ``A = QR``; mode ``'r'`` gives an empty ``Q``."""
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_matrix("linalg.qr", A)
    check_floating("linalg.qr", A)
    q, r = F.QR.apply(A, mode)
    if mode == "r":
        q = Tensor._make(xp_of(A._data).zeros((0,), A._data.dtype))
    return return_types["linalg_qr"](q, r)


def _qr(input, some=True):
    return return_types["qr"](*qr(input, "reduced" if some else "complete"))


@autocast_op("svd")
def svd(A, full_matrices=True):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``."""
    check_matrix("linalg.svd", A)
    check_floating("linalg.svd", A)
    return return_types["linalg_svd"](*F.SVD.apply(A, full_matrices))


@autocast_op("svdvals")
def svdvals(A):
    """The singular values, in descending order."""
    check_matrix("linalg.svd", A)
    check_floating("linalg.svd", A)
    return F.SVD.apply(A, False)[1]


def _svd(input, some=True, compute_uv=True):
    """``torch.svd``: ``(U, S, V)``; without ``compute_uv``, ``U`` and ``V`` are zeros."""
    if not compute_uv:
        s = svdvals(input)
        xp = xp_of(input._data)
        m, n = input.shape[-2:]
        batch, dt = input.shape[:-2], input._data.dtype
        return return_types["svd"](Tensor._make(xp.zeros(batch + (m, m), dt)), s,
                                   Tensor._make(xp.zeros(batch + (n, n), dt)))
    u, s, vh = svd(input, full_matrices=not some)
    return return_types["svd"](u, s, vh.mT)


def _check_eigh(A, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_matrix("linalg.eigh", A)
    if A._data.dtype.kind != "f":
        raise NotImplementedError(f'"linalg_eigh_cpu" not implemented for '
                                  f"'{scalar_type_name(A)}'")
    check_square("linalg.eigh", A)


@autocast_op("eigh")
def eigh(A, UPLO="L"):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix (ascending eigenvalues)."""
    _check_eigh(A, UPLO)
    return return_types["linalg_eigh"](*F.Eigh.apply(A, UPLO))


@autocast_op("eigvalsh")
def eigvalsh(A, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending."""
    _check_eigh(A, UPLO)
    return F.Eigh.apply(A, UPLO)[0]


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


@autocast_op("lstsq")
def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of ``AX = B``, as ``(solution, residuals, rank,
    singular_values)`` filled as PyTorch's CPU drivers fill them."""
    op = "torch.linalg.lstsq"
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of "
                           f"({', '.join(_LSTSQ_DRIVERS)})")
    check_matrix(op, A, "input")
    check_floating(op, A, B)
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if A.shape[-2] != b.shape[-2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2)")
    batch = _broadcast_batch(A.shape[:-2], b.shape[:-2])
    a, b = A.expand(batch + A.shape[-2:]), b.expand(batch + b.shape[-2:])
    atol, rtol = tolerances(a, None, rcond)
    x = F.Pinv.apply(a, atol, rtol, False) @ b
    xp, dt = xp_of(A._data), A._data.dtype
    empty = Tensor._make(xp.zeros((0,), dt))
    rank = Tensor._make(xp.zeros((0,), np.int64))
    sv = empty
    if driver != "gels":
        s = xp.linalg.svd(a._data, compute_uv=False)
        rank = Tensor._make(F.kept(s, atol, rtol).sum(-1).astype(np.int64))
        if driver in ("gelsd", "gelss"):
            sv = Tensor._make(s)
    residuals = empty
    m, n = A.shape[-2:]
    full_rank = driver == "gels" or bool((rank._data == n).all())
    if m > n and driver != "gelsy" and full_rank:
        residuals = ((a @ x - b) ** 2).sum(-2)
    x = x.squeeze(-1) if vector else x
    return return_types["linalg_lstsq"](x, residuals, rank, sv)


# -- LU -----------------------------------------------------------------------------------------
def _check_lu(name, A, pivot):
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    if A._data.dtype.kind != "f" or A.dtype == _dtype.float16:
        raise _not_implemented("lu", A.dtype, A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _lu_factor_ex(op, A, pivot, check_errors):
    _check_lu("torch.lu_factor", A, pivot)
    lu, pivots = F.LUFactor.apply(A)
    diag = xp_of(lu._data).diagonal(lu._data, axis1=-2, axis2=-1)
    info = F.zero_pivot(F.to_cpu(diag)).astype(np.int32)
    if check_errors and info.any():
        index = tuple(np.argwhere(info > 0)[0])
        i = int(info[index])
        raise RuntimeError(f"{op}: {F._batch_prefix(index, info.shape)}U[{i},{i}] is zero and "
                           "using it on lu_solve would result in a division by zero. If you "
                           "still want to perform the factorization, consider calling "
                           "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return return_types["linalg_lu_factor_ex"](lu, pivots,
                                               Tensor._make(xp_of(lu._data).asarray(info)))


def lu_factor(A, *, pivot=True):
    """``(LU, pivots)``: packed factors of ``A = P L U`` and LAPACK's 1-based pivots."""
    lu_, pivots, _ = _lu_factor_ex("torch.linalg.lu_factor", A, pivot, True)
    return return_types["linalg_lu_factor"](lu_, pivots)


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """``(LU, pivots, info)``: ``lu_factor`` with LAPACK's ``info`` (the 1-based index of the
    first zero pivot of ``U``, 0 when none) in place of its error, unless ``check_errors``."""
    return _lu_factor_ex("torch.linalg.lu_factor_ex", A, pivot, check_errors)


def lu(A, *, pivot=True):
    """``(P, L, U)`` with ``A = P L U``."""
    _check_lu("linalg.lu", A, pivot)
    return return_types["linalg_lu"](*F.lu_unpack(*F.LUFactor.apply(A)))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """``(P, L, U)`` from ``lu_factor``'s output (empty tensors for the parts not unpacked)."""
    p, l, u = F.lu_unpack(LU_data, LU_pivots)
    empty = Tensor._make(xp_of(LU_data._data).zeros((0,), LU_data._data.dtype))
    return return_types["lu_unpack"](p if unpack_pivots else empty,
                                     l if unpack_data else empty, u if unpack_data else empty)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """The solution of ``AX = B`` (``XA = B`` when not ``left``; ``A^T`` when ``adjoint``)
    from ``lu_factor``'s output."""
    op = "linalg.lu_solve"
    check_square(op, LU, "LU")
    check_floating(op, B)
    check_matrix(op, B, "B")
    lu_, b, _ = _rhs(op, LU, B, left, vector_ok=False)
    p, l, u = F.lu_unpack(lu_, pivots.expand(lu_.shape[:-1]))
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return lu_solve(lu_, pivots, b.mT, adjoint=not adjoint).mT
    if adjoint:  # A^T = U^T L^T P^T
        y = F.solve_triangular(u.mT, b, upper=False)
        return p @ F.solve_triangular(l.mT, y, upper=True, unitriangular=True)
    y = F.solve_triangular(l, p.mT @ b, upper=False, unitriangular=True)
    return F.solve_triangular(u, y, upper=True)


def _lu_solve(b, LU_data, LU_pivots):
    return lu_solve(LU_data, LU_pivots, b)


def solve_ex(A, B, *, left=True, check_errors=False):
    """``(result, info)``: ``solve`` through ``lu_factor_ex``, whose ``info`` replaces the error
    for singular matrices (their solutions hold inf / nan, as LAPACK's) unless
    ``check_errors``. ``info`` has ``A``'s batch shape."""
    op = "linalg.solve"
    check_square(op, A)
    check_floating(op, B)
    _same_dtype(op, A, B)
    _, b, vector = _rhs(op, A, B, left)
    lu_, pivots, info = _lu_factor_ex(op, A, True, False)
    if not info._data.any():
        x = lu_solve(lu_, pivots, b, left=left)
    elif check_errors:
        raise LinAlgError(f"torch.linalg.solve_ex: {_first_failure(info)}The solver failed "
                          "because the input matrix is singular.")
    else:
        x = Tensor._make(_singular_lu_solve(lu_._data, pivots._data, b._data, left))
    return return_types["linalg_solve_ex"](x.squeeze(-1) if vector else x, info)


def _first_failure(info):
    """The batch prefix of PyTorch's errors for the first matrix with a nonzero ``info``."""
    codes = F.to_cpu(info._data)
    return F._batch_prefix(tuple(np.argwhere(codes != 0)[0]), codes.shape)


def _singular_lu_solve(lu_, pivots, b, left):
    """LAPACK getrs on singular LU factors, as PyTorch runs it (SciPy's triangular solves
    refuse them); no gradient."""
    xp = xp_of(b)
    batch = b.shape[:-2]
    lu_ = xp.broadcast_to(lu_, batch + lu_.shape[-2:])
    piv = xp.broadcast_to(pivots - 1, batch + pivots.shape[-1:])
    sl = F.scipy_linalg(b, "lu_solve")
    with np.errstate(all="ignore"):
        x = F.per_matrix(lambda m, p, r: sl.lu_solve((m, p), r, trans=0 if left else 1,
                                                      check_finite=False),
                         lu_, piv, b if left else b.swapaxes(-1, -2))
    return x if left else x.swapaxes(-1, -2)


# -- Householder products, LDL ----------------------------------------------------------------
class NoDerivative(BuiltinFunction):
    """The arrays of ``compute(*arrays)`` (None for a None input) as outputs that PyTorch
    records in the graph but cannot differentiate: their backward raises ``error``."""

    @staticmethod
    def forward(ctx, error, compute, *inputs):
        ctx.error = error
        return compute(*(None if t is None else t._data for t in inputs))

    @staticmethod
    def backward(ctx, *grads):
        raise ctx.error


def _each_matrix(fn, *arrays):
    """``fn`` (returning a tuple of arrays) on each matrix (or vector) of host arrays that
    share the batch shape of the first one (a batch of matrices); its outputs are stacked
    back into that batch shape."""
    batch = arrays[0].shape[:-2]
    flat = [a.reshape((-1,) + a.shape[len(batch):]) for a in arrays]
    outs = [fn(*m) for m in zip(*flat)]
    return tuple(np.stack(o).reshape(batch + np.shape(o[0])) for o in zip(*outs))


def _lapack(name, a):
    from scipy.linalg import lapack
    return lapack.get_lapack_funcs(name, (a,))


def geqrf(input):
    """``(a, tau)``: LAPACK geqrf's compact QR factorization (``R`` on and above the diagonal,
    the Householder vectors below it, their scales in ``tau``); no gradient, as in PyTorch.
    Where a column is left zero only up to rounding (rank-deficient input), its reflection
    depends on that rounding and may differ from PyTorch's."""
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if input._data.dtype.kind != "f" or input.dtype == _dtype.float16:
        raise _not_implemented("geqrf", input.dtype, input)
    error = NotImplementedError("the derivative for 'geqrf' is not implemented.")
    return return_types["geqrf"](*NoDerivative.apply(error, _geqrf_array, input))


def _geqrf_array(a):
    xp, host = xp_of(a), F.to_cpu(a)
    m, n = a.shape[-2:]
    if min(m, n) == 0:  # LAPACK refuses empty matrices
        return a.copy(), xp.zeros(a.shape[:-2] + (0,), a.dtype)
    compute = _lapack("geqrf", host)
    qr, tau = _each_matrix(lambda x: compute(x)[:2], host)
    return xp.asarray(qr), xp.asarray(tau)


def householder_product(A, tau):
    """The first ``n`` columns of the product ``H_1 ... H_k`` of the Householder reflections
    ``H_i = I - tau_i v_i v_i^T``, ``v_i`` the ``i``-th column of ``A`` below the diagonal
    with a unit ``i``-th entry (``geqrf``'s output gives ``Q``). Differentiable in both."""
    op = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{op}: Expected tau to have one dimension less than input, but got "
                           f"tau.ndim equal to {tau.ndim} and input.ndim is equal to {A.ndim}")
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if n < k:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if tau.shape[:-1] != A.shape[:-2]:
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau._data.dtype != A._data.dtype:
        raise RuntimeError(f"{op}: tau dtype {scalar_type_name(tau)} does not match input dtype "
                           f"{scalar_type_name(A)}")
    if A._data.dtype.kind != "f" or A.dtype == _dtype.float16:
        raise _not_implemented("orgqr", A.dtype, A)
    xp, dt = xp_of(A._data), A._data.dtype
    v = A[..., :k].tril(-1) + Tensor._make(xp.eye(m, k, dtype=dt))
    q = Tensor._make(xp.broadcast_to(xp.eye(m, n, dtype=dt), A.shape))
    for i in reversed(range(k)):  # q = H_i q, from the last reflection to the first
        vi = v[..., i:i + 1]
        q = q - (tau[..., i:i + 1].unsqueeze(-1) * vi) @ (vi.mT @ q)
    return q


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """``(LD, pivots, info)``: the factorization ``A = P L D L^T P^T`` of the lower triangle
    of a symmetric ``A`` by LAPACK sytrf, PyTorch's routine, so the factors are PyTorch's:
    ``L`` (unit diagonal implied) and the 1x1 / 2x2 blocks of ``D`` packed in ``LD``'s lower
    triangle, 1-based pivots (negative pairs mark 2x2 blocks), ``info > 0`` where ``D`` is
    singular. No gradient, as in PyTorch (real matrices: ``hermitian`` changes nothing)."""
    return _ldl_factor_ex("torch.linalg.ldl_factor_ex", A, check_errors)


def ldl_factor(A, *, hermitian=False):
    """``(LD, pivots)`` of ``ldl_factor_ex``; a singular ``D`` raises, as in PyTorch."""
    return return_types["linalg_ldl_factor"](
        *_ldl_factor_ex("torch.linalg.ldl_factor", A, True)[:2])


def _ldl_factor_ex(op, A, check_errors):
    check_square("torch.linalg.ldl_factor_ex", A)
    if A.dtype == _dtype.float16:
        raise _not_implemented("ldl_factor_kernel", A.dtype, A)
    error = RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")
    ld, pivots, info = NoDerivative.apply(error, _sytrf, A)
    codes = F.to_cpu(info._data)
    if check_errors and codes.any():
        code = int(codes[codes != 0][0])
        raise RuntimeError(f"{op}: Unknown error code: {code}. (D[{code},{code}] is zero: the "
                           "matrix is singular)")
    return return_types["linalg_ldl_factor_ex"](ld, pivots, info)


def _sytrf(a):
    xp, host = xp_of(a), F.to_cpu(a)
    n = a.shape[-1]
    if host.size == 0:
        batch = host.shape[:-2]
        factors = (host.copy(), np.zeros(batch + (n,), np.int32), np.zeros(batch, np.int32))
    else:
        sytrf, query = _lapack(("sytrf", "sytrf_lwork"), host)
        lwork = int(query(n, lower=1)[0])
        factors = _each_matrix(lambda m: sytrf(m, lower=1, lwork=lwork), host)
    ld, pivots, info = factors
    return xp.asarray(np.tril(ld)), xp.asarray(pivots), xp.asarray(info.astype(np.int32))


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """The solution ``X`` of ``A X = B`` from ``ldl_factor``'s output (LAPACK sytrs; batch
    dims broadcast); no gradient, as in PyTorch."""
    op = "torch.linalg.ldl_solve"
    check_square(op, LD)
    if pivots.shape != LD.shape[:-1]:
        raise RuntimeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but "
                           f"got pivots with shape {list(pivots.shape)} instead")
    if pivots._data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: Expected pivots to be integers. Got {scalar_type_name(pivots)}")
    wrap_dim(-2, B.ndim)
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {op}: each A matrix is {n} by {n} but "
                           f"each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    if B._data.dtype != LD._data.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{scalar_type_name(B)} and A of type {scalar_type_name(LD)} instead.")
    batch = _broadcast_batch(LD.shape[:-2], B.shape[:-2])
    error = RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")
    return NoDerivative.apply(error, _sytrs, LD.expand(batch + (n, n)),
                              pivots.expand(batch + (n,)), B.expand(batch + B.shape[-2:]))


def _sytrs(ld, pivots, b):
    xp, host = xp_of(b), F.to_cpu(b)
    if host.size == 0:
        return host.copy()
    sytrs = _lapack("sytrs", host)
    x, = _each_matrix(lambda m, p, r: sytrs(m, p, r, lower=1)[:1], F.to_cpu(ld),
                      F.to_cpu(pivots).astype(np.int32), host)
    return xp.asarray(x)


def vander(x, *, N=None):
    """The Vandermonde matrix of the last dim of ``x``: columns ``x ** 0, ..., x ** (N - 1)``
    (increasing powers, unlike ``numpy.vander`` and ``torch.vander``); ``N`` defaults to
    ``x.shape[-1]``; integer inputs give int64."""
    if x._data.dtype.kind == "b":
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           "but got Bool")
    if N is not None and not isinstance(N, int):
        raise TypeError(f"linalg_vander(): argument 'N' must be int, not {type(N).__name__}")
    x = x.reshape(1) if x.ndim == 0 else x
    N = x.shape[-1] if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    # a cumulative product: exact gradients at 0, and int64 for integers as in PyTorch
    x = x.unsqueeze(-1)
    powers = x.expand(x.shape[:-1] + (N - 1,)).cumprod(-1)
    ones = Tensor._make(xp_of(x._data).ones(x.shape, powers._data.dtype))
    return cat([ones, powers], -1)


# -- tensor equations ---------------------------------------------------------------------------
def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def tensorinv(A, ind=2):
    """The inverse of ``A`` seen as a matrix from its first ``ind`` dims to the rest."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    if _prod(rows) != _prod(cols):
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {_prod(cols)} != {_prod(rows)}")
    return inv(A.reshape(_prod(rows), _prod(cols))).reshape(cols + rows)


def tensorsolve(A, B, dims=None):
    """The ``X`` with ``tensordot(A, X, X.ndim) = B``."""
    if dims is not None:
        dims = [wrap_dim(d, A.ndim) for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    rows, cols = A.shape[:B.ndim], A.shape[B.ndim:]
    if _prod(rows) != _prod(cols):
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]"
                           f") == prod(self.shape[:other.ndim]), but got {_prod(cols)} != "
                           f"{_prod(rows)}")
    return solve(A.reshape(_prod(rows), _prod(cols)), B.reshape(-1)).reshape(cols)


LINALG = {name: globals()[name] for name in (
    "det", "slogdet", "inv", "inv_ex", "solve", "solve_ex", "solve_triangular", "pinv",
    "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh", "lstsq", "lu_factor",
    "lu_factor_ex", "lu", "lu_solve", "ldl_factor", "ldl_factor_ex", "ldl_solve",
    "householder_product", "vander", "tensorinv", "tensorsolve")}
METHODS = dict(det=det, logdet=logdet, slogdet=_slogdet, inverse=inv, pinverse=pinverse,
               cholesky=_cholesky, cholesky_solve=cholesky_solve,
               cholesky_inverse=cholesky_inverse, qr=_qr, svd=_svd,
               triangular_solve=triangular_solve, lu_solve=_lu_solve, geqrf=geqrf,
               orgqr=householder_product)
FUNCTIONS = dict(METHODS, lu_unpack=lu_unpack)
