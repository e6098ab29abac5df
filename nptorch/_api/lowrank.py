"""Randomized low-rank approximations (Halko, Martinsson and Tropp, 2009): ``svd_lowrank``
and ``pca_lowrank``, as PyTorch computes them, with the Gaussian sketch drawn from the
default generator."""
from .. import _dtype
from .creation import randn
from .decompositions import qr, svd
from .linalg import matmul


def _floating(A):
    """The dtype of the sketch for ``A``: its own when floating, else float32 (as PyTorch)."""
    return A.dtype if A.is_floating_point() else _dtype.float32


def _approximate_basis(A, q, niter, M):
    """An orthonormal ``(m, q)`` basis of the range of ``A - M``, refined by ``niter`` power
    iterations."""
    def basis(X, X_M, R):
        """An orthonormal basis of the range of ``(X - X_M) @ R``."""
        Y = matmul(X, R)
        return qr(Y if X_M is None else Y - matmul(X_M, R)).Q
    M_H = None if M is None else M.mH
    Q = basis(A, M, randn(A.shape[-1], q, dtype=_floating(A), device=A.device))
    for _ in range(2 if niter is None else niter):
        Q = basis(A, M, basis(A.mH, M_H, Q))
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """An approximate rank-``q`` SVD ``(U, S, V)`` of ``A - M`` (``A ~ U diag(S) V^H``), from a
    randomized range finder with ``niter`` subspace iterations; exact when the rank is at most
    ``q``. Batched over leading dims."""
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:
        A = A.mH
        M = None if M is None else M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = matmul(Q.mH, A)
    if M is not None:
        B = B - matmul(Q.mH, M)
    U, S, Vh = svd(B, full_matrices=False)
    U, V = matmul(Q, U), Vh.mH
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A, q=None, center=True, niter=2):
    """The principal directions of the rows of ``A``: ``svd_lowrank`` of ``A`` minus its column
    means (``center``), with ``q`` at most ``min(m, n)`` (by default ``min(6, m, n)``)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(dim=(-2,), keepdim=True)
    return svd_lowrank(A, q, niter)


FUNCTIONS = {"svd_lowrank": svd_lowrank, "pca_lowrank": pca_lowrank}
