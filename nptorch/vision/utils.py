"""Image grids, as ``torchvision.utils``: ``make_grid`` and ``save_image``."""
import math

from .._device import CPU, move, xp_of
from .._tensor import Tensor


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile a batch of images ``(B, C, H, W)`` (or a list of ``(C, H, W)``) into one image.

    Args:
        nrow: images per row.
        padding: pixels between (and around) the images, filled with ``pad_value``.
        normalize: shift and scale to [0, 1] using ``value_range`` (default: the min and max).
        scale_each: normalize every image by its own min and max.

    Returns a ``(C, H', W')`` tensor; one-channel images become three equal channels.
    """
    if isinstance(tensor, (list, tuple)):
        if not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
        xp = xp_of(tensor[0]._data)
        x = xp.stack([t._data for t in tensor])
    elif isinstance(tensor, Tensor):
        x = tensor._data
        xp = xp_of(x)
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"make_grid expects 2, 3 or 4 dimensions, got {x.ndim}")
    if x.shape[1] == 1:
        x = xp.concatenate([x] * 3, axis=1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            x = xp.stack([_normalized(img, value_range) for img in x])
        else:
            x = _normalized(x, value_range)
    if x.shape[0] == 1:
        return Tensor._make(x[0].copy())
    nmaps = x.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    height, width = x.shape[2] + padding, x.shape[3] + padding
    grid = xp.full((x.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=x.dtype)
    for k in range(nmaps):
        top, left = (k // xmaps) * height + padding, (k % xmaps) * width + padding
        grid[:, top:top + height - padding, left:left + width - padding] = x[k]
    return Tensor._make(grid)


def _normalized(x, value_range):
    low, high = value_range if value_range is not None else (float(x.min()), float(x.max()))
    x = xp_of(x).clip(x, low, high)
    return ((x - low) / max(high - low, 1e-5)).astype(x.dtype)


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or a batch, tiled with :func:`make_grid` and ``kwargs``) as an image file.

    Values in [0, 1] map to 0-255, rounded.
    """
    from PIL import Image
    grid = make_grid(tensor, **kwargs)._data
    array = xp_of(grid).clip(grid * 255 + 0.5, 0, 255).transpose(1, 2, 0).astype("uint8")
    Image.fromarray(move(array, CPU)).save(fp, format=format)
