"""Linear-algebra names outside ``linalg``: ``ormqr`` (a product with the ``Q`` of ``geqrf``),
the deprecated ``lu``, and the removed ``solve``, ``lstsq``, ``eig``, ``symeig`` and
``matrix_rank``, which raise PyTorch's error pointing to their ``linalg`` replacements."""
from .. import _dtype
from ..autograd.grad_mode import is_grad_enabled
from .decompositions import householder_product, lu_factor_ex
from .flags import warn_once
from .linalg import matmul
from .math import _not_implemented
from .reduction import _return_type, return_types
from .shape import cat

return_types["_lu_with_info"] = _return_type("_lu_with_info", ("LU", "pivots", "info"))


def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    """``Q @ input3`` (``input3 @ Q`` when not ``left``; ``Q^T`` when ``transpose``), where ``Q``
    is the full orthogonal matrix of the Householder reflections ``(input, input2)`` that
    ``geqrf`` returns. Differentiable in all three."""
    tau, other = input2, input3
    _check_ormqr(input, tau, other, left)
    m, k = input.shape[-2], tau.shape[-1]
    # the full Q: reflections with a zero scale are the identity
    reflectors = input[..., :k]
    if k < m:
        reflectors = cat([reflectors, reflectors.new_zeros(reflectors.shape[:-1] + (m - k,))], -1)
        tau = cat([tau, tau.new_zeros(tau.shape[:-1] + (m - k,))], -1)
    Q = householder_product(reflectors, tau)
    if transpose:
        Q = Q.mT
    result = matmul(Q, other) if left else matmul(other, Q)
    if out is None:
        return result
    if is_grad_enabled() and any(t.requires_grad for t in (input, input2, input3)):
        raise RuntimeError("ormqr(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out.dtype != input.dtype:
        raise RuntimeError(
            "torch.ormqr: Expected input and result to have the same dtype, but input has dtype"
            f"{_dtype.scalar_type_name(input)} and result has dtype "
            f"{_dtype.scalar_type_name(out)}")
    return out.resize_(result.shape).copy_(result)


def _check_ormqr(input, tau, other, left):
    """PyTorch's checks of ``ormqr``'s arguments, in its order."""
    if input.dim() < 2:
        raise RuntimeError("torch.ormqr: input must have at least 2 dimensions.")
    if other.dim() < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"torch.ormqr: tau.shape[-1] must be equal to min(other.shape[{side}], "
                           "input.shape[-1])")
    if tau.dim() != input.dim() - 1:
        raise RuntimeError(
            "torch.ormqr: Expected tau to have one dimension less than input, but got tau.ndim "
            f"equal to {tau.dim()} and input.ndim is equal to {input.dim()}")
    if other.dim() != input.dim():
        raise RuntimeError(
            "torch.ormqr: Expected other to have the same number of dimensions as input, but got "
            f"other.ndim equal to {other.dim()} and input.ndim is equal to {input.dim()}")
    batch = tuple(input.shape[:-2])
    for name, shape in (("tau", tau.shape[:-1]), ("other", other.shape[:-2])):
        if tuple(shape) != batch:
            raise RuntimeError(f"torch.ormqr: Expected batch dimensions of {name} to be equal to "
                               f"input.shape[:-2], but got {list(shape)}")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype != input.dtype:
            raise RuntimeError(
                f"torch.ormqr: Expected input and {name} to have the same dtype, but input has "
                f"dtype{_dtype.scalar_type_name(input)} and {name} has dtype "
                f"{_dtype.scalar_type_name(t)}")
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise _not_implemented("ormqr", input.dtype, input)


def lu(A, pivot=True, get_infos=False, out=None):
    """``(LU, pivots)`` (with ``info`` when ``get_infos``) of ``A = P L U``, written into the
    tensors of ``out`` when given. Deprecated: use ``linalg.lu_factor`` or
    ``linalg.lu_factor_ex``."""
    factors = _lu(A, pivot)
    if out is not None:
        if len(out) != 2 + bool(get_infos):
            raise TypeError(f"expected tuple of {2 + bool(get_infos)} elements but got {len(out)}")
        if not isinstance(out, (tuple, list)):
            raise TypeError(f"argument 'out' must be tuple of Tensors, not {type(out).__name__}")
        for o, result in zip(out, factors):
            o.resize_as_(result).copy_(result)
        return out
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


_REMOVED = "This function was deprecated since version 1.9 and is now removed"
_SOLVE_ERROR = _REMOVED + (
    ". `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
    "has its arguments reversed and does not return the LU factorization.\n\nTo get the LU "
    "factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)")
_LSTSQ_ERROR = _REMOVED + (
    ". `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
    "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the "
    "returned tuple (although it returns other information about the problem).\n\nTo get the QR "
    "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` "
    "stored the residuals of the solution in the last m - n columns of the returned value "
    "whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the "
    "returned named tuple.\n\nThe unpacking of the solution, as in\n"
    "X, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
    "X = torch.linalg.lstsq(A, B).solution")
_SYMEIG_ERROR = _REMOVED + (
    ". The default behavior has changed from using the upper triangular portion of the "
    "matrix by default to using the lower triangular portion.\n\n"
    "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
    "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
    "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')")
_EIG_ERROR = _REMOVED + (
    ". `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
    "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced "
    "with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) "
    "should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)")
_MATRIX_RANK_ERROR = _REMOVED + (
    ".\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
    "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.")


# The removed functions and methods keep PyTorch's signatures (and names: ``symeig`` is
# ``_symeig``), so that bad calls raise its TypeErrors; good ones raise its RuntimeError.
def solve(input, A, *, out=None):
    """Removed from PyTorch: raises its error (use ``linalg.solve``)."""
    raise RuntimeError(_SOLVE_ERROR)


def lstsq(input, A, *, out=None):
    """Removed from PyTorch: raises its error (use ``linalg.lstsq``)."""
    raise RuntimeError(_LSTSQ_ERROR)


def _symeig(input, eigenvectors=False, upper=True, *, out=None):
    """Removed from PyTorch as ``symeig``: raises its error (use ``linalg.eigh``)."""
    raise RuntimeError(_SYMEIG_ERROR)


def eig(self, eigenvectors=False, *, e=None, v=None):
    """Removed from PyTorch: raises its error (use ``linalg.eig``)."""
    raise RuntimeError(_EIG_ERROR)


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    """Removed from PyTorch: raises its error (use ``linalg.matrix_rank``)."""
    raise RuntimeError(_MATRIX_RANK_ERROR)


def _solve_method(self, other):
    """Removed from PyTorch: raises its error (use ``linalg.solve``)."""
    raise RuntimeError(_SOLVE_ERROR)


def _lstsq_method(self, other):
    """Removed from PyTorch: raises its error (use ``linalg.lstsq``)."""
    raise RuntimeError(_LSTSQ_ERROR)


def _symeig_method(self, eigenvectors=False):
    """Removed from PyTorch: raises its error (use ``linalg.eigh``)."""
    raise RuntimeError(_SYMEIG_ERROR)


def _eig_method(self, eigenvectors=False):
    """Removed from PyTorch: raises its error (use ``linalg.eig``)."""
    raise RuntimeError(_EIG_ERROR)


_lu_method.__qualname__ = "Tensor.lu"
METHODS = {"ormqr": ormqr, "lu": _lu_method, "solve": _solve_method, "lstsq": _lstsq_method,
           "symeig": _symeig_method, "eig": _eig_method}
for _name, _method in METHODS.items():
    if _name != "ormqr":
        _method.__name__, _method.__qualname__ = _name, f"Tensor.{_name}"
del _name, _method
FUNCTIONS = {"ormqr": ormqr, "lu": lu, "solve": solve, "lstsq": lstsq, "symeig": _symeig,
             "eig": eig, "matrix_rank": matrix_rank}
