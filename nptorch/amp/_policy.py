"""Which ops autocast casts, and how: PyTorch's op lists and the ``autocast_op`` decorator.

An op decorated with ``@autocast_op("name")`` looks itself up in the lists of the device of
its first tensor argument. Inside an enabled region it casts its floating inputs (never
float64 ones) by its policy, then runs with autocast off for the ops it calls, as PyTorch
excludes autocast below an autocast kernel. Ops on no list of a device run untouched.
"""
import functools
import inspect

from .._dtype import float32, promote_types
from .._tensor import Tensor
from ..autograd import grad_mode
from ._state import state

LOWER, FP32, FP32_SET_OPT_DTYPE, PROMOTE, BANNED = ("lower", "fp32", "fp32_set_opt_dtype",
                                                    "promote", "banned")

# PyTorch's lists (aten/src/ATen/autocast_mode.cpp) for the ops nptorch has, by nptorch name
_CUDA = {
    LOWER: {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "prelu", "addmm",
            "addmv", "addr", "matmul", "einsum", "mm", "mv", "linear", "addbmm", "baddbmm", "bmm",
            "chain_matmul", "multi_dot", "vecdot", "scaled_dot_product_attention"},
    FP32: {"acos", "asin", "cosh", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p",
           "reciprocal", "rsqrt", "sinh", "tan", "pow", "softplus", "layer_norm", "group_norm",
           "norm", "cosine_similarity", "poisson_nll_loss", "cosine_embedding_loss", "nll_loss",
           "hinge_embedding_loss", "kl_div", "l1_loss", "smooth_l1_loss", "huber_loss",
           "mse_loss", "margin_ranking_loss", "multilabel_margin_loss", "soft_margin_loss",
           "triplet_margin_loss", "multi_margin_loss", "binary_cross_entropy_with_logits", "dist",
           "pdist", "cdist", "renorm", "logsumexp", "interpolate",
           # a composite of log_softmax and nll_loss in PyTorch, both float32 there
           "cross_entropy"},
    FP32_SET_OPT_DTYPE: {"prod", "softmax", "log_softmax", "cumprod", "cumsum", "sum",
                         "vector_norm", "matrix_norm"},
    PROMOTE: {"addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "grid_sample",
              "tensordot"},
    BANNED: {"binary_cross_entropy"},
}
_CPU = {
    LOWER: {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "bmm", "mm", "baddbmm",
            "addmm", "addbmm", "linear", "matmul", "vecdot", "prelu",
            "scaled_dot_product_attention",
            # PyTorch's einsum reaches bmm; nptorch's has its own kernel
            "einsum"},
    FP32: {"binary_cross_entropy", "grid_sample", "prod", "quantile", "nanquantile", "cdist",
           "trace", "pinverse", "inv", "inv_ex", "cholesky", "cholesky_solve",
           "cholesky_inverse", "triangular_solve", "qr", "svd", "svdvals", "eigh", "eigvalsh",
           "solve", "lstsq", "mse_loss", "cosine_embedding_loss",
           "nll_loss", "hinge_embedding_loss", "poisson_nll_loss", "smooth_l1_loss",
           "cross_entropy", "l1_loss", "huber_loss", "margin_ranking_loss", "soft_margin_loss",
           "triplet_margin_loss", "multi_margin_loss", "kl_div", "multilabel_margin_loss",
           "binary_cross_entropy_with_logits"},
    # PyTorch's bilinear is one kernel autocast leaves alone; nptorch's calls matmul, which
    # must not cast: promoting keeps the inputs' type and shields the matmul
    PROMOTE: {"bilinear"},
}

_BANNED_MESSAGE = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using "
    "torch.nn.functional.binary_cross_entropy_with_logits\n"
    "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
    "safe to autocast.")


def _policy(lists, name):
    return next((policy for policy, names in lists.items() if name in names), None)


def autocast_op(name):
    """Decorate the op called ``name`` in PyTorch's autocast lists.

    With autocast off the cost is one flag check.
    """
    policies = {"cpu": _policy(_CPU, name), "cuda": _policy(_CUDA, name)}
    if policies == {"cpu": None, "cuda": None}:
        raise ValueError(f"autocast_op: {name} is on no autocast list")

    def decorate(fn):
        dtype_pos = _dtype_position(fn) if FP32_SET_OPT_DTYPE in policies.values() else None

        @functools.wraps(fn)
        def op(*args, **kwargs):
            if state.active:
                return _autocast_call(fn, policies, dtype_pos, args, kwargs)
            return fn(*args, **kwargs)
        return op
    return decorate


def _dtype_position(fn):
    """The index of ``fn``'s ``dtype`` parameter when it may be passed positionally."""
    params = inspect.signature(fn).parameters
    if params["dtype"].kind != inspect.Parameter.POSITIONAL_OR_KEYWORD:
        return None
    return list(params).index("dtype")


def _autocast_call(fn, policies, dtype_pos, args, kwargs):
    first = _first_tensor(args, kwargs)
    if first is None:
        return fn(*args, **kwargs)
    device = "cpu" if first.is_cpu else "cuda"
    policy = policies[device]
    if policy is None or not state.enabled[device]:
        return fn(*args, **kwargs)
    if policy == BANNED:
        raise RuntimeError(_BANNED_MESSAGE)
    if policy == FP32_SET_OPT_DTYPE:
        if (_eligible(first, device) and kwargs.get("dtype") is None
                and (dtype_pos is None or len(args) <= dtype_pos)):
            kwargs = dict(kwargs, dtype=float32)
    else:
        target = {LOWER: state.dtype[device], FP32: float32}.get(policy)
        if target is None:  # PROMOTE: the widest floating type among the inputs
            target = state.dtype[device]
            for t in _tensors(args, kwargs):
                if _eligible(t, device):
                    target = promote_types(target, t.dtype)
        args = tuple(_cast(a, device, target) for a in args)
        kwargs = {k: _cast(v, device, target) for k, v in kwargs.items()}
    state.active = False  # the ops this one calls do not autocast
    try:
        return fn(*args, **kwargs)
    finally:
        state.active = True


def _tensors(args, kwargs):
    for a in (*args, *kwargs.values()):
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            yield from (t for t in a if isinstance(t, Tensor))


def _first_tensor(args, kwargs):
    return next(_tensors(args, kwargs), None)


def _eligible(t, device):
    data = t._data
    return data.dtype.kind == "f" and data.dtype.itemsize < 8 and t.is_cpu == (device == "cpu")


def _cast(value, device, dtype):
    """``value`` (a tensor, or a list or tuple of them) cast to ``dtype`` where eligible."""
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, device, dtype) for v in value)
    if not isinstance(value, Tensor) or not _eligible(value, device) \
            or value._data.dtype == dtype.np_dtype:
        return value
    # PyTorch caches the lower-precision copies of float32 leaf weights for the whole region
    cacheable = (state.cache_enabled and dtype is state.dtype[device] and value._requires_grad
                 and value.grad_fn is None and value._base is None and grad_mode.state.enabled
                 and value._data.dtype == float32.np_dtype)
    if not cacheable:
        return value.to(dtype)
    hit = state.cache.get(id(value))
    if hit is None or hit[0] is not value:
        hit = state.cache[id(value)] = (value, value.to(dtype))
    return hit[1]
