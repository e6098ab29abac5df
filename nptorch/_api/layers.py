"""PyTorch's top-level forms of layer functions whose signatures differ from those of
``nn.functional``: losses taking the reduction as an int (1 mean, 2 sum, any other none),
``embedding`` / ``embedding_bag`` / ``embedding_renorm_`` with the weight first,
``batch_norm`` / ``instance_norm`` with the affine parameters first, ``convolution``,
``constant_pad_nd`` and the feature and alpha dropouts with a positional ``train``.

Each one checks what PyTorch's top level checks and runs the ``nn.functional`` code. This
module sits above ``nn.functional``: the package namespace loads it after ``nn``.
"""
import numpy as np

from .._tensor import Tensor
from ._checks import int_arg
from ._inplace import check_inplace
from .creation import _finish
from ..nn import functional as F
from ..nn.functional import normalization as _norm
from ..nn.functional.dropout import _dropout
from ..nn.functional.loss import _reduce
from ..nn.functional.sparse import _indices, _renorm_
from ..nn.functional.vision import _constant_pad

_REDUCTIONS = {1: "mean", 2: "sum"}


def _reduction(op, reduction):
    """The ``nn.functional`` reduction for PyTorch's int enum."""
    return _REDUCTIONS.get(int_arg(op, "reduction", reduction), "none")


# -- losses ----------------------------------------------------------------------------------
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    """``nn.functional.binary_cross_entropy_with_logits`` with an int ``reduction``."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, pos_weight=pos_weight,
        reduction=_reduction("binary_cross_entropy_with_logits", reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    """``nn.functional.cosine_embedding_loss`` with an int ``reduction``."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    """``nn.functional.ctc_loss`` with an int ``reduction``."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      _reduction("ctc_loss", reduction), zero_infinity)


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    """``nn.functional.hinge_embedding_loss`` with an int ``reduction``."""
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction("hinge_embedding_loss", reduction))


def kl_div(input, target, reduction=1, *, log_target=False):
    """``nn.functional.kl_div`` with an int ``reduction`` (1 is the plain mean, without the
    functional form's warning about ``'batchmean'``)."""
    reduction = _reduction("kl_div", reduction)
    return _reduce(F.kl_div(input, target, reduction="none", log_target=log_target), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    """``nn.functional.margin_ranking_loss`` with an int ``reduction``."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction("margin_ranking_loss", reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """``nn.functional.poisson_nll_loss`` with every argument positional and an int
    ``reduction``."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=1):
    """``nn.functional.triplet_margin_loss`` with an int ``reduction``."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction("triplet_margin_loss", reduction))


# -- embeddings ------------------------------------------------------------------------------
def _check_weight(weight, message):
    if weight.dim() != 2:
        raise RuntimeError(message.format(weight.dim()))


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at ``indices``; a ``padding_idx`` outside ``[0, num_embeddings)``
    (by default -1) means no padding row."""
    _check_weight(weight, "'weight' must be 2-D")
    n = weight.shape[0]
    padding = padding_idx if 0 <= padding_idx < n else None
    return F.embedding(indices, weight, padding, None, 2.0, scale_grad_by_freq, sparse)


_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums (``mode`` 0), means (1) or maxima (2) of bags of embeddings, with PyTorch's
    bookkeeping: returns ``(output, offset2bag, bag_size, max_indices)``.

    ``offset2bag`` is the bag of each index (empty for float32 sums without padding, which
    PyTorch computes without it), ``bag_size`` the non-padding count of each bag (zeros for
    sums) and ``max_indices`` the row each maximum came from (``(B, D)``; for the other modes,
    PyTorch's ``bag_size`` or zeros).
    """
    mode = int_arg("embedding_bag", "mode", mode, 5)
    if not 0 <= mode <= 2:
        raise RuntimeError("`mode` must be sum, mean, or max.")
    if not isinstance(offsets, Tensor):
        raise TypeError(f"embedding_bag(): argument 'offsets' (position 3) must be Tensor, not "
                        f"{type(offsets).__name__}")
    _check_weight(weight, "weight has to be a 2D Tensor, but got Tensor of dimension {}")
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} "
                               f"through {n - 1}, but got {padding_idx}")
        padding_idx %= n
    if per_sample_weights is not None and mode != 0:
        raise RuntimeError("embedding_bag: per_sample_weights only supported with mode='sum'")
    # PyTorch's fast float sums, over unit-stride rows, keep no offset2bag
    fast = (padding_idx is None and weight._data.dtype.char in "ef" and weight.stride(-1) == 1
            and (per_sample_weights is None or per_sample_weights.stride(-1) == 1))
    output = F.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq,
                             _BAG_MODES[mode], sparse, per_sample_weights, include_last_offset,
                             padding_idx)
    return (output,) + _bag_bookkeeping(weight, indices, offsets, mode, include_last_offset,
                                        padding_idx, fast)


def _bag_bookkeeping(weight, indices, offsets, mode, include_last_offset, padding_idx, fast):
    """``offset2bag``, ``bag_size`` and ``max_indices`` of ``embedding_bag``."""
    idx = indices._host().astype(np.int64).reshape(-1)
    starts = offsets._host().astype(np.int64)
    if include_last_offset:
        starts = starts[:-1]
    bags = len(starts)
    offset2bag = np.maximum(np.searchsorted(starts, np.arange(idx.size), side="right") - 1, 0)
    member = np.ones(idx.size, bool) if padding_idx is None else idx != padding_idx
    bag_size = np.bincount(offset2bag[member], minlength=bags)[:bags]
    if mode == 2:
        rows = weight._host()
        max_indices = np.zeros((bags, rows.shape[1]), np.int64)
        for b in np.unique(offset2bag[member]):
            chosen = idx[member & (offset2bag == b)]
            max_indices[b] = chosen[rows[chosen].argmax(0)]
    elif mode == 1:
        max_indices = bag_size
    else:
        bag_size = max_indices = np.zeros(bags, np.int64)
        if fast:
            offset2bag = offset2bag[:0]
    device = weight.device
    return tuple(_finish(a.astype(np.int64), None, device, False)
                 for a in (offset2bag, bag_size, max_indices))


def embedding_renorm_(weight, indices, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` at ``indices`` whose ``norm_type``-norm
    exceeds ``max_norm`` to that norm; returns ``weight``."""
    check_inplace(weight)
    if weight.dim() != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {weight.dim()}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "embedding_renorm_)")
    idx = _indices(indices, "embedding_renorm_", 2)
    n = weight.shape[0]
    bad = idx[(idx < 0) | (idx >= n)]
    if bad.size:
        raise IndexError(f"select(): index {int(bad[0])} out of range for tensor of size "
                         f"{list(weight.shape)} at dimension 0")
    _renorm_(weight, idx, max_norm, norm_type)
    return weight


# -- normalization ---------------------------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """Batch normalization with PyTorch's top-level argument order (no check of the batch
    size, which only the functional form makes)."""
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    _norm._check_channels(input.size(1), weight=weight, bias=bias, running_mean=running_mean,
                          running_var=running_var)
    return _norm._channel_norm(input, running_mean, running_var, weight, bias, training,
                               momentum, eps, (0, 2))


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """Instance normalization with PyTorch's top-level argument order."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    # PyTorch folds the batch into the channels, repeating the per-channel tensors
    n, c = input.size(0), input.size(1)
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {n * c} elements not {n * t.numel()}")
    return _norm._channel_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                               momentum, eps, (2,))


# -- padding and convolution -----------------------------------------------------------------
def constant_pad_nd(input, pad, value=0):
    """``input`` padded with ``value``: ``pad`` holds (before, after) pairs from the last dim
    backwards; negative pads crop."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Length of pad should be no more than twice the number of dimensions "
                           f"of the input. Pad length is {len(pad)}while the input has "
                           f"{input.dim()}dimensions.")
    return _constant_pad(input, pad, value)


_CONVOLUTIONS = {1: (F.conv1d, F.conv_transpose1d), 2: (F.conv2d, F.conv_transpose2d),
                 3: (F.conv3d, F.conv_transpose3d)}


def _int_list(name, value, position, d):
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"convolution(): argument '{name}' (position {position}) must be tuple "
                        f"of ints, not {type(value).__name__}")
    value = [int(v) for v in value]
    return value * d if len(value) == 1 else value


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """The convolution (or, with ``transposed``, transposed convolution) of a batched input
    over as many spatial dims as ``weight`` has."""
    d = weight.dim() - 2
    stride, padding, dilation, output_padding = (
        _int_list(name, v, i, d) for name, v, i in (
            ("stride", stride, 4), ("padding", padding, 5), ("dilation", dilation, 6),
            ("output_padding", output_padding, 8)))
    if input.dim() != weight.dim():
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-"
                           f"dimensional weight {list(weight.shape)}, but got {input.dim()}-"
                           f"dimensional input of size {list(input.shape)} instead")
    if d not in _CONVOLUTIONS:
        raise RuntimeError(f"convolution: expected a weight of 3 to 5 dims, got {weight.dim()}")
    conv, conv_transpose = _CONVOLUTIONS[d]
    if transposed:
        return conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                              dilation)
    return conv(input, weight, bias, stride, padding, dilation, groups)


# -- dropout ---------------------------------------------------------------------------------
def _dropout_form(name, feature, alpha, inplace):
    def dropout(input, p, train):
        if not 0 <= p <= 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
        if feature and train and 0 < p < 1 and input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        return _dropout(input, p, train, inplace, feature=feature, alpha=alpha)
    dropout.__name__ = name
    kind = ("in-place " if inplace else "") + ("feature " if feature else "") + (
        "alpha " if alpha else "")
    dropout.__doc__ = (f"{kind.capitalize()}dropout with PyTorch's top-level signature "
                       "``(input, p, train)``" + (": whole channels (dim 1) are dropped."
                                                  if feature else "."))
    return dropout


FUNCTIONS = {
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cosine_embedding_loss": cosine_embedding_loss, "ctc_loss": ctc_loss,
    "hinge_embedding_loss": hinge_embedding_loss, "kl_div": kl_div,
    "margin_ranking_loss": margin_ranking_loss, "poisson_nll_loss": poisson_nll_loss,
    "triplet_margin_loss": triplet_margin_loss, "embedding": embedding,
    "embedding_bag": embedding_bag, "embedding_renorm_": embedding_renorm_,
    "batch_norm": batch_norm, "instance_norm": instance_norm,
    "constant_pad_nd": constant_pad_nd, "convolution": convolution,
    **{name: _dropout_form(name, feature, alpha, inplace)
       for name, feature, alpha, inplace in (
           ("alpha_dropout_", False, True, True),
           ("feature_dropout", True, False, False), ("feature_dropout_", True, False, True),
           ("feature_alpha_dropout", True, True, False),
           ("feature_alpha_dropout_", True, True, True))},
}
