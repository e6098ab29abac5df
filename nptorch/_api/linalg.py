"""Linear algebra: ``matmul`` / ``@``, ``mm``, ``bmm``, ``einsum``, transposes, ``addmm``, ...

Like PyTorch, products do not promote: both operands must have the same dtype.
"""
import string

from .._functions import linalg as F
from .._functions._utils import to_tensor_operand
from .._dtype import cpp_type_name, scalar_type_name
from .reduction import norm
from ..amp._policy import autocast_op


def _same_dtype(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{cpp_type_name(a)} != {cpp_type_name(b)}")


def _mm_shapes(rows, k, k2, cols):
    if k != k2:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {k2}x{cols})")


def _mv_checks(mat_rows, k, a, b):
    """``a`` (a matrix, possibly folded to ``mat_rows x k``) times the vector ``b``."""
    if k != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({mat_rows}), mat ({mat_rows}x{k}), "
                           f"vec ({b.shape[0]})")
    if a._data.dtype != b._data.dtype:
        va, ma = scalar_type_name(b), scalar_type_name(a)
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {va}, {ma}, and {va}")


def _bmm_shapes(batch, k, batch2, k2):
    if (batch, k) != (batch2, k2):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k}] but got: [{batch2}, {k2}].")


def _broadcast_batch(sa, sb):
    """Broadcast two batch shapes, with PyTorch's error when they do not match."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
    return tuple(max(x, y) for x, y in zip(sa, sb))


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


@autocast_op("matmul")
def matmul(input, other):
    """Matrix product with broadcasting: vector·vector, matrix@vector, batched matrices, ..."""
    other = to_tensor_operand(other, input)
    sa, sb = input.shape, other.shape
    da, db = len(sa), len(sb)
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if db == 1:
        _mv_checks(_numel(sa[:-1]), sa[-1], input, other)
    elif da >= 3 and db == 2:
        _mm_shapes(_numel(sa[:-1]), sa[-1], sb[0], sb[1])
    elif da <= 2 and db == 2:
        _mm_shapes(1 if da == 1 else sa[0], sa[-1], sb[0], sb[1])
    else:
        batch = _numel(_broadcast_batch(sa[:-2], sb[:-2]))
        _bmm_shapes(batch, sa[-1], batch, sb[-2])
    if db != 1:
        _same_dtype(input, other)
    return F.Matmul.apply(input, other)


@autocast_op("mm")
def mm(input, mat2):
    """Product of two matrices ``(n, m) @ (m, p) -> (n, p)``."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _mm_shapes(*input.shape, *mat2.shape)
    _same_dtype(input, mat2)
    return F.Matmul.apply(input, mat2)


@autocast_op("bmm")
def bmm(input, mat2):
    """Batched matrix product ``(b, n, m) @ (b, m, p) -> (b, n, p)`` (no broadcasting)."""
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    _bmm_shapes(input.shape[0], input.shape[2], mat2.shape[0], mat2.shape[1])
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input)} but found "
                           f"{scalar_type_name(mat2)}")
    return F.Matmul.apply(input, mat2)


@autocast_op("mv")
def mv(input, vec):
    """Matrix-vector product ``(n, m) @ (m,) -> (n,)``."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    _mv_checks(input.shape[0], input.shape[1], input, vec)
    return F.Matmul.apply(input, vec)


@autocast_op("dot")
def dot(input, tensor):
    """Inner product of two 1-D tensors (a 0-d tensor)."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    n, m = input.shape[0], tensor.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    if input._data.dtype != tensor._data.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(input)} and {scalar_type_name(tensor)}")
    return F.Matmul.apply(input, tensor)


def outer(input, vec2):
    """Outer product of two 1-D tensors ``(n,), (m,) -> (n, m)`` (with type promotion)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.unsqueeze(1) * vec2


def _scaled_sum(input, product, beta, alpha):
    """``beta * input + alpha * product``; ``input`` is ignored (even nan) when beta is 0."""
    base = input.expand(product.shape)
    out = product if alpha == 1 else product * alpha
    if beta == 0:
        return out
    return out + (base if beta == 1 else base * beta)


@autocast_op("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


@autocast_op("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


@autocast_op("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)


@autocast_op("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


@autocast_op("addr")
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


# -- einsum ------------------------------------------------------------------------------
def _einsum_error(msg):
    return RuntimeError(f"einsum(): {msg}")


@autocast_op("einsum")
def einsum(equation, *operands):
    """Sum of products over the subscripts of ``equation``: ``einsum('ij,jk->ik', a, b)``.

    Operands may also be given as one list. Supports ``...``, implicit output (the labels
    that appear once, sorted), repeated labels (diagonals) and size-1 broadcasting.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    for i, c in enumerate(equation):
        if c not in string.ascii_letters and c not in ",.->":
            raise _einsum_error(f"invalid subscript given at index {i} in the equation string, "
                                "subscripts must be in [a-zA-Z]")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise _einsum_error("fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise _einsum_error("more operands were provided than specified in the equation")
    for x in operands[1:]:
        if x._data.dtype != operands[0]._data.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(operands[0])} but found "
                               f"{scalar_type_name(x)}")
    spare = [c for c in string.ascii_letters if c not in equation]
    n_ell = max((x.ndim - len(t) + 3 for t, x in zip(terms, operands) if "..." in t), default=0)
    ell = "".join(spare[:n_ell])
    inputs = []
    for i, (term, x) in enumerate(zip(terms, operands)):
        if "..." in term:
            k = x.ndim - len(term) + 3
            term = term.replace("...", ell[n_ell - k:])
        elif len(term) != x.ndim:
            raise _einsum_error(f"the number of subscripts in the equation ({len(term)}) does not "
                                f"match the number of dimensions ({x.ndim}) for operand {i} and "
                                "no ellipsis was given")
        inputs.append(term)
    if arrow:
        output = rhs.replace("...", ell)
        for c in output:
            if output.count(c) > 1:
                raise _einsum_error(f"output subscript {c} appears more than once in the output")
            if c not in lhs and c not in ell:
                raise _einsum_error(f"output subscript {c} does not appear in the equation for "
                                    "any input operand")
    else:
        output = ell + "".join(sorted(c for c in set(lhs) if c.isalpha() and lhs.count(c) == 1))
    sizes = _einsum_sizes(inputs, operands, ell)
    operands = [x if tuple(x.shape) == tuple(sizes[c] for c in term) or len(set(term)) < len(term)
                else x.expand(tuple(sizes[c] for c in term)) for term, x in zip(inputs, operands)]
    return F.Einsum.apply(tuple(inputs), output, *operands)


def _einsum_sizes(inputs, operands, ell):
    """The size of every label, broadcasting size-1 dims, with PyTorch's errors."""
    sizes = {}
    for i, (term, x) in enumerate(zip(inputs, operands)):
        own = {}
        for c, s in zip(term, x.shape):
            if c in own and own[c] != s:
                raise _einsum_error(f"subscript {c} is repeated for operand {i} but the sizes "
                                    f"don't match, {s} != {own[c]}")
            own[c] = s
            seen = sizes.get(c, 1)
            if s != 1 and seen != 1 and s != seen:
                if c in ell:
                    raise _einsum_error(
                        f"dimension {ell.index(c)} covered by ellipsis in operand {i} has size {s} "
                        f"which does not broadcast with previously seen ellipsis with size {seen} "
                        "for the respective dimension")
                raise _einsum_error(f"subscript {c} has size {s} for operand {i} which does not "
                                    f"broadcast with previously seen size {seen}")
            sizes[c] = s if seen == 1 else seen
    return sizes


# -- transposes --------------------------------------------------------------------------
def t(input):
    """Transpose a tensor of at most 2 dims (0-D and 1-D tensors are returned as views)."""
    if input.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return F.Permute.apply(input, tuple(reversed(range(input.ndim))))


def _T(self):
    """This tensor with its dims reversed."""
    return F.Permute.apply(self, tuple(reversed(range(self.ndim))))


def _H(self):
    """The (conjugate) transpose of a matrix."""
    if self.ndim != 2:
        msg = f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
        if self.ndim > 2:
            msg += " For batches of matrices, consider using tensor.mH"
        raise RuntimeError(msg)
    return F.swap_last(self)


def _batch_transpose(name):
    def prop(self):
        if self.ndim < 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return F.swap_last(self)
    prop.__name__ = name
    prop.__doc__ = "This tensor with its last two dims swapped (batched matrix transpose)."
    return prop


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


@autocast_op("cdist")
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-norm distances between the rows of ``x1`` (..., P, M) and of ``x2``
    (..., R, M): shape (..., P, R). Every ``compute_mode`` takes the differences directly."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError("cdist only supports at least 2D tensors, X1 got: "
                           f"{min(x1.dim(), x2.dim())}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    return norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)


def _rmatmul(self, other):
    return matmul(to_tensor_operand(other, self), self)


_NAMES = ("matmul", "mm", "bmm", "mv", "dot", "outer", "addmm", "baddbmm", "addbmm", "addmv",
          "addr", "t")
FUNCTIONS = dict({name: globals()[name] for name in _NAMES}, ger=outer, einsum=einsum,
                 cdist=cdist)
METHODS = dict({name: globals()[name] for name in _NAMES}, ger=outer, __matmul__=matmul,
               __rmatmul__=_rmatmul, T=property(_T), H=property(_H),
               mT=property(_batch_transpose("mT")), mH=property(_batch_transpose("mH")))
INPLACE = {"addmm_": addmm, "baddbmm_": baddbmm, "addbmm_": addbmm, "addmv_": addmv,
           "addr_": addr}
