"""nn.functional: convolutions, transposed convolutions, unfold and fold.

A convolution is ``weight @ im2col(input)`` per group and image, a transposed convolution the
gradient of a convolution for its input (``_functions.conv``); 1-D ops run as 2-D ops over a
height of one, 3-D ops over three spatial dims.
"""
import numpy as np

from ..._dtype import cpp_type_name, scalar_type_name
from ..._functions.conv import Col2im, Convolution, ConvolutionInput, Im2col
from ..._ops.reference import window
from .vision import pad
from ...amp._policy import autocast_op

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold"]


def _ntuple(value, n, name, op=None):
    """An int or a sequence of ``n`` ints as a tuple of ``n`` ints, with PyTorch's error."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        if op is not None:
            raise RuntimeError(f"{op}: {name} must be a tuple of {n} ints")
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to match the "
            f"convolution dimensions, but got {name}={list(value)}")
    return value


def _c_div(a, b):
    """C integer division (truncates toward zero), which PyTorch's size formulas use."""
    return -(-a // b) if a < 0 else a // b


def _sizes(t):
    return list(t.shape)


def _type_name(dt, scalar=False):
    return cpp_type_name(dt) if scalar else f"torch.{scalar_type_name(dt)}Tensor"


def _check_conv(op, x, weight, bias, stride, padding, dilation, groups, d, transposed,
                output_padding=None):
    """PyTorch's argument checks of convolution, in its order."""
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, but "
                           f"got input of size: {_sizes(x)}")
    k = weight.ndim - 2
    stride = _ntuple(stride, k, "stride")
    padding = _ntuple(padding, k, "padding")
    dilation = _ntuple(dilation, k, "dilation")
    if k != d:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {k} values "
                           f"to match the convolution dimensions, but got stride={list(stride)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if transposed and any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(v <= 0 for v in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched = x.ndim == d + 2
    shape = _sizes(x) if batched else [1] + _sizes(x)
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{_sizes(weight)}] instead")
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if shape[1] != expected:
        kind = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {kind}, weight of size {_sizes(weight)}, expected input{shape} "
                           f"to have {expected} channels, but got {shape[1]} channels instead")
    if not transposed:
        padded = [shape[2 + i] + 2 * padding[i] for i in range(d)]
        kernel = [(weight.shape[2 + i] - 1) * dilation[i] + 1 for i in range(d)]
        if any(k > p for k, p in zip(kernel, padded)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
                "than actual input size")
    else:
        for i in range(d):
            if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
                # PyTorch runs (and reports) a 1-d convolution as a 2-d one of height 1
                names = ("depth", "height", "width")[3 - max(d, 2):]
                parts = [f"{what}_{n}: {v}" for what, values, fill in
                         (("output_padding", output_padding, 0), ("stride", stride, 1),
                          ("dilation", dilation, 1))
                         for n, v in zip(names, _lift(values, d, fill))]
                raise RuntimeError("output padding must be smaller than either stride or "
                                   f"dilation, but got {' '.join(parts)}")
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"Input type ({_type_name(x._data.dtype)}) and weight type "
                           f"({_type_name(weight._data.dtype)}) should be the same or input should "
                           "be a MKLDNN tensor and weight is a dense tensor")
    if bias is not None:
        out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
        if bias.ndim != 1 or bias.shape[0] != out_channels:
            raise RuntimeError(
                f"Given {'transposed=1' if transposed else ''}{', ' if transposed else ''}"
                f"weight of size {_sizes(weight)}, expected bias to be 1-dimensional with "
                f"{out_channels} elements, but got bias of size {_sizes(bias)} instead")
        if bias._data.dtype != x._data.dtype:
            raise RuntimeError(f"Input type ({_type_name(x._data.dtype, True)}) and bias type "
                               f"({_type_name(bias._data.dtype, True)}) should be the same")
    return stride, padding, dilation


def _as_2d(t, d):
    """A ``d``-D spatial tensor as a 2-D one (height one for 1-D)."""
    return t.unsqueeze(-2) if d == 1 else t


def _lift(values, d, fill):
    return (fill,) + tuple(values) if d == 1 else tuple(values)


def _same_padding(weight, dilation, stride):
    """(per-dim padding to use, per-dim flag: crop the first output) for padding='same'."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    totals = [dl * (k - 1) for dl, k in zip(dilation, weight.shape[2:])]
    # PyTorch puts the odd extra padding after: pad both sides by the larger half, drop the
    # first output of those dims
    return tuple(t - t // 2 for t in totals), tuple(t % 2 == 1 for t in totals)


def _conv(op, d, input, weight, bias, stride, padding, dilation, groups):
    crop = (False,) * d
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        mode, padding = padding, 0
    else:
        mode = None
    if mode == "same" and weight.ndim == d + 2:
        padding, crop = _same_padding(weight, _ntuple(dilation, d, "dilation"),
                                      _ntuple(stride, d, "stride"))
    stride, padding, dilation = _check_conv(op, input, weight, bias, stride, padding, dilation,
                                            groups, d, transposed=False)
    batched = input.ndim == d + 2
    x = _as_2d(input if batched else input.unsqueeze(0), d)
    w = _as_2d(weight, d)
    stride, padding, dilation = _lift(stride, d, 1), _lift(padding, d, 0), _lift(dilation, d, 1)
    out = tuple((n + 2 * p - dl * (k - 1) - 1) // s + 1 for n, k, s, p, dl in
                zip(x.shape[2:], w.shape[2:], stride, padding, dilation))
    y = Convolution.apply(x, w, bias, out, window(w.shape[2:], stride, padding, dilation), groups)
    if d == 1:
        y = y.squeeze(2)
    if any(crop):
        y = y[(slice(None), slice(None)) + tuple(slice(1, None) if c else slice(None)
                                                 for c in crop)]
    return y if batched else y.squeeze(0)


def _conv_transpose(op, d, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    output_padding = _ntuple(output_padding, weight.ndim - 2, "output_padding")
    stride, padding, dilation = _check_conv(op, input, weight, bias, stride, padding, dilation,
                                            groups, d, transposed=True,
                                            output_padding=output_padding)
    batched = input.ndim == d + 2
    x = _as_2d(input if batched else input.unsqueeze(0), d)
    w = _as_2d(weight, d)
    stride, padding, dilation = _lift(stride, d, 1), _lift(padding, d, 0), _lift(dilation, d, 1)
    size = x.shape[2:]
    out = tuple((n - 1) * s - 2 * p + dl * (k - 1) + extra + 1 for n, k, s, p, dl, extra in
                zip(size, w.shape[2:], stride, padding, dilation, _lift(output_padding, d, 0)))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, size))}). "
                           f"Calculated output size per channel: ({' x '.join(map(str, out))}). "
                           "Output size is too small")
    y = ConvolutionInput.apply(x, w, out, window(w.shape[2:], stride, padding, dilation), groups)
    if bias is not None:
        y = y + bias.reshape((1, -1) + (1,) * len(out))
    if d == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


@autocast_op("conv1d")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over an input of shape ``(N, C_in, L)`` or ``(C_in, L)``.

    Args:
        weight: ``(C_out, C_in / groups, K)``; bias: ``(C_out,)`` or None.
        padding: int, tuple, ``'valid'`` or ``'same'``.
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@autocast_op("conv2d")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over ``(N, C_in, H, W)`` or ``(C_in, H, W)``.

    Args:
        weight: ``(C_out, C_in / groups, KH, KW)``; bias: ``(C_out,)`` or None.
        padding: int, tuple, ``'valid'`` or ``'same'``.

    Example::

        >>> y = F.conv2d(torch.randn(1, 3, 8, 8), torch.randn(6, 3, 3, 3), padding=1)
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@autocast_op("conv_transpose1d")
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution; ``weight`` is ``(C_in, C_out / groups, K)``."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@autocast_op("conv_transpose2d")
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution (the gradient of conv2d w.r.t. its input);
    ``weight`` is ``(C_in, C_out / groups, KH, KW)``."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@autocast_op("conv3d")
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation) over ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``.

    Args:
        weight: ``(C_out, C_in / groups, KD, KH, KW)``; bias: ``(C_out,)`` or None.
        padding: int, tuple, ``'valid'`` or ``'same'``.
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


@autocast_op("conv_transpose3d")
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution (the gradient of conv3d w.r.t. its input);
    ``weight`` is ``(C_in, C_out / groups, KD, KH, KW)``."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def _check_blocks(stride, dilation, padding):
    for name, vals, bad in (("stride", stride, lambda v: v <= 0),
                            ("dilation", dilation, lambda v: v <= 0),
                            ("padding", padding, lambda v: v < 0)):
        if any(bad(v) for v in vals):
            what = "be non-negative" if name == "padding" else "be greater than zero"
            key = "pad" if name == "padding" else name
            raise RuntimeError(f"{name} should {what}, but got {key}_height: {vals[0]} "
                               f"{key}_width: {vals[1]}")


def _blocks(size, kernel, dilation, padding, stride):
    return tuple(_c_div(size[i] + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1, stride[i]) + 1
                 for i in range(2))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: ``(N, C, H, W)`` -> ``(N, C * KH * KW, L)``."""
    if input.ndim not in (3, 4):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got 2)")
    kernel, dilation = _ntuple(kernel_size, 2, "kernel_size"), _ntuple(dilation, 2, "dilation")
    padding, stride = _ntuple(padding, 2, "padding"), _ntuple(stride, 2, "stride")
    _check_blocks(stride, dilation, padding)
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    N, C, H, W = x.shape
    BH, BW = _blocks((H, W), kernel, dilation, padding, stride)
    if BH < 1 or BW < 1:
        raise RuntimeError(
            f"Given input with spatial size ({H}, {W}), kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, calculated shape of the array of sliding blocks as ({BH}, {BW}), "
            "but its components must be at least one.")
    win = window(kernel, stride, padding, dilation)
    y = Im2col.apply(x, (BH, BW), win).reshape(N, C * kernel[0] * kernel[1], BH * BW)
    return y if batched else y.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks, summing overlaps: ``(N, C * KH * KW, L)`` -> ``(N, C, H, W)``."""
    out, kernel = _ntuple(output_size, 2, "output_size"), _ntuple(kernel_size, 2, "kernel_size")
    dilation, padding = _ntuple(dilation, 2, "dilation"), _ntuple(padding, 2, "padding")
    stride = _ntuple(stride, 2, "stride")
    if input.ndim not in (2, 3):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: {_sizes(input)}")
    _check_blocks(stride, dilation, padding)
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    N, CK, L = x.shape
    kk = kernel[0] * kernel[1]
    if CK % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={CK} and kernel_size={kernel}.")
    BH, BW = _blocks(out, kernel, dilation, padding, stride)
    if BH * BW != L:
        raise RuntimeError(
            f"Given output_size={out}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {BH} * {BW} = {BH * BW}, but got "
            f"input.size(2)={L}.")
    win = window(kernel, stride, padding, dilation)
    y = Col2im.apply(x.reshape(N, CK // kk, kernel[0], kernel[1], BH, BW), out, win)
    return y if batched else y.squeeze(0)


def _pad(input, pads, mode):
    """Pad the trailing dims by ``pads`` ((before, after) per dim, first spatial dim first) in
    mode reflect / replicate / circular, as ``F.pad`` (the padding of convolution layers)."""
    return pad(input, tuple(p for pair in reversed(pads) for p in pair), mode)
