"""nn.functional: losses, and ``one_hot``.

``reduction`` is ``'none' | 'mean' | 'sum'``; the legacy ``size_average`` / ``reduce`` pair maps
to it as in PyTorch (with its deprecation warning). Losses are compositions of differentiable
Tensor ops (so second derivatives work) except binary cross-entropy and CTC, which have their
own Functions.
"""
import math
import warnings

import numpy as np

from ..._api import creation as _creation, math as _math
from ..._dtype import scalar_type_name
from ..._device import check_same_device, xp_of
from ..._functions import loss as L
from ..._tensor import Tensor
from ...autograd import grad_mode
from .activation import log_softmax, logsigmoid
from ...amp._policy import autocast_op

__all__ = ["l1_loss", "mse_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "huber_loss", "smooth_l1_loss", "kl_div",
           "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "ctc_loss", "one_hot"]


# -- reductions ----------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce):
    """PyTorch's ``_Reduction.legacy_get_string``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
                  "instead.", stacklevel=3)
    return ret


def _reduction(reduction, size_average=None, reduce=None, extra=()):
    """The reduction string, from the legacy arguments when given; validated."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum") + extra:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _const(array):
    return Tensor._make(array)


# -- regression losses ---------------------------------------------------------------------
def _pointwise(fn, input, target, reduction, weight=None, mean_over_weight=True):
    """``fn(input - target)`` reduced; a ``weight`` of the input's size scales each term (and
    ``mean`` then divides by the weights' sum when ``mean_over_weight``)."""
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)
    loss = fn(input - target)
    if weight is None:
        return _reduce(loss, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_over_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


@autocast_op("l1_loss")
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) absolute error ``|input - target|``."""
    reduction = _reduction(reduction, size_average, reduce)
    return _pointwise(lambda d: d.abs(), input, target, reduction, weight)


@autocast_op("mse_loss")
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) squared error ``(input - target) ** 2``."""
    reduction = _reduction(reduction, size_average, reduce)
    return _pointwise(lambda d: d * d, input, target, reduction, weight)


def _huber(d, delta):
    z = d.abs()
    return _math.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))


@autocast_op("huber_loss")
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error within ``delta`` of the target, ``delta``-scaled absolute error beyond."""
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise(lambda d: _huber(d, delta), input, target, reduction, weight,
                      mean_over_weight=False)


@autocast_op("smooth_l1_loss")
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``huber_loss(delta=beta) / beta``: squared error within ``beta``, absolute beyond."""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _pointwise(lambda d: d.abs(), input, target, reduction)
    return _pointwise(lambda d: _huber(d, beta) / beta, input, target, reduction)


# -- classification ------------------------------------------------------------------------
def _check_class_weight(weight, input, n_classes):
    if weight is None:
        return
    if tuple(weight.shape) != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    check_same_device("nll_loss", [input._data, weight._data])


def _check_nll_shapes(input, target):
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() != 1 and target.dim() and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if input.dim() <= 2:
        if target.dim() != input.dim() - 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif input.dim() == 4 and target.dim() != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.dim()}")
    elif input.dim() == 4 and target.shape != input.shape[:1] + input.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , "
                           f"target: {list(target.shape)}")
    elif target.shape != input.shape[:1] + input.shape[2:]:
        raise RuntimeError(f"Expected target size {list(input.shape[:1] + input.shape[2:])}, "
                           f"got {list(target.shape)}")
    if target._data.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {scalar_type_name(target)}")


def _nll_terms(input, target, weight, ignore_index, reduction):
    """The terms ``-w[t] * input[n, t, ...]`` of every target (divided by the weights' total
    for ``reduction='mean'``), the weights ``w[t]`` (0 where ``target == ignore_index``) as a
    constant Tensor, and where targets are kept; unbatched input is batched. Without class
    weights, when every target is a class and none is ignored, the weights and places are None
    (all 1, all kept)."""
    _check_nll_shapes(input, target)
    n_classes = input.shape[0 if input.dim() == 1 else 1]
    _check_class_weight(weight, input, n_classes)
    if input.dim() == 1:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    t = target._data.astype(np.int64, copy=False)
    xp = xp_of(t)
    dtype = input._data.dtype
    if (weight is None and t.size and not 0 <= ignore_index < n_classes
            and bool(((t >= 0) & (t < n_classes)).all())):
        coef = xp.full(t.shape, -1 / t.size if reduction == "mean" else -1, dtype)
        return L.TargetTerms.apply(input, t, coef), None, None
    kept = t != ignore_index
    bad = kept & ((t < 0) | (t >= n_classes))
    if bool(bad.any()):
        raise IndexError(f"Target {int(t[bad].ravel()[0])} is out of bounds.")
    t = xp.where(kept, t, 0)
    w = (weight._data[t] if weight is not None else xp.ones(t.shape, dtype)) * kept
    w = w.astype(dtype, copy=False)
    coef = -w
    if reduction == "mean":
        # PyTorch's gradient -w[t] / total, also where the total is 0 (inf or nan), and 0 for
        # ignored targets
        with np.errstate(divide="ignore", invalid="ignore"):
            coef = xp.where(kept, coef / w.sum(), 0).astype(w.dtype, copy=False)
    return L.TargetTerms.apply(input, t, coef), _const(w), kept


def _nll_reduce(terms, w, reduction, batched):
    """The terms reduced; a mean over weights that sum to 0 is NaN, PyTorch's 0 / 0 (``w`` is
    None when every weight is 1)."""
    if reduction == "none":
        return terms if batched else terms.squeeze(0)
    total = terms.sum()
    if reduction == "mean" and w is not None:
        # the NaN is added on the weights' device: reading their sum back would wait for it
        weights = w._data
        nan_if_empty = xp_of(weights).where(weights.sum() == 0, math.nan, 0.0)
        total = total + _const(nan_if_empty.astype(weights.dtype))
    return total


@autocast_op("nll_loss")
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log-likelihood loss: ``-weight[t] * input[n, t]`` for class indices ``t``.

    Shape: input ``(N, C)``, ``(C,)`` or ``(N, C, d1, d2, ...)``; target ``(N)``, ``()`` or
    ``(N, d1, d2, ...)``. ``mean`` divides by the sum of the weights of non-ignored targets.
    """
    reduction = _reduction(reduction, size_average, reduce)
    terms, w, _ = _nll_terms(input, target, weight, ignore_index, reduction)
    return _nll_reduce(terms, w, reduction, input.dim() != 1)


@autocast_op("cross_entropy")
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, class_dim), target)`` for class indices, or
    ``-sum(target * log_softmax(input))`` for class probabilities (target of the input's shape).

    ``label_smoothing`` mixes the target with the uniform distribution over the classes.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    w_shape = (n_classes,) + (1,) * (input.dim() - class_dim - 1)
    if target.shape == input.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class probabilities, "
                               f"got {scalar_type_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        _check_class_weight(weight, input, n_classes)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target
        if weight is not None:
            terms = terms * weight.reshape(w_shape)
        if reduction == "none":
            return -terms.sum(class_dim)
        total = -terms.sum()
        return total if reduction == "sum" else total / (input.numel() / n_classes)
    terms, w, kept = _nll_terms(logp, target, weight, ignore_index, reduction)
    nll = _nll_reduce(terms, w, reduction, input.dim() != 1)
    if label_smoothing == 0:
        return nll
    smooth = -(logp if weight is None else logp * weight.reshape(w_shape)).sum(class_dim)
    if kept is not None:
        smooth = smooth.masked_fill(_const(~kept.reshape(smooth.shape)), 0.0)
    if reduction == "mean":
        smooth = smooth.sum() / (w.sum() if weight is not None else
                                 float(smooth.numel() if kept is None else kept.sum()))
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


@autocast_op("binary_cross_entropy")
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-weight * (target * log(input) + (1 - target) * log(1 - input))``, logs clamped at -100."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         "size.")
    a = input._data
    if bool(((a < 0) | (a > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = L.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@autocast_op("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from the logits;
    ``pos_weight`` (broadcast over the last dim) weighs the positive term.

    As in PyTorch, the terms are accumulated in place in ``1 - target``: the loss has the
    target's dtype, and the weights must broadcast to the target's shape."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None and t.requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError("The function 'binary_cross_entropy_with_logits' is not "
                               f"differentiable with respect to argument '{name}'. This input "
                               "cannot have requires_grad True.")
    log_sigmoid = logsigmoid(input)
    if pos_weight is not None:
        log_sigmoid.mul_((pos_weight - 1).mul(target).add_(1))
    loss = (1 - target).mul_(input).sub_(log_sigmoid)
    if weight is not None:
        loss.mul_(weight)
    return _reduce(loss, reduction)


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape ``tensor.shape + (num_classes,)`` with 1 at each class index."""
    if tensor._data.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    xp = xp_of(a)
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size and int(a.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if a.size and int(a.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _const((a[..., None] == xp.arange(num_classes)).astype(np.int64))


# -- divergences and likelihoods -----------------------------------------------------------
@autocast_op("kl_div")
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``target * (log(target) - input)`` (``input`` holds log-probabilities; so does ``target``
    with ``log_target``). ``'batchmean'`` divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    else:
        reduction = _reduction(reduction, extra=("batchmean",))
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                          "support size.'batchmean' divides only by the batch size, and aligns with "
                          "the KL div math definition.'mean' will be changed to behave the same as "
                          "'batchmean' in the next major release.", stacklevel=2)
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        loss = _math.where(positive, target * _math.where(positive, target, 1).log(), 0) \
            - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


@autocast_op("poisson_nll_loss")
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """The Poisson negative log-likelihood: ``exp(input) - target * input`` with ``log_input``,
    else ``input - target * log(input + eps)``; ``full`` adds Stirling's term for target > 1."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        t = _math.where(big, target, 1)
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + _math.where(big, stirling, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """``0.5 * (log(var) + (input - target) ** 2 / var)`` with ``var`` clamped at ``eps``.

    ``var`` may be a number, have the input's shape, lack its last dim, or differ from it in
    one broadcastable dim (homoscedastic cases).
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _creation.ones_like(input)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.dim() == var.dim() and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)  # the gradient still flows to the unclamped var, as in PyTorch
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# -- margins and embeddings ----------------------------------------------------------------
@autocast_op("margin_ranking_loss")
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``."""
    reduction = _reduction(reduction, size_average, reduce)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but "
                           f"got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


@autocast_op("hinge_embedding_loss")
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``."""
    reduction = _reduction(reduction, size_average, reduce)
    margin_part = _math.where(target != 1, (margin - input).clamp(min=0), 0)
    self_part = _math.where(target != -1, input, 0)
    return _reduce(margin_part + self_part, reduction)


@autocast_op("cosine_embedding_loss")
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(input1, input2)`` where ``target == 1``, ``max(0, cos - margin)`` where
    ``target == -1``; the cosine is taken along dim 1 (dim 0 for unbatched input)."""
    reduction = _reduction(reduction, size_average, reduce)
    d = target.dim()
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.dim() != d + 1 or input2.dim() != d + 1:
        raise RuntimeError(f"{d}D target tensor expects {d + 1}D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    denom = (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    cos = prod / denom
    loss = _math.where(target == 1, 1 - cos, 0) + _math.where(target == -1,
                                                              (cos - margin).clamp(min=0), 0)
    return _reduce(loss, reduction)


def _pairwise_distance(x1, x2, p, eps):
    return (x1 - x2 + eps).norm(p, dim=-1)


@autocast_op("triplet_margin_loss")
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with the ``p``-norm
    distance; ``swap`` uses ``d(positive, negative)`` when it is smaller."""
    return _triplet_loss(anchor, positive, negative,
                         lambda a, b: _pairwise_distance(a, b, p, eps), margin, swap,
                         _reduction(reduction, size_average, reduce))


def _triplet_loss(anchor, positive, negative, distance, margin, swap, reduction):
    """The triplet margin loss with the distance function ``distance``."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        d_neg = _math.minimum(d_neg, distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


# -- CTC -----------------------------------------------------------------------------------
def _lengths(v, xp):
    a = v._data if isinstance(v, Tensor) else xp.asarray(v)
    return xp.asarray(a, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The Connectionist Temporal Classification loss.

    Shape: ``log_probs`` ``(T, N, C)`` (or ``(T, C)``), log-softmax outputs; ``targets``
    ``(N, S)`` padded or the ``sum(target_lengths)`` labels concatenated; ``input_lengths`` and
    ``target_lengths`` ``(N)``. ``'mean'`` divides each loss by its target length, then
    averages over the batch; ``zero_infinity`` zeroes infinite losses and their gradients.
    """
    reduction = _reduction(reduction)
    batched = log_probs.dim() == 3
    if not batched:
        log_probs, targets = log_probs.unsqueeze(1), targets.reshape(1, -1)
    xp = xp_of(log_probs._data)
    T, N, C = log_probs.shape
    il, tl = _lengths(input_lengths, xp), _lengths(target_lengths, xp)
    if il.shape[0] != N or tl.shape[0] != N:
        raise RuntimeError(f"input_lengths must be of size batch_size, {N}")
    if bool((il > T).any()):
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{int(il.max())} (while checking arguments for ctc_loss_cpu)")
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    t = targets._data.astype(np.int64, copy=False)
    if t.ndim == 1:  # concatenated labels: pad them
        S = int(tl.max()) if N else 0
        padded = xp.full((N, S), blank, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(np.asarray(tl.tolist()))[:-1]])
        for n, (start, length) in enumerate(zip(starts.tolist(), tl.tolist())):
            padded[n, :length] = t[start:start + length]
        t = padded
    elif bool((tl > t.shape[1]).any()):
        raise RuntimeError(f"Expected tensor to have size at least {int(tl.max())} at dimension 1, "
                           f"but got size {t.shape[1]} for argument #2 'targets' (while checking "
                           "arguments for ctc_loss_cpu)")
    loss = L.CTCLoss.apply(log_probs, t, il, tl, blank, zero_infinity)
    if reduction == "mean":
        return (loss / _const(xp.maximum(tl, 1).astype(log_probs._data.dtype))).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.squeeze(0)
