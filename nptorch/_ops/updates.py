"""In-place array updates: ``dst`` modified by ``addcmul``, ``addcdiv`` or ``lerp`` (the
in-place ops of optimizers' updates), each computed as its op computes it, in the same order,
so that results are the same to the bit; and Adam's update composed of them (the reference twin
of the compiled one in ``nptorch._C.pointwise``)."""
from .._device import xp_of


def addcmul(dst, tensor1, tensor2, value=1):
    """``dst += value * tensor1 * tensor2``."""
    terms = tensor1 * tensor2 if value == 1 else tensor1 * value
    if value != 1:
        terms *= tensor2
    dst += terms


def addcdiv(dst, tensor1, tensor2, value=1):
    """``dst += value * tensor1 / tensor2``."""
    terms = tensor1 / tensor2 if value == 1 else tensor1 * value
    if value != 1:
        terms /= tensor2
    dst += terms


def lerp(dst, end, weight):
    """``dst += weight * (end - dst)``, from ``end`` back when ``weight`` is 0.5 or more."""
    step = end - dst
    if abs(weight) < 0.5:
        step *= weight
        dst += step
    else:
        step *= 1 - weight
        xp_of(dst).subtract(end, step, out=dst)


def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, beta2, step_size,
         bias_correction2_sqrt, eps):
    """One Adam update in place, as PyTorch's single-tensor Adam computes it: ``exp_avg``
    moves towards ``grad`` by ``1 - beta1``, ``exp_avg_sq`` decays by ``beta2`` and gains
    ``(1 - beta2) grad^2``, ``max_exp_avg_sq`` (None without AMSGrad) keeps its running
    maximum, and ``param -= step_size * exp_avg / (sqrt(second moment) /
    bias_correction2_sqrt + eps)``."""
    xp = xp_of(param)
    lerp(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    addcmul(exp_avg_sq, grad, grad, 1 - beta2)
    second = exp_avg_sq
    if max_exp_avg_sq is not None:
        second = xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    denom = xp.sqrt(second)
    denom /= bias_correction2_sqrt
    denom += eps
    addcdiv(param, exp_avg, denom, -step_size)
