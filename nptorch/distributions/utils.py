"""Shared helpers: broadcasting parameters, probs/logits conversion, cached properties, and
random draws shaped like a parameter."""
import functools
from numbers import Number

import nptorch

from .._device import xp_of
from .._tensor import Size, Tensor
from ..random import generator_for

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni


def batch_shape(values, broadcast):
    """The batch shape of parameters given as ``values`` and broadcast to ``broadcast``: empty
    when every value is a number."""
    return Size() if all(isinstance(v, Number) for v in values) else broadcast.shape


def broadcast_all(*values):
    """Tensors and numbers broadcast together; numbers take the dtype and device of the first
    tensor (the default float dtype when there is none)."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor "
                         "or objects implementing __torch_function__.")
    like = next((v for v in values if isinstance(v, Tensor)), None)
    if like is None:
        return tuple(nptorch.tensor(float(v)) for v in values)
    tensors = [v if isinstance(v, Tensor) else like.new_tensor(v) for v in values]
    return tuple(nptorch.broadcast_tensors(*tensors))


def clamp_probs(probs):
    """Probabilities kept inside the open interval (0, 1) by the dtype's epsilon."""
    eps = nptorch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    """Sigmoid of binary logits, softmax of categorical ones (over the last dim)."""
    return nptorch.sigmoid(logits) if is_binary else nptorch.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary=False):
    """Log-odds of binary probabilities, log of categorical ones (clamped away from 0 and 1)."""
    p = clamp_probs(probs)
    return nptorch.log(p) - nptorch.log1p(-p) if is_binary else nptorch.log(p)


class lazy_property:
    """A property computed on first access (with grad enabled) and cached on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with nptorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _tril_mask(n, diag, device):
    """A bool ``n x n`` mask of the entries on or below diagonal ``diag``."""
    arange = nptorch.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The entries of (batched) square ``mat`` on or below diagonal ``diag``, in row order."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of ``tril_matrix_to_vec``: a (batched) square matrix, zero above ``diag``."""
    # n is the positive root of n^2 + (1 + 2 diag) n - |diag| (diag + 1) - 2 len(vec) = 0
    b = 1 + 2 * diag
    n = (-b + (b * b + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if abs(round(n) - n) > nptorch.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be "
                         "expressed as the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat


def sum_rightmost(value, dim):
    """Sum over the ``dim`` rightmost dimensions."""
    return value.reshape(value.shape[:value.dim() - dim] + (-1,)).sum(-1) if dim > 0 else value


def draw(like, shape, sampler):
    """A tensor of ``sampler(xp_generator, shape)`` draws in ``like``'s dtype and device."""
    data = like._data
    values = sampler(generator_for(None, xp_of(data)), tuple(shape))
    return Tensor._make(values.astype(data.dtype, copy=False))


def standard_normal(like, shape):
    return draw(like, shape, lambda g, s: g.standard_normal(s))


def uniform(like, shape, low=0.0, high=1.0):
    """Uniform draws in ``[low, high)``."""
    return draw(like, shape, lambda g, s: low + (high - low) * g.random(s))


def batch_mv(bmat, bvec):
    """Matrix-vector products over broadcast batch dims."""
    return nptorch.matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


class CentredAtLoc:
    """Mixin of a distribution symmetric and unimodal about ``loc``: its mean and mode."""

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


def probs_or_logits(probs, logits):
    """``("probs", probs)`` or ``("logits", logits)``: exactly one of them must be given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)
