"""nn.functional: batch, instance, layer, group, RMS and local response normalization."""
import numpy as np

from ..._api.creation import zeros
from ..._api.native_forms import _compute_dtype, check_kernel_dtype
from ..._api.shape import cat
from ..._functions.normalization import Normalize
from ...autograd.grad_mode import no_grad
from ...amp._policy import autocast_op

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]


def _verify_batch_size(size):
    n = size[0]
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}")


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _view(t, shape):
    return None if t is None else t.reshape(shape)


def _update_running(running, stat, momentum):
    """``running = (1 - momentum) * running + momentum * stat``, in place."""
    if running is not None:
        with no_grad():
            running.mul_(1 - momentum).add_(stat.to(running.dtype) * momentum)


def _channel_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum,
                  eps, axes):
    """Normalization per channel of ``input`` (N, C, *) viewed as (N, C, S): over ``axes``
    (0, 2) for batch norm, (2,) for instance norm (whose running stats average the batch)."""
    n, c = input.shape[0], input.shape[1]
    x = input.reshape(n, c, -1)
    w, b = _view(weight, (1, c, 1)), _view(bias, (1, c, 1))
    if use_input_stats:
        y, mean, var = Normalize.apply(x, w, b, axes, eps)
        if running_mean is not None or running_var is not None:
            m = _numel([x.shape[d] for d in axes])
            _update_running(running_mean, mean.reshape(-1, c).mean(0), momentum)
            # one value per channel (only the top-level forms allow it): nan, as in PyTorch
            unbiased = m / (m - 1) if m > 1 else float("inf")
            _update_running(running_var, var.reshape(-1, c).mean(0) * unbiased, momentum)
        return y.reshape(input.shape)
    if running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    scale = (running_var.to(input.dtype) + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean.to(input.dtype) * scale
    if bias is not None:
        shift = shift + bias
    return (x * scale.reshape(1, c, 1) + shift.reshape(1, c, 1)).reshape(input.shape)


def _check_channels(c, repeats=1, **tensors):
    """Each tensor given, taken ``repeats`` times, must hold ``c`` elements."""
    for name, t in tensors.items():
        if t is not None and t.numel() * repeats != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel() * repeats}")


def _batch_norm_dtype(input, running_mean, running_var, weight, bias, training, repeats=1):
    """PyTorch's checks of batch normalization's tensors, in its order (``repeats``: instance
    normalization's copies of them, one per sample); the dtype to compute in."""
    c = input.shape[1] * repeats
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
        _check_channels(c, repeats, **{name: t})
    _check_channels(c, repeats, weight=weight, bias=bias)
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    check_kernel_dtype(input, "batch_norm")
    # the first tensor given decides whether the dtypes are mixed; in training PyTorch checks
    # the running statistics before the bias
    if training and weight is not None:
        return _compute_dtype(input, weight, running_mean, running_var, bias)
    return _compute_dtype(input, weight, bias, running_mean, running_var)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch Normalization per channel over (N, C, *): batch statistics in training (which
    update ``running_mean`` / ``running_var`` in place when given), running ones otherwise.
    The output has the input's dtype; a float16 input may have float32 parameters, other
    dtypes must all agree."""
    if training:
        _verify_batch_size(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    dtype = _batch_norm_dtype(input, running_mean, running_var, weight, bias, training)
    return _channel_norm(input.to(dtype), running_mean, running_var, weight, bias, training,
                         momentum, eps, (0, 2)).to(input.dtype)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance Normalization: each channel of each sample over its spatial elements. The
    dtypes are checked as by ``batch_norm``, except that running statistics not of the
    weight's dtype (the input's without weight) are used converted to it."""
    if use_input_stats:
        n = _numel(input.shape[2:])
        if n == 1:
            raise ValueError("Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    stats_dtype = (input if weight is None else weight).dtype
    if running_mean is not None and running_mean.dtype != stats_dtype:
        if running_var is None:
            raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor "
                               "in C++) for argument #0 'self'")
        mean, var = running_mean.to(stats_dtype), running_var.to(stats_dtype)
        out = instance_norm(input, mean, var, weight, bias, use_input_stats, momentum, eps)
        with no_grad():
            running_mean.copy_(mean)
            running_var.copy_(var)
        return out
    dtype = _batch_norm_dtype(input, running_mean, running_var, weight, bias, use_input_stats,
                              input.shape[0])
    return _channel_norm(input.to(dtype), running_mean, running_var, weight, bias,
                         use_input_stats, momentum, eps, (2,)).to(input.dtype)


def _as_shape(normalized_shape):
    return (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)


def _check_trailing(input, shape, star):
    if tuple(input.shape[len(input.shape) - len(shape):]) != shape or input.dim() < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[{star}{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")


def _check_affine(shape, **tensors):
    for name, t in tensors.items():
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}")


@autocast_op("layer_norm")
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer Normalization over the trailing ``normalized_shape`` dims."""
    shape = _as_shape(normalized_shape)
    _check_trailing(input, shape, "*, ")
    _check_affine(shape, weight=weight, bias=bias)
    d = _numel(shape)
    y = Normalize.apply(input.reshape(-1, d), _view(weight, (1, d)), _view(bias, (1, d)),
                        (1,), eps)[0]
    return y.reshape(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root Mean Square Layer Normalization over the trailing ``normalized_shape`` dims
    (``eps`` None: the machine epsilon of the input's dtype)."""
    shape = _as_shape(normalized_shape)
    _check_trailing(input, shape, "*")
    _check_affine(shape, weight=weight)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-len(shape), 0))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


def check_groups(input, channels, num_groups, weight, bias):
    """PyTorch's checks of group normalization's channels against its groups and affine
    parameters."""
    if channels % num_groups != 0:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != channels):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}")


@autocast_op("group_norm")
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group Normalization: the channels split into ``num_groups`` groups, each normalised
    over its channels and spatial elements, per sample."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    n, c = input.shape[0], input.shape[1]
    _verify_batch_size([n * c // num_groups, num_groups] + list(input.shape[2:]))
    check_groups(input, c, num_groups, weight, bias)
    affine = (1, num_groups, c // num_groups, 1)
    x = input.reshape(n, num_groups, c // num_groups, -1)
    y = Normalize.apply(x, _view(weight, affine), _view(bias, affine), (2, 3), eps)[0]
    return y.reshape(input.shape)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalization across channels: ``input / (k + alpha * mean of the
    squares over ``size`` neighbouring channels) ** beta`` (zero-padded at the ends)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]

    def pad(m):
        return zeros((input.shape[0], m) + tuple(input.shape[2:]), dtype=input.dtype,
                     device=input.device)

    padded = cat([pad(size // 2), sq, pad((size - 1) // 2)], 1)
    div = padded[:, 0:c]
    for i in range(1, size):
        div = div + padded[:, i:i + c]
    return input / (div * (alpha / size) + k).pow(beta)
