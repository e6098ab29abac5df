"""nn.functional: max, average, power-average and adaptive pooling, and max_unpool.

Every op runs over ``(N, C, *spatial)`` with two or three spatial dims: 1-D ops over a height of
one, unbatched inputs with a batch of one. Output sizes follow PyTorch's ``pooling_output_shape``
(with ceil_mode, the last window must start inside the input or its left padding).
"""
import math

import numpy as np

from ..._dtype import scalar_type_name
from ..._functions import pooling as P
from ..._ops.reference import window
from .activation import threshold

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]

_COUNTS = {2: "two", 3: "three"}


def _tuple(value, n, op, name, must="either be "):
    """An int or a sequence of 1 or ``n`` ints as ``n`` ints, with PyTorch's error (``must`` is
    the op's wording: 'either be ', 'be either ' or 'be ')."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(value)
    if len(value) == 1:
        return (int(value[0]),) * n
    if len(value) != n:
        omitted = "omitted, " if name == "stride" else ""
        raise RuntimeError(f"{op}: {name} must {must}{omitted}a single int, or a tuple of "
                           f"{_COUNTS[n]} ints")
    return tuple(int(v) for v in value)


def _pair(value, op, name):
    return _tuple(value, 2, op, name)


def _single(value, op, name):
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(value)})")
    return int(value[0])


def _stride(stride, kernel, op, must="either be "):
    """``stride``, which defaults to ``kernel``."""
    return kernel if stride is None or stride == [] else _tuple(stride, len(kernel), op,
                                                                  "stride", must)


def _output_size(size, k, s, p, d, ceil_mode):
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _window(input, kernel, stride, padding, dilation, ceil_mode, *input_checks):
    """Check a pooling window as PyTorch does (each dim's output size, then the window, then
    ``input_checks``, then the output) and return ``(window, out)``."""
    out = []
    for n, k, s, p, d in zip(input.shape[-len(kernel):], kernel, stride, padding, dilation):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
        out.append(_output_size(n, k, s, p, d, ceil_mode))
    dims = "THW"[3 - len(kernel):]
    for what, prefix, values in (("kernel size", "k", kernel), ("stride", "d", stride),
                                 ("dilation", "dilation", dilation)):
        if any(v <= 0 for v in values):
            got = " ".join(f"{prefix}{dim}: {v}" for dim, v in zip(dims, values))
            raise RuntimeError(f"{what} should be greater than zero, but got {got}")
    for check in input_checks:
        check()
    if any(o < 1 for o in out):
        sizes = [input.shape[-len(kernel) - 1], *input.shape[-len(kernel):]]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, sizes))}). Calculated output "
                           f"size: ({'x'.join(map(str, sizes[:1] + out))}). Output size is too "
                           "small")
    return window(kernel, stride, padding, dilation), tuple(out)


def _run(fn, input, spatial_dims, *args):
    """Apply ``fn`` (on ``(N, C, *spatial)``, two or three spatial dims) to an input with
    ``spatial_dims`` 1, 2 or 3, batched or not."""
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


def _check_input(input, d):
    """The rank check of 2-D and 3-D pooling (2-D's also rejects empty planes, as PyTorch's
    error says)."""
    if input.ndim not in (d + 1, d + 2) or (d == 2 and 0 in input.shape[-3:]):
        raise RuntimeError(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for input")


def _nonempty(input, op):
    """PyTorch's 3-D pooling check of the non-batch dims (it names the size, not the dim)."""
    def check():
        for i in range(input.ndim - 4, input.ndim):
            if input.shape[i] == 0:
                raise RuntimeError(f"{op}: Expected input's non-batch dimensions to have positive "
                                   f"length, but input has a shape of {list(input.shape)} and "
                                   f"non-batch dimension {input.shape[i]} has length zero!")
    return check


def _check_1d_input(input, op):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {op})")


def _max_pool(x, win, out, return_indices):
    y, indices = P.MaxPool.apply(x, out, win)
    return (y, indices) if return_indices else y


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``; ``stride`` defaults to
    ``kernel_size``. With ``return_indices``, also the flat ``H * W`` index of every maximum."""
    kernel = _pair(kernel_size, "max_pool2d", "kernel_size")
    stride = _stride(stride, kernel, "max_pool2d")
    padding = _pair(padding, "max_pool2d", "padding")
    dilation = _tuple(dilation, 2, "max_pool2d", "dilation", "be either ")
    _check_input(input, 2)
    win, out = _window(input, kernel, stride, padding, dilation, ceil_mode)
    return _run(_max_pool, input, 2, win, out, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``; ``stride`` defaults to
    ``kernel_size``. With ``return_indices``, also the flat ``D * H * W`` index of every
    maximum."""
    kernel = _tuple(kernel_size, 3, "max_pool3d", "kernel_size")
    stride = _stride(stride, kernel, "max_pool3d")
    padding = _tuple(padding, 3, "max_pool3d", "padding")
    dilation = _tuple(dilation, 3, "max_pool3d", "dilation", "be either ")
    _check_input(input, 3)
    win, out = _window(input, kernel, stride, padding, dilation, ceil_mode,
                       _nonempty(input, "max_pool3d_with_indices_out_cpu_template()"))
    return _run(_max_pool, input, 3, win, out, return_indices)


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
    win, out = _window(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode)
    return _run(_max_pool, input, 1, win, out, return_indices)


def _avg_pool(x, win, out, count_include_pad, divisor_override):
    return P.AvgPool.apply(x, out, win, count_include_pad, divisor_override)


def _check_divisor(divisor_override):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling; ``divisor_override`` replaces the window size as divisor."""
    kernel = _pair(kernel_size, "avg_pool2d", "kernel_size")
    stride = _stride(stride, kernel, "avg_pool2d")
    padding = _pair(padding, "avg_pool2d", "padding")
    _check_input(input, 2)
    _check_divisor(divisor_override)
    win, out = _window(input, kernel, stride, padding, (1, 1), ceil_mode)
    return _run(_avg_pool, input, 2, win, out, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``; ``divisor_override``
    replaces the window size as divisor."""
    kernel = _tuple(kernel_size, 3, "avg_pool3d", "kernel_size", "be ")
    stride = _stride(stride, kernel, "avg_pool3d", "be ")
    padding = _tuple(padding, 3, "avg_pool3d", "padding", "be ")
    _check_input(input, 3)
    _check_divisor(divisor_override)

    def covers_kernel():  # PyTorch's avg_pool3d wants the input, padding aside, to hold a window
        size = input.shape[-3:]
        if any(n < k for n, k in zip(size, kernel)):
            raise RuntimeError("input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} "
                               "kH: {} kW: {})".format(*size, *kernel))

    win, out = _window(input, kernel, stride, padding, (1, 1, 1), ceil_mode,
                       _nonempty(input, "avg_pool3d()"), covers_kernel)
    return _run(_avg_pool, input, 3, win, out, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``."""
    _check_1d_input(input, "avg_pool1d")
    k = _single(kernel_size, "avg_pool1d", "kernel_size")
    s = k if stride is None or stride == [] else _single(stride, "avg_pool1d", "stride")
    p = _single(padding, "avg_pool1d", "padding")
    win, out = _window(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, 1), ceil_mode)
    return _run(_avg_pool, input, 1, win, out, count_include_pad, None)


def _adaptive_size(shape, output_size, op, n, internal=False, channels=False):
    """The output size of an adaptive pooling of an input of ``shape`` (None keeps the input's
    size), checked as PyTorch does (``internal``: adaptive max pooling's wording;
    ``channels``: every dim after the first must be non-empty, not only the spatial ones)."""
    single = output_size is None or isinstance(output_size, (int, np.integer))
    sizes = (output_size,) * n if single else tuple(output_size)
    if len(sizes) != n:
        if internal:
            raise RuntimeError(f"{op}(): internal error: output_size.size() must be {n}")
        raise RuntimeError(f"{op}: output_size must be {n}")
    spatial = shape[-n:]
    out = tuple(int(spatial[i]) if s is None else int(s) for i, s in enumerate(sizes))
    if op.startswith("adaptive_avg") and min(out) < 0:  # checked before the input, as PyTorch
        received = ", ".join(map(str, out[:2])) + "".join("," + str(v) for v in out[2:])
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{received}}}")
    for i in range(1 if channels else len(shape) - n, len(shape)):
        if shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(shape)} with "
                               f"dimension {i} being empty")
    if min(out) < 0:  # 1-D max pooling runs as 2-D
        shown = list(shape[:-n]) + [1] * (n == 1) + list(out)
        raise RuntimeError("Trying to create tensor with negative dimension "
                           f"{next(v for v in out if v < 0)}: {shown}")
    return out


def _check_adaptive_input(input, op, d, colon=""):
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got{colon} "
                           f"{list(input.shape)}")


def _adaptive_output(result, op, shape):
    """``result`` of an adaptive pooling (the output, or ``(output, indices)``), whose gradient
    PyTorch's backward ``op`` rejects with its error when a dim after the first of ``shape``
    (the output's shape as that op sees it) is empty: the forward gives an empty result, the
    backward raises."""
    output = result[0] if isinstance(result, tuple) else result
    empty = [i for i in range(1, len(shape)) if shape[i] == 0]
    if empty and output.requires_grad:
        message = (f"{op}(): Expected grad_output to have non-zero size for non-batch "
                   f"dimensions, but grad_output has sizes {list(shape)} with dimension "
                   f"{empty[0]} being empty")

        def reject(grad):
            raise RuntimeError(message)

        output.register_hook(reject)
    return result


def _adaptive_avg_pool(input, output_size, op, d):
    _check_adaptive_input(input, op, d)
    out = _adaptive_size(input.shape, output_size, op, d, channels=d == 3)
    return _adaptive_output(_run(lambda x: P.AdaptiveAvgPool.apply(x, out), input, d),
                            op + "_backward", input.shape[:-d] + out)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size ``(OH, OW)`` (an int, a pair; None keeps a size)."""
    return _adaptive_avg_pool(input, output_size, "adaptive_avg_pool2d", 2)


def adaptive_avg_pool3d(input, output_size):
    """Average pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size
    ``(OD, OH, OW)`` (an int, a triple; None keeps a size)."""
    return _adaptive_avg_pool(input, output_size, "adaptive_avg_pool3d", 3)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed length."""
    _check_1d_input(input, "adaptive_avg_pool1d")
    OW = _single(output_size, "adaptive_avg_pool1d", "output_size")
    # PyTorch runs it as 2-D pooling, whose checks and messages it reports
    shape = input.shape[:-1] + (1, input.shape[-1])
    out = _adaptive_size(shape, (1, OW), "adaptive_avg_pool2d", 2)
    return _adaptive_output(_run(lambda x: P.AdaptiveAvgPool.apply(x, out), input, 1),
                            "adaptive_avg_pool2d_backward", shape[:-2] + out)


def _adaptive_max_pool(x, out, return_indices):
    y, indices = P.AdaptiveMaxPool.apply(x, out)
    return (y, indices) if return_indices else y


def _adaptive_max_pool_nd(input, output_size, return_indices, op, d):
    _check_adaptive_input(input, op, d, colon=":")
    out = _adaptive_size(input.shape, output_size, op, d, internal=True, channels=True)
    return _adaptive_output(_run(_adaptive_max_pool, input, d, out, return_indices),
                            op + "_backward", input.shape[:-d] + out)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size; with ``return_indices``, also the argmax indices."""
    return _adaptive_max_pool_nd(input, output_size, return_indices, "adaptive_max_pool2d", 2)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size; with
    ``return_indices``, also the argmax indices (flat in each ``D * H * W`` volume)."""
    return _adaptive_max_pool_nd(input, output_size, return_indices, "adaptive_max_pool3d", 3)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed length."""
    _check_1d_input(input, "adaptive_max_pool1d")
    (OW,) = _adaptive_size(input.shape,
                           _single(output_size, "adaptive_max_pool1d", "output_size"),
                           "adaptive_max_pool1d", 1, channels=True)
    return _adaptive_output(_run(_adaptive_max_pool, input, 1, (1, OW), return_indices),
                            "adaptive_max_pool2d_backward", input.shape[:-1] + (1, OW))


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool1d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool2d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool3d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool3d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return adaptive_max_pool3d(input, output_size, True)


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


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling: the ``norm_type``-norm of each window (max of ``|x|`` at inf)."""
    KD, KH, KW = (kernel_size,) * 3 if isinstance(kernel_size, (int, np.integer)) else kernel_size
    return _lp_pool(max_pool3d, avg_pool3d, input, norm_type, kernel_size, stride, ceil_mode,
                    KD * KH * KW)


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


def _max_unpool(input, indices, out):
    """Write ``input``'s values at the flat indices ``indices`` of zero ``out``-sized planes."""
    d = len(out)
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Input to max_unpooling{d}d should be a {d + 1}d or {d + 2}d Tensor, "
                           f"but got a tensor with {input.ndim} dimensions.")
    if indices._data.dtype != np.int64:
        got = f" but got: {scalar_type_name(indices)}" if d == 2 else ""
        raise RuntimeError(f"elements in indices should be type int64{got}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    if d == 3:
        for i in range(1, input.ndim):
            if input.shape[i] == 0:
                raise RuntimeError("max_unpooling3d_forward_out_cpu(): Expected input to have "
                                   f"non-zero size for non-batch dimensions, but got "
                                   f"{list(input.shape)} with dimension {i} being empty.")
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= math.prod(out)):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(f"Found an invalid max index: {int(bad)} (output volumes are of size "
                           f"{'x'.join(map(str, out))})")
    batched = indices if indices.ndim == d + 2 else indices.unsqueeze(0)
    return _run(_scatter_planes, input, d, batched, out)


def _scatter_planes(x, indices, out):
    # an assignment, as PyTorch's: overlapping pooling windows repeat an index (and its value)
    N, C = x.shape[:2]
    planes = x.new_zeros(N, C, math.prod(out))
    planes = planes.scatter(2, indices.reshape(N, C, -1), x.reshape(N, C, -1))
    return planes.view(N, C, *out)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: values placed at ``indices``, zeros elsewhere."""
    kernel = _pair(kernel_size, "max_unpool2d", "kernel_size")
    stride = kernel if stride is None else _pair(stride, "max_unpool2d", "stride")
    padding = _pair(padding, "max_unpool2d", "padding")
    return _max_unpool(input, indices, _unpool_size(input, kernel, stride, padding, output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d: values placed at ``indices`` (flat in each
    ``D * H * W`` volume), zeros elsewhere."""
    kernel = _tuple(kernel_size, 3, "max_unpool3d", "kernel_size")
    stride = kernel if stride is None else _tuple(stride, 3, "max_unpool3d", "stride")
    padding = _tuple(padding, 3, "max_unpool3d", "padding")
    return _max_unpool(input, indices, _unpool_size(input, kernel, stride, padding, output_size))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d, run as ``max_unpool2d`` over a width of one."""
    k = _single(kernel_size, "max_unpool1d", "kernel_size")
    s = k if stride is None else _single(stride, "max_unpool1d", "stride")
    (L,) = _unpool_size(input, (k,), (s,), (_single(padding, "max_unpool1d", "padding"),),
                        output_size)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), (L, 1)).squeeze(-1)
