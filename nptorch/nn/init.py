"""Parameter initialisation (``torch.nn.init``); every function works in place under no_grad."""
import math
import warnings

import numpy as np

from ..autograd import no_grad
from ..random import generator_for
from .._device import xp_of


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table)."""
    linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d"]
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor, draw, generator=None):
    """Write ``draw(xp_generator, shape)`` (a number or an array, on the host or the tensor's
    device) into ``tensor`` in place."""
    with no_grad():
        xp = xp_of(tensor._data)
        values = draw(generator_for(generator, xp), tensor._data.shape)
        tensor._data[...] = xp.asarray(values)
        tensor._version_counter[0] += 1
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    return _fill(tensor, lambda g, s: g.uniform(a, b, s), generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _fill(tensor, lambda g, s: mean + std * g.standard_normal(s), generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Normal values redrawn until inside ``[a, b]`` (inverse-CDF method, as PyTorch)."""
    from scipy.special import erfinv

    def draw(g, shape):
        def cdf(x):
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
        lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
        u = g.uniform(2 * lo - 1, 2 * hi - 1, shape)
        u = erfinv(u if xp_of(tensor._data) is np else u.get())
        return np.clip(u * std * math.sqrt(2.0) + mean, a, b)
    return _fill(tensor, draw, generator)


def constant_(tensor, val):
    return _fill(tensor, lambda g, s: val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def eye_(tensor):
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, lambda g, s: xp_of(tensor._data).eye(*s))


def dirac_(tensor, groups=1):
    """Identity-preserving init for convolution weights (3-, 4- or 5-D)."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_per_group = tensor.shape[0] // groups
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    min_dim = min(out_per_group, tensor.shape[1])

    def draw(g, shape):
        w = np.zeros(shape)
        centre = tuple(s // 2 for s in shape[2:])
        for grp in range(groups):
            for d in range(min_dim):
                w[(grp * out_per_group + d, d) + centre] = 1
        return w
    return _fill(tensor, draw)


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of {['fan_in', 'fan_out']}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal matrix."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows

    def draw(g, shape):
        flat = np.asarray(g.standard_normal((rows, cols)) if xp_of(tensor._data) is np
                          else g.standard_normal((rows, cols)).get())
        if rows < cols:
            flat = flat.T
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return gain * q.reshape(shape)
    return _fill(tensor, draw, generator)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Normal values ``N(0, std)`` with ``ceil(sparsity * rows)`` random zeros in every column
    of a 2-D tensor (Martens, 2010)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)

    def draw(g, shape):
        xp = xp_of(tensor._data)
        values = std * g.standard_normal(shape)
        # the first num_zeros rows of an independent random order per column
        zeros = xp.argsort(g.random(shape), axis=0)[:num_zeros]
        values[zeros, xp.arange(cols)] = 0
        return values
    return _fill(tensor, draw, generator)


def _deprecated(method):
    """The old name of ``method`` (without the trailing underscore), warning on use."""
    new_name = method.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
                      FutureWarning, stacklevel=2)
        return method(*args, **kwargs)
    deprecated_init.__name__ = old_name
    deprecated_init.__doc__ = f"Deprecated: use ``{new_name}``."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)


def _reset_weight_and_bias(weight, bias):
    """The default init of Linear and convolution layers, as PyTorch: kaiming_uniform_ with
    a=sqrt(5) (so U(-1/sqrt(fan_in), 1/sqrt(fan_in))) and the bias within the same bound."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
