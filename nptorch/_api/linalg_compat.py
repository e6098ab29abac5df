"""Linear-algebra names outside ``linalg``: ``ormqr`` (a product with the ``Q`` of ``geqrf``),
the deprecated ``lu``, and the removed ``solve``, ``lstsq``, ``eig``, ``symeig`` and
``matrix_rank``, which raise PyTorch's error pointing to their ``linalg`` replacements."""
from .. import _dtype
from .decompositions import householder_product, lu_factor_ex
from .flags import warn_once
from .linalg import matmul
from .reduction import _return_type, return_types
from .shape import cat

return_types["_lu_with_info"] = _return_type("_lu_with_info", ("LU", "pivots", "info"))


def ormqr(input, input2, input3, left=True, transpose=False):
    """``Q @ input3`` (``input3 @ Q`` when not ``left``; ``Q^T`` when ``transpose``), where ``Q``
    is the full orthogonal matrix of the Householder reflections ``(input, input2)`` that
    ``geqrf`` returns. Differentiable in all three."""
    tau, other = input2, input3
    if input.dim() < 2:
        raise RuntimeError("torch.ormqr: input must have at least 2 dimensions.")
    if other.dim() < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    if tau.dim() != input.dim() - 1:
        raise RuntimeError(
            "torch.ormqr: Expected tau to have one dimension less than input, but got tau.ndim "
            f"equal to {tau.dim()} and input.ndim is equal to {input.dim()}")
    side = -2 if left else -1
    m = input.shape[-2]
    if other.shape[side] != m:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    k = tau.shape[-1]
    if k != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"torch.ormqr: tau.shape[-1] must be equal to min(other.shape[{side}], "
                           "input.shape[-1])")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype != input.dtype:
            raise RuntimeError(
                f"torch.ormqr: Expected input and {name} to have the same dtype, but input has "
                f"dtype{_dtype.scalar_type_name(input)} and {name} has dtype "
                f"{_dtype.scalar_type_name(t)}")
    # the full Q: reflections with a zero scale are the identity
    reflectors = input[..., :k]
    if k < m:
        reflectors = cat([reflectors, reflectors.new_zeros(reflectors.shape[:-1] + (m - k,))], -1)
        tau = cat([tau, tau.new_zeros(tau.shape[:-1] + (m - k,))], -1)
    Q = householder_product(reflectors, tau)
    if transpose:
        Q = Q.mT
    return matmul(Q, other) if left else matmul(other, Q)


def lu(A, pivot=True, get_infos=False, out=None):
    """``(LU, pivots)`` (with ``info`` when ``get_infos``) of ``A = P L U``. Deprecated: use
    ``linalg.lu_factor`` or ``linalg.lu_factor_ex``."""
    factors = _lu(A, pivot)
    return return_types["_lu_with_info"](*factors) if get_infos else factors[:2]


def _lu_method(self, pivot=True, get_infos=False):
    """``torch.lu(self, pivot, get_infos)`` as a plain tuple."""
    factors = _lu(self, pivot)
    return tuple(factors) if get_infos else factors[:2]


def _lu(A, pivot):
    """``linalg.lu_factor_ex``'s three results, with ``lu``'s deprecation warning."""
    warn_once("lu", "torch.lu is deprecated in favor of torch.linalg.lu_factor / "
              "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.\n"
              "LU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n"
              "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
              "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
              "should be replaced with\n"
              "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)", stacklevel=3)
    return tuple(lu_factor_ex(A, pivot=pivot))


def _removed(name, message, signature):
    def removed(*args, **kwargs):
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed"
                           + message)
    removed.__name__ = name
    removed.__doc__ = f"``{signature}``: removed from PyTorch; raises its error."
    return removed


_SOLVE = _removed(
    "solve", ". `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
    "has its arguments reversed and does not return the LU factorization.\n\nTo get the LU "
    "factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)", "solve(input, A)")
_LSTSQ = _removed(
    "lstsq", ". `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
    "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the "
    "returned tuple (although it returns other information about the problem).\n\nTo get the QR "
    "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` "
    "stored the residuals of the solution in the last m - n columns of the returned value "
    "whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the "
    "returned named tuple.\n\nThe unpacking of the solution, as in\n"
    "X, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
    "X = torch.linalg.lstsq(A, B).solution", "lstsq(input, A)")
_SYMEIG = _removed(
    "symeig", ". The default behavior has changed from using the upper triangular portion of the "
    "matrix by default to using the lower triangular portion.\n\n"
    "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
    "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
    "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "symeig(input, eigenvectors=False, upper=True)")
_EIG = _removed(
    "eig", ". `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
    "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced "
    "with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) "
    "should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)",
    "eig(input, eigenvectors=False)")
_MATRIX_RANK = _removed(
    "matrix_rank", ".\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
    "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
    "matrix_rank(input, tol=None, symmetric=False)")

METHODS = {"ormqr": ormqr, "lu": _lu_method, "solve": _SOLVE, "lstsq": _LSTSQ,
           "symeig": _SYMEIG, "eig": _EIG}
FUNCTIONS = dict(METHODS, lu=lu, matrix_rank=_MATRIX_RANK)
