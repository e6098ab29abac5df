"""``MultivariateNormal``, parameterised by a covariance, a precision or a lower Cholesky
factor of the covariance."""
import math

import nptorch

from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import CentredAtLoc, batch_mv, lazy_property, standard_normal

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(bL, bx):
    """``x^T (L L^T)^{-1} x`` over broadcast batch dims of ``L`` (..., n, n) and ``x`` (..., n)."""
    batch = nptorch.broadcast_shapes(bL.shape[:-2], bx.shape[:-1])
    n = bx.size(-1)
    L = bL.expand(batch + (n, n))
    x = bx.expand(batch + (n,)).unsqueeze(-1)
    return nptorch.linalg.solve_triangular(L, x, upper=False).squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(P):
    """The lower Cholesky factor of ``P^{-1}``, from the Cholesky factor of ``P`` reversed."""
    Lf = nptorch.linalg.cholesky(nptorch.flip(P, (-2, -1)))
    L_inv = nptorch.transpose(nptorch.flip(Lf, (-2, -1)), -2, -1)
    eye = nptorch.eye(P.shape[-1], dtype=P.dtype, device=P.device)
    return nptorch.linalg.solve_triangular(L_inv, eye.expand(L_inv.shape), upper=False)


def _log_det_half(L):
    return L.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _one_matrix(error, **matrices):
    """The ``(name, matrix)`` of the one parametrisation given, else ``error``."""
    given = [(name, m) for name, m in matrices.items() if m is not None]
    if len(given) != 1:
        raise error("Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                    "specified.")
    return given[0]


class _CholeskyParameterised:
    """Mixin of distributions given a covariance, a precision or a lower Cholesky factor (kept
    under its name, expanded over the batch), that compute with the lower Cholesky factor
    ``_unbroadcasted_scale_tril`` of the covariance; the other matrices derive from it."""

    _unbatched = ("_unbroadcasted_scale_tril",)

    def _set_scale_tril(self, name, matrix):
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = nptorch.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def _matrix_shape(self):
        n = self._unbroadcasted_scale_tril.shape[-1]
        return self._batch_shape + (n, n)

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return nptorch.matmul(L, L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        return nptorch.cholesky_inverse(self._unbroadcasted_scale_tril).expand(
            self._matrix_shape())


class MultivariateNormal(CentredAtLoc, _CholeskyParameterised, Distribution):
    """Normal distribution over vectors with mean ``loc`` and a covariance given by exactly one
    of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril`` (its lower Cholesky
    factor)."""

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        name, matrix = _one_matrix(ValueError, covariance_matrix=covariance_matrix,
                                   precision_matrix=precision_matrix, scale_tril=scale_tril)
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional leading "
                             "batch dimensions")
        batch_shape = nptorch.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        self._set_scale_tril(name, matrix)

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=Size()):
        eps = standard_normal(self.loc, self._extended_shape(sample_shape))
        return self.loc + batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + M) - _log_det_half(
            self._unbroadcasted_scale_tril)

    def entropy(self):
        n = self._event_shape[0]
        H = 0.5 * n * (1.0 + math.log(2 * math.pi)) + _log_det_half(self._unbroadcasted_scale_tril)
        return H.expand(self._batch_shape)
