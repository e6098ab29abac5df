"""PyTorch's top-level forms of layer functions whose signatures differ from those of
``nn.functional``: losses taking the reduction as an int (1 mean, 2 sum, any other none;
left out, none, as PyTorch's bindings read their ``Mean`` default as 0),
``embedding`` / ``embedding_bag`` / ``embedding_renorm_`` with the weight first,
``batch_norm`` / ``instance_norm`` with the affine parameters first, ``convolution``,
``constant_pad_nd`` and the dropouts (plain, feature and alpha) with a positional ``train``.

Each one checks what PyTorch's top level checks and runs the ``nn.functional`` code (or,
where the functional form checks more than the top level, the same computation without its
checks). This module sits above ``nn.functional``: the package namespace loads it after ``nn``.
"""
import numbers

import numpy as np

from .._tensor import Tensor
from ..amp._policy import autocast_op
from ..autograd import no_grad
from ._checks import bool_arg, int_arg, type_error
from ._inplace import check_inplace
from .creation import _finish
from .math import _FILL_TYPE_NAMES, checked_fill_value
from .native_forms import _compute_dtype, check_kernel_dtype, int_list
from .norms import _check_floating
from .reduction import scalar_type_name
from ..nn import functional as F
from ..nn.functional import normalization as _norm
from ..nn.functional.dropout import _dropout
from ..nn.functional.loss import _pairwise_distance, _reduce
from ..nn.functional.sparse import _indices, _renorm_
from ..nn.functional.vision import _constant_pad

_REDUCTIONS = {1: "mean", 2: "sum"}


def _reduction(op, reduction):
    """The ``nn.functional`` reduction for PyTorch's int enum."""
    return _REDUCTIONS.get(int_arg(op, "reduction", reduction), "none")


# -- losses ----------------------------------------------------------------------------------
@autocast_op("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """``nn.functional.binary_cross_entropy_with_logits`` with an int ``reduction``, without
    its check of the target's size: as in PyTorch, the terms broadcast into the target's
    shape and dtype (and ``pos_weight`` into the input's)."""
    reduction = _reduction("binary_cross_entropy_with_logits", reduction)
    log_sigmoid = F.logsigmoid(input)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid.mul_((pos_weight - 1).mul(target).add_(1))
    loss = (1 - target).mul_(input).sub_(log_sigmoid)
    if weight is not None:
        loss = loss.mul_(weight)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """``nn.functional.cosine_embedding_loss`` with an int ``reduction``."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
             zero_infinity=False):
    """``nn.functional.ctc_loss`` with an int ``reduction``."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      _reduction("ctc_loss", reduction), zero_infinity)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """``nn.functional.hinge_embedding_loss`` with an int ``reduction``."""
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction("hinge_embedding_loss", reduction))


def kl_div(input, target, reduction=0, *, log_target=False):
    """``nn.functional.kl_div`` with an int ``reduction`` (1 is the plain mean, without the
    functional form's warning about ``'batchmean'``)."""
    reduction = _reduction("kl_div", reduction)
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    return _reduce(F.kl_div(input, target, reduction="none", log_target=log_target), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """``max(0, -target * (input1 - input2) + margin)`` with an int ``reduction``; unlike
    ``nn.functional``'s, the inputs broadcast whatever their dims."""
    reduction = _reduction("margin_ranking_loss", reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """``nn.functional.poisson_nll_loss`` with every argument positional and an int
    ``reduction``."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=0):
    """``nn.functional.triplet_margin_loss`` with an int ``reduction``; as in PyTorch, any
    ``margin`` goes (the functional form refuses those not positive)."""
    reduction = _reduction("triplet_margin_loss", reduction)
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(_pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


# -- embeddings ------------------------------------------------------------------------------
def _check_weight(weight, message):
    if weight.dim() != 2:
        raise RuntimeError(message.format(weight.dim()))


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at ``indices``; a ``padding_idx`` outside ``[0, num_embeddings)``
    (by default -1) means no padding row."""
    padding_idx = int_arg("embedding", "padding_idx", padding_idx, 3)
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
    n = weight.shape[0]
    if padding_idx is not None:
        padding_idx = int_arg("embedding_bag", "padding_idx", padding_idx, 9)
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} "
                               f"through {n - 1}, but got {padding_idx}")
        padding_idx %= n
    _check_bag_arguments(weight, indices, offsets, mode, per_sample_weights, include_last_offset)
    # PyTorch's fast float sums, over unit-stride rows, keep no offset2bag
    fast = (padding_idx is None and weight._data.dtype.char in "ef" and weight.stride(-1) == 1
            and (per_sample_weights is None or per_sample_weights.stride(-1) == 1))
    # (max mode's gradient has no frequency scaling to refuse: PyTorch ignores the flag there)
    output = F.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq and mode != 2,
                             _BAG_MODES[mode], sparse, per_sample_weights, include_last_offset,
                             padding_idx)
    return (output,) + _bag_bookkeeping(weight, indices, offsets, mode, include_last_offset,
                                        padding_idx, fast)


def _check_bag_arguments(weight, indices, offsets, mode, per_sample_weights,
                         include_last_offset):
    """PyTorch's checks of ``embedding_bag``'s tensors, in its order."""
    if indices.dim() not in (1, 2):
        raise RuntimeError(f"input has to be a 1D or 2D Tensor, but got Tensor of dimension "
                           f"{indices.dim()}")
    if indices.dim() == 1 and offsets.dim() != 1:
        raise RuntimeError(f"offsets has to be a 1D Tensor, but got Tensor of dimension "
                           f"{offsets.dim()}")
    _check_weight(weight, "weight has to be a 2D Tensor, but got Tensor of dimension {}")
    _indices(indices, "embedding_bag")
    _indices(offsets, "embedding_bag")
    if not weight.is_floating_point():
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following "
                           "scalar types: Half, BFloat16, Float, Double; but got "
                           f"torch.{scalar_type_name(weight)}Tensor instead (while checking "
                           "arguments for embedding_bag)")
    if per_sample_weights is not None:
        if mode != 0:
            raise RuntimeError("embedding_bag: per_sample_weights only supported with "
                               "mode='sum'")
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(
                "Expected tensor for argument #1 'weight' to have the same type as tensor for "
                "argument #1 'per_sample_weights'; but type "
                f"torch.{scalar_type_name(weight)}Tensor does not equal "
                f"torch.{scalar_type_name(per_sample_weights)}Tensor (while checking arguments "
                "for embedding_bag)")
        if per_sample_weights.dim() != 1 or per_sample_weights.numel() != indices.numel():
            raise RuntimeError(f"embedding_bag: expected per_sample_weights to be 1-D with "
                               f"{indices.numel()} elements, one per index, but got shape "
                               f"{list(per_sample_weights.shape)}")
    if include_last_offset and offsets.numel() < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    idx = indices._host()
    bad = idx[(idx < 0) | (idx >= weight.shape[0])]
    if bad.size:
        raise RuntimeError("embedding_bag: Expected idx >= 0 && idx < num_embeddings but found "
                           f"idx to be {int(bad.reshape(-1)[0])}")


def _bag_bookkeeping(weight, indices, offsets, mode, include_last_offset, padding_idx, fast):
    """``offset2bag``, ``bag_size`` and ``max_indices`` of ``embedding_bag``, in the indices'
    and offsets' common type."""
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
        # sums have no bag sizes: zeros, one per bag, or (PyTorch's forward-only form, for a
        # weight without grad) one per offset
        size = bags if weight.requires_grad else offsets.shape[0]
        bag_size = max_indices = np.zeros(size, np.int64)
        if fast:
            offset2bag = offset2bag[:0]
    index_type = np.promote_types(indices._data.dtype, offsets._data.dtype)
    return tuple(_finish(a.astype(index_type), None, weight.device, False)
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
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:
        raise IndexError(f"select(): index {int(bad.min())} out of range for tensor of size "
                         f"{list(weight.shape)} at dimension 0")
    _check_floating(weight)
    # negative indices count from the end, as PyTorch's row selection does
    _renorm_(weight, idx % n, max_norm, norm_type)
    return weight


# -- normalization ---------------------------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """Batch normalization with PyTorch's top-level argument order (no check of the batch
    size, which only the functional form makes). The output has the input's dtype; a float16
    input may have float32 parameters, other dtypes must all agree."""
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                       (weight, bias, running_mean, running_var))


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                typed):
    """``batch_norm`` checking the dtypes of the tensors ``typed`` against the input's."""
    if input.numel() == 0:
        # as in PyTorch: no statistics, the affine parameters' first values
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        if bias is not None:
            out = out + bias[0]
        return out
    _norm._check_channels(input.size(1), running_mean=running_mean, running_var=running_var,
                          weight=weight, bias=bias)
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    check_kernel_dtype(input, "batch_norm")
    _compute_dtype(input, *typed)
    return _norm._channel_norm(input, running_mean, running_var, weight, bias, training,
                               momentum, eps, (0, 2)).to(input.dtype)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """Instance normalization with PyTorch's top-level argument order: ``batch_norm`` of the
    input with its batch folded into the channels, the per-channel tensors repeated; the
    running statistics then get their mean over the batch. As in PyTorch, only the affine
    parameters' dtypes are checked against the input's."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    n, c = input.size(0), input.size(1)
    weight_, bias_, mean_, var_ = (None if t is None else t.repeat(n)
                                   for t in (weight, bias, running_mean, running_var))
    folded = input.reshape((1, n * c) + tuple(input.shape[2:]))
    out = _batch_norm(folded, weight_, bias_, mean_, var_, use_input_stats, momentum, eps,
                      (weight_, bias_))
    with no_grad():
        for running, repeated in ((running_mean, mean_), (running_var, var_)):
            if running is not None:
                running.copy_(repeated.view(n, c).mean(0))
    return out.reshape(input.shape)


# -- padding and convolution -----------------------------------------------------------------
def constant_pad_nd(input, pad, value=0):
    """``input`` padded with ``value``: ``pad`` holds (before, after) pairs from the last dim
    backwards; negative pads crop."""
    pad = int_list("constant_pad_nd", "pad", pad, 2)
    if not isinstance(value, numbers.Number):
        raise type_error("constant_pad_nd", "value", "Number", value, 3)
    if isinstance(value, complex):
        raise RuntimeError(f"value cannot be converted to type "
                           f"{_FILL_TYPE_NAMES[input._data.dtype.name]} without overflow")
    value = checked_fill_value(input._data.dtype, value)
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
    value = int_list("convolution", name, value, position)
    return value * d if len(value) == 1 else value


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """The convolution (or, with ``transposed``, transposed convolution) of a batched input
    over as many spatial dims as ``weight`` has."""
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
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
        if not isinstance(input, Tensor):
            raise type_error(name, "input", "Tensor", input, 1)
        if not isinstance(p, numbers.Real):
            raise type_error(name, "p", "float", p, 2)
        bool_arg(name, "train", train, optional=False, position=3)
        if not 0 <= p <= 1:  # nan too
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
        if train and 0 < p < 1:
            if feature and input.dim() < 2:
                raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
            if not input.is_floating_point():
                # the alpha forms first scale a bool input, which makes it int64
                bool_in_alpha = alpha and input._data.dtype.kind == "b"
                raise RuntimeError("result type Float can't be cast to the desired output type "
                                   + ("Long" if bool_in_alpha else scalar_type_name(input)))
        return _dropout(input, p, train, inplace, feature=feature, alpha=alpha)
    dropout.__name__ = dropout.__qualname__ = name
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
           ("dropout", False, False, False), ("dropout_", False, False, True),
           ("alpha_dropout", False, True, False), ("alpha_dropout_", False, True, True),
           ("feature_dropout", True, False, False), ("feature_dropout_", True, False, True),
           ("feature_alpha_dropout", True, True, False),
           ("feature_alpha_dropout_", True, True, True))},
}
