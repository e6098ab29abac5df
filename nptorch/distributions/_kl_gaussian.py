"""KL divergences between multivariate normals, each given by a lower Cholesky factor
(``MultivariateNormal``) or as low rank plus diagonal (``LowRankMultivariateNormal``):

    KL(p || q) = (log|S_q| - log|S_p| + tr(S_q^-1 S_p) + d^T S_q^-1 d - n) / 2,  d = m_q - m_p.

One function serves the four pairs: ``S_p`` is written as ``G G^T + diag(D)`` (its Cholesky
factor and no diagonal, or its low-rank factor and diagonal), and ``S_q^-1`` is applied by
triangular solves with its Cholesky factor or by the Woodbury identity.
"""
import nptorch

from .kl import register_kl
from .lowrank_multivariate_normal import LowRankMultivariateNormal, _batch_lowrank_mahalanobis
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis, _log_det_half

_NAMES = {(False, False): "Multivariate Normals", (True, True): "Low Rank Multivariate Normals"}


def _low_rank(d):
    return isinstance(d, LowRankMultivariateNormal)


def _log_det(d):
    return d._log_det() if _low_rank(d) else 2 * _log_det_half(d._unbroadcasted_scale_tril)


def _mahalanobis(q, x):
    """``x^T S_q^-1 x``."""
    if _low_rank(q):
        return _batch_lowrank_mahalanobis(q._unbroadcasted_cov_factor,
                                          q._unbroadcasted_cov_diag, x, q._capacitance_tril)
    return _batch_mahalanobis(q._unbroadcasted_scale_tril, x)


def _sum_squares(X):
    """``tr(X X^T)`` over the batch."""
    return X.pow(2).sum((-2, -1))


def _trace_of_solve(q, G, D):
    """``tr(S_q^-1 (G G^T + diag(D)))``; ``D`` may be None."""
    if _low_rank(q):
        # Woodbury: S_q^-1 = diag(1 / D_q) - A^T A with A = C^-1 W^T diag(1 / D_q)
        W, Dq = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
        A = nptorch.linalg.solve_triangular(q._capacitance_tril, W.mT / Dq.unsqueeze(-2),
                                            upper=False)
        trace = _sum_squares(G * Dq.rsqrt().unsqueeze(-1)) - _sum_squares(A @ G)
        if D is not None:
            trace = trace + (D / Dq).sum(-1) - _sum_squares(A * D.sqrt().unsqueeze(-2))
        return trace
    factors = [G] if D is None else [G, nptorch.diag_embed(D.sqrt())]
    return sum(_sum_squares(nptorch.linalg.solve_triangular(q._unbroadcasted_scale_tril, X,
                                                            upper=False)) for X in factors)


@register_kl(MultivariateNormal, MultivariateNormal)
@register_kl(MultivariateNormal, LowRankMultivariateNormal)
@register_kl(LowRankMultivariateNormal, MultivariateNormal)
@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_gaussian_gaussian(p, q):
    if p.event_shape != q.event_shape:
        names = _NAMES.get((_low_rank(p), _low_rank(q)), "(Low Rank) Multivariate Normals")
        # PyTorch's message, with its run of spaces
        raise ValueError(f"KL-divergence between two {names} with" + " " * 26
                         + "different event shapes cannot be computed")
    if _low_rank(p):
        trace = _trace_of_solve(q, p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag)
    else:
        trace = _trace_of_solve(q, p._unbroadcasted_scale_tril, None)
    return 0.5 * (_log_det(q) - _log_det(p) + trace + _mahalanobis(q, q.loc - p.loc)
                  - p.event_shape[0])
