"""Functional image transforms, as ``torchvision.transforms.functional``.

Every function takes a PIL image or an image tensor of shape ``(..., C, H, W)``. Pillow is imported
only by the code paths that handle PIL images, so tensors work without it.
"""
import numbers
import sys
from enum import Enum

import numpy as np

from ..._device import CPU, device_of, move, xp_of
from ..._tensor import Tensor


class InterpolationMode(Enum):
    """Interpolation modes; the values are the names torchvision uses."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0,
                InterpolationMode.LANCZOS: 1, InterpolationMode.BILINEAR: 2,
                InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5}
_FROM_PIL_FILTER = {0: InterpolationMode.NEAREST, 1: InterpolationMode.LANCZOS,
                    2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                    4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING}


def _interpolation(interpolation):
    """Accept an InterpolationMode or a PIL filter constant."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int) and interpolation in _FROM_PIL_FILTER:
        return _FROM_PIL_FILTER[interpolation]
    raise TypeError("Argument interpolation should be of type InterpolationMode instead of "
                    f"{type(interpolation).__name__}")


def _is_pil_image(img):
    # A PIL image can only exist once PIL.Image has been imported.
    pil = sys.modules.get("PIL.Image")
    return pil is not None and isinstance(img, pil.Image)


def _check_image(img):
    if isinstance(img, Tensor):
        if img.dim() < 2:
            raise TypeError("Tensor is not a torch image.")
    elif not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img):
    """``[channels, height, width]`` of an image."""
    _check_image(img)
    if isinstance(img, Tensor):
        c = img.shape[-3] if img.dim() > 2 else 1
        return [c, img.shape[-2], img.shape[-1]]
    return [len(img.getbands()), img.height, img.width]


def get_image_size(img):
    """``[width, height]`` of an image."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# ----------------------------------------------------------------------------- conversions

# 16-bit images become int16 (as torchvision does): the tensor dtypes have no uint16.
_PIL_DTYPES = {"I": np.int32, "I;16": np.int16, "I;16B": np.int16, "F": np.float32}


def pil_to_tensor(pic):
    """Convert a PIL image to a ``C x H x W`` tensor of the same dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, _PIL_DTYPES.get(pic.mode), copy=True)
    array = array.reshape(pic.height, pic.width, len(pic.getbands()))
    return Tensor._make(np.ascontiguousarray(array.transpose(2, 0, 1)))


def to_tensor(pic):
    """Convert a PIL image or an ``H x W x C`` ndarray to a ``C x H x W`` tensor.

    uint8 data is scaled to float32 in ``[0, 1]``; other dtypes keep their values.
    """
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    elif _is_pil_image(pic):
        array = np.array(pic, _PIL_DTYPES.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            array = array * np.uint8(255)
        array = array.reshape(pic.height, pic.width, len(pic.getbands()))
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    array = np.ascontiguousarray(array.transpose(2, 0, 1))
    if array.dtype == np.uint8:
        from ..._dtype import get_default_dtype
        array = array.astype(get_default_dtype().np_dtype) / np.float32(255)
    return Tensor._make(array)


_SINGLE_CHANNEL_MODES = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                         np.dtype(np.uint16): "I;16", np.dtype(np.int32): "I",
                         np.dtype(np.float32): "F"}
_MULTI_CHANNEL_MODES = {2: ("LA",), 3: ("RGB", "YCbCr", "HSV"), 4: ("RGBA", "CMYK", "RGBX")}


def to_pil_image(pic, mode=None):
    """Convert a ``C x H x W`` tensor or an ``H x W x C`` ndarray to a PIL image.

    Float tensors are multiplied by 255 and truncated to uint8 unless ``mode='F'``.
    """
    from PIL import Image
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        array = move(pic._data, CPU)
        array = array[None] if array.ndim == 2 else array
        if array.shape[0] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {array.shape[0]} channels.")
        if pic.is_floating_point() and mode != "F":
            array = (array * 255).astype(np.uint8)
        array = array.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        if array.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {array.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")

    channels = array.shape[2]
    if channels == 1:
        array = array[:, :, 0]
        expected = _SINGLE_CHANNEL_MODES.get(array.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {array.dtype}. "
                             f"Should be {expected}")
        mode = expected
        if array.dtype == np.int16:
            array = array.astype(np.uint16)
    else:
        permitted = _MULTI_CHANNEL_MODES[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {list(permitted)} are supported for {channels}D inputs")
        if mode is None and array.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {array.dtype} is not supported")
    array = np.ascontiguousarray(array)
    # Pillow infers single-channel modes from the dtype (and rejects an explicit 'I;16').
    return Image.fromarray(array) if channels == 1 else Image.fromarray(array, mode=mode)


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float image tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(tensor.shape)}")
    from ..._api.creation import as_tensor
    mean = as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std = as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if bool((std == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, "
                         "leading to division by zero.")
    mean = mean.view(-1, 1, 1) if mean.dim() == 1 else mean
    std = std.view(-1, 1, 1) if std.dim() == 1 else std
    if inplace:
        return tensor.sub_(mean).div_(std)
    return tensor.sub(mean).div(std)


# ----------------------------------------------------------------------------- geometry

def _compute_resized_output_size(image_size, size, max_size=None):
    if len(size) == 1:
        h, w = image_size
        short, long = (w, h) if w <= h else (h, w)
        new_short = size[0]
        new_long = int(new_short * long / short)
        if max_size is not None:
            if max_size <= new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    return [size[0], size[1]]


def _triangle(x):
    return np.clip(1.0 - np.abs(x), 0.0, None)


def _cubic(a):
    def kernel(x):
        x = np.abs(x)
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return np.where(x < 1, near, np.where(x < 2, far, 0.0))
    return kernel


def _resize_matrix(n_in, n_out, mode, antialias):
    """The ``(n_out, n_in)`` matrix that resamples one axis.

    The filters follow Pillow's resampling (antialiased: the kernel widens by the downscale factor);
    NEAREST uses PyTorch's legacy ``floor(dst * scale)`` index, NEAREST_EXACT the pixel centres.
    """
    scale = n_in / n_out
    dst = np.arange(n_out)
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        offset = 0.5 if mode is InterpolationMode.NEAREST_EXACT else 0.0
        weights = np.zeros((n_out, n_in))
        weights[dst, np.minimum(np.floor((dst + offset) * scale).astype(np.int64), n_in - 1)] = 1
        return weights
    if mode is InterpolationMode.BILINEAR:
        kernel = _triangle
    elif mode is InterpolationMode.BICUBIC:
        kernel = _cubic(-0.5 if antialias else -0.75)
    else:
        raise ValueError(f"Interpolation {mode.value} is not supported for tensors; "
                         "use nearest, nearest-exact, bilinear or bicubic")
    stretch = max(scale, 1.0) if antialias else 1.0
    centers = (dst + 0.5) * scale
    weights = kernel((np.arange(n_in)[None, :] + 0.5 - centers[:, None]) / stretch)
    return weights / weights.sum(1, keepdims=True)


def _resize_tensor(img, size, interpolation, antialias):
    x = img._data
    xp = xp_of(x)
    work = np.float64 if x.dtype == np.float64 else np.float32
    rows = xp.asarray(_resize_matrix(x.shape[-2], size[0], interpolation, antialias).astype(work))
    cols = xp.asarray(_resize_matrix(x.shape[-1], size[1], interpolation, antialias).astype(work))
    y = rows @ x.astype(work) @ cols.T
    if x.dtype.kind in "ui":
        info = np.iinfo(x.dtype)
        y = xp.clip(xp.round(y), info.min, info.max)
    return Tensor._make(y.astype(x.dtype))


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size``: an int (or 1-sequence) sets the smaller edge, ``(h, w)`` sets both."""
    interpolation = _interpolation(interpolation)
    if isinstance(size, numbers.Number):
        size = [int(size)]
    size = list(size)
    if max_size is not None and len(size) != 1:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller "
                         "edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    _, h, w = get_dimensions(img)
    output_size = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == output_size:
        return img
    if isinstance(img, Tensor):
        return _resize_tensor(img, output_size, interpolation, antialias)
    return img.resize((output_size[1], output_size[0]), _PIL_FILTERS[interpolation])


def crop(img, top, left, height, width):
    """Crop ``height x width`` at ``(top, left)``; outside the image is zero."""
    _check_image(img)
    if not isinstance(img, Tensor):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                   max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding, fill=0)
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    """Crop the centre; pads with zeros when the crop is larger than the image."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    crop_h, crop_w = output_size
    if crop_w > w or crop_h > h:
        padding = [max(crop_w - w, 0) // 2, max(crop_h - h, 0) // 2,
                   max(crop_w - w + 1, 0) // 2, max(crop_h - h + 1, 0) // 2]
        img = pad(img, padding, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    return crop(img, int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0)), crop_h, crop_w)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    """Crop, then resize to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    """Flip left-right."""
    _check_image(img)
    if isinstance(img, Tensor):
        return img.flip(-1)
    return img.transpose(0)  # Image.FLIP_LEFT_RIGHT


def vflip(img):
    """Flip top-bottom."""
    _check_image(img)
    if isinstance(img, Tensor):
        return img.flip(-2)
    return img.transpose(1)  # Image.FLIP_TOP_BOTTOM


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if len(padding) == 1:
        return [int(padding[0])] * 4
    if len(padding) == 2:
        return [int(padding[0]), int(padding[1])] * 2
    return [int(p) for p in padding]


def _check_pad_args(padding, fill, padding_mode):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def _fill_per_channel(fill, channels):
    fill = 0 if fill is None else fill
    if isinstance(fill, numbers.Number):
        return [fill] * channels
    if len(fill) == 1:
        return list(fill) * channels
    if len(fill) != channels:
        raise ValueError("The number of elements in 'fill' does not match the number of channels of "
                         f"the image ({len(fill)} != {channels})")
    return list(fill)


def _pad_planes(x, padding, fill, padding_mode):
    """Pad the last two axes of a channel-first array; negative padding crops."""
    xp = xp_of(x)
    left, top, right, bottom = padding
    x = x[..., max(-top, 0):x.shape[-2] - max(-bottom, 0), max(-left, 0):x.shape[-1] - max(-right, 0)]
    widths = [(0, 0)] * (x.ndim - 2) + [(max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0))]
    if padding_mode != "constant":
        return xp.pad(x, widths, mode=padding_mode)
    out = xp.pad(x, widths)
    values = fill if x.ndim > 2 else fill[:1]
    inner = (Ellipsis, slice(widths[-2][0], out.shape[-2] - widths[-2][1]),
             slice(widths[-1][0], out.shape[-1] - widths[-1][1]))
    saved = out[inner].copy()
    out[...] = xp.asarray(values, dtype=out.dtype).reshape((-1, 1, 1) if x.ndim > 2 else (1, 1))
    out[inner] = saved
    return out


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is an int, ``(left/right, top/bottom)`` or ``(l, t, r, b)``."""
    _check_image(img)
    _check_pad_args(padding, fill, padding_mode)
    padding = _parse_padding(padding)
    channels = get_image_num_channels(img)
    fill = _fill_per_channel(fill, channels)
    if isinstance(img, Tensor):
        return Tensor._make(_pad_planes(img._data, padding, fill, padding_mode))
    from PIL import Image
    array = np.asarray(img)
    planes = array.transpose(2, 0, 1) if array.ndim == 3 else array
    out = _pad_planes(planes, padding, fill, padding_mode)
    out = np.ascontiguousarray(out.transpose(1, 2, 0) if out.ndim == 3 else out)
    # Pillow infers single-band modes from the dtype; a palette image gets its palette back.
    result = Image.fromarray(out, mode=img.mode) if out.ndim == 3 else Image.fromarray(out)
    if img.mode == "P":
        result.putpalette(img.getpalette())
    return result


def _pil_fill(fill, img):
    """torchvision's PIL fill argument: a tuple per band, ints unless the image is float."""
    fill = _fill_per_channel(fill, len(img.getbands()))
    fill = [float(f) if img.mode == "F" else int(f) for f in fill]
    return fill[0] if len(fill) == 1 else tuple(fill)


def _rotate_planes(img, rotation):
    """Apply a PIL geometric op to every plane of a tensor as a float32 ('F') image."""
    from PIL import Image
    x = img._data
    host = move(x, CPU)
    planes = host.reshape((-1,) + host.shape[-2:]).astype(np.float32)
    out = np.stack([np.asarray(rotation(Image.fromarray(p, mode="F"), i))
                    for i, p in enumerate(planes)])
    out = out.reshape(host.shape[:-2] + out.shape[-2:])
    if host.dtype.kind in "ui":
        info = np.iinfo(host.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    return Tensor._make(move(out.astype(host.dtype), device_of(x)))


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate by ``angle`` degrees counter-clockwise about ``center`` (default: the image centre).

    Tensors are rotated plane by plane through Pillow in float32.
    """
    _check_image(img)
    interpolation = _interpolation(interpolation)
    if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR,
                             InterpolationMode.BICUBIC):
        raise ValueError(f"Interpolation {interpolation.value} is not supported by rotate")
    resample = _PIL_FILTERS[interpolation]
    if isinstance(img, Tensor):
        fills = _fill_per_channel(fill, get_image_num_channels(img))
        channels = len(fills)
        return _rotate_planes(img, lambda p, i: p.rotate(angle, resample, expand, center,
                                                         fillcolor=float(fills[i % channels])))
    return img.rotate(angle, resample, expand, center, fillcolor=_pil_fill(fill, img))


# ----------------------------------------------------------------------------- colour

def _check_factor(name, factor):
    if factor < 0:
        raise ValueError(f"{name} ({factor}) is not non-negative.")


def _blend(x1, x2, ratio):
    xp = xp_of(x1)
    bound = 1.0 if x1.dtype.kind == "f" else 255.0
    out = xp.clip(ratio * x1 + (1.0 - ratio) * x2, 0, bound)
    return out.astype(x1.dtype)


def _gray_array(x):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b).astype(x.dtype)[..., None, :, :]


def _channels(img, permitted):
    c = get_image_num_channels(img)
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")
    return c


def _enhance(img, name, factor):
    from PIL import ImageEnhance
    return getattr(ImageEnhance, name)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    """Blend with black: 0 gives black, 1 the original."""
    _check_image(img)
    _check_factor("brightness_factor", brightness_factor)
    if not isinstance(img, Tensor):
        return _enhance(img, "Brightness", brightness_factor)
    _channels(img, [1, 3])
    x = img._data
    return Tensor._make(_blend(x, xp_of(x).zeros_like(x), brightness_factor))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level: 0 gives a solid grey image, 1 the original."""
    _check_image(img)
    _check_factor("contrast_factor", contrast_factor)
    if not isinstance(img, Tensor):
        return _enhance(img, "Contrast", contrast_factor)
    c = _channels(img, [1, 3])
    x = img._data
    gray = _gray_array(x) if c == 3 else x
    work = x.dtype if x.dtype.kind == "f" else np.float32
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True)
    return Tensor._make(_blend(x, mean, contrast_factor))


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: 0 gives grey, 1 the original."""
    _check_image(img)
    _check_factor("saturation_factor", saturation_factor)
    if not isinstance(img, Tensor):
        return _enhance(img, "Color", saturation_factor)
    if _channels(img, [1, 3]) == 1:
        return img
    x = img._data
    return Tensor._make(_blend(x, _gray_array(x), saturation_factor))


def _rgb_to_hsv(x):
    xp = xp_of(x)
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    equal = maxc == minc
    cr = maxc - minc
    s = cr / xp.where(equal, 1.0, maxc)
    divisor = xp.where(equal, 1.0, cr)
    rc, gc, bc = (maxc - r) / divisor, (maxc - g) / divisor, (maxc - b) / divisor
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
         + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc))
    h = xp.fmod(h / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv_to_rgb(h, s, v):
    xp = xp_of(h)
    i = xp.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = xp.clip(v * (1.0 - s), 0.0, 1.0)
    q = xp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = xp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    sectors = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    return xp.stack([xp.select([i == k for k in range(6)], [sector[c] for sector in sectors])
                     for c in range(3)], axis=-3)


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` (a fraction of the colour wheel, in [-0.5, 0.5])."""
    _check_image(img)
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        from PIL import Image
        if img.mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        # The hue channel wraps around modulo 256, as in PIL's uint8 arithmetic.
        shifted = (np.asarray(h).astype(np.int64) + int(hue_factor * 255)) % 256
        h = Image.fromarray(shifted.astype(np.uint8), mode="L")
        return Image.merge("HSV", (h, s, v)).convert(img.mode)
    if _channels(img, [1, 3]) == 1:
        return img
    x = img._data
    work = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x
    h, s, v = _rgb_to_hsv(work)
    rgb = _hsv_to_rgb((h + hue_factor) % 1.0, s, v).astype(work.dtype)
    if x.dtype == np.uint8:
        rgb = (rgb * 255.0).astype(np.uint8)
    return Tensor._make(rgb)


def to_grayscale(img, num_output_channels=1):
    """Convert a PIL image to greyscale (``'L'``, or ``'RGB'`` with three equal channels)."""
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")
    return rgb_to_grayscale(img, num_output_channels)


def rgb_to_grayscale(img, num_output_channels=1):
    """Greyscale as ``0.2989 R + 0.587 G + 0.114 B`` (PIL: ``convert('L')``)."""
    _check_image(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if not isinstance(img, Tensor):
        from PIL import Image
        gray = img.convert("L")
        if num_output_channels == 1:
            return gray
        return Image.fromarray(np.dstack([np.asarray(gray)] * 3), mode="RGB")
    x = img._data
    gray = _gray_array(x) if _channels(img, [1, 3]) == 3 else x.copy()
    if num_output_channels == 3:
        gray = xp_of(x).broadcast_to(gray, x.shape[:-3] + (3,) + x.shape[-2:]).copy()
    return Tensor._make(gray)


def erase(img, i, j, h, w, v, inplace=False):
    """Set ``img[..., i:i+h, j:j+w]`` to ``v``."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
           "pil_to_tensor", "to_tensor", "to_pil_image", "normalize", "resize", "crop",
           "center_crop", "resized_crop", "hflip", "vflip", "pad", "rotate", "adjust_brightness",
           "adjust_contrast", "adjust_saturation", "adjust_hue", "to_grayscale",
           "rgb_to_grayscale", "erase"]
