"""nn.functional: embedding lookups (``embedding``, ``embedding_bag``)."""
from ..._device import xp_of
from ..._functions.sparse import Embedding, gradient_scale
from ..._tensor import Tensor
from ...autograd import no_grad
from ..._dtype import scalar_type_name

__all__ = ["embedding", "embedding_bag"]


def _indices(input, op, position=1):
    if input._data.dtype.name not in ("int64", "int32"):
        raise RuntimeError(
            f"Expected tensor for argument #{position} 'indices' to have one of the following "
            f"scalar types: Long, Int; but got torch.{scalar_type_name(input)}Tensor instead "
            f"(while checking arguments for {op})")
    return input._data


def _check_range(idx, weight):
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= weight.shape[0]):
        raise IndexError("index out of range in self")


def _renorm_(weight, idx, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` looked up by ``idx`` whose norm exceeds
    ``max_norm`` (PyTorch's ``embedding_renorm_``)."""
    with no_grad():
        w = weight._data
        rows = xp_of(idx).unique(idx.reshape(-1))
        norms = Tensor._make(w[rows]).norm(norm_type, 1)._data
        big = norms > max_norm
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._version_counter[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up the rows of ``weight`` at the integer indices ``input``.

    Args:
        padding_idx: the row at this index gets no gradient.
        max_norm: looked-up rows with a larger ``norm_type``-norm are rescaled in place.
        scale_grad_by_freq: divide each row's gradient by its index's count in ``input``.

    Shape: ``(*)`` indices and ``(num_embeddings, embedding_dim)`` weight give
    ``(*, embedding_dim)``.
    """
    if padding_idx is not None:
        n = weight.shape[0]
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= n
    idx = _indices(input, "embedding")
    _check_range(idx, weight)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    scale = gradient_scale(idx, weight.shape[0], padding_idx, scale_grad_by_freq)
    return Embedding.apply(weight, idx, scale)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without building the looked-up rows' batch.

    A 2-D ``input`` holds fixed-length bags, one per row; a 1-D ``input`` is cut into bags
    starting at ``offsets``. Empty bags give zeros; ``padding_idx`` entries are left out of
    their bag; ``per_sample_weights`` (mode ``'sum'`` only) weight each looked-up row.
    """
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    xp = xp_of(weight._data)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
        starts = xp.arange(0, input.numel(), input.shape[1])
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        include_last_offset = False
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = offsets._data
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    idx = _indices(input, "embedding_bag")
    _check_range(idx, weight)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported "
            f"for mode='sum' (got mode='{mode}'). Please open a feature request on GitHub.")
    n = idx.shape[0]
    if starts.size and int(starts[0]) != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has "
                           f"to start from position 0. However, got {int(starts[0])}")
    if starts.size and int(starts[-1]) > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n}, but got "
                           f"offsets[-1] of {int(starts[-1])}")
    if padding_idx is not None:
        padding_idx %= weight.shape[0]
    if include_last_offset:
        starts = starts[:-1]
    rows = Embedding.apply(weight, idx, gradient_scale(idx, weight.shape[0], padding_idx,
                                                       scale_grad_by_freq))
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(-1)
    # PyTorch's offset2bag: an index belongs to the bag of the last offset, in sorted order, at or
    # before it; the last bag runs to the end of the input (past a smaller last offset too)
    bag = xp.searchsorted(xp.sort(starts), xp.arange(n), side="right") - 1
    member = bag == xp.arange(len(starts))[:, None]
    # and a mean divides by the offsets' differences less the padding entries, at least 1
    sizes = xp.diff(starts, append=n)
    if padding_idx is not None:
        padding = member & (idx == padding_idx)
        sizes = sizes - padding.sum(1)
        member &= ~padding
    if mode == "max":
        empty = weight.new_zeros(weight.shape[1])
        from ..._api.shape import stack
        return stack([rows[Tensor._make(xp.nonzero(m)[0])].max(0).values if m.any() else empty
                      for m in member]) if len(member) else weight.new_zeros((0, weight.shape[1]))
    out = Tensor._make(member.astype(weight._data.dtype)) @ rows
    if mode == "mean":
        out = out / Tensor._make(xp.maximum(sizes, 1)[:, None].astype(weight._data.dtype))
    return out
