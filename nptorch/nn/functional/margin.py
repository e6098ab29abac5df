"""Soft-margin, multi-class and multi-label margin losses, and the triplet loss with any
distance (PyTorch's signatures, checks and reductions)."""
from ..._api import math as _math
from ..._device import xp_of
from ..._dtype import scalar_type_name
from ..._tensor import Tensor
from .activation import logsigmoid
from .distance import pairwise_distance
from .loss import _reduce, _reduction, _triplet_loss
from ...amp._policy import autocast_op

__all__ = ["soft_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
           "multilabel_margin_loss", "triplet_margin_with_distance_loss"]


@autocast_op("soft_margin_loss")
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-target * input))``, the two-class logistic loss (targets 1 or -1)."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to "
                           "argument 'target'. This input cannot have requires_grad True.")
    return _reduce((-target * input).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """One-versus-all logistic loss over the classes (last dim), averaged over them."""
    reduction = _reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.sum(input.dim() - 1) / input.shape[-1], reduction)


def _samples(input):
    """``input`` (C) or (N, C) as (N, C) rows."""
    if input.dim() > 2 or input.numel() == 0:
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(input.shape)}")
    return input.reshape(-1, input.shape[-1])


def _class_indices(target):
    if target._data.dtype.name != "int64":
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(target)}")
    return target._data


@autocast_op("multi_margin_loss")
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """``sum_{j != y} max(0, margin - x[y] + x[j]) ** p / C`` for each sample's class ``y``,
    scaled by ``weight[y]``."""
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x = _samples(input)
    N, C = x.shape
    t = _class_indices(target)
    if t.size != N or (input.dim() == 2 and t.ndim != 1):
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size [{N}], "
                           f"but got {list(target.shape)}. Input has shape {list(input.shape)}.")
    if weight is not None and weight.shape != (C,):
        raise RuntimeError(f"inconsistent weight size, expected {C} but got {list(weight.shape)}")
    t = t.reshape(N)
    if bool(((t < 0) | (t >= C)).any()):
        raise RuntimeError("target out of range")
    xp = xp_of(t)
    picked = x.gather(1, Tensor._make(t[:, None]))
    hinge = (margin - picked + x).clamp(min=0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[Tensor._make(t)].unsqueeze(1)
    others = Tensor._make(t[:, None] != xp.arange(C))
    loss = _math.where(others, hinge, 0).sum(1) / C
    return _reduce(loss.reshape(target.shape), reduction)


@autocast_op("multilabel_margin_loss")
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``sum_{j in targets} sum_{k not in targets} max(0, 1 - (x[j] - x[k])) / C``; a sample's
    targets are its ``target`` entries before the first -1."""
    reduction = _reduction(reduction, size_average, reduce)
    x = _samples(input)
    N, C = x.shape
    t = _class_indices(target)
    if target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    t = t.reshape(N, C)
    if bool(((t < -1) | (t >= C)).any()):
        raise RuntimeError("argument #2 'target' is out of range")
    xp = xp_of(t)
    listed = xp.cumprod(t != -1, axis=1).astype(bool)
    # times each class is listed (a class listed twice counts twice, as in PyTorch)
    counts = ((t[:, :, None] == xp.arange(C)) & listed[:, :, None]).sum(1)
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]  # (target j, non-target k)
    hinge = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)
    loss = (hinge * Tensor._make(pairs.astype(x._data.dtype))).sum((1, 2)) / C
    return _reduce(loss.reshape(input.shape[:-1]), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` for any distance
    ``d`` (``pairwise_distance`` by default); ``swap`` uses ``d(positive, negative)`` when it
    is smaller."""
    distance = distance_function if distance_function is not None else pairwise_distance
    return _triplet_loss(anchor, positive, negative, distance, margin, swap,
                         _reduction(reduction))
