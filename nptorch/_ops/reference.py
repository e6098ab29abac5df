"""``Ops``: the pure-xp kernels of convolution and pooling, the specification of the compiled twins.

``ArrayOps`` holds the kernels; ``Ops`` adds Winograd 3x3 convolution (``nptorch._ops.winograd``)
on top, as the compiled CPU twin does.

Every method works on raw arrays of one module (``self.xp``: NumPy or CuPy) and knows nothing of
Tensors or autograd. Shapes and arguments arrive validated (by nn.functional). Notation:

    N batch, C channels, H W input height and width, OH OW output height and width,
    a ``Window`` (KH KW kernel, SH SW stride, PH PW padding, DH DW dilation).

Input row ``ih`` of output row ``oh`` and kernel row ``kh`` is ``oh * SH - PH + kh * DH`` (same
for columns). Pooling windows may run past the padded input (ceil_mode): those places are
skipped, as padding is. Max-pooling indices are flat positions in each ``H * W`` plane.

The convolution and pooling kernels work over any number of spatial dims (``conv``,
``max_pool``, ... with per-dim sizes ``out`` / ``size`` and a ``WindowNd``); the 2-D ones
(``conv2d``, ``max_pool2d``, ..., with the sizes as two arguments and a ``Window``) are the
interface that the compiled twins override.

Normalization takes statistics over ``axes`` of its input, with kept dims, and an affine ``w``,
``b`` (or None) that broadcasts against the input (see ``nptorch._functions.normalization``).
"""
from typing import NamedTuple

import numpy as np

from . import updates, winograd
from .recurrent import RecurrentOps


class Window(NamedTuple):
    KH: int
    KW: int
    SH: int = 1
    SW: int = 1
    PH: int = 0
    PW: int = 0
    DH: int = 1
    DW: int = 1


class WindowNd(NamedTuple):
    """A window over any number of spatial dims: per-dim tuples, the first spatial dim first."""

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple


def window(kernel, stride, padding, dilation):
    """The window of these per-dim sizes: a ``Window`` in 2-D (the compiled kernels' type), a
    ``WindowNd`` otherwise."""
    if len(kernel) == 2:
        return Window(*kernel, *stride, *padding, *dilation)
    return WindowNd(*(tuple(int(v) for v in a) for a in (kernel, stride, padding, dilation)))


def per_dim(win):
    """``win`` (a ``Window`` or a ``WindowNd``) as a ``WindowNd``."""
    return win if isinstance(win, WindowNd) else WindowNd(win[0:2], win[2:4], win[4:6], win[6:8])


def adaptive_bounds(size, out_size):
    """PyTorch's adaptive windows: ``[floor(i * size / out), ceil((i + 1) * size / out))``."""
    i = np.arange(out_size)
    return (i * size) // out_size, -((-(i + 1) * size) // out_size)


def window_divisor(size, out, win, count_include_pad, divisor_override):
    """The divisor of every average-pooling window as a float64 NumPy array of shape ``out``."""
    if divisor_override:
        return np.full(tuple(out), float(divisor_override))
    win = per_dim(win)
    divisor = np.ones(())
    for n, o, k, s, p in zip(size, out, win.kernel, win.stride, win.padding):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        count = end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        divisor = np.multiply.outer(divisor, count)
    return divisor.astype(np.float64)


def avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override):
    """``window_divisor`` in the 2-D form of the compiled twins."""
    return window_divisor((H, W), (OH, OW), win, count_include_pad, divisor_override)


def _pads(size, out, win):
    """(before, after) padding per spatial dim so that every window of ``out`` fits."""
    return [(p, max(0, (o - 1) * s + (k - 1) * d + 1 - n - p))
            for n, o, k, s, p, d in zip(size, out, *win)]


def _spatial(index):
    """An index into ``(N, C, *spatial)``: all images and channels, ``index`` for the rest."""
    return (slice(None), slice(None)) + tuple(index)


_LETTERS = "abcdefgh"
# One pass (E[x^2] - mean^2) is accurate while mean^2 stays within this many variances; beyond,
# the difference cancels and sums are taken around the mean.
_ONE_PASS_RATIO = 16.0


def _count(shape, axes):
    n = 1
    for d in axes:
        n *= shape[d]
    return n


def _broadcast_axes(shape):
    """The axes along which an affine parameter of ``shape`` is broadcast."""
    return tuple(d for d, n in enumerate(shape) if n == 1)


def _folds(w, axes):
    """Whether ``w`` is constant over the statistics axes, so that it can scale ``invstd``."""
    return all(w.shape[d] == 1 for d in axes)


class ArrayOps(RecurrentOps):
    """Convolution, pooling, ReLU and normalization kernels written with array-module
    operations only."""

    xp = np

    # -- windows ---------------------------------------------------------------------------
    def _windows(self, x, out, win, fill):
        """``(N, C, *kernel, *out)``: a strided view of the input value under every kernel place
        of every output, ``fill`` where it is on padding."""
        win = per_dim(win)
        padded = self.xp.pad(x, [(0, 0), (0, 0)] + _pads(x.shape[2:], out, win),
                             constant_values=fill)
        steps = padded.strides[2:]
        strides = (padded.strides[:2] + tuple(s * d for s, d in zip(steps, win.dilation))
                   + tuple(s * t for s, t in zip(steps, win.stride)))
        return self.xp.lib.stride_tricks.as_strided(padded, x.shape[:2] + win.kernel + tuple(out),
                                                    strides)

    def _accumulate(self, cols, size, win):
        """The adjoint of ``_windows``: every value of ``cols`` ``(N, C, *kernel, *out)`` added
        back to its input place, one kernel offset at a time."""
        win = per_dim(win)
        out = cols.shape[2 + len(size):]
        pads = _pads(size, out, win)
        x = self.xp.zeros(cols.shape[:2] + tuple(n + a + b for n, (a, b) in zip(size, pads)),
                          cols.dtype)
        for offset in np.ndindex(*win.kernel):
            places = (slice(k * d, k * d + (o - 1) * s + 1, s)
                      for k, d, o, s in zip(offset, win.dilation, out, win.stride))
            x[_spatial(places)] += cols[_spatial(offset)]
        return self.xp.ascontiguousarray(x[_spatial(slice(a, a + n)
                                                    for n, (a, _) in zip(size, pads))])

    # -- convolution over any number of spatial dims ---------------------------------------
    def conv(self, x, w, bias, out, win, groups):
        """``(N, C, *size)`` convolved with ``w`` ``(O, C / groups, *kernel)`` (plus ``bias`` (O,)
        or None): ``w[group] @ columns(x[:, group])``, ``(N, O, *out)``."""
        N, O, L = x.shape[0], w.shape[0], int(np.prod(out))
        col = self._windows(x, out, win, 0).reshape(N, groups, w.size // O, L)
        y = (w.reshape(groups, O // groups, -1) @ col).reshape((N, O) + tuple(out))
        return y if bias is None else y + bias.reshape((1, O) + (1,) * len(out))

    def conv_input(self, gy, w, size, win, groups):
        """The transposed convolution of ``gy`` ``(N, O, *out)``: the gradient of ``conv`` with
        respect to its ``(N, C, *size)`` input."""
        (N, O), out = gy.shape[:2], gy.shape[2:]
        wt = w.reshape(groups, O // groups, -1).swapaxes(1, 2)
        col = wt @ gy.reshape(N, groups, O // groups, int(np.prod(out)))
        return self._accumulate(col.reshape((N, groups * w.shape[1]) + w.shape[2:] + out), size,
                                win)

    def conv_weight(self, x, gy, win, groups):
        """The gradient of ``conv`` with respect to its weight ``(O, C / groups, *kernel)``."""
        (N, C), (O, *out) = x.shape[:2], gy.shape[1:]
        L = int(np.prod(out))
        kernel = per_dim(win).kernel
        col = self._windows(x, out, win, 0).reshape(N, groups, C // groups * int(np.prod(kernel)),
                                                    L)
        gw = (gy.reshape(N, groups, O // groups, L) @ col.swapaxes(2, 3)).sum(axis=0)
        return self.xp.ascontiguousarray(gw.reshape((O, C // groups) + kernel))

    # -- max pooling -----------------------------------------------------------------------
    def _lowest(self, dtype):
        return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min

    def _argmax(self, a, axis):
        """PyTorch's max-pooling choice: the first maximum, but the last NaN."""
        k = a.argmax(axis=axis)
        if a.dtype.kind == "f":
            nan = self.xp.isnan(a)
            last = a.shape[axis] - 1 - self.xp.flip(nan, axis).argmax(axis=axis)
            k = self.xp.where(nan.any(axis=axis), last, k)
        return k

    def _max_of(self, patches, shape):
        """The maxima of ``patches`` ``(N, C, K, ...)`` over K and their places in ``shape``
        (K's raster order): ``(y, offsets per dim)``."""
        k = self._argmax(patches, 2)
        y = self.xp.take_along_axis(patches, k[:, :, None], axis=2)[:, :, 0]
        return y, self.xp.unravel_index(k, shape)

    def max_pool(self, x, out, win):
        """The maximum of every window and its flat index in the input plane (first on ties,
        last NaN)."""
        xp, win = self.xp, per_dim(win)
        (N, C), size, d = x.shape[:2], x.shape[2:], len(out)
        cols = self._windows(x, out, win, self._lowest(x.dtype))
        y, offsets = self._max_of(cols.reshape((N, C, int(np.prod(win.kernel))) + tuple(out)),
                                  win.kernel)
        indices = 0
        for i, (n, o, s, p, dl, k) in enumerate(zip(size, out, win.stride, win.padding,
                                                    win.dilation, offsets)):
            place = xp.arange(o).reshape((o,) + (1,) * (d - 1 - i)) * s - p + k * dl
            # clipping changes only windows that lie on padding only (dilation allows them)
            indices = indices * n + xp.clip(place, 0, n - 1)
        return y, indices.astype(np.int64)

    def max_pool_backward(self, gy, indices, size):
        """Scatter-add ``gy`` to the plane positions ``indices`` of an ``(N, C, *size)``
        gradient."""
        xp = self.xp
        (N, C), plane = gy.shape[:2], int(np.prod(size))
        base = (xp.arange(N * C, dtype=np.int64) * plane).reshape((N, C) + (1,) * len(size))
        gx = xp.bincount((indices + base).ravel(), weights=gy.ravel(), minlength=N * C * plane)
        return gx.astype(gy.dtype, copy=False).reshape((N, C) + tuple(size))

    def adaptive_max_pool(self, x, out):
        """The maximum of every adaptive window and its flat index in the input plane (first on
        ties, last NaN)."""
        xp = self.xp
        (N, C), size, d = x.shape[:2], x.shape[2:], len(out)
        if 0 in tuple(out):  # no windows at all: empty results (argmax has no empty reduction)
            shape = (N, C) + tuple(out)
            return xp.empty(shape, x.dtype), xp.empty(shape, np.int64)
        starts, places, inside = [], [], xp.ones((), bool)
        for i, (n, o) in enumerate(zip(size, out)):
            # dim i's windows padded to the longest, as (o, K) places at axes (2i, 2i + 1)
            start, end = adaptive_bounds(n, o)
            place = start[:, None] + np.arange((end - start).max())
            shape = (1,) * 2 * i + place.shape + (1,) * 2 * (d - 1 - i)
            starts.append(xp.asarray(start).reshape((o,) + (1,) * (d - 1 - i)))
            places.append(xp.asarray(np.minimum(place, n - 1)).reshape(shape))
            inside = inside & xp.asarray(place < end[:, None]).reshape(shape)
        patches = xp.where(inside, x[_spatial(places)], self._lowest(x.dtype))
        kernel = patches.shape[3::2]
        order = (0, 1) + tuple(range(3, 2 + 2 * d, 2)) + tuple(range(2, 2 + 2 * d, 2))
        patches = patches.transpose(order).reshape((N, C, int(np.prod(kernel))) + tuple(out))
        y, offsets = self._max_of(patches, kernel)
        indices = 0
        for n, start, k in zip(size, starts, offsets):
            indices = indices * n + start + k
        return y, indices.astype(np.int64)

    # -- average pooling -------------------------------------------------------------------
    def _divisor(self, size, out, win, count_include_pad, divisor_override, dtype):
        return self.xp.asarray(window_divisor(size, out, win, count_include_pad,
                                              divisor_override)).astype(dtype)

    def avg_pool(self, x, out, win, count_include_pad=True, divisor_override=None):
        """The window sums divided by PyTorch's divisor (see ``window_divisor``)."""
        d = len(out)
        sums = self._windows(x, out, win, 0).sum(axis=tuple(range(2, 2 + d)))
        return sums / self._divisor(x.shape[2:], out, win, count_include_pad, divisor_override,
                                    x.dtype)

    def avg_pool_backward(self, gy, size, win, count_include_pad=True, divisor_override=None):
        out = gy.shape[2:]
        g = gy / self._divisor(size, out, win, count_include_pad, divisor_override, gy.dtype)
        g = g.reshape(gy.shape[:2] + (1,) * len(out) + out)
        return self._accumulate(self.xp.broadcast_to(g, gy.shape[:2] + per_dim(win).kernel + out),
                                size, win)

    def _adaptive_matrix(self, size, out_size, dtype):
        """``(out_size, size)``: row ``i`` averages the adaptive window ``i``."""
        start, end = adaptive_bounds(size, out_size)
        j = np.arange(size)
        inside = (j >= start[:, None]) & (j < end[:, None])
        return self.xp.asarray(inside / (end - start)[:, None]).astype(dtype)

    def _per_dim_product(self, a, matrices):
        """``a`` ``(N, C, *spatial)`` with ``matrices[i] @`` applied along spatial dim ``i``."""
        for i, m in enumerate(matrices):
            a = self.xp.moveaxis(m @ self.xp.moveaxis(a, 2 + i, -2), -2, 2 + i)
        return self.xp.ascontiguousarray(a)

    def adaptive_avg_pool(self, x, out):
        return self._per_dim_product(x, [self._adaptive_matrix(n, o, x.dtype)
                                         for n, o in zip(x.shape[2:], out)])

    def adaptive_avg_pool_backward(self, gy, size):
        return self._per_dim_product(gy, [self._adaptive_matrix(n, o, gy.dtype).T
                                          for n, o in zip(size, gy.shape[2:])])

    # -- the 2-D kernels: the interface of the compiled twins ------------------------------
    def im2col(self, x, OH, OW, win):
        """``(N, C, H, W)`` -> columns ``(N, C, KH, KW, OH, OW)``, zero where the kernel is on
        padding."""
        return self.xp.ascontiguousarray(self._windows(x, (OH, OW), win, 0))

    def col2im(self, col, H, W, win):
        """Columns ``(N, C, KH, KW, OH, OW)`` -> ``(N, C, H, W)``, summing overlapping places."""
        return self._accumulate(col, (H, W), win)

    def conv2d(self, x, w, bias, OH, OW, win, groups):
        return self.conv(x, w, bias, (OH, OW), win, groups)

    def conv2d_input(self, gy, w, H, W, win, groups):
        return self.conv_input(gy, w, (H, W), win, groups)

    def conv2d_weight(self, x, gy, win, groups):
        return self.conv_weight(x, gy, win, groups)

    # -- Winograd's tile transforms (nptorch._ops.winograd) --------------------------------
    def winograd_input(self, x, v, PH, PW, TH, TW):
        """Fill ``v`` (16, C, N*TH*TW) with B^T d B of the 4x4 blocks d of ``x`` (N, C, H, W) at
        rows 2 th - PH + 0..3 and columns 2 tw - PW + 0..3, zero outside ``x``."""
        N, C = x.shape[:2]
        padded = self.xp.zeros((N, C, 2 * TH + 2, 2 * TW + 2), x.dtype)
        part = x[:, :, :max(0, 2 * TH + 2 - PH), :max(0, 2 * TW + 2 - PW)]
        padded[:, :, PH:PH + part.shape[2], PW:PW + part.shape[3]] = part
        rows = winograd.input_transform([padded[:, :, i:i + 2 * TH:2] for i in range(4)])
        for a, row in enumerate(rows):
            blocks = winograd.input_transform([row[..., j:j + 2 * TW:2] for j in range(4)])
            for b, block in enumerate(blocks):
                v[4 * a + b] = block.swapaxes(0, 1).reshape(C, -1)

    def winograd_output(self, m, y, bias, TH, TW):
        """Fill ``y`` (N, O, OH, OW) with A^T m A + ``bias`` of the products ``m``
        (16, O, N*TH*TW), each tile's 2x2 block cut to (OH, OW)."""
        N, O, OH, OW = y.shape
        m = [m_xi.reshape(O, N, TH, TW).swapaxes(0, 1) for m_xi in m]
        columns = [winograd.output_transform(m[j::4]) for j in range(4)]
        blocks = self.xp.empty((N, O, TH, 2, TW, 2), y.dtype)
        for i in range(2):
            for j, value in enumerate(winograd.output_transform([c[i] for c in columns])):
                blocks[:, :, :, i, :, j] = value
        y[...] = blocks.reshape(N, O, 2 * TH, 2 * TW)[:, :, :OH, :OW] + bias.reshape(O, 1, 1)

    def winograd_output_adjoint(self, g, v, TH, TW):
        """Fill ``v`` (16, O, N*TH*TW) with A e A^T of the 2x2 blocks e of ``g`` (N, O, OH, OW),
        zero past its edges: the adjoint of ``winograd_output`` without its bias."""
        N, O = g.shape[:2]
        padded = self.xp.zeros((N, O, 2 * TH, 2 * TW), g.dtype)
        part = g[:, :, :2 * TH, :2 * TW]
        padded[:, :, :part.shape[2], :part.shape[3]] = part
        e = padded.reshape(N, O, TH, 2, TW, 2)
        for a, row in enumerate(winograd.output_adjoint([e[:, :, :, i] for i in range(2)])):
            for b, block in enumerate(winograd.output_adjoint([row[..., j] for j in range(2)])):
                v[4 * a + b] = block.swapaxes(0, 1).reshape(O, -1)

    def max_pool2d(self, x, OH, OW, win):
        return self.max_pool(x, (OH, OW), win)

    def max_pool2d_backward(self, gy, indices, H, W):
        return self.max_pool_backward(gy, indices, (H, W))

    def adaptive_max_pool2d(self, x, OH, OW):
        return self.adaptive_max_pool(x, (OH, OW))

    def avg_pool2d(self, x, OH, OW, win, count_include_pad=True, divisor_override=None):
        return self.avg_pool(x, (OH, OW), win, count_include_pad, divisor_override)

    def avg_pool2d_backward(self, gy, H, W, win, count_include_pad=True, divisor_override=None):
        return self.avg_pool_backward(gy, (H, W), win, count_include_pad, divisor_override)

    def adaptive_avg_pool2d(self, x, OH, OW):
        return self.adaptive_avg_pool(x, (OH, OW))

    def adaptive_avg_pool2d_backward(self, gy, H, W):
        return self.adaptive_avg_pool_backward(gy, (H, W))

    # -- activation ------------------------------------------------------------------------
    def relu(self, x):
        """``max(x, 0)``; NaN stays NaN."""
        return self.xp.maximum(x, 0)

    def relu_backward(self, gy, y):
        """The gradient of ``y = relu(x)``: ``gy`` where ``y > 0``, else 0 (at 0 too, and for a
        NaN or infinite ``gy``, as in PyTorch)."""
        return self.xp.where(y > 0, gy, 0).astype(gy.dtype, copy=False)

    def add_scaled(self, dst, src, alpha):
        """``dst += alpha * src`` in place (an optimizer's update): ``src`` of ``dst``'s shape."""
        self.xp.add(dst, src * alpha, out=dst)

    def adam_update(self, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, beta2,
                    step_size, bias_correction2_sqrt, eps):
        """One Adam update in place (``updates.adam``): arrays of one shape and dtype,
        ``max_exp_avg_sq`` None without AMSGrad."""
        updates.adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, beta2, step_size,
                     bias_correction2_sqrt, eps)

    # -- normalization ---------------------------------------------------------------------
    def _sum(self, a, axes, b=None):
        """``a`` (or ``a * b``) summed over ``axes`` with kept dims: arrays through einsum, which
        forms no product temporary; Tensors (a backward differentiated again) through ``sum``."""
        if not isinstance(a, self.xp.ndarray):
            return (a if b is None else a * b).sum(axis=axes, keepdims=True)
        letters = _LETTERS[:a.ndim]
        out = "".join(c for i, c in enumerate(letters) if i not in axes)
        operands = (a,) if b is None else (a, b)
        r = self.xp.einsum(",".join([letters] * len(operands)) + "->" + out, *operands)
        return r.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))

    def normalize(self, x, w, b, axes, eps):
        """``(x - mean) / sqrt(var + eps) * w + b`` with the mean and biased variance of ``x``
        over ``axes``; ``w`` and ``b`` broadcast against ``x`` or are None.

        Returns ``(y, mean, var, invstd)``, the statistics with kept dims.
        """
        m = _count(x.shape, axes)
        mean = self._sum(x, axes) / m
        var = self._sum(x, axes, x) / m - mean * mean
        if not (mean * mean <= _ONE_PASS_RATIO * var).all():
            xc = x - mean
            var = self._sum(xc, axes, xc) / m
        invstd = 1.0 / self.xp.sqrt(var + eps)
        if w is None or _folds(w, axes):  # y = x * scale + shift, per statistics group
            scale = invstd if w is None else invstd * w
            shift = -mean * scale if b is None else b - mean * scale
            y = x * scale
            y += shift
        else:
            y = x * invstd
            y -= mean * invstd
            y *= w
            if b is not None:
                y += b
        return y, mean, var, invstd

    def normalize_backward(self, gy, x, w, b_shape, mean, invstd, axes, needs):
        """The gradients ``(gx, gw, gb)`` of ``normalize`` (None where ``needs``, three flags,
        is False); ``b_shape`` is the shape of ``b`` (None without one)."""
        shapes = [s for s in (None if w is None else w.shape, b_shape) if s is not None]
        per_group = all(_broadcast_axes(s) == axes for s in shapes)
        if not (per_group and (mean * mean * invstd * invstd <= _ONE_PASS_RATIO).all()):
            return self.normalize_grads(gy, (x - mean) * invstd, invstd, w, b_shape, axes, needs)
        # the per-group sums give everything; xhat is never formed
        m = _count(x.shape, axes)
        sum_g = self._sum(gy, axes)
        sum_gxhat = (self._sum(gy, axes, x) - mean * sum_g) * invstd
        gx = None
        if needs[0]:  # scale * (g - mean(g) - xhat * mean(g * xhat)), a*g + c*x + d per group
            scale = invstd if w is None else invstd * w
            k = scale * invstd * sum_gxhat / m
            gx = gy * scale
            gx -= x * k
            gx += mean * k - scale * sum_g / m
        return gx, sum_gxhat if needs[1] else None, sum_g if needs[2] else None

    def normalize_grads(self, g, xhat, invstd, w, b_shape, axes, needs):
        """``normalize_backward`` from the normalized input ``xhat``; also computes on Tensors,
        so that a backward under ``create_graph`` is differentiable again."""
        gx = gw = gb = None
        if needs[1]:
            gw = self._sum(g, _broadcast_axes(w.shape), xhat)
        if needs[2]:
            gb = self._sum(g, _broadcast_axes(b_shape))
        if needs[0]:
            m = _count(xhat.shape, axes)
            if w is None or _folds(w, axes):
                scale = invstd if w is None else invstd * w
            else:  # the affine varies inside a statistics group: normalise g * w itself
                g, scale = g * w, invstd
            gx = (g - self._sum(g, axes) / m - xhat * (self._sum(g, axes, xhat) / m)) * scale
        return gx, gw, gb


class Ops(winograd.WinogradConvolution, ArrayOps):
    """The reference kernels: ``ArrayOps``, with 3x3 convolutions by Winograd where they fit."""
