"""``Wishart``: the distribution of scatter matrices ``sum_i x_i x_i^T`` of ``df`` normal
vectors."""
import math
import warnings

import nptorch

from .._tensor import Size, Tensor
from . import constraints
from .exp_family import ExponentialFamily
from .gamma import Chi2
from .multivariate_normal import _CholeskyParameterised, _log_det_half, _one_matrix
from .utils import standard_normal

__all__ = ["Wishart"]

_MAX_TRY_CORRECTION = 10


def _mvdigamma(x, p):
    """The multivariate digamma function ``sum_{i < p} digamma(x - i / 2)``."""
    if not bool((x > (p - 1) / 2).all()):
        raise AssertionError("Wrong domain for multivariate digamma function.")
    halves = nptorch.arange(p, dtype=x.dtype, device=x.device) / 2
    return nptorch.digamma(x.unsqueeze(-1) - halves).sum(-1)


class Wishart(_CholeskyParameterised, ExponentialFamily):
    """Wishart distribution over ``p x p`` positive definite matrices with ``df > p - 1``
    degrees of freedom and a scale given by exactly one of ``covariance_matrix``,
    ``precision_matrix`` or ``scale_tril`` (the covariance's lower Cholesky factor)."""

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        name, matrix = _one_matrix(AssertionError, covariance_matrix=covariance_matrix,
                                   precision_matrix=precision_matrix, scale_tril=scale_tril)
        if matrix.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading "
                             "batch dimensions")
        df_tensor = df if isinstance(df, Tensor) else matrix.new_tensor(df)
        batch_shape = nptorch.broadcast_shapes(matrix.shape[:-2], df_tensor.shape)
        self.df = df_tensor.expand(batch_shape)
        p = matrix.shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        if bool((self.df < p).any()):
            warnings.warn("Low df values detected. Singular samples are highly likely to occur "
                          "for ndim - 1 < df < ndim.", stacklevel=2)
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        super().__init__(batch_shape, matrix.shape[-2:], validate_args=validate_args)
        self._set_scale_tril(name, matrix)

    def _p(self):
        return self._event_shape[-1]

    def _df_matrix(self):
        """``df`` broadcastable against the matrices."""
        return self.df.view(self._batch_shape + (1, 1))

    def _log_det_scale_term(self):
        """``p log(2) / 2 + log |L|``, for ``L`` the covariance's Cholesky factor."""
        return self._p() * math.log(2) / 2 + _log_det_half(self._unbroadcasted_scale_tril)

    @property
    def mean(self):
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self):
        factor = self._df_matrix() - self._p() - 1
        return nptorch.where(factor > 0, factor, math.nan) * self.covariance_matrix

    @property
    def variance(self):
        V = self.covariance_matrix
        diagonal = V.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (V.pow(2) + diagonal.unsqueeze(-1) * diagonal.unsqueeze(-2))

    def _bartlett_sample(self, sample_shape):
        """``L A A^T L^T`` for the Bartlett factor ``A``: lower triangular with standard normal
        entries below the diagonal and ``sqrt(Chi2(df - i))`` on it."""
        p = self._p()
        df = self.df.unsqueeze(-1) - nptorch.arange(p, dtype=self.df.dtype, device=self.df.device)
        chi = Chi2(df).rsample(sample_shape).sqrt()
        diagonal = chi.clamp(min=nptorch.finfo(chi.dtype).eps).diag_embed()
        shape = self._extended_shape(sample_shape)
        A = diagonal + standard_normal(chi, shape).tril(-1)
        factor = self._unbroadcasted_scale_tril @ A
        return factor @ factor.mT

    def rsample(self, sample_shape=Size(), max_try_correction=None):
        """Bartlett draws; a draw that is singular in floating point (likely when
        ``df < p``) is drawn again, at most ``max_try_correction`` times (10 by default), and
        a warning tells that one was found (``log_prob`` may be ``-inf`` at those left)."""
        if max_try_correction is None:
            max_try_correction = _MAX_TRY_CORRECTION
        sample_shape = Size(sample_shape)
        sample = self._bartlett_sample(sample_shape)
        singular = ~self.support.check(sample)
        if bool(singular.any()):
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(max_try_correction):
                if not bool(singular.any()):
                    break
                redraw = singular.unsqueeze(-1).unsqueeze(-1)
                sample = nptorch.where(redraw, self._bartlett_sample(sample_shape), sample)
                singular = ~self.support.check(sample)
        return sample

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._p()
        trace = nptorch.cholesky_solve(value, self._unbroadcasted_scale_tril).diagonal(
            dim1=-2, dim2=-1).sum(-1)
        return (-nu * self._log_det_scale_term() - nptorch.mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * nptorch.linalg.slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        nu, p = self.df, self._p()
        return ((p + 1) * self._log_det_scale_term() + nptorch.mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    @property
    def _natural_params(self):
        return -self.precision_matrix / 2, (self.df - self._p() - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._p()
        half_df = y + (p + 1) / 2
        return (half_df * (p * math.log(2) - nptorch.linalg.slogdet(-2 * x).logabsdet)
                + nptorch.mvlgamma(half_df, p=p))
