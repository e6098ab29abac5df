"""Fractional max pooling (Graham, 2014), 2-D and 3-D: ``kernel_size`` windows at
pseudo-random steps that give ``output_size`` (or ``output_ratio`` times the input size)."""
import math
from typing import NamedTuple

import numpy as np

from ..._api import creation as _creation, math as _math, shape as _shape
from .pooling import _run

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d", "fractional_max_pool3d_with_indices"]

class _Kind(NamedTuple):
    """What differs between the 2-D and 3-D ops: PyTorch's names in messages, which sample of
    a plane (the last dim of ``_random_samples``) each spatial dim reads, whether a window
    may end at the input's last element (PyTorch's 3-D op wants one element to spare), and the
    order in which PyTorch checks the dims' sizes."""
    op: str
    where: str
    dims: tuple
    sample_of_dim: tuple
    tuple_words: str
    spare: int
    check_order: tuple


_KINDS = {
    2: _Kind("fractional_max_pool2d", "fractional_max_pool2d()", ("height", "width"), (1, 0),
             "tuple of Ints", 0, (0, 1)),
    3: _Kind("fractional_max_pool3d", "fractional_max_pool3d_out()",
             ("time", "height", "width"), (0, 1, 2), "tuple of three Ints", 1, (0, 2, 1)),
}


def _tuple(value, d, name):
    kind = _KINDS[d]
    if isinstance(value, (int, np.integer)):
        return (int(value),) * d
    if len(value) != d:
        raise RuntimeError(f"{kind.op}: {name} must either be a single Int or "
                           f"{kind.tuple_words}")
    return tuple(int(v) for v in value)


def _check(input, kernel, out, samples, d):
    where, names, spare = _KINDS[d].where, _KINDS[d].dims, _KINDS[d].spare
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{where}: Expected {d + 1}D or {d + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    # as in PyTorch, dim 0 of an unbatched input is not checked
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{list(input.shape)} with dimension {i} "
                               "being empty.")
    for i in _KINDS[d].check_order:
        k, o, size = kernel[i], out[i], input.shape[i - d]
        if o + k - 1 + spare > size:
            raise RuntimeError(f"{where}: pool {names[i]} {k} too large relative to input "
                               f"{names[i]} {size}")
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batch, channels = (1, input.shape[0]) if input.ndim == d + 1 else input.shape[:2]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != d:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {d}; got "
                           f"{samples.shape[2]}.")


def _starts(samples, size, out, k):
    """The window starts along one dim, ``(N, C, out)``, from the planes' samples ``(N, C)``:
    PyTorch's ``generate_intervals``, computed in the samples' dtype."""
    last = samples.new_full(tuple(samples.shape) + (1,), size - k).long()
    if out <= 1:
        return last[..., :out]
    alpha = samples.new_tensor(float(size - k)) / (out - 1)
    steps = _creation.arange(out - 1, dtype=samples.dtype, device=samples.device)
    s = samples.unsqueeze(-1)
    return _shape.cat([((steps + s) * alpha).long() - (s * alpha).long(), last], -1)


def _pool(x, kernel, out, samples, sample_of_dim):
    """Max over the ``kernel`` windows at the sampled starts: the first maximum of each window,
    or its last NaN, as PyTorch's kernel."""
    N, C, *size = x.shape
    d = len(size)
    places = 0  # flat input positions, (N, C, *out, *kernel)
    for i in range(d):
        starts = _starts(samples[:N, :, sample_of_dim[i]], size[i], out[i], kernel[i])
        offsets = _creation.arange(kernel[i], device=x.device)
        along = tuple(out[i] if j == i else 1 for j in range(d))
        within = tuple(kernel[i] if j == i else 1 for j in range(d))
        step = math.prod(size[i + 1:])
        places = places + (starts.reshape((N, C) + along + (1,) * d)
                           + offsets.reshape((1, 1) + (1,) * d + within)) * step
    P, K = math.prod(out), math.prod(kernel)
    places = places.reshape(N, C, P, K)
    flat = x.reshape(N, C, math.prod(size))
    windows = flat.detach().gather(2, places.reshape(N, C, P * K)).view(N, C, P, K)
    nan = windows.isnan()
    last_nan = K - 1 - nan.flip(-1).byte().argmax(-1)
    best = _math.where(nan.any(-1), last_nan, windows.argmax(-1))
    indices = places.gather(-1, best.unsqueeze(-1)).squeeze(-1)
    return flat.gather(2, indices).view(N, C, *out), indices.view(N, C, *out)


def _fractional_max_pool(d, input, kernel_size, output_size, output_ratio, return_indices,
                         _random_samples):
    op = _KINDS[d].op
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratio = (output_ratio,) * d if isinstance(output_ratio, (int, float)) else output_ratio
        if len(ratio) > d:
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple of "
                             "Ints.")
        output_size = [int(input.shape[i - d] * ratio[i]) for i in range(d)]
    if _random_samples is None:
        batch = 1 if input.ndim == d + 1 else input.shape[0]
        _random_samples = _creation.rand(batch, input.shape[-d - 1], d, dtype=input.dtype,
                                         device=input.device)
    kernel, out = _tuple(kernel_size, d, "kernel_size"), _tuple(output_size, d, "output_size")
    _check(input, kernel, out, _random_samples, d)
    y, indices = _run(_pool, input, d, kernel, out, _random_samples, _KINDS[d].sample_of_dim)
    return (y, indices) if return_indices else y


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """2-D fractional max pooling. ``_random_samples`` (``(N, C, 2)`` in ``[0, 1)``, the
    width's then the height's sample of each plane) fixes the steps; by default it is drawn
    uniformly."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """3-D fractional max pooling. ``_random_samples`` (``(N, C, 3)`` in ``[0, 1)``: the time,
    height and width samples of each plane) fixes the steps; by default it is drawn
    uniformly."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` returning ``(output, indices)`` whatever ``return_indices``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)
