"""Norms, condition numbers, ranks, powers and products of matrices and vectors:
``linalg.matrix_norm``, ``linalg.cond``, ``linalg.multi_dot``, ``linalg.cross``, and the
top-level ``trace``, ``kron``, ``tensordot``, ``cov``, ... composed of differentiable ops.
"""
import warnings

import numpy as np

from .. import _dtype
from .._device import xp_of
from .._functions import decompositions as F
from .._functions._utils import wrap_dim
from .._tensor import Tensor
from . import decompositions as D
from .linalg import _broadcast_batch, dot, matmul
from .reduction import norm as _norm
from ..amp._policy import autocast_op

_INF = float("inf")


# -- norms ---------------------------------------------------------------------------------
@autocast_op("vector_norm")
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ``ord``-norm of ``x`` over ``dim`` (all of it when None)."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    return _norm(x, ord, dim, keepdim, dtype)


_MATRIX_ORDS = ("fro", "nuc", _INF, -_INF, 1, -1, 2, -2)


@autocast_op("matrix_norm")
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm ``ord`` of the matrices spanned by the two dims ``dim``."""
    op = "linalg.matrix_norm"
    D.check_matrix(op, A)
    D.check_floating(op, A)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {_format_dims(dim)}")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (wrap_dim(d, A.ndim) for d in dim)
    if ord == "fro":
        return _norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = D.svdvals(A.movedim((d0, d1), (-2, -1)))
        r = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        return r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1)) if keepdim else r
    # 1-norms take the column sums (over d0), inf-norms the row sums
    summed, other = (d0, d1) if abs(ord) == 1 else (d1, d0)
    r = A.abs().sum(summed, keepdim=True)
    r = r.amax(other, keepdim=True) if ord > 0 else r.amin(other, keepdim=True)
    return r if keepdim else r.squeeze((d0, d1))


def _format_dims(dim):
    return " ".join(map(str, dim)) if isinstance(dim, (tuple, list)) else str(dim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm or a matrix norm, chosen by ``dim`` (or by ``A``'s rank when ``ord`` is
    given without ``dim``); the 2-norm of the flattened input when neither is given."""
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def cond(A, p=None):
    """The condition number of ``A`` in the norm ``p`` (inf for singular matrices)."""
    if p not in _MATRIX_ORDS and p is not None:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p in (None, 2, -2):
        D.check_matrix("linalg.cond", A)
        s = D.svdvals(A)
        return s.amin(-1) / s.amax(-1) if p == -2 else s.amax(-1) / s.amin(-1)
    D.check_square(f"linalg.cond(ord={p})", A)
    inverse, info = D.inv_ex(A)
    r = matrix_norm(A, p) * matrix_norm(inverse, p)
    xp = xp_of(info._data)
    return r + Tensor._make(xp.where(info._data > 0, xp.inf, 0).astype(A._data.dtype))


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """The number of singular values above ``max(atol, rtol * s_max)`` (``tol`` is an atol
    with rtol 0)."""
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    D.check_matrix("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    atol_a, rtol_a = D.tolerances(A, atol, rtol)
    xp = xp_of(A._data)
    if hermitian:
        s = abs(xp.linalg.eigvalsh(A._data))
    else:
        s = xp.linalg.svd(A._data, compute_uv=False)
    return Tensor._make(F.kept(s, atol_a, rtol_a).sum(-1).astype(np.int64))


# -- powers and exponentials -------------------------------------------------------------------
def matrix_power(A, n):
    """``A`` multiplied by itself ``n`` times (``inv(A)`` ``-n`` times when ``n < 0``)."""
    D.check_matrix("linalg.matrix_power", A)
    m, k = A.shape[-2:]
    if m != k:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {m} by {k} matrices")
    if n == 0:
        eye = xp_of(A._data).eye(m, dtype=A._data.dtype)
        return Tensor._make(xp_of(A._data).broadcast_to(eye, A.shape).copy())
    if n < 0:
        A, n = D.inv(A), -n
    result = None
    while n:  # binary exponentiation
        if n & 1:
            result = A if result is None else result @ A
        n >>= 1
        if n:
            A = A @ A
    return result


def matrix_exp(A):
    """The matrix exponential ``sum_k A^k / k!``."""
    D.check_square("linalg.matrix_exp", A)
    return F.MatrixExp.apply(A)


# -- products ------------------------------------------------------------------------------
@autocast_op("multi_dot")
def multi_dot(tensors):
    """The product of a chain of matrices (the first may be a row vector, the last a column
    vector), multiplied in the order with the fewest scalar products."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0].ndim, tensors[-1].ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    for i, t in enumerate(tensors[1:], 1):
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_dtype.cpp_type_name(tensors[0])} and tensor {i} {_dtype.cpp_type_name(t)}")
    mats = list(tensors)
    if first == 1:
        mats[0] = mats[0].unsqueeze(0)
    if last == 1:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(n - 1):
        if mats[i].shape[-1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(mats[i].shape)} and {list(mats[i + 1].shape)} cannot be "
                               "multiplied")
    out = _chain(mats, _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0, n - 1)
    if first == 1:
        out = out.squeeze(0)
    return out.squeeze(-1) if last == 1 else out


def _chain_order(sizes):
    """``split[i][j]``: where the optimal product of matrices ``i..j`` splits (the classic
    matrix-chain dynamic programme)."""
    n = len(sizes) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + sizes[i] * sizes[k + 1] * sizes[j + 1], k)
                for k in range(i, j))
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _chain(mats, split, i, k) @ _chain(mats, split, k + 1, j)


@autocast_op("chain_matmul")
def chain_matmul(*matrices):
    """The product of 2-D matrices (``multi_dot`` of them)."""
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    return matrices[0].clone() if len(matrices) == 1 else multi_dot(matrices)


def _linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (batch dims broadcast)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    return _cross(input, other, dim)


def _cross(a, b, dim):
    # c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1} (indices mod 3)
    return a.roll(-1, dim) * b.roll(-2, dim) - a.roll(-2, dim) * b.roll(-1, dim)


@autocast_op("cross")
def cross(input, other, dim=None):
    """``torch.cross``: without ``dim``, along the first dim of size 3."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        shape = _broadcast_batch(input.shape, other.shape)
        if 3 not in shape:
            raise RuntimeError("no dimension of size 3 in input")
        dim = shape.index(3)
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return _cross(input, other, d)


@autocast_op("vecdot")
def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along ``dim`` (batch dims broadcast)."""
    return (x * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices spanned by ``dim1``, ``dim2``."""
    return A.diagonal(offset, dim1, dim2)


@autocast_op("trace")
def trace(input):
    """The sum of the main diagonal of a matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return input.diagonal().sum()


@autocast_op("tensordot")
def tensordot(a, b, dims=2, out=None):
    """Contract the dims ``dims`` of ``a`` with those of ``b`` (the last / first ``dims``
    dims when an int)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in dim "
                               f"{y}")
    da = [wrap_dim(d, a.ndim) for d in da]
    db = [wrap_dim(d, b.ndim) for d in db]
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = _prod(a.shape[d] for d in da)
    left = a.permute(free_a + da).reshape(-1, k)
    right = b.permute(db + free_b).reshape(k, -1)
    return (left @ right).reshape([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])


def _prod(sizes):
    n = 1
    for s in sizes:
        n *= s
    return n


def inner(input, other):
    """The dot product over the last dims of ``input`` and ``other`` (scaling for scalars)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input, other):
    """The dot product of two 1-D tensors."""
    return dot(input, other)


def kron(input, other):
    """The Kronecker product: blocks ``input[i, j] * other``."""
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    a = a.reshape([s for d in a.shape for s in (d, 1)])
    b = b.reshape([s for d in b.shape for s in (1, d)])
    return (a * b).reshape([x * y for x, y in zip(a.shape[::2], b.shape[1::2])])


@autocast_op("dist")
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other``."""
    return _norm(input - other, p)


# -- covariance ----------------------------------------------------------------------------------
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance of the variables in the rows of ``input`` (observations in columns)."""
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    if x._data.dtype.kind != "f":
        x = x.to(_dtype.get_default_dtype())
    w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        mean = x.mean(1, keepdim=True)
        fact = x.shape[1] - correction
        no_dof = fact <= 0
        fact = max(fact, 0)
        xw = x - mean
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        mean = (x * w).sum(1, keepdim=True) / w_sum
        fact = w_sum - (correction if aweights is None
                        else correction * (w * aweights).sum() / w_sum)
        no_dof = bool(fact <= 0)
        fact = fact.clamp(min=0)
        xw = (x - mean) * w
    if no_dof:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than "
                      "the number of observations.", stacklevel=2)
    c = matmul(xw, (x - mean).mT) / fact
    return c.squeeze() if input.ndim < 2 else c


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1)


LINALG = dict(vector_norm=vector_norm, matrix_norm=matrix_norm, norm=norm, cond=cond,
              matrix_rank=matrix_rank, matrix_power=matrix_power, matrix_exp=matrix_exp,
              multi_dot=multi_dot, cross=_linalg_cross, vecdot=vecdot, diagonal=diagonal)
METHODS = dict(matrix_power=matrix_power, matrix_exp=matrix_exp, trace=trace, cross=cross,
               inner=inner, vdot=vdot, kron=kron, dist=dist, cov=cov, corrcoef=corrcoef)
FUNCTIONS = dict(METHODS, chain_matmul=chain_matmul, tensordot=tensordot)
