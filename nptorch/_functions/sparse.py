"""The embedding lookup: ``weight[indices]`` whose weight gradient can skip a padding row and be
scaled by the inverse frequency of each index."""
from .._device import xp_of
from .._tensor import Tensor
from ._utils import BuiltinFunction
from .indexing import Index
from .shape import Embed


class Embedding(BuiltinFunction):
    """``weight[idx]``; ``scale`` (an array shaped as ``idx``, or None) multiplies the gradient
    of each looked-up row (0 for the padding index, 1/count with ``scale_grad_by_freq``)."""

    @staticmethod
    def forward(ctx, weight, idx, scale):
        ctx.shape, ctx.key, ctx.scale = weight._data.shape, ((), (idx,)), scale
        return weight._data[idx]

    @staticmethod
    def backward(ctx, gy):
        if ctx.scale is not None:
            gy = gy * Tensor._make(ctx.scale[..., None].astype(gy._data.dtype))
        return Embed.apply(gy, ctx.shape, Index, (ctx.key,)), None, None


def gradient_scale(idx, num_embeddings, padding_idx, scale_grad_by_freq):
    """The per-lookup gradient factors of ``Embedding``, or None when all are one."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    xp = xp_of(idx)
    scale = xp.ones(idx.shape)
    if scale_grad_by_freq:
        scale = scale / xp.bincount(idx.reshape(-1), minlength=num_embeddings)[idx]
    if padding_idx is not None:
        scale = scale * (idx != padding_idx)
    return scale
