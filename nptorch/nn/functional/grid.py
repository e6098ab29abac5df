"""nn.functional: spatial transformer sampling (``affine_grid``, ``grid_sample``).

Both are built from differentiable tensor ops. ``grid_sample`` maps the grid to pixel
coordinates, reads the 1 (nearest), 2^d (bilinear) or 16 (bicubic) input places around each
point with one gather over the flattened input, and sums them with interpolation weights that
are tensors of the grid: the input's gradient is a scatter-add, the grid's flows through the
weights (and through the padding's clip and reflection).
"""
import itertools
import math
import warnings

from ..._api import linalg as _linalg, math as _math, shape as _shape
from ..._device import xp_of
from ..._dtype import scalar_type_name
from ..._tensor import Tensor
from ...amp._policy import autocast_op

__all__ = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_CUBIC_A = -0.75


def _default_align_corners(align_corners):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=3)
        return False
    return align_corners


def _linspace_from_neg_one(n, align_corners, xp, dtype):
    """The normalized places of ``n`` pixel centres along one dim."""
    if n <= 1:
        return xp.zeros(1, dtype)
    places = xp.linspace(-1, 1, n, dtype=dtype)
    return places if align_corners else places * dtype.type((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps ``theta`` for an output of ``size``.

    Args:
        theta: ``(N, 2, 3)`` for 2-D or ``(N, 3, 4)`` for 3-D transforms.
        size: the output size ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        align_corners: as in ``grid_sample`` (default False, with PyTorch's warning).

    Shape: ``(N, H, W, 2)`` or ``(N, D, H, W, 3)``, last dim ordered ``x, y[, z]``.
    """
    align_corners = _default_align_corners(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) not in (4, 5):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    d = len(size) - 2
    if theta.dim() != 3 or tuple(theta.shape[-2:]) != (d, d + 1):
        raise ValueError(f"Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} for "
                         f"size {size}. Got {theta.shape}.")
    spatial = [int(n) for n in size[2:]]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    xp, dtype = xp_of(theta._data), theta._data.dtype
    axes = [_linspace_from_neg_one(n, align_corners, xp, dtype) for n in spatial]
    base = xp.ones(tuple(spatial) + (d + 1,), dtype)
    for i, places in enumerate(xp.meshgrid(*axes, indexing="ij")):
        base[..., d - 1 - i] = places  # x (the last dim) first
    base = Tensor._make(base.reshape(1, -1, d + 1)).expand(int(size[0]), -1, -1)
    grid = _linalg.bmm(base, theta.transpose(1, 2))
    return grid.reshape(int(size[0]), *spatial, d)


def _check_sampler(input, grid, mode):
    """PyTorch's argument checks of ``grid_sampler``, in its order."""
    def sizes():
        return f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.dim() and grid.dim() and input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got {sizes()}")
    if grid.dim() and grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last "
                           f"dimension, but got grid with sizes {list(grid.shape)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                f"has sizes {list(input.shape)} with dimension {i} being empty")
    d = 4 if input.dim() == 4 else 5
    if input.dim() != d or grid.dim() != d:
        raise RuntimeError(f"grid_sampler(): expected {d}D input and grid with same number of "
                           f"dimensions, but got {sizes()}")
    if d == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.is_floating_point():
        kernel = "grid_sampler_2d_cpu_kernel_impl" if d == 4 else "grid_sampler3d_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input)}'")
    if grid._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input)} but found "
                           f"{scalar_type_name(grid)}")


def _unnormalize(g, n, align_corners):
    """Grid values (-1 and 1 at the edges) as pixel coordinates along a dim of size ``n``."""
    if align_corners:
        return (g + 1) * ((n - 1) / 2)
    return (g + 1) * (n / 2) - 0.5


def _clip(c, n):
    """``c`` clamped to ``[0, n - 1]``; the border itself has a zero gradient, as in PyTorch."""
    inside = (c > 0) & (c < n - 1)
    return _math.where(inside, c, c.detach().clamp(0, n - 1))


def _reflect(c, low, high):
    """``c`` reflected at ``low`` and ``high`` until it lies between them."""
    if low == high:  # a unit dim with align_corners: c is already 0, with a zero gradient
        return c
    span = high - low
    d = c - low
    d = _math.where(d < 0, -d, d)  # the gradient at 0 is +1, as in PyTorch
    xp = xp_of(d._data)
    flips = xp.floor(d._data / span)
    extra = d - Tensor._make(flips * span)
    return _math.where(Tensor._make(flips % 2 == 1), span - extra, extra) + low


def _pad_coordinates(c, n, padding_mode, align_corners):
    if padding_mode == "border":
        return _clip(c, n)
    if padding_mode == "reflection":
        c = _reflect(c, 0, n - 1) if align_corners else _reflect(c, -0.5, n - 0.5)
        return _clip(c, n)
    return c


def _cubic_weights(t):
    """The cubic convolution weights (``A = -0.75``) of the places ``-1, 0, 1, 2`` around ``t``."""
    a = _CUBIC_A

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _taps(c, n, mode, padding_mode, align_corners):
    """``(places, weight)`` along one dim for pixel coordinates ``c``: the float places each
    point reads (possibly off the input) and their weights (Tensors; None for nearest)."""
    xp = xp_of(c._data)
    if mode == "bicubic":  # the padding moves each place read, not the coordinate
        lo = xp.floor(c._data)
        places = [_pad_coordinates(Tensor._make(lo + k), n, padding_mode, align_corners)._data
                  for k in (-1, 0, 1, 2)]
        return list(zip(places, _cubic_weights(c - Tensor._make(lo))))
    c = _pad_coordinates(c, n, padding_mode, align_corners)
    if mode == "nearest":
        return [(xp.rint(c._data), None)]  # half to even, as PyTorch's nearbyint
    lo = xp.floor(c._data)
    f = c - Tensor._make(lo)
    return [(lo, 1 - f), (lo + 1, f)]


def _gather_weighted(input, taps, sizes, P):
    """Sum over the combinations of one tap per dim of weight times the input value read
    (zero off the input). ``taps[i]`` are ``_taps`` of input dim ``i``; result ``(N, C, P)``."""
    N, C = input.shape[:2]
    S = math.prod(sizes)
    xp = xp_of(input._data)
    strides = [math.prod(sizes[i + 1:]) for i in range(len(sizes))]
    places, weights = [], []
    for combo in itertools.product(*taps):
        flat, valid, weight = 0, True, None
        for (p, w), n, stride in zip(combo, sizes, strides):
            inside = (p >= 0) & (p <= n - 1)
            flat = flat + xp.where(inside, p, 0).astype(xp.int64) * stride
            valid = valid & inside
            if w is not None:
                weight = w if weight is None else weight * w
        places.append(flat.reshape(N, 1, P))
        mask = Tensor._make(valid.reshape(N, 1, P).astype(input._data.dtype))
        weights.append(mask if weight is None else weight.reshape(N, 1, P) * mask)
    offsets = (xp.arange(N * C, dtype=xp.int64) * S).reshape(N, C, 1)
    index = Tensor._make(xp.stack(places) + offsets)
    values = input.reshape(-1)[index]
    return (values * _shape.stack(weights)).sum(0)


@autocast_op("grid_sample")
def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the normalized places ``grid`` (``-1``/``1``: the edges).

    Args:
        input: ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        grid: ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``, last dim ``x, y[, z]``.
        mode: ``'bilinear'`` (trilinear on 5-D input), ``'nearest'`` or ``'bicubic'`` (4-D only).
        padding_mode: ``'zeros'``, ``'border'`` or ``'reflection'``: the values off the input.
        align_corners: whether -1 and 1 are the centres (True) or the outer edges (False, the
            default, with PyTorch's warning) of the corner pixels.

    Shape: ``(N, C, H_out, W_out)`` or ``(N, C, D_out, H_out, W_out)``.
    """
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' "
                         f"or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align_corners = _default_align_corners(align_corners)
    _check_sampler(input, grid, mode)
    N, C, *sizes = input.shape
    d = len(sizes)
    taps = [_taps(_unnormalize(grid[..., d - 1 - i], n, align_corners), n, mode, padding_mode,
                  align_corners) for i, n in enumerate(sizes)]
    out_sizes = grid.shape[1:-1]
    out = _gather_weighted(input, taps, sizes, math.prod(out_sizes)).reshape(N, C, *out_sizes)
    if mode == "nearest" and grid.requires_grad:
        out = out + grid[..., :0].sum()  # PyTorch gives the grid a zero gradient, not none
    return out
