"""Names PyTorch also exposes at the top level: layer functions (``torch.conv2d``,
``torch.max_pool2d``, ...), the function forms of in-place and other Tensor methods
(``torch.relu_(x)`` is ``x.relu_()``), and the Tensor methods that are layer functions
(``x.hardshrink()``), and ``torch.vmap``."""
from .func import vmap
from .nn import functional as F

# same signature as in nn.functional
_FUNCTIONAL = (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "avg_pool1d", "max_pool1d", "max_pool2d", "max_pool3d", "adaptive_avg_pool1d",
    "pixel_shuffle", "pixel_unshuffle", "prelu", "selu", "celu", "hardshrink", "threshold",
    "cosine_similarity", "pairwise_distance", "pdist", "bilinear", "layer_norm", "group_norm",
    "rms_norm", "max_pool1d_with_indices", "rrelu", "rrelu_", "channel_shuffle",
    "native_channel_shuffle",
)

_METHODS = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach", "detach_", "erf_", "erfc_",
    "exp_", "exp2_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "get_device", "i0_",
    "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_",
    "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_",
    "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_",
    "xlogy_", "zero_", "addmv_",
)


def _method_as_function(name):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = name
    function.__doc__ = f"``input.{name}(...)``."
    return function


def selu_(input):
    """In-place ``selu``."""
    return F.selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """In-place ``celu``."""
    return F.celu(input, alpha, inplace=True)


def threshold_(input, threshold, value):
    """In-place ``threshold``."""
    return F.threshold(input, threshold, value, inplace=True)


# Tensor methods that are layer functions
METHODS = {
    "hardshrink": lambda self, lambd=0.5: F.hardshrink(self, lambd),
    "prelu": lambda self, weight: F.prelu(self, weight),
}

FUNCTIONS = {
    **{name: getattr(F, name) for name in _FUNCTIONAL},
    **{name: _method_as_function(name) for name in _METHODS},
    "selu_": selu_, "celu_": celu_, "threshold_": threshold_, "vmap": vmap,
    # PyTorch's top-level adaptive max pooling always returns the indices too
    "adaptive_max_pool1d": F.adaptive_max_pool1d_with_indices,
}
