"""Matrix factorizations, inverses and solvers as autograd Functions.

Forwards run LAPACK through NumPy / SciPy (CuPy / cupyx on CUDA arrays); the caller has checked
shapes and dtypes and broadcast the batch dims. Backwards are PyTorch's formulas written in
Tensor ops, so they can be differentiated again. Errors that depend on the values (singular or
non positive-definite matrices) are raised here, with PyTorch's messages.
"""
import math
import warnings

import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ._utils import BuiltinFunction
from .shape import Cat


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on the values of its input (``torch.linalg.LinAlgError``)."""


# -- kernels on arrays ---------------------------------------------------------------------
def scipy_linalg(a, op):
    """``scipy.linalg`` for NumPy arrays, ``cupyx.scipy.linalg`` for CuPy ones."""
    if xp_of(a) is np:
        import scipy.linalg
        return scipy.linalg
    try:
        import cupyx.scipy.linalg
    except ImportError:
        cupyx = None
    if cupyx is None or not hasattr(cupyx.scipy.linalg, op):
        raise NotImplementedError(f"{op} is not supported on CUDA tensors by this CuPy version")
    return cupyx.scipy.linalg


def per_matrix(fn, *arrays):
    """``fn`` over the matrices of batched arrays (same batch shape) for CuPy routines that take
    one matrix; SciPy's routines take batches themselves."""
    a = arrays[0]
    if xp_of(a) is np or a.ndim == 2:
        return fn(*arrays)
    xp = xp_of(a)
    batch = a.shape[:-2]
    flat = [x.reshape((-1,) + x.shape[len(batch):]) for x in arrays]
    outs = [fn(*m) for m in zip(*flat)]
    if isinstance(outs[0], tuple):
        return tuple(xp.stack(o).reshape(batch + o[0].shape) for o in zip(*outs))
    return xp.stack(outs).reshape(batch + outs[0].shape) if outs else fn(*arrays)


def _batch_prefix(index, batch_shape):
    if not batch_shape:
        return ""
    return f"(Batch element {int(np.ravel_multi_index(index, batch_shape))}): "


def lu_factor(linalg, a):
    """``linalg.lu_factor(a)`` (SciPy's or CuPy's); a singular matrix gives its zero pivot
    without SciPy's LinAlgWarning, as LAPACK's getrf in PyTorch does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # LinAlgWarning's base
        return linalg.lu_factor(a, check_finite=False)


def lu_info(a):
    """LAPACK getrf's info per matrix: the 1-based index of the first zero pivot, else 0."""
    import scipy.linalg
    lu, _ = lu_factor(scipy.linalg, to_cpu(a))
    return zero_pivot(np.diagonal(lu, axis1=-2, axis2=-1))


def zero_pivot(diag):
    """The 1-based index of the first zero of each row of ``diag`` (0 when none)."""
    zero = diag == 0
    if zero.shape[-1] == 0:  # no pivots: nothing singular
        return np.zeros(zero.shape[:-1], np.int64)
    return np.where(zero.any(-1), zero.argmax(-1) + 1, 0)


def to_cpu(a):
    """A NumPy copy of a CuPy array (NumPy arrays pass through): for the rare error paths."""
    return a if xp_of(a) is np else a.get()


def kept(s, atol, rtol):
    """Which singular values count as nonzero: those above ``max(atol, rtol * s_max)``."""
    xp = xp_of(s)
    smax = s.max(-1) if s.shape[-1] else xp.zeros(s.shape[:-1], s.dtype)
    return s > xp.maximum(atol, rtol * smax)[..., None]


def raise_singular(op, a, message):
    """Raise PyTorch's error for the first singular matrix of ``a``, if any."""
    info = lu_info(a)
    bad = np.argwhere(info > 0)
    if len(bad):
        index = tuple(bad[0])
        raise LinAlgError(f"{op}: {_batch_prefix(index, info.shape)}"
                          + message.format(info=int(info[index])))


def inv_array(a):
    """The inverse of every matrix of ``a``, with PyTorch's error for singular ones."""
    xp = xp_of(a)
    try:
        y = xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        y = None
    if y is None or (xp is not np and not bool(xp.isfinite(y).all())):
        raise_singular("linalg.inv", a, "The diagonal element {info} is zero, the inversion could "
                       "not be completed because the input matrix is singular.")
    return y


def inv_ex_array(a):
    """``(inverse, info)`` without raising: LU solve against the identity, as LAPACK does."""
    sl = scipy_linalg(a, "lu_factor")
    info = lu_info(a)
    eye = xp_of(a).broadcast_to(xp_of(a).eye(a.shape[-1], dtype=a.dtype), a.shape)
    with np.errstate(all="ignore"):
        y = per_matrix(lambda m, e: sl.lu_solve(lu_factor(sl, m), e, check_finite=False), a, eye)
    return y, xp_of(a).asarray(info.astype(np.int32))


def cholesky_info(a):
    """LAPACK potrf's ``(factor, info)`` per matrix (only the lower triangle is read)."""
    from scipy.linalg import lapack
    m = to_cpu(a)
    flat = m.reshape((-1,) + m.shape[-2:])
    potrf = lapack.get_lapack_funcs("potrf", (flat,))
    factors, infos = [], []
    for x in flat:
        c, info = potrf(x, lower=True, clean=True)
        factors.append(c)
        infos.append(info)
    factor = np.stack(factors).reshape(m.shape) if factors else m.copy()
    return np.tril(factor), np.array(infos, np.int32).reshape(m.shape[:-2])


def cholesky_array(a, op="linalg.cholesky"):
    xp = xp_of(a)
    try:
        y = xp.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        y = None
    if y is None or (xp is not np and not bool(xp.isfinite(y).all())):
        _, info = cholesky_info(a)
        bad = np.argwhere(info > 0)
        if len(bad):
            index = tuple(bad[0])
            raise LinAlgError(
                f"{op}: {_batch_prefix(index, info.shape)}The factorization could not be "
                "completed because the input is not positive-definite (the leading minor of "
                f"order {int(info[index])} is not positive-definite).")
    return y


def solve_triangular_array(a, b, upper, unitriangular):
    sl = scipy_linalg(a, "solve_triangular")
    with np.errstate(all="ignore"):  # singular triangles give inf / nan, as in PyTorch
        return per_matrix(lambda m, r: sl.solve_triangular(
            m, r, lower=not upper, unit_diagonal=unitriangular, check_finite=False), a, b)


# -- Functions -----------------------------------------------------------------------------
def _mat(t):
    """A batch of scalars as a batch of 1x1 matrices (for broadcasting against matrices)."""
    return t.unsqueeze(-1).unsqueeze(-1)


class Inv(BuiltinFunction):
    @staticmethod
    def forward(ctx, x):
        y = Tensor._make(inv_array(x._data))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        y, = ctx.saved_tensors
        return -(y.mT @ gy @ y.mT)


class Det(BuiltinFunction):
    @staticmethod
    def forward(ctx, x):
        y = Tensor._make(xp_of(x._data).asarray(xp_of(x._data).linalg.det(x._data)))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        return _mat(gy * y) * Inv.apply(x).mT


class SlogDet(BuiltinFunction):
    """``(sign, log|det|)``; the sign is piecewise constant (zero gradient)."""

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x._data)
        sign, logabs = (xp.asarray(r) for r in xp.linalg.slogdet(x._data))
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x)
        return sign, logabs

    @staticmethod
    def backward(ctx, gsign, glogabs):
        x, = ctx.saved_tensors
        return None if glogabs is None else _mat(glogabs) * Inv.apply(x).mT


class Solve(BuiltinFunction):
    """``X = A^{-1} B`` for matrices ``A``, ``B`` of one batch shape."""

    @staticmethod
    def forward(ctx, a, b):
        xp = xp_of(a._data)
        try:
            x = xp.linalg.solve(a._data, b._data)
        except np.linalg.LinAlgError:
            x = None
        if x is None or (xp is not np and not bool(xp.isfinite(x).all())):
            raise_singular("torch.linalg.solve", a._data,
                           "The solver failed because the input matrix is singular.")
        x = Tensor._make(x)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, gx):
        a, x = ctx.saved_tensors
        gb = Solve.apply(a.mT, gx)
        return -(gb @ x.mT) if ctx.needs_input_grad[0] else None, gb


class SolveTriangular(BuiltinFunction):
    """``X = A^{-1} B`` for a triangular ``A`` (same batch shape as ``B``)."""

    @staticmethod
    def forward(ctx, a, b, upper, unitriangular):
        x = Tensor._make(solve_triangular_array(a._data, b._data, upper, unitriangular))
        ctx.save_for_backward(a, x)
        ctx.upper, ctx.unit = upper, unitriangular
        return x

    @staticmethod
    def backward(ctx, gx):
        a, x = ctx.saved_tensors
        gb = SolveTriangular.apply(a.mT, gx, not ctx.upper, ctx.unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb @ x.mT)
            offset = int(ctx.unit)
            ga = ga.triu(offset) if ctx.upper else ga.tril(-offset)
        return ga, gb if ctx.needs_input_grad[1] else None, None, None


def solve_triangular(a, b, upper, unitriangular=False):
    return SolveTriangular.apply(a, b, upper, unitriangular)


class Cholesky(BuiltinFunction):
    """The lower factor ``L`` of ``A = L L^T`` (only the lower triangle of ``A`` is read)."""

    @staticmethod
    def forward(ctx, a, op):
        y = Tensor._make(cholesky_array(a._data, op))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gl):
        l, = ctx.saved_tensors
        # Murray (2016), arXiv:1602.07527, as in PyTorch
        g = (l.mT @ gl).tril()
        g = 0.5 * (g + g.tril(-1).mT)
        g = solve_triangular(l.mT, g, upper=True)
        return solve_triangular(l.mT, g.mT, upper=True).mT, None


class QR(BuiltinFunction):
    """``(Q, R)`` in mode ``reduced`` or ``complete``; mode ``r`` computes the reduced ``Q``
    but cannot be differentiated."""

    @staticmethod
    def forward(ctx, a, mode):
        q, r = (Tensor._make(t) for t in xp_of(a._data).linalg.qr(
            a._data, mode="reduced" if mode == "r" else mode))
        ctx.save_for_backward(a, q, r)
        ctx.mode = mode
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are "
                               "going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_grad(q, r, gq, gr), None
        # A = [A1 | A2] with A1 = Q R1 square and R2 = Q^T A2
        a2, gr1, gr2 = a[..., m:], gr[..., :m], gr[..., m:]
        ga1 = _qr_grad(q, r[..., :m], gq + a2 @ gr2.mT, gr1)
        return Cat.apply(a.ndim - 1, ga1, q @ gr2), None


def _qr_grad(q, r, gq, gr):
    """PyTorch's ``linalg_qr_backward`` for ``m >= n``: ``(gQ + Q copyltu(M)) R^{-T}`` with
    ``M = R gR^T - gQ^T Q``."""
    g = gr @ r.mT - q.mT @ gq
    g = g.triu()
    g = g + g.mT
    g = g - 0.5 * g.diagonal(0, -2, -1).diag_embed()
    g = q @ g + gq
    return solve_triangular(r, g.mT, upper=True).mT


class SVD(BuiltinFunction):
    """``(U, S, Vh)``; gradients that reach ``S`` alone need no distinct singular values."""

    @staticmethod
    def forward(ctx, a, full_matrices):
        xp = xp_of(a._data)
        ctx.set_materialize_grads(False)
        u, s, vh = (Tensor._make(t) for t in xp.linalg.svd(a._data, full_matrices=full_matrices))
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        # full_matrices: the extra columns of U / rows of Vh do not depend on A
        u, vh = u[..., :k], vh[..., :k, :]
        gu = None if gu is None else gu[..., :k]
        gvh = None if gvh is None else gvh[..., :k, :]
        return _svd_grad(gu, gs, gvh, u, s, vh), None


def _svd_grad(gu, gs, gvh, u, s, vh):
    """PyTorch's ``svd_backward`` (real case); needs distinct singular values when ``gu`` or
    ``gvh`` is given."""
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        if gs is None:
            return None
        return u @ (gs.unsqueeze(-1) * vh) if m >= n else (u * gs.unsqueeze(-2)) @ vh
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
    e = e + _eye_like(e)
    g = 0
    if gu is not None:
        uhgu = u.mT @ gu
        g = (uhgu - uhgu.mT) * s.unsqueeze(-2)
    if gvh is not None:
        vhgv = vh @ gvh.mT
        g = g + s.unsqueeze(-1) * (vhgv - vhgv.mT)
    g = g / e
    if gs is not None:
        g = g + gs.diag_embed()
    if m > n and gu is not None:
        g = u @ g
        gus = gu / s.unsqueeze(-2)
        g = g + gus - u @ (u.mT @ gus)
        return g @ vh
    if m < n and gvh is not None:
        g = g @ vh
        sgvh = gvh / s.unsqueeze(-1)
        g = g + sgvh - (sgvh @ vh.mT) @ vh
        return u @ g
    return u @ (g @ vh)


def _eye_like(t):
    """An identity matrix broadcastable against the square matrices of ``t``."""
    xp = xp_of(t._data)
    return Tensor._make(xp.eye(t.shape[-1], dtype=t._data.dtype))


class Eigh(BuiltinFunction):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix (triangle ``uplo`` is read)."""

    @staticmethod
    def forward(ctx, a, uplo):
        xp = xp_of(a._data)
        ctx.set_materialize_grads(False)
        w, v = (Tensor._make(t) for t in xp.linalg.eigh(a._data, UPLO=uplo))
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        if gv is None:
            return (v * gw.unsqueeze(-2)) @ v.mT, None
        vhgv = v.mT @ gv
        g = 0.5 * (vhgv - vhgv.mT)
        e = w.unsqueeze(-2) - w.unsqueeze(-1)
        g = g / (e + _eye_like(e))
        if gw is not None:
            g = g + gw.diag_embed()
        return v @ (g @ v.mT), None


class Pinv(BuiltinFunction):
    """The pseudo-inverse, keeping singular values above ``max(atol, rtol * s_max)``
    (``atol`` / ``rtol`` are arrays broadcastable to the batch shape)."""

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = xp_of(a._data)
        x = a._data
        if hermitian:
            w, v = xp.linalg.eigh(x)
            s, u, vt = abs(w), v, (v * xp.sign(w)[..., None, :]).swapaxes(-1, -2)
        else:
            u, s, vt = xp.linalg.svd(x, full_matrices=False)
        keep = kept(s, atol, rtol)
        sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(x.dtype)
        y = Tensor._make((vt.swapaxes(-1, -2) * sinv[..., None, :]) @ u.swapaxes(-1, -2))
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        m, n = a.shape[-2:]
        ph, gh = p.mT, g.mT
        # PyTorch's pinv_backward, ordered to keep the products small
        if m <= n:
            k = gh @ p
            kph = k @ ph
            ga = -(p @ k).mT + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
        else:
            k = p @ gh
            phk = ph @ k
            ga = -(k @ p).mT + ((gh - a @ k) @ p) @ ph + phk - (phk @ p) @ a
        return ga, None, None, None


class MatrixExp(BuiltinFunction):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a._data
        if x.shape[-1] == 0:
            return x.copy()
        return per_matrix(scipy_linalg(x, "expm").expm, x)

    @staticmethod
    def backward(ctx, gy):
        a, = ctx.saved_tensors
        n = a.shape[-1]
        # The Frechet derivative is the upper-right block of exp([[A^T, G], [0, A^T]])
        at = a.mT
        top = Cat.apply(a.ndim - 1, at, gy)
        bottom = Cat.apply(a.ndim - 1, at * 0, at)
        big = MatrixExp.apply(Cat.apply(a.ndim - 2, top, bottom))
        return big[..., :n, n:]


class LUFactor(BuiltinFunction):
    """``(LU, pivots)``: the packed factors of ``A = P L U`` and LAPACK's 1-based int32
    pivots; differentiable for square matrices."""

    @staticmethod
    def forward(ctx, a):
        x = a._data
        sl = scipy_linalg(x, "lu_factor")
        m, n = x.shape[-2:]
        if x.size == 0:
            lu, piv = x.copy(), xp_of(x).zeros(x.shape[:-2] + (min(m, n),), np.int32)
        elif m != n:  # SciPy's lu_factor takes square matrices only
            lu, piv = _lu_rectangular(x)
        else:
            lu, piv = per_matrix(lambda t: lu_factor(sl, t), x)
        lu = Tensor._make(lu)
        pivots = Tensor._make(xp_of(x).asarray(piv).astype(np.int32) + 1)
        ctx.mark_non_differentiable(pivots)
        ctx.save_for_backward(lu)
        ctx.pivots = pivots
        return lu, pivots

    @staticmethod
    def backward(ctx, glu, _):
        lu, = ctx.saved_tensors
        m, n = lu.shape[-2:]
        if m != n:
            raise NotImplementedError("the gradient of linalg.lu_factor is only implemented "
                                      "for square matrices")
        p, l, u = lu_unpack(lu, ctx.pivots)
        # PyTorch's linalg_lu_backward for square matrices:
        # gA = P L^{-T} [tril(L^T gL, -1) + triu(gU U^T)] U^{-T}
        g = (l.mT @ glu.tril(-1)).tril(-1) + (glu.triu() @ u.mT).triu()
        g = solve_triangular(l.mT, g, upper=True, unitriangular=True)
        return p @ solve_triangular(u, g.mT, upper=True).mT


def _lu_rectangular(x):
    """``getrf`` on each matrix of a batch of non-square matrices."""
    from scipy.linalg import lapack
    m = to_cpu(x)
    flat = m.reshape((-1,) + m.shape[-2:])
    getrf = lapack.get_lapack_funcs("getrf", (flat,))
    out = [getrf(t)[:2] for t in flat]
    k = min(m.shape[-2:])
    lu = np.stack([o[0] for o in out]).reshape(m.shape) if out else m.copy()
    piv = (np.stack([o[1] for o in out]) if out else np.zeros((0, k), np.int32)).reshape(
        m.shape[:-2] + (k,))
    xp = xp_of(x)
    return xp.asarray(lu), xp.asarray(piv)


def lu_unpack(lu, pivots):
    """``(P, L, U)`` from packed LU factors (``L`` unit lower, ``m x k``; ``U`` ``k x n``)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    xp = xp_of(lu._data)
    l = lu[..., :, :k].tril(-1) + Tensor._make(xp.eye(m, k, dtype=lu._data.dtype))
    u = lu[..., :k, :].triu()
    return Tensor._make(permutation_matrix(pivots._data, m, lu._data.dtype)), l, u


def permutation_matrix(pivots, m, dtype):
    """The matrix ``P`` with ``A = P L U`` from LAPACK's 1-based row interchanges."""
    xp = xp_of(pivots)
    piv = to_cpu(pivots).astype(np.int64) - 1
    batch = piv.shape[:-1]
    perm = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    count = math.prod(batch)  # (reshape(-1, 0) cannot tell the count of empty matrices)
    flat_perm, flat_piv = perm.reshape(count, m), piv.reshape(count, piv.shape[-1])
    for row, swaps in zip(flat_perm, flat_piv):
        for i, j in enumerate(swaps):
            row[i], row[j] = row[j], row[i]
    # row i of P A is row perm[i] of A, so P^T has ones at (i, perm[i])
    p = np.zeros(batch + (m, m), dtype)
    np.put_along_axis(p, flat_perm.reshape(batch + (m, 1)), 1, axis=-1)
    return xp.asarray(p.swapaxes(-1, -2))
