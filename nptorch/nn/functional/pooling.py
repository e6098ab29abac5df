"""nn.functional: max, average, power-average, adaptive and fractional pooling, and max_unpool.

Every op runs as a 2-D op over ``(N, C, H, W)``: 1-D ops over a height of one, unbatched inputs
with a batch of one. Output sizes follow PyTorch's ``pooling_output_shape`` (with ceil_mode, the
last window must start inside the input or its left padding).
"""
import math

import numpy as np

from ..._api import creation as _creation, math as _math, shape as _shape
from ..._dtype import scalar_type_name
from ..._functions import pooling as P
from ..._ops import Window
from .activation import threshold

__all__ = ["max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "avg_pool1d", "avg_pool2d", "lp_pool1d", "lp_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "fractional_max_pool2d", "fractional_max_pool2d_with_indices", "max_unpool1d",
           "max_unpool2d"]


def _pair(value, op, name, allow_none=False):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * 2
    value = tuple(value)
    if len(value) == 1:
        return (int(value[0]),) * 2
    if len(value) != 2:
        omitted = "be omitted, " if allow_none else "be "
        raise RuntimeError(f"{op}: {name} must either {omitted}a single int, or a tuple of two ints")
    return tuple(int(v) for v in value)


def _single(value, op, name):
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(value)})")
    return int(value[0])


def _output_size(size, k, s, p, d, ceil_mode):
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _window(input, kernel, stride, padding, dilation, ceil_mode):
    """Check a pooling window as PyTorch does and return ``(Window, OH, OW)``."""
    (KH, KW), (SH, SW), (PH, PW), (DH, DW) = kernel, stride, padding, dilation
    if SH == 0 or SW == 0:
        raise RuntimeError("stride should not be zero")
    if KH <= 0 or KW <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {KH} kW: {KW}")
    if SH < 0 or SW < 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {SH} dW: {SW}")
    if DH <= 0 or DW <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {DH} "
                           f"dilationW: {DW}")
    for pad in (PH, PW):
        if pad < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    for pad, k, d in ((PW, KW, DW), (PH, KH, DH)):
        if pad > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pad}, kernel_size={k} and dilation={d}")
    H, W = input.shape[-2:]
    OH = _output_size(H, KH, SH, PH, DH, ceil_mode)
    OW = _output_size(W, KW, SW, PW, DW, ceil_mode)
    if OH < 1 or OW < 1:
        C = input.shape[-3]
        raise RuntimeError(f"Given input size: ({C}x{H}x{W}). Calculated output size: "
                           f"({C}x{OH}x{OW}). Output size is too small")
    return Window(KH, KW, SH, SW, PH, PW, DH, DW), OH, OW


def _run_2d(fn, input, spatial_dims, *args):
    """Apply ``fn`` (on ``(N, C, H, W)``) to an input with ``spatial_dims`` 1 or 2, batched or not."""
    batched = input.ndim == spatial_dims + 2
    x = input if batched else input.unsqueeze(0)
    if spatial_dims == 1:
        x = x.unsqueeze(2)
    out = fn(x, *args)
    outs = out if isinstance(out, tuple) else (out,)
    if spatial_dims == 1:
        outs = tuple(o.squeeze(2) for o in outs)
    if not batched:
        outs = tuple(o.squeeze(0) for o in outs)
    return outs if isinstance(out, tuple) else outs[0]


def _check_2d_input(input):
    if input.ndim not in (3, 4) or any(s == 0 for s in input.shape[-3:]):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")


def _check_1d_input(input, op):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {op})")


def _max_pool(x, win, OH, OW, return_indices):
    y, indices = P.MaxPool2d.apply(x, OH, OW, win)
    return (y, indices) if return_indices else y


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``; ``stride`` defaults to
    ``kernel_size``. With ``return_indices``, also the flat ``H * W`` index of every maximum."""
    kernel = _pair(kernel_size, "max_pool2d", "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "max_pool2d", "stride",
                                                                 allow_none=True)
    padding, dilation = _pair(padding, "max_pool2d", "padding"), _pair(dilation, "max_pool2d",
                                                                       "dilation")
    _check_2d_input(input)
    win, OH, OW = _window(input, kernel, stride, padding, dilation, ceil_mode)
    return _run_2d(_max_pool, input, 2, win, OH, OW, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``."""
    if input.ndim not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{list(input.shape)}")
    k = _single(kernel_size, "max_pool1d", "kernel_size")
    s = k if stride is None or stride == [] else _single(stride, "max_pool1d", "stride")
    p, d = _single(padding, "max_pool1d", "padding"), _single(dilation, "max_pool1d", "dilation")
    if k > 0 and s > 0 and d > 0 and 0 <= p and p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if k > 0 and s > 0 and d > 0 and p >= 0:
        out = _output_size(input.shape[-1], k, s, p, d, ceil_mode)
        if out < 1:
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    win, OH, OW = _window(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode)
    return _run_2d(_max_pool, input, 1, win, OH, OW, return_indices)


def _avg_pool(x, win, OH, OW, count_include_pad, divisor_override):
    return P.AvgPool2d.apply(x, OH, OW, win, count_include_pad, divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling; ``divisor_override`` replaces the window size as divisor."""
    kernel = _pair(kernel_size, "avg_pool2d", "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "avg_pool2d", "stride",
                                                                 allow_none=True)
    padding = _pair(padding, "avg_pool2d", "padding")
    _check_2d_input(input)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    win, OH, OW = _window(input, kernel, stride, padding, (1, 1), ceil_mode)
    return _run_2d(_avg_pool, input, 2, win, OH, OW, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``."""
    _check_1d_input(input, "avg_pool1d")
    k = _single(kernel_size, "avg_pool1d", "kernel_size")
    s = k if stride is None or stride == [] else _single(stride, "avg_pool1d", "stride")
    p = _single(padding, "avg_pool1d", "padding")
    win, OH, OW = _window(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, 1), ceil_mode)
    return _run_2d(_avg_pool, input, 1, win, OH, OW, count_include_pad, None)


def _adaptive_size(input, output_size, op, n):
    sizes = (output_size,) * n if isinstance(output_size, (int, np.integer)) or output_size is None \
        else tuple(output_size)
    if len(sizes) != n:
        if n == 1:
            raise RuntimeError(f"{op}() argument 'output_size' should contain one int "
                               f"(got {len(sizes)})")
        raise RuntimeError(f"{op}: output_size must be 2")
    spatial = input.shape[-n:]
    for i in range(input.ndim - n, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    return tuple(int(spatial[i]) if s is None else int(s) for i, s in enumerate(sizes))


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size ``(OH, OW)`` (an int, a pair; None keeps a size)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    OH, OW = _adaptive_size(input, output_size, "adaptive_avg_pool2d", 2)
    return _run_2d(lambda x: P.AdaptiveAvgPool2d.apply(x, OH, OW), input, 2)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed length."""
    _check_1d_input(input, "adaptive_avg_pool1d")
    (OW,) = _adaptive_size(input, _single(output_size, "adaptive_avg_pool1d", "output_size"),
                           "adaptive_avg_pool1d", 1)
    return _run_2d(lambda x: P.AdaptiveAvgPool2d.apply(x, 1, OW), input, 1)


def _adaptive_max_pool(x, OH, OW, return_indices):
    y, indices = P.AdaptiveMaxPool2d.apply(x, OH, OW)
    return (y, indices) if return_indices else y


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size; with ``return_indices``, also the argmax indices."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    OH, OW = _adaptive_size(input, output_size, "adaptive_max_pool2d", 2)
    return _run_2d(_adaptive_max_pool, input, 2, OH, OW, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed length."""
    _check_1d_input(input, "adaptive_max_pool1d")
    (OW,) = _adaptive_size(input, _single(output_size, "adaptive_max_pool1d", "output_size"),
                           "adaptive_max_pool1d", 1)
    return _run_2d(_adaptive_max_pool, input, 1, 1, OW, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool1d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool2d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return adaptive_max_pool2d(input, output_size, True)


def _lp_pool(max_pool, avg_pool, input, norm_type, kernel_size, stride, ceil_mode, window):
    """``(sum of x ** p over each window) ** (1 / p)``, the sum taken as ``window`` times the
    average (so a ceil_mode window that overhangs the input is scaled up, as in PyTorch)."""
    if norm_type == math.inf:
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # PyTorch's sign(out) * relu(|out|), with relu as threshold(., 0, 0), whose backward masks
    # rather than multiplies: a zero power sum gets a zero gradient, not inf * 0
    return (out.sign() * threshold(out.abs(), 0.0, 0.0)).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling: the ``norm_type``-norm of each window (max of ``|x|`` at inf)."""
    window = _single(kernel_size, "lp_pool1d", "kernel_size")
    return _lp_pool(max_pool1d, avg_pool1d, input, norm_type, kernel_size, stride, ceil_mode,
                    window)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: the ``norm_type``-norm of each window (max of ``|x|`` at inf)."""
    KH, KW = _pair(kernel_size, "lp_pool2d", "kernel_size")
    return _lp_pool(max_pool2d, avg_pool2d, input, norm_type, kernel_size, stride, ceil_mode,
                    KH * KW)


def _fractional_pair(value, name):
    if not isinstance(value, (int, np.integer)) and len(value) != 2:
        raise RuntimeError(f"fractional_max_pool2d: {name} must either be a single Int or tuple "
                           "of Ints")
    return _pair(value, "fractional_max_pool2d", name)


def _check_fractional(input, kernel, out, samples):
    if input.ndim not in (3, 4):
        raise RuntimeError(f"fractional_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    # as in PyTorch, dim 0 of an unbatched input is not checked
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"fractional_max_pool2d(): Expected input to have non-zero size "
                               f"for non-batch dimensions, but got{list(input.shape)} with "
                               f"dimension {i} being empty.")
    for k, o, size, name in zip(kernel, out, input.shape[-2:], ("height", "width")):
        if o + k - 1 > size:
            raise RuntimeError(f"fractional_max_pool2d(): pool {name} {k} too large relative to "
                               f"input {name} {size}")
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batch, channels = (1, input.shape[0]) if input.ndim == 3 else input.shape[:2]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != 2:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to 2; got {samples.shape[2]}.")


def _fractional_starts(samples, size, out, k):
    """The window starts along one dim, ``(N, C, out)``, from the planes' samples ``(N, C)``:
    PyTorch's ``generate_intervals``, computed in the samples' dtype."""
    last = samples.new_full(tuple(samples.shape) + (1,), size - k).long()
    if out <= 1:
        return last[..., :out]
    alpha = samples.new_tensor(float(size - k)) / (out - 1)
    steps = _creation.arange(out - 1, dtype=samples.dtype, device=samples.device)
    s = samples.unsqueeze(-1)
    return _shape.cat([((steps + s) * alpha).long() - (s * alpha).long(), last], -1)


def _fractional_max_pool(x, kernel, out, samples):
    """Max over the ``kernel`` windows at the sampled starts: the first maximum of each window,
    or its last NaN, as PyTorch's kernel."""
    N, C, H, W = x.shape
    (KH, KW), (OH, OW) = kernel, out
    K = KH * KW
    rows = _fractional_starts(samples[:N, :, 1], H, OH, KH)
    cols = _fractional_starts(samples[:N, :, 0], W, OW, KW)
    dh = _creation.arange(KH, device=x.device).unsqueeze(-1)
    dw = _creation.arange(KW, device=x.device)
    places = ((rows[:, :, :, None, None, None] + dh) * W
              + cols[:, :, None, :, None, None] + dw).reshape(N, C, OH, OW, K)
    flat = x.reshape(N, C, H * W)
    windows = flat.detach().gather(2, places.reshape(N, C, OH * OW * K)).view(N, C, OH, OW, K)
    nan = windows.isnan()
    last_nan = K - 1 - nan.flip(-1).byte().argmax(-1)
    best = _math.where(nan.any(-1), last_nan, windows.argmax(-1))
    indices = places.gather(-1, best.unsqueeze(-1)).squeeze(-1)
    return flat.gather(2, indices.reshape(N, C, OH * OW)).view(N, C, OH, OW), indices


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """2-D fractional max pooling (Graham, 2014): ``kernel_size`` windows at pseudo-random
    steps that give ``output_size`` (or ``output_ratio`` times the input size).

    ``_random_samples`` (``(N, C, 2)`` in ``[0, 1)``, the width's then the height's sample of
    each plane) fixes the steps; by default it is drawn uniformly.
    """
    if output_size is None and output_ratio is None:
        raise ValueError("fractional_max_pool2d requires specifying either an output_size or an "
                         "output_ratio")
    if output_size is None:
        if len(output_ratio) > 2:
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single "
                             "Int or tuple of Ints.")
        output_size = [int(input.shape[-2] * output_ratio[0]),
                       int(input.shape[-1] * output_ratio[1])]
    if _random_samples is None:
        batch = 1 if input.ndim == 3 else input.shape[0]
        _random_samples = _creation.rand(batch, input.shape[-3], 2, dtype=input.dtype,
                                         device=input.device)
    kernel = _fractional_pair(kernel_size, "kernel_size")
    out = _fractional_pair(output_size, "output_size")
    _check_fractional(input, kernel, out, _random_samples)
    y, indices = _run_2d(_fractional_max_pool, input, 2, kernel, out, _random_samples)
    return (y, indices) if return_indices else y


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def _unpool_size(input, kernel, stride, padding, output_size):
    """The spatial output size of max_unpool: the inverse of pooling's, or ``output_size``
    (spatial sizes, or led by N and C) when it lies strictly within a stride of that."""
    n = len(kernel)
    default = [(input.shape[d - n] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(n)]
    size = default
    if output_size is not None:
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(n):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                                 f'{lo} and {hi})')
        size = [int(s) for s in output_size]
    for d in range(n):
        if size[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={size[d]}")
    return size


def _max_unpool(input, indices, OH, OW):
    """Write ``input``'s values at the flat ``OH * OW`` ``indices`` of zero planes."""
    if input.ndim not in (3, 4):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor "
                           f"with {input.ndim} dimensions.")
    if indices._data.dtype != np.int64:
        name = scalar_type_name(indices)
        raise RuntimeError(f"elements in indices should be type int64 but got: {name}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= OH * OW):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(f"Found an invalid max index: {int(bad)} (output volumes are of size "
                           f"{OH}x{OW})")
    return _run_2d(_scatter_planes, input, 2,
                   indices if indices.ndim == 4 else indices.unsqueeze(0), OH, OW)


def _scatter_planes(x, indices, OH, OW):
    # an assignment, as PyTorch's: overlapping pooling windows repeat an index (and its value)
    N, C, H, W = x.shape
    planes = x.new_zeros(N, C, OH * OW)
    planes = planes.scatter(2, indices.reshape(N, C, H * W), x.reshape(N, C, H * W))
    return planes.view(N, C, OH, OW)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: values placed at ``indices``, zeros elsewhere."""
    kernel = _pair(kernel_size, "max_unpool2d", "kernel_size")
    stride = kernel if stride is None else _pair(stride, "max_unpool2d", "stride")
    padding = _pair(padding, "max_unpool2d", "padding")
    return _max_unpool(input, indices, *_unpool_size(input, kernel, stride, padding, output_size))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d, run as ``max_unpool2d`` over a width of one."""
    k = _single(kernel_size, "max_unpool1d", "kernel_size")
    s = k if stride is None else _single(stride, "max_unpool1d", "stride")
    (L,) = _unpool_size(input, (k,), (s,), (_single(padding, "max_unpool1d", "padding"),),
                        output_size)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), L, 1).squeeze(-1)
