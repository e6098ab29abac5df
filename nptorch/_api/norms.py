"""Norms kept for compatibility: ``renorm`` (sub-tensors rescaled to a maximum norm), the
deprecated ``frobenius_norm`` and ``nuclear_norm``, and ``norm_except_dim`` (weight norm's
per-slice norm)."""
from .._functions._utils import wrap_dim
from ._checks import int_arg
from .flags import warn_once
from .matrix_functions import matrix_norm
from .reduction import _integral, norm, scalar_type_name
from ..amp._policy import autocast_op


@autocast_op("renorm")
def renorm(input, p, dim, maxnorm):
    """``input`` with each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled
    down to norm ``maxnorm`` (PyTorch's ``maxnorm / (norm + 1e-7)``)."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    ndim = input._data.ndim
    if ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {ndim} dimensions")
    if _integral(input):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(input)}")
    dim = wrap_dim(dim, ndim)
    norms = norm(input, p, [d for d in range(ndim) if d != dim], keepdim=True)
    factor = (maxnorm / (norms + 1e-7)).where(norms > maxnorm, norms.new_ones(()))
    return input * factor


def _deprecated(name, replacement):
    """PyTorch's warning for the norms left for JIT compatibility."""
    warn_once(name, f"at::{name} is deprecated and it is just left for JIT compatibility. It "
              f"will be removed in a future PyTorch release. Please use `{replacement}` "
              "instead", stacklevel=3)


def _check_floating(input):
    if _integral(input):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {scalar_type_name(input)} instead.")


def frobenius_norm(input, dim, keepdim=False):
    """The 2-norm over at most two dims (all of them when ``dim`` is empty). Deprecated: use
    ``linalg.vector_norm(input, 2, dim, keepdim)``."""
    _deprecated("frobenius_norm", "linalg.vector_norm(A, 2., dim, keepdim)")
    dims = [dim] if isinstance(dim, int) else list(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions "
                           "instead.")
    _check_floating(input)
    return norm(input, 2, dims or None, keepdim)


def nuclear_norm(input, dim=None, keepdim=False):
    """The sum of the singular values of the matrices over ``dim`` (by default the last two).
    ``nuclear_norm(input, keepdim)`` also works. Deprecated: use
    ``linalg.matrix_norm(input, 'nuc', dim, keepdim)``."""
    _deprecated("nuclear_norm", "linalg.matrix_norm(A, 'nuc', dim, keepdim)")
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of each slice of ``v`` along ``dim`` (the other dims kept as size 1);
    ``dim=-1``: the norm of all of ``v``."""
    pow, dim = int_arg("norm_except_dim", "pow", pow, 2), int_arg("norm_except_dim", "dim", dim, 3)
    _check_floating(v)
    if dim == -1:
        return norm(v, pow)
    last = v.dim() - 1
    if dim not in (0, last):
        return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)
    shape = [1] * v.dim()
    shape[dim] = v.size(dim)
    rows = v.reshape(v.size(0), -1) if dim == 0 else v.reshape(-1, v.size(last))
    return norm(rows, pow, 1 - min(dim, 1)).reshape(shape)


METHODS = {"renorm": renorm}
INPLACE = {"renorm_": renorm}
FUNCTIONS = {"renorm": renorm, "frobenius_norm": frobenius_norm, "nuclear_norm": nuclear_norm,
             "norm_except_dim": norm_except_dim}
