"""nn.functional: activations (pointwise, and the randomized rrelu), softmax, log_softmax,
softmin, gumbel_softmax, glu and channel shuffling.

``inplace=True`` writes the result into ``input`` through the Tensor in-place machinery, so
version counters, leaf checks and graph rebasing are those of every other in-place op.
"""
import warnings

from ..._api import creation as _creation, math as _math, reduction as _reduction
from ..._api._inplace import apply_inplace
from ..._dtype import scalar_type_name
from ..._functions import activation as A
from ..._functions._utils import wrap_dim
from ...amp._policy import autocast_op

__all__ = ["threshold", "relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu",
           "silu", "mish", "sigmoid", "hardsigmoid", "hardswish", "hardtanh", "tanh", "softplus",
           "softsign", "softmax", "log_softmax", "softmin", "glu", "logsigmoid", "tanhshrink",
           "hardshrink", "softshrink", "threshold_", "relu_", "elu_", "leaky_relu_",
           "hardtanh_", "celu_", "selu_", "rrelu", "rrelu_", "gumbel_softmax", "channel_shuffle",
           "native_channel_shuffle"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

sigmoid = _math.sigmoid
tanh = _math.tanh


def _check_floating(kernel, input):
    """PyTorch's error for non-floating input to its kernel named ``kernel``."""
    if input._data.dtype.kind != "f":
        device = "cpu" if input.is_cpu else "cuda"
        raise NotImplementedError(
            f"\"{kernel}_{device}\" not implemented for '{scalar_type_name(input)}'")


def _pointwise(kernel, cls, input, inplace, *args):
    """``cls`` applied to ``input`` (in place when ``inplace``); ``kernel`` names PyTorch's
    kernel in the error for non-floating input (None where integers are accepted)."""
    if kernel is not None:
        _check_floating(kernel, input)
    if inplace:
        return apply_inplace(input, cls.apply, *args)
    return cls.apply(input, *args)


def threshold(input, threshold, value, inplace=False):
    """``input`` where ``input > threshold``, else ``value``."""
    return _pointwise(None, A.Threshold, input, inplace, threshold, value)


def threshold_(input, threshold, value):
    """In-place ``threshold``."""
    return _pointwise(None, A.Threshold, input, True, threshold, value)


def relu(input, inplace=False):
    """``max(input, 0)``."""
    return input.relu_() if inplace else _math.relu(input)


def relu_(input):
    """In-place ``relu``."""
    return input.relu_()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``input`` clamped to ``[min_val, max_val]`` (zero gradient at and beyond the bounds)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _pointwise(None, A.Hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """``min(max(input, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``input`` where positive, else ``negative_slope * input``."""
    return _pointwise("leaky_relu", A.LeakyRelu, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: in training, every non-positive element is scaled by its own slope
    drawn from ``U(lower, upper)`` (its gradient too); otherwise ``leaky_relu`` with slope
    ``(lower + upper) / 2``."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    _check_floating("rrelu_with_noise_out", input)
    slopes = _creation.empty_like(input).uniform_(lower, upper)
    noise = _math.where(input <= 0, slopes, 1.0)
    return input.mul_(noise) if inplace else input * noise


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)


@autocast_op("prelu")
def prelu(input, weight):
    """``input`` where positive, else ``weight * input``; a ``weight`` of C elements applies
    per channel (dim 1)."""
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {channels}.")
        weight = weight.reshape((channels,) + (1,) * (input.dim() - 2))
    return _math.where(input > 0, input, weight * input)


def elu(input, alpha=1.0, inplace=False):
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return _pointwise("elu", A.Elu, input, inplace, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    """In-place ``elu``."""
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """``scale * elu(input, alpha)`` with the self-normalising constants."""
    return _pointwise("elu", A.Elu, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    """In-place ``selu``."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, input) + min(0, alpha * (exp(input / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _pointwise("elu", A.Elu, input, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """``input * Phi(input)`` (Phi the standard normal CDF), or its tanh approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"GeluKernelImpl\" not implemented for '{scalar_type_name(input)}'")
    return (A.Gelu if approximate == "none" else A.GeluTanh).apply(input)


def silu(input, inplace=False):
    """``input * sigmoid(input)``."""
    return _pointwise("silu", A.Silu, input, inplace)


def mish(input, inplace=False):
    """``input * tanh(softplus(input))``."""
    return _pointwise("mish", A.Mish, input, inplace)


def hardsigmoid(input, inplace=False):
    """``relu6(input + 3) / 6``."""
    return _pointwise("hardsigmoid", A.Hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """``input * relu6(input + 3) / 6``."""
    return _pointwise("hardswish", A.Hardswish, input, inplace)


@autocast_op("softplus")
def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * input)) / beta``, linear where ``beta * input > threshold``."""
    return _pointwise("softplus", A.Softplus, input, False, beta, threshold)


def logsigmoid(input):
    """``log(sigmoid(input))``, computed stably."""
    return _pointwise("log_sigmoid", A.LogSigmoid, input, False)


def hardshrink(input, lambd=0.5):
    """``input`` where ``|input| > lambd``, else 0."""
    return _pointwise("hardshrink", A.Hardshrink, input, False, lambd)


def softshrink(input, lambd=0.5):
    """``input`` moved ``lambd`` towards 0, and 0 within ``[-lambd, lambd]``."""
    if input._data.dtype.kind == "f" and lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{scalar_type_name(input)}, but found {lambd:g}")
    return _pointwise("softshrink", A.Softshrink, input, False, lambd)


def softsign(input):
    """``input / (1 + |input|)``."""
    return input / (1 + input.abs())


def tanhshrink(input):
    """``input - tanh(input)``."""
    return input - input.tanh()


def glu(input, dim=-1):
    """The gated linear unit: ``a * sigmoid(b)`` where ``a, b`` are the halves of ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau, dim)`` with
    ``g ~ Gumbel(0, 1)``. With ``hard``, the one-hot vector of its argmax, differentiated as
    the soft sample (straight-through). ``eps`` is deprecated and unused."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -_creation.empty_like(logits).exponential_().log()
    y_soft = _reduction.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def channel_shuffle(input, groups):
    """Interleave the channels (dim 1) of ``(N, C, *)`` taken from ``groups`` groups:
    ``(N, g, C / g, *)`` read as ``(N, C / g, g, *)``."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(input.shape)


def native_channel_shuffle(input, groups):
    """``channel_shuffle`` (PyTorch's name for its kernel-level version)."""
    return channel_shuffle(input, groups)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


@autocast_op("softmax")
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(input) / exp(input).sum(dim)``; ``dtype`` casts the input first.

    Shape: the input's. Without ``dim`` the legacy implicit choice applies, with a warning.
    """
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _reduction.softmax(input, dim, dtype=dtype)


@autocast_op("log_softmax")
def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(input, dim))``, computed stably."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _reduction.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input, dim)``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _reduction.softmax(-input, dim)
