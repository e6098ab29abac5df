"""nn.functional: max, average and adaptive pooling, and max_unpool.

Every op runs as a 2-D op over ``(N, C, H, W)``: 1-D ops over a height of one, unbatched inputs
with a batch of one. Output sizes follow PyTorch's ``pooling_output_shape`` (with ceil_mode, the
last window must start inside the input or its left padding).
"""
import numpy as np

from ..._dtype import scalar_type_name
from ..._functions import pooling as P
from ..._ops import Window

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool2d", "max_unpool2d"]


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


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size; with ``return_indices``, also the argmax indices."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    OH, OW = _adaptive_size(input, output_size, "adaptive_max_pool2d", 2)

    def pool(x):
        y, indices = P.AdaptiveMaxPool2d.apply(x, OH, OW)
        return (y, indices) if return_indices else y
    return _run_2d(pool, input, 2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: values placed at ``indices``, zeros elsewhere."""
    kernel = _pair(kernel_size, "max_unpool2d", "kernel_size")
    stride = kernel if stride is None else _pair(stride, "max_unpool2d", "stride")
    padding = _pair(padding, "max_unpool2d", "padding")
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
    default = [(input.shape[-2 + i] - 1) * stride[i] - 2 * padding[i] + kernel[i] for i in range(2)]
    if output_size is None:
        OH, OW = default
    else:
        size = tuple(output_size)[-2:]
        if len(size) != 2:
            raise ValueError(f"output_size should be a sequence containing 2 or 4 elements, but it "
                             f"has a length of '{len(tuple(output_size))}'")
        for i in range(2):
            lo, hi = default[i] - stride[i], default[i] + stride[i]
            if not lo <= size[i] <= hi:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {i} must be '
                                 f'between {lo} and {hi})')
        OH, OW = size
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= OH * OW):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(f"Found an invalid max index: {int(bad)} (output volumes are of size "
                           f"{OH}x{OW})")
    return _run_2d(lambda x, i: P.ScatterPlanes.apply(x, i, OH, OW), input, 2,
                   indices if indices.ndim == 4 else indices.unsqueeze(0))
