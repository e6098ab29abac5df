"""Numerical functions: the incomplete gamma functions (``igamma``, ``igammac``), window
functions, trapezoidal integration, finite-difference gradients, ``histogramdd``,
``unravel_index`` and the creation ops ``scalar_tensor`` and ``empty_strided``."""
import builtins
import math
import numbers

import numpy as np

from .. import _dtype
from .._compat import scipy_special
from .._device import default_device, xp_for, xp_of
from .._functions.decompositions import to_cpu
from .._functions._utils import wrap_dim
from .._functions.elementwise import _binary
from .._tensor import Tensor
from . import math as _math
from .creation import _finish, _size
from .decompositions import NoDerivative
from .reduction import _return_type
from .shape import as_strided, cat


# -- incomplete gamma functions --------------------------------------------------------------
def _scipy_special(name):
    """``scipy.special.<name>(a, x)`` (CuPy's twin on GPU arrays), in the operands' dtype."""
    def compute(a, x):
        return getattr(scipy_special(a), name)(a, x).astype(a.dtype, copy=False)
    return compute


def _no_input_derivative(name):
    def derivative(g, a, x, out):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
    return derivative


def _gamma_density(g, a, x):
    """``g`` times the derivative of ``P(a, x)`` in ``x``: ``x^(a-1) e^(-x) / Gamma(a)``."""
    return g * ((a - 1) * x.log() - x - a.lgamma()).exp()


Igamma = _binary("Igamma", _scipy_special("gammainc"), _no_input_derivative("igamma"),
                 lambda g, a, x, out: _gamma_density(g, a, x))
Igammac = _binary("Igammac", _scipy_special("gammaincc"), _no_input_derivative("igammac"),
                  lambda g, a, x, out: -_gamma_density(g, a, x))


def incomplete_gamma(name, cls, doc):
    """An incomplete gamma function of two tensors of a floating dtype (after promotion),
    differentiable in ``other`` only, as in PyTorch; ``name`` is shown in errors."""
    kernel = cls.__name__.lower()

    def op(input, other, *, out=None):
        _math._tensors(name, input, other)
        _math._floating_only(kernel, input, other)
        return _math._binary(name, cls, input, other, out=out)
    op.__name__, op.__doc__ = name, doc
    return op


_LOWER_DOC = "The regularized lower incomplete gamma function ``P(input, other)``."
_UPPER_DOC = "The regularized upper incomplete gamma function ``Q(input, other) = 1 - P``."
igamma = incomplete_gamma("igamma", Igamma, _LOWER_DOC)
igammac = incomplete_gamma("igammac", Igammac, _UPPER_DOC)


# -- windows ------------------------------------------------------------------------------------
def _window(name, window_length, periodic, dtype, device, requires_grad, shape):
    """``shape(x)`` at ``window_length`` points ``x`` evenly spaced over ``[0, 1]``, or over
    ``[0, 1)`` when ``periodic`` (the symmetric window one longer, its last point dropped)."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dt = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    device = default_device(device)
    if not dt.is_floating_point:
        grad = "true" if requires_grad else "false (default)"
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype="
            f"{_dtype.cpp_type_name(dt)}, device={device or 'cpu'}, layout=Strided (default), "
            f"requires_grad={grad}, pinned_memory=false, memory_format=(nullopt))")
    if window_length == 1:
        values = np.ones(1)
    else:
        values = shape(np.arange(window_length) / (window_length - 1 + bool(periodic)))
    return _finish(values.astype(dt.np_dtype), None, device, requires_grad)


def _cosine_sum(*coefficients):
    """``sum_k (-1)^k a_k cos(2 pi k x)``: the Hann, Hamming and Blackman windows."""
    return lambda x: sum((-1) ** k * a * np.cos(2 * np.pi * k * x)
                         for k, a in enumerate(coefficients))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False, pin_memory=False):
    """The Hann window ``0.5 - 0.5 cos(2 pi x)``."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(0.5, 0.5))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False, pin_memory=False):
    """The Hamming window ``alpha - beta cos(2 pi x)``."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(alpha, beta))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False, pin_memory=False):
    """The Blackman window ``0.42 - 0.5 cos(2 pi x) + 0.08 cos(4 pi x)``."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(0.42, 0.5, 0.08))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False, pin_memory=False):
    """The Bartlett (triangular) window ``1 - |2x - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda x: 1 - np.abs(2 * x - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False, pin_memory=False):
    """The Kaiser window ``I0(beta sqrt(1 - (2x - 1)^2)) / I0(beta)``."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda x: np.i0(beta * np.sqrt(1 - (2 * x - 1) ** 2)) / np.i0(beta))


# -- trapezoidal rule -----------------------------------------------------------------------------
def _trapezoid(name, y, x, dx, dim, cumulative):
    """The areas of the trapezoids under ``y`` along ``dim`` (``x`` the sample points, or
    ``dx`` their spacing), summed or, when ``cumulative``, accumulated."""
    if x is not None and (dx is not None or not isinstance(x, Tensor)):
        got = f"Tensor, {type(x).__name__}" + ("" if dx is None else f", dx={type(dx).__name__}")
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        "but expected one of: (Tensor y, Tensor x, *, int dim = -1) or "
                        "(Tensor y, *, Number dx = 1, int dim = -1)")
    for label, t in (("y", y), ("x", x)):
        if t is not None and t._data.dtype.kind == "b":
            raise RuntimeError(f"{name}: received a bool input for `{label}`, but bool is not "
                               "supported")
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor." if cumulative else
                         f"Dimension specified as {dim} but tensor has no dimensions")
    dim = wrap_dim(dim, y.ndim)
    n = y.shape[dim]
    if n == 0 and not cumulative:  # no samples: no area (in y's dtype)
        return y.sum(dim) * 0
    if x is None:
        spacing = 1 if dx is None else (dx.item() if isinstance(dx, Tensor) else dx)
    else:
        if x.ndim == 1:
            if x.shape[0] != n:
                raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
            x = x.reshape([n if d == dim else 1 for d in range(y.ndim)])
        elif x.ndim < y.ndim:
            x = x.reshape((1,) * (y.ndim - x.ndim) + x.shape)
        m = x.shape[dim]
        spacing = x.narrow(dim, min(1, m), max(m - 1, 0)) - x.narrow(dim, 0, max(m - 1, 0))
    pairs = y.narrow(dim, min(1, n), max(n - 1, 0)) + y.narrow(dim, 0, max(n - 1, 0))
    areas = pairs * spacing / 2
    return areas.cumsum(dim) if cumulative else areas.sum(dim)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim``: samples ``y`` at points ``x`` (broadcast against
    ``y``; a 1-D ``x`` lies along ``dim``) or spaced ``dx`` (default 1) apart."""
    return _trapezoid("trapezoid", y, x, dx, dim, False)


def trapz(y, x=None, *, dx=None, dim=-1):
    """An alias of ``trapezoid``."""
    return _trapezoid("trapz", y, x, dx, dim, False)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal rule along ``dim`` (one value fewer than ``y``)."""
    return _trapezoid("cumulative_trapezoid", y, x, dx, dim, True)


# -- finite differences ---------------------------------------------------------------------------
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivatives of ``input`` along ``dim`` (each dim by default) by second-order central
    differences, with first- or second-order one-sided ones at the ends (``edge_order``);
    ``spacing`` is a number or a list of numbers (sample spacings) or of 1-D tensors (sample
    coordinates), one per dim. Returns a tuple of tensors."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if isinstance(dim, int):
        dims = [wrap_dim(dim, input.ndim)]
    else:
        dims = list(range(input.ndim)) if dim is None else [
            wrap_dim(d, input.ndim) for d in dim]
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    spacings = _spacings(spacing, dims, dim is None, input.ndim)
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least "
                           "edge_order+1")
    return tuple(_derivative(input, d, h, edge_order) for d, h in zip(dims, spacings))


def _spacings(spacing, dims, all_dims, ndim):
    """One spacing (a number or a tensor of coordinates) per dim of ``dims``."""
    if isinstance(spacing, Tensor):
        raise TypeError("gradient() received an invalid combination of arguments - got "
                        "(Tensor, spacing=Tensor), but expected spacing to be a number or a "
                        "tuple of numbers or of tensors")
    if isinstance(spacing, numbers.Number):
        return [spacing] * len(dims)
    spacing = list(spacing)
    if any(isinstance(h, Tensor) for h in spacing):
        for i, h in enumerate(spacing):
            if not isinstance(h, Tensor):
                raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                                f"{type(h).__name__}")
    if len(spacing) != len(dims):
        if all_dims:
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                f"length equal to 'self.dim() = {ndim}', since dim argument was not given, but "
                f"got a list of length {len(spacing)}")
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
            "dim arguments to have the same length, but got a spacing argument of length "
            f"{len(spacing)} and a dim argument of length {len(dims)}.")
    for h in spacing:
        if isinstance(h, Tensor) and h.ndim != 1:
            raise RuntimeError("torch.gradient expected each element of spacing to have one "
                               f"dimension, but got an element with {h.ndim} dimensions!")
    return spacing


def _derivative(f, dim, spacing, edge_order):
    """The finite-difference derivative of ``f`` along ``dim``; ``spacing`` is a number (even
    steps, which divide the differences, so a zero step gives infinities as in PyTorch) or the
    sample coordinates, whose steps enter the weights of the three-point stencils."""
    n = f.shape[dim]

    def values(i, j):  # f[i:j] along dim
        return f.narrow(dim, i, j - i)
    if not isinstance(spacing, Tensor):
        inner = (values(2, n) - values(0, n - 2)) / spacing / 2
        if edge_order == 1:
            first = (values(1, 2) - values(0, 1)) / spacing
            last = (values(n - 1, n) - values(n - 2, n - 1)) / spacing
        else:
            first = (-1.5 * values(0, 1) + 2 * values(1, 2) - 0.5 * values(2, 3)) / spacing
            last = (0.5 * values(n - 3, n - 2) - 2 * values(n - 2, n - 1)
                    + 1.5 * values(n - 1, n)) / spacing
        return cat([first, inner, last], dim)
    steps = (spacing[1:] - spacing[:-1]).reshape([n - 1 if d == dim else 1 for d in range(f.ndim)])

    def step(i, j):
        return steps.narrow(dim, i, j - i)
    if edge_order == 1:
        first = (values(1, 2) - values(0, 1)) / step(0, 1)
        last = (values(n - 1, n) - values(n - 2, n - 1)) / step(n - 2, n - 1)
    else:
        a, b = step(0, 1), step(1, 2)
        first = (-(2 * a + b) / (a * (a + b)) * values(0, 1) + (a + b) / (a * b) * values(1, 2)
                 - a / (b * (a + b)) * values(2, 3))
        a, b = step(n - 3, n - 2), step(n - 2, n - 1)
        last = (b / (a * (a + b)) * values(n - 3, n - 2) - (a + b) / (a * b) * values(n - 2, n - 1)
                + (2 * b + a) / (b * (a + b)) * values(n - 1, n))
    a, b = step(0, n - 2), step(1, n - 1)
    inner = (-b / (a * (a + b)) * values(0, n - 2) + (b - a) / (a * b) * values(1, n - 1)
             + a / (b * (a + b)) * values(2, n))
    return cat([first, inner, last], dim)


# -- histograms -----------------------------------------------------------------------------------
return_types = {"histogramdd": _return_type("histogramdd", ("hist", "bin_edges"))}


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """The histogram of the points in the rows of ``input`` (its last dim the coordinates):
    ``(hist, bin_edges)``. ``bins`` is a count for every dim, a count per dim or the edges
    of each dim (1-D tensors); counted bins span ``range`` (``[min_0, max_0, min_1, ...]``,
    by default the data's) evenly. Each bin holds its left edge, the last also its right one;
    ``weight`` weights the points, ``density`` normalises to a unit integral."""
    op = "torch.histogramdd"
    if input._data.dtype.kind != "f" or input.dtype == _dtype.float16:
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{_dtype.scalar_type_name(input)}'")
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor should have at least 2 dimensions")
    dims = input.shape[-1]
    if weight is not None and weight.shape != input.shape[:-1]:
        raise RuntimeError(f"{op}: if weight tensor is provided it should have the same shape as "
                           "the input tensor excluding its innermost dimension, but got input "
                           f"with shape {list(input.shape)} and weight with shape "
                           f"{list(weight.shape)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: if weight tensor is provided, input tensor and weight tensor "
                           "should have the same dtype, but got input("
                           f"{_dtype.cpp_type_name(input)}), and weight("
                           f"{_dtype.cpp_type_name(weight)})")
    points = input._host().reshape(-1, dims)
    if isinstance(bins, int):
        bins = [bins] * dims
    bins = list(bins)
    edges_given = not all(isinstance(b, int) for b in bins)
    if edges_given:
        for i, b in enumerate(bins):
            if not isinstance(b, Tensor):
                raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                                f"{type(b).__name__}")
        if len(bins) != dims:
            raise RuntimeError(f"{op}: expected {dims} sequences of bin edges for a {dims}-"
                               f"dimensional histogram but got {len(bins)}")
        for d, b in enumerate(bins):
            _check_edges(op, input, b, d)
        edges = [b._host() for b in bins]
    else:
        if len(bins) != dims:
            raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                               "dimension of the input.")
        edges = _even_edges(op, points, bins, range)
    error = RuntimeError("derivative for aten::_histogramdd_from_bin_"
                         f"{'tensors' if edges_given else 'cts'} is not implemented")
    hist = NoDerivative.apply(error, lambda x, w, *_: _histogram_array(x, w, edges, density),
                              input, weight, *(bins if edges_given else ()))
    xp = xp_of(input._data)
    bin_edges = tuple(Tensor._make(xp.asarray(e)) for e in edges)
    return return_types["histogramdd"](hist, bin_edges)


def _check_edges(op, input, edges, d):
    """PyTorch's checks of the edges given for dim ``d``."""
    if edges.dtype != input.dtype:
        raise RuntimeError(f"{op}: input tensor and bins tensors should have the same dtype, but "
                           f"got input with dtype {_dtype.cpp_type_name(input)} and bins for "
                           f"dimension {d} with dtype {_dtype.cpp_type_name(edges)}")
    if edges.ndim != 1:
        raise RuntimeError(f"{op}: bins tensor should have one dimension, but got {edges.ndim} "
                           f"dimensions in the bins tensor for dimension {d}")
    if edges.numel() == 0:
        raise RuntimeError(f"{op}: bins tensor should have at least 1 element, but got 0 "
                           f"elements in the bins tensor for dimension {d}")
    if edges.numel() == 1:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got 0 for dimension {d}")


def _even_edges(op, points, bins, range):
    """The edges of ``bins[d]`` equal bins over the range of each dim ``d``."""
    dims = points.shape[1]
    if range is None:
        empty = not len(points)
        range = [v for d in builtins.range(dims) for v in (
            (0.0, 1.0) if empty else (points[:, d].min(), points[:, d].max()))]
    elif len(range) != 2 * dims:
        raise RuntimeError(f"{op}: for a {dims}-dimensional histogram range should have "
                           f"{2 * dims} elements, but got {len(range)}")
    edges = []
    for d, count in enumerate(bins):
        lo, hi = range[2 * d], range[2 * d + 1]
        if lo > hi:
            raise RuntimeError(f"{op}: min should not exceed max, but got min {lo:g} max {hi:g} "
                               f"for dimension {d}")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"{op}: dimension {d}'s range [{lo:g}, {hi:g}] is not finite")
        if count <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {count} for "
                               f"dimension {d}")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges.append(_linspace(lo, hi, count + 1, points.dtype))
    return edges


def _linspace(lo, hi, count, dtype):
    """``count`` points from ``lo`` to ``hi`` as ``torch.linspace`` makes them in ``dtype``,
    bit for bit: a rounded step, each point one fused multiply-add away from the nearer end
    (emulated in a wider type), so that points on an edge fall in the same bin."""
    wide = np.float64 if dtype.itemsize < 8 else np.longdouble
    lo, hi = dtype.type(lo), dtype.type(hi)
    step = (hi - lo) / dtype.type(count - 1)
    i = np.arange(count)
    points = np.where(i < count // 2, wide(lo) + wide(step) * i,
                      wide(hi) - wide(step) * (count - 1 - i))
    return points.astype(dtype)


def _histogram_array(x, weight, edges, density):
    """The histogram of the points in the rows of ``x``, counted on the host."""
    xp, points = xp_of(x), to_cpu(x).reshape(-1, x.shape[-1])
    weight = None if weight is None else to_cpu(weight)
    counts = [len(e) - 1 for e in edges]
    inside = np.ones(len(points), bool)
    flat = np.zeros(len(points), np.int64)
    for d, e in enumerate(edges):
        v = points[:, d]
        inside &= (v >= e[0]) & (v <= e[-1])
        index = np.minimum(np.searchsorted(e, v, side="right") - 1, counts[d] - 1)
        flat = flat * counts[d] + np.clip(index, 0, None)
    w = None if weight is None else weight.reshape(-1)[inside]
    hist = np.bincount(flat[inside], w, np.prod(counts, dtype=np.int64)).reshape(counts)
    hist = hist.astype(x.dtype)
    if density:  # in PyTorch's order and dtype: by the total, then by each dim's bin widths
        with np.errstate(all="ignore"):  # an empty histogram has no density (NaN)
            hist /= hist.sum()
            for d, e in enumerate(edges):
                hist /= np.diff(e).reshape([-1 if k == d else 1 for k in range(len(edges))])
    return xp.asarray(hist)


# -- indices and creation ------------------------------------------------------------------------
def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` into a tensor of ``shape``: a tuple of int64
    tensors, one per dim (negative indices count from the end, as Python's)."""
    if isinstance(shape, int):
        shape = (shape,)
    elif isinstance(shape, (tuple, list)):
        for size in shape:
            if not isinstance(size, int):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                                f"{type(size)}")
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if any(size < 0 for size in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    if 0 in shape and indices.numel():
        raise RuntimeError("ZeroDivisionError")
    flat = indices._data.astype(np.int64)
    strides = [math.prod(shape[i + 1:]) for i in range(len(shape))]
    return tuple(Tensor._make(flat // stride % size) for stride, size in zip(strides, shape))


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    """A 0-dim tensor holding the number ``s`` (the default float dtype unless ``dtype``)."""
    if isinstance(s, Tensor) and s.ndim == 0:
        s = s.item()
    if not isinstance(s, (numbers.Number, np.bool_)):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    dt = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    return _finish(np.asarray(s).astype(dt.np_dtype), None, default_device(device),
                   requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor of ``size`` whose elements are ``stride`` (in elements) apart:
    a view of a storage just large enough."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"empty_strided(): argument 'size' (position 1) must be tuple of ints, "
                        f"not {type(size).__name__}")
    shape, stride = _size("empty_strided", (size,)), tuple(stride)
    if len(shape) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality "
                           f"of strides ({len(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and "
                           f"strides={list(stride)}")
    dt = (_dtype.to_dtype(dtype) or _dtype.get_default_dtype()).np_dtype
    device = default_device(device)
    xp = xp_for(device)
    storage = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, stride))
    view = as_strided(Tensor._make(xp.empty(storage, dt)), shape, stride, 0)
    return view.requires_grad_(requires_grad)


FUNCTIONS = {name: globals()[name] for name in (
    "igamma", "igammac", "hann_window", "hamming_window", "blackman_window", "bartlett_window",
    "kaiser_window", "trapezoid", "trapz", "cumulative_trapezoid", "gradient", "histogramdd",
    "unravel_index", "scalar_tensor", "empty_strided")}
METHODS = {"igamma": igamma, "igammac": igammac}
INPLACE = {"igamma_": igamma, "igammac_": igammac}
