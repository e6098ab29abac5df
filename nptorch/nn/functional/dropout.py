"""nn.functional: dropout (elementwise, channel-wise and alpha).

Masks are drawn from the default generator, so ``manual_seed`` makes them reproducible. The
mask enters as a constant factor: the gradient is ``grad * mask`` (times the scale).
"""
import math
import warnings

from ..._device import xp_of
from ..._tensor import Tensor
from ...random import generator_for

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

# SELU's alpha * scale: alpha dropout sets dropped units to its negative saturation value
_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, inplace, feature=False, alpha=False):
    """Zero each element (each channel, with ``feature``) with probability ``p``; the kept
    ones are scaled by ``1 / (1 - p)`` or, with ``alpha``, affinely to keep mean and variance."""
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    data = input._data
    xp = xp_of(data)
    shape = tuple(data.shape[:2]) + (1,) * (data.ndim - 2) if feature else data.shape
    if p == 1:
        keep = xp.zeros(shape, data.dtype)
    else:
        u = generator_for(None, xp).random(shape, dtype=data.dtype
                                           if data.dtype.char in "fd" else "float32")
        keep = (u < 1 - p).astype(data.dtype)
    shift = None
    if alpha and p < 1:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        shift = Tensor._make((keep - 1) * (_ALPHA * a) + _ALPHA * a * p)
        keep *= a
    elif p < 1:
        keep *= 1.0 / (1 - p)
    mask = Tensor._make(keep)
    if inplace:
        input.mul_(mask)
        return input if shift is None else input.add_(shift)
    out = input * mask
    return out if shift is None else out + shift


def dropout(input, p=0.5, training=True, inplace=False):
    """During training, zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)``; the identity otherwise."""
    return _dropout(input, p, training, inplace)


def _channel_dropout(input, p, training, inplace, unbatched):
    """Feature dropout, through a batch dim of one when ``unbatched``."""
    if not unbatched:
        return _dropout(input, p, training, inplace, feature=True)
    out = _dropout(input.unsqueeze(0), p, training, inplace, feature=True)
    return input if inplace else out.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout over (N, C, L) or (C, L): whole channels are zeroed."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _channel_dropout(input, p, training, inplace, input.dim() == 2)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout over (N, C, H, W) (a 3-D input is read as (N, C, L))."""
    _check_p(p)
    dim = input.dim()
    if dim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {dim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if dim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _dropout(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout over (N, C, D, H, W) or (C, D, H, W)."""
    _check_p(p)
    dim = input.dim()
    if dim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {dim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _channel_dropout(input, p, training, inplace, dim != 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and an
    affine map keeps the mean and variance."""
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    return _dropout(input, p, training, inplace, feature=True, alpha=True)
