"""Transforms onto matrix constraint sets: LowerCholeskyTransform, PositiveDefiniteTransform and
CorrCholeskyTransform (``nptorch.distributions.transforms`` re-exports them)."""

import nptorch
import nptorch.nn.functional as F

from . import constraints
from .transforms import _ParameterFree, _tanh_log_abs_derivative
from .utils import tril_matrix_to_vec, vec_to_tril_matrix

__all__ = ["CorrCholeskyTransform", "LowerCholeskyTransform", "PositiveDefiniteTransform"]


def _with_diagonal(x, fn):
    """The strictly lower triangle of ``x`` with ``fn`` of its diagonal on the diagonal."""
    return x.tril(-1) + fn(x.diagonal(dim1=-2, dim2=-1)).diag_embed()


class LowerCholeskyTransform(_ParameterFree):
    """Square matrices to lower triangular ones with a positive diagonal: the strictly lower
    triangle is kept, the diagonal exponentiated (the upper triangle is dropped)."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return _with_diagonal(x, nptorch.exp)

    def _inverse(self, y):
        return _with_diagonal(y, nptorch.log)


class PositiveDefiniteTransform(_ParameterFree):
    """Square matrices to positive definite ones: ``L L^T`` for ``L`` the
    LowerCholeskyTransform of the input."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        lower = LowerCholeskyTransform()(x)
        return lower @ lower.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(nptorch.linalg.cholesky(y))


class CorrCholeskyTransform(_ParameterFree):
    """Vectors of length ``D (D - 1) / 2`` to Cholesky factors of ``D x D`` correlation
    matrices. Each row of the strictly lower triangle (filled in row order) is squashed into
    ``(-1, 1)`` by ``tanh``; the rows are then scaled, by a stick breaking of their squares, so
    that with a positive diagonal they have unit norm."""

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        eps = nptorch.finfo(x.dtype).eps
        r = vec_to_tril_matrix(x.tanh().clamp(min=-1 + eps, max=1 - eps), diag=-1)
        # y_ij = r_ij * sqrt(prod_{k < j} (1 - r_ik^2)); the diagonal takes what is left of 1
        left = (1 - r.pow(2)).sqrt().cumprod(-1)
        eye = nptorch.eye(r.shape[-1], dtype=r.dtype, device=r.device)
        return (r + eye) * F.pad(left[..., :-1], [1, 0], value=1.0)

    def _inverse(self, y):
        left = F.pad((1 - y.pow(2).cumsum(-1))[..., :-1], [1, 0], value=1.0)
        r = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left, diag=-1).sqrt()
        return nptorch.atanh(r)

    def log_abs_det_jacobian(self, x, y):
        """Of the map from ``x`` to the strictly lower triangle of ``y`` (the square matrix
        has more entries than ``x``)."""
        # the entries below the first subdiagonal of 1 - cumsum(y^2) are the left-over
        # squared lengths before each stick is broken
        left = tril_matrix_to_vec(1 - y.pow(2).cumsum(-1), diag=-2)
        return 0.5 * left.log().sum(-1) + _tanh_log_abs_derivative(x).sum(-1)

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattened lower-diagonal number")
        return shape[:-1] + (d, d)

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return shape[:-2] + (d * (d - 1) // 2,)
