"""nn.functional: distances and similarities (``cosine_similarity``, ``pairwise_distance``,
``pdist``, ``normalize``)."""
import numpy as np

from ..._device import xp_of
from ..._dtype import result_type
from ..._api.indexing import _broadcast_shape
from ..._dtype import scalar_type_name
from ..._functions._utils import wrap_dim
from ..._tensor import Tensor
from ...amp._policy import autocast_op

__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "normalize"]


@autocast_op("cosine_similarity")
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` (inputs broadcast).

    Each input is divided by its own norm before the product, as PyTorch does; the norms are
    clamped to ``eps`` without the clamp entering the gradient.
    """
    dt = result_type(x1, x2)
    if not dt.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{scalar_type_name(dt)}")
    x1, x2 = x1.to(dt), x2.to(dt)
    shape = _broadcast_shape(tuple(x1.shape), tuple(x2.shape))
    dim = wrap_dim(dim, len(shape))
    x1, x2 = x1.expand(shape), x2.expand(shape)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def _clamped_norm(x, dim, eps):
    n = x.norm(2, dim, keepdim=True)
    d = n.detach()
    return n + (d.clamp_min(eps) - d)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension (inputs broadcast)."""
    diff = x1 - x2 + eps
    return diff.norm(p, max(x1.dim(), x2.dim()) - 1, keepdim=keepdim)


@autocast_op("pdist")
def pdist(input, p=2):
    """The ``p``-norm distances between every pair of rows ``i < j`` of a 2-D input."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    xp = xp_of(input._data)
    i, j = np.triu_indices(input.shape[0], 1)
    i, j = Tensor._make(xp.asarray(i)), Tensor._make(xp.asarray(j))
    return (input.index_select(0, i) - input.index_select(0, j)).norm(p, 1)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """``input`` divided by its ``p``-norm along ``dim``, clamped below by ``eps``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom
