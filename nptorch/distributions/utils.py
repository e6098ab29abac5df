"""Shared helpers: broadcasting parameters, probs/logits conversion, cached properties, and
random draws shaped like a parameter."""
import functools
from numbers import Number

import nptorch

from .._device import xp_of
from .._tensor import Size, Tensor
from ..random import generator_for

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property"]

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


def probs_or_logits(probs, logits):
    """``("probs", probs)`` or ``("logits", logits)``: exactly one of them must be given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)
