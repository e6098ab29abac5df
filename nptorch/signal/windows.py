"""Window functions, as ``torch.signal.windows``.

Each returns ``M`` samples of a window: symmetric (``sym=True``, for filter design) or periodic
(``sym=False``, for spectral analysis: the symmetric window one sample longer, its last sample
dropped). The sums of cosines, Bartlett and Kaiser windows are the top-level ``hann_window``,
``kaiser_window``, ... (computed in float64, rounded once to the dtype). The exponential,
Gaussian and cosine windows are computed in the requested dtype from linspace positions, as
PyTorch computes them: their rounding is that of the positions, which PyTorch's own CPU
kernels (portable, AVX2, AVX512) already round differently from one another.
"""
import math
import numbers
from collections.abc import Iterable

import numpy as np

from .. import _dtype
from .._api.creation import _finish
from .._api.numeric import (_cosine_sum, _window, bartlett_window, blackman_window,
                            hamming_window, hann_window, kaiser_window)
from .._device import default_device
from .._memory_format import strided

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]

_NUTTALL = (0.3635819, 0.4891775, 0.1365995, 0.0106411)


def _checked(name, M, dtype, layout):
    """PyTorch's checks shared by every window (``name`` is the one its errors show); returns
    ``M`` as an int and the dtype, the default one for None."""
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    dtype = _dtype.get_default_dtype() if dtype is None else dtype
    if dtype not in (_dtype.float32, _dtype.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    if not isinstance(M, numbers.Integral):
        raise TypeError(f"{name}(): argument 'M' must be int, not {type(M).__name__}")
    return int(M), dtype


def _linspace(start, end, steps, np_dtype):
    """PyTorch's CPU ``linspace`` computed in ``np_dtype`` (its portable kernel: each half
    counted from its own end), whose rounding PyTorch's windows inherit."""
    if steps == 1:
        return np.array([start], np_dtype)
    start, end = np_dtype.type(start), np_dtype.type(end)
    step = (end - start) / np_dtype.type(steps - 1)
    i = np.arange(steps)
    return np.where(i < steps // 2, start + step * i.astype(np_dtype),
                    end - step * (steps - 1 - i).astype(np_dtype))


def _sampled(M, start, scale, dtype, device, requires_grad, shape):
    """``shape(k)`` at ``k = (start + n) * scale`` for ``n = 0 .. M-1``, computed in ``dtype``
    as PyTorch does (``k`` from its linspace)."""
    k = _linspace(start * scale, (start + M - 1) * scale, M, dtype.np_dtype)
    return _finish(shape(k), None, default_device(device), requires_grad)


def _half_span(M, sym):
    """Half the span of the symmetric window that a window of ``M`` samples is cut from."""
    return (M if not sym and M > 1 else M - 1) / 2.0


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=strided, device=None,
                requires_grad=False):
    """The exponential (Poisson) window ``exp(-|n - center| / tau)``; ``center`` defaults to
    the middle of the window and may only be given for a periodic one."""
    M, dtype = _checked("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    center = _half_span(M, sym) if center is None else float(center)
    return _sampled(M, -center, 1 / float(tau), dtype, device, requires_grad,
                    lambda k: np.exp(-np.abs(k)))


def cosine(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The cosine (sine) window ``sin(pi (n + 0.5) / M)``, as SciPy's."""
    M, dtype = _checked("cosine", M, dtype, layout)
    length = max(2 * _half_span(M, sym) + 1, 1)  # of the symmetric window; 1 when M = 0
    return _sampled(M, 0.5, math.pi / length, dtype, device, requires_grad, np.sin)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=strided, device=None,
             requires_grad=False):
    """The Gaussian window ``exp(-(n - c)^2 / (2 std^2))``, ``c`` the middle of the window."""
    M, dtype = _checked("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    return _sampled(M, -_half_span(M, sym), 1 / (float(std) * math.sqrt(2)), dtype, device,
                    requires_grad, lambda k: np.exp(-(k * k)))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=strided, device=None,
           requires_grad=False):
    """The Kaiser window ``I0(beta sqrt(1 - (2n/N - 1)^2)) / I0(beta)``."""
    M, dtype = _checked("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    return kaiser_window(M, not sym, beta, dtype=dtype, device=device,
                         requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Hamming window ``0.54 - 0.46 cos(2 pi n / N)``."""
    M, dtype = _checked("general_cosine", M, dtype, layout)
    return hamming_window(M, not sym, dtype=dtype, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Hann window ``0.5 - 0.5 cos(2 pi n / N)``."""
    M, dtype = _checked("general_cosine", M, dtype, layout)
    return hann_window(M, not sym, dtype=dtype, device=device, requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Blackman window ``0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)``."""
    M, dtype = _checked("blackman", M, dtype, layout)
    return blackman_window(M, not sym, dtype=dtype, device=device, requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The Bartlett (triangular) window ``1 - |2n / N - 1|``."""
    M, dtype = _checked("bartlett", M, dtype, layout)
    return bartlett_window(M, not sym, dtype=dtype, device=device, requires_grad=requires_grad)


def general_cosine(M, *, a, sym=True, dtype=None, layout=strided, device=None,
                   requires_grad=False):
    """The general cosine window ``sum_i (-1)^i a_i cos(2 pi i n / N)``."""
    M, dtype = _checked("general_cosine", M, dtype, layout)
    if M > 1:  # as in PyTorch, the coefficients are not looked at for shorter windows
        if not isinstance(a, Iterable):
            raise TypeError("Coefficients must be a list/tuple")
        if not a:
            raise ValueError("Coefficients cannot be empty")
    return _window("general_cosine", M, not sym, dtype, device, requires_grad,
                   _cosine_sum(*(a if M > 1 else (1.0,))))


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=strided, device=None,
                    requires_grad=False):
    """The general Hamming window ``alpha - (1 - alpha) cos(2 pi n / N)``."""
    M, dtype = _checked("general_cosine", M, dtype, layout)
    return hamming_window(M, not sym, alpha, 1.0 - alpha, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """Nuttall's minimum 4-term Blackman-Harris window."""
    return general_cosine(M, a=_NUTTALL, sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
