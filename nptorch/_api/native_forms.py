"""PyTorch's ``native_*`` forms: layer, batch and group normalization returning their
statistics with the output, dropout returning its mask, and ``native_norm``.

They run the ``Normalize`` Function and the dropout of ``nn.functional`` (this module sits
above ``nn.functional``: the package namespace loads it after ``nn``).
"""
import math
import numbers

import numpy as np

from .._functions.normalization import Normalize
from .._dtype import bool_
from ..autograd import grad_mode
from ..nn.functional import normalization as _norm
from ..nn.functional.dropout import _dropout
from ._checks import int_arg, type_error
from .creation import empty, ones_like
from .norms import _check_floating
from .reduction import norm, scalar_type_name


def int_list(op, name, value, position):
    """``value``, a tuple or list of ints, as a list (PyTorch's ``tuple of ints`` argument)."""
    if not isinstance(value, (tuple, list)):
        raise type_error(op, name, "tuple of ints", value, position)
    for i, v in enumerate(value):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"{op}(): argument '{name}' (position {position}) must be tuple of "
                            f"ints, but found element of type {type(v).__name__} at pos {i}")
    return [int(v) for v in value]


def check_kernel_dtype(input, kernel):
    """PyTorch's refusal of a non-floating ``input`` by the floating kernel ``kernel``."""
    if not input.is_floating_point():
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input)}'")


def _compute_dtype(input, *params):
    """The dtype the statistics are computed in, with PyTorch's checks of mixed dtypes: the
    input's, or float32 for a float16 input whose (first) parameter is float32, when all of
    them then are."""
    given = [p for p in params if p is not None]
    if not given or given[0].dtype == input.dtype:
        for p in given:
            if p.dtype != input.dtype:
                raise RuntimeError(f"expected scalar type {scalar_type_name(input)} but found "
                                   f"{scalar_type_name(p)}")
        return input.dtype
    where = input.device.type.upper()
    if any(p._data.dtype != np.float32 for p in given):
        raise RuntimeError(f"mixed dtype ({where}): expect parameter to have scalar type of "
                           "Float")
    if input._data.dtype != np.float16:
        raise RuntimeError(f"mixed dtype ({where}): all inputs must share same datatype.")
    return given[0].dtype


def _normalize(input, view, weight, bias, affine, axes, eps, dtype):
    """``Normalize`` over ``axes`` of ``input`` viewed as ``view`` (in ``dtype``):
    ``(output shaped as input, mean, var)``."""
    x = input.reshape(view).to(dtype)
    w = None if weight is None else weight.reshape(affine)
    b = None if bias is None else bias.reshape(affine)
    y, mean, var = Normalize.apply(x, w, b, axes, eps)
    return y.reshape(input.shape).to(input.dtype), mean, var


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """Layer normalization over the trailing ``normalized_shape`` dims: ``(output, mean,
    rstd)``, the statistics shaped as the input with the normalized dims kept as ones."""
    shape = tuple(int_list("native_layer_norm", "normalized_shape", normalized_shape, 2))
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    _norm._check_trailing(input, shape, "*, ")
    _norm._check_affine(shape, weight=weight, bias=bias)
    check_kernel_dtype(input, "LayerNormKernelImpl")
    dtype = _compute_dtype(input, weight, bias)
    d = _norm._numel(shape)
    y, mean, var = _normalize(input, (-1, d), weight, bias, (1, d), (1,), eps, dtype)
    stats = tuple(input.shape[:input.dim() - len(shape)]) + (1,) * len(shape)
    return y, mean.reshape(stats), (var + eps).rsqrt().reshape(stats)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Batch normalization per channel of (N, C, *): ``(output, save_mean, save_invstd)``.

    In training the batch statistics (C,) come back (and update the running ones when
    given); in evaluation the running statistics are used and the two come back empty.
    """
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    c = input.size(1)
    _norm._check_channels(c, weight=weight, bias=bias, running_mean=running_mean,
                          running_var=running_var)
    check_kernel_dtype(input, "batch_norm")
    dtype = _compute_dtype(input, weight, bias, running_mean, running_var)
    if not training:
        y = _norm._channel_norm(input, running_mean, running_var, weight, bias, False, momentum,
                                eps, (0, 2)).to(input.dtype)
        none = empty(0, dtype=dtype, device=input.device)
        return y, none, none.clone()
    if input.numel() == 0:
        raise RuntimeError("input tensor must have at least one element, but got input_sizes = "
                           f"{list(input.shape)}")
    n = input.size(0)
    y, mean, var = _normalize(input, (n, c, -1), weight, bias, (1, c, 1), (0, 2), eps, dtype)
    mean, var = mean.reshape(c), var.reshape(c)
    m = input.numel() // c
    _norm._update_running(running_mean, mean, momentum)
    # one value per channel has no unbiased variance: nan, as in PyTorch
    _norm._update_running(running_var, var * (m / (m - 1) if m > 1 else math.nan), momentum)
    return y, mean, (var + eps).rsqrt()


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """Group normalization of ``input`` read as (N, C, HxW) with the channels in ``group``
    groups: ``(output, mean, rstd)``, the statistics (N, group).

    As in PyTorch, the statistics are differentiable functions of the input.
    """
    group = int_arg("native_group_norm", "group", group, 7)
    if group <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {group}")
    _norm.check_groups(input, C, group, weight, bias)
    if input.numel() != N * C * HxW:
        raise RuntimeError(f"Expected input to hold N * C * HxW = {N * C * HxW} elements, but "
                           f"got input of shape {list(input.shape)}")
    check_kernel_dtype(input, "GroupNormKernelImpl")
    dtype = _compute_dtype(input, weight, bias)
    view, axes = (N, group, C // group, HxW), (2, 3)
    y, mean, var = _normalize(input, view, weight, bias, (1, group, C // group, 1), axes, eps,
                              dtype)
    if input.requires_grad and grad_mode.state.enabled:
        x = input.reshape(view).to(dtype)
        mean = x.mean(axes, keepdim=True)
        var = ((x - mean) ** 2).mean(axes, keepdim=True)
    return y, mean.reshape(N, group), (var + eps).rsqrt().reshape(N, group)


def native_dropout(input, p, train):
    """Dropout returning ``(output, mask)``: with ``train`` (None counts as true) each element
    is zeroed with probability ``p`` and the rest scaled by ``1 / (1 - p)``; ``mask`` (bool)
    marks the kept ones. Masks come from the generator of ``nn.functional.dropout``."""
    if not isinstance(p, numbers.Real):
        raise type_error("native_dropout", "p", "float", p, 2)
    if not (train is None or isinstance(train, bool)):
        raise type_error("native_dropout", "train", "bool", train, 3)
    if input.numel() == 0:
        return input.clone(), empty(input.shape, dtype=input.dtype, device=input.device)
    if train is False:
        return input.clone(), ones_like(input, dtype=bool_)
    if not 0 <= p <= 1:
        # PyTorch draws the kept elements, with probability 1 - p
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1 - p:g}")
    if not input.is_floating_point():
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(input)}")
    scale = _dropout(ones_like(input), p, True, False)
    return input * scale, scale != 0


_UNSET = object()


def native_norm(input, p=2, dim=_UNSET, keepdim=_UNSET, dtype=_UNSET):
    """The ``p``-norm of all of ``input``, or with ``dim``, ``keepdim`` and ``dtype`` (given
    together) over ``dim`` (empty: all dims) in ``dtype``.

    PyTorch computes it for sparse tensors only; nptorch, whose tensors are dense, computes
    the dense norm (over every element: for negative ``p`` zeros count, where a sparse
    tensor's norm sees only its stored values), differentiably.
    """
    given = [a is not _UNSET for a in (dim, keepdim, dtype)]
    if any(given) and not all(given):
        raise TypeError("native_norm(): pass dim, keepdim and dtype together, or none of them")
    if not isinstance(p, numbers.Number) and not (all(given) and p is None):
        raise type_error("native_norm", "p", "Number", p, 2)
    _check_floating(input)
    if not all(given):
        return norm(input, p)
    dims = [dim] if isinstance(dim, int) else list(dim)
    return norm(input, 2 if p is None else p, dims or None, keepdim, dtype=dtype)


FUNCTIONS = {f.__name__: f for f in (native_layer_norm, native_batch_norm, native_group_norm,
                                     native_dropout, native_norm)}
