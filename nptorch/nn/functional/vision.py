"""nn.functional: padding, resampling and pixel (un)shuffling (``pad``, ``interpolate``,
``pixel_shuffle``, ``pixel_unshuffle``).

Every op is built from differentiable indexing and arithmetic, so gradients (of any order)
come from those ops: a padded or resampled tensor gathers input entries along one dim at a
time, and gradients of repeated entries accumulate.
"""
import math

import numpy as np

from ..._device import xp_of
from ..._tensor import Tensor
from ...amp._policy import autocast_op

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle"]

_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad ``input``: ``pad`` holds (before, after) pairs starting from the last dim backwards.

    Modes ``'constant'`` (with ``value``, default 0; negative pads crop), ``'reflect'``,
    ``'replicate'`` and ``'circular'`` (the last 1-3 dims of a batched or unbatched input).
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.dim()}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        return _constant_pad(input, pad, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    xp = xp_of(input._data)
    for i in range(k):
        dim = input.dim() - 1 - i
        n, (left, right) = input.shape[dim], pad[2 * i:2 * i + 2]
        places = np.arange(-left, n + right)
        if mode == "reflect":
            if left >= n or right >= n:
                raise RuntimeError(
                    f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                    f"input dimension, but got: padding ({left}, {right}) at dimension {dim} of "
                    f"input {list(input.shape)}")
            places = np.abs(places)
            places = np.where(places >= n, 2 * (n - 1) - places, places)
        elif mode == "replicate":
            places = np.clip(places, 0, n - 1)
        else:
            if left > n or right > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            places = places % n
        input = input.index_select(dim, Tensor._make(xp.asarray(places)))
    return input


def _constant_pad(input, pad, value):
    """Crop the negative pads, then write the input into a tensor filled with ``value``."""
    shape, inner, outer = list(input.shape), [slice(None)] * input.dim(), [slice(None)] * input.dim()
    for i in range(len(pad) // 2):
        dim = input.dim() - 1 - i
        left, right = pad[2 * i:2 * i + 2]
        size = shape[dim] + left + right
        if size < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        inner[dim] = slice(max(-left, 0), shape[dim] - max(-right, 0))
        outer[dim] = slice(max(left, 0), size - max(right, 0))
        shape[dim] = size
    out = input.new_full(shape, value)
    out[tuple(outer)] = input[tuple(inner)]
    return out


_NEAREST = ("nearest", "nearest-exact")


def _source_indices(in_size, out_size, scale, mode, align_corners, dtype):
    """Source places of each output place along one dim, as PyTorch's upsample kernels.

    ``'nearest'``: floor(dst * scale) in float32; ``'nearest-exact'``: floor((dst + 0.5) * scale),
    the product in float64 rounded to float32; the linear modes: lower index, upper index and the
    weight of the upper one.
    """
    if mode in _NEAREST:
        scale = np.float32(1.0 / scale if scale else in_size / out_size)
        if mode == "nearest":
            src = np.arange(out_size, dtype=np.float32) * scale
        else:
            src = ((np.arange(out_size) + 0.5) * np.float64(scale)).astype(np.float32)
        return np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    dst = np.arange(out_size, dtype=dtype)
    if align_corners:
        src = dst * dtype((in_size - 1) / (out_size - 1) if out_size > 1 else 0)
    else:
        scale = dtype(1.0 / scale if scale else in_size / out_size)
        src = np.maximum(scale * (dst + dtype(0.5)) - dtype(0.5), 0)
    lo = src.astype(np.int64)
    hi = lo + (lo < in_size - 1)
    return lo, hi, np.clip(src - lo, 0, 1).astype(dtype)


_LINEAR_DIMS = {"linear": 3, "bilinear": 4, "trilinear": 5}


@autocast_op("interpolate")
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims of ``(N, C, *spatial)`` to ``size`` or by ``scale_factor``.

    Modes ``'nearest'`` and ``'nearest-exact'`` (1-3 spatial dims) and
    ``'linear'``/``'bilinear'``/``'trilinear'`` (with ``align_corners``). With ``scale_factor``
    and no ``recompute_scale_factor`` the factor itself (not the size ratio) sets the source
    places, as in PyTorch.
    """
    if mode in _NEAREST:
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                    "(o1, o2, ...,oK) format.")
            if not all(isinstance(s, (int, np.integer)) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                "Tuple[int, int, int], but got size with types "
                                f"{[type(s) for s in size]}")
            output_size = list(size)
        else:
            output_size = [size] * dim
        scales = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and scale_factor in (s1, s2, ...,sK) format.")
            scales = list(scale_factor)
        else:
            scales = [scale_factor] * dim
        output_size = [math.floor(n * s) for n, s in zip(spatial, scales)]
        if recompute_scale_factor:
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in _LINEAR_DIMS and input.dim() != _LINEAR_DIMS[mode] and input.dim() in (3, 4, 5):
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_LINEAR_DIMS[mode]}D input")
    if input.dim() not in (3, 4, 5) or (mode not in _NEAREST and mode not in _LINEAR_DIMS):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    xp = xp_of(input._data)
    dtype = input._data.dtype.type
    if min(spatial + output_size) <= 0:
        names = "DHW"[3 - dim:]
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input ({}) and output ({})"
            .format(*(", ".join(f"{a}: {v}" for a, v in zip(names, sizes))
                      for sizes in (spatial, output_size))))
    for d, (n, out, scale) in enumerate(zip(spatial, output_size, scales), start=2):
        found = _source_indices(n, out, scale, mode, align_corners, dtype)
        if mode in _NEAREST:
            input = input.index_select(d, Tensor._make(xp.asarray(found)))
            continue
        lo, hi, w = (Tensor._make(xp.asarray(a)) for a in found)
        w = w.reshape((out,) + (1,) * (input.dim() - 1 - d))
        input = input.index_select(d, lo) * (1 - w) + input.index_select(d, hi) * w
    return input


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def _check_shuffle(input, factor, op, name):
    if input.dim() < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")


def pixel_shuffle(input, upscale_factor):
    """Rearrange ``(*, C * r^2, H, W)`` into ``(*, C, H * r, W * r)``."""
    r = upscale_factor
    _check_shuffle(input, r, "pixel_shuffle", "upscale_factor")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    n = len(batch)
    y = input.reshape(*batch, c // (r * r), r, r, h, w)
    y = y.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """Rearrange ``(*, C, H * r, W * r)`` into ``(*, C * r^2, H, W)``."""
    r = downscale_factor
    _check_shuffle(input, r, "pixel_unshuffle", "downscale_factor")
    *batch, c, h, w = input.shape
    for size, name, d in ((h, "height", -2), (w, "width", -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({d})={size} is not divisible "
                               f"by {r}")
    n = len(batch)
    y = input.reshape(*batch, c, h // r, r, w // r, r)
    y = y.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*batch, c * r * r, h // r, w // r)
