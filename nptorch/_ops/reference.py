"""``Ops``: the pure-xp kernels of convolution and pooling, the specification of the compiled twins.

Every method works on raw arrays of one module (``self.xp``: NumPy or CuPy) and knows nothing of
Tensors or autograd. Shapes and arguments arrive validated (by nn.functional). Notation:

    N batch, C channels, H W input height and width, OH OW output height and width,
    a ``Window`` (KH KW kernel, SH SW stride, PH PW padding, DH DW dilation).

Input row ``ih`` of output row ``oh`` and kernel row ``kh`` is ``oh * SH - PH + kh * DH`` (same
for columns). Pooling windows may run past the padded input (ceil_mode): those places are
skipped, as padding is. Max-pooling indices are flat positions in each ``H * W`` plane.

Normalization takes statistics over ``axes`` of its input, with kept dims, and an affine ``w``,
``b`` (or None) that broadcasts against the input (see ``nptorch._functions.normalization``).
"""
from typing import NamedTuple

import numpy as np

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


def adaptive_bounds(size, out_size):
    """PyTorch's adaptive windows: ``[floor(i * size / out), ceil((i + 1) * size / out))``."""
    i = np.arange(out_size)
    return (i * size) // out_size, -((-(i + 1) * size) // out_size)


def avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override):
    """The divisor of every average-pooling window as a float64 ``(OH, OW)`` NumPy array."""
    if divisor_override:
        return np.full((OH, OW), float(divisor_override))

    def counts(size, out, K, S, P):
        start = np.arange(out) * S - P
        end = np.minimum(start + K, size + P)
        if count_include_pad:
            return end - start
        return np.minimum(end, size) - np.maximum(start, 0)

    return np.outer(counts(H, OH, win.KH, win.SH, win.PH), counts(W, OW, win.KW, win.SW, win.PW)
                    ).astype(np.float64)


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


class Ops(RecurrentOps):
    """Convolution, pooling, ReLU and normalization kernels written with array-module
    operations only."""

    xp = np

    # -- windows ---------------------------------------------------------------------------
    def _padded(self, x, OH, OW, win, fill):
        """``x`` padded with ``fill`` so that every window of the output fits."""
        N, C, H, W = x.shape
        bottom = max(0, (OH - 1) * win.SH + (win.KH - 1) * win.DH + 1 - H - win.PH)
        right = max(0, (OW - 1) * win.SW + (win.KW - 1) * win.DW + 1 - W - win.PW)
        return self.xp.pad(x, ((0, 0), (0, 0), (win.PH, bottom), (win.PW, right)),
                           constant_values=fill)

    def _slices(self, kh, kw, OH, OW, win):
        h0, w0 = kh * win.DH, kw * win.DW
        return (slice(h0, h0 + (OH - 1) * win.SH + 1, win.SH),
                slice(w0, w0 + (OW - 1) * win.SW + 1, win.SW))

    def _windows(self, x, OH, OW, win, fill):
        """``(N, C, KH, KW, OH, OW)``: the input value under every kernel place of every output."""
        xp_ = self._padded(x, OH, OW, win, fill)
        N, C = x.shape[:2]
        out = self.xp.empty((N, C, win.KH, win.KW, OH, OW), x.dtype)
        for kh in range(win.KH):
            for kw in range(win.KW):
                hs, ws = self._slices(kh, kw, OH, OW, win)
                out[:, :, kh, kw] = xp_[:, :, hs, ws]
        return out

    def _accumulate(self, cols, H, W, win):
        """The adjoint of ``_windows``: add every ``(kh, kw, oh, ow)`` value back to its input place."""
        N, C, KH, KW, OH, OW = cols.shape
        bottom = max(0, (OH - 1) * win.SH + (KH - 1) * win.DH + 1 - H - win.PH)
        right = max(0, (OW - 1) * win.SW + (KW - 1) * win.DW + 1 - W - win.PW)
        out = self.xp.zeros((N, C, H + win.PH + bottom, W + win.PW + right), cols.dtype)
        for kh in range(KH):
            for kw in range(KW):
                hs, ws = self._slices(kh, kw, OH, OW, win)
                out[:, :, hs, ws] += cols[:, :, kh, kw]
        return out[:, :, win.PH:win.PH + H, win.PW:win.PW + W]

    # -- convolution -----------------------------------------------------------------------
    def im2col(self, x, OH, OW, win):
        """``(N, C, H, W)`` -> columns ``(N, C, KH, KW, OH, OW)``, zero where the kernel is on padding."""
        return self._windows(x, OH, OW, win, 0)

    def col2im(self, col, H, W, win):
        """Columns ``(N, C, KH, KW, OH, OW)`` -> ``(N, C, H, W)``, summing overlapping places."""
        return self.xp.ascontiguousarray(self._accumulate(col, H, W, win))

    def conv2d(self, x, w, bias, OH, OW, win, groups):
        """``(N, C, H, W)`` convolved with ``w`` ``(O, C / groups, KH, KW)`` (plus ``bias`` (O,) or
        None): ``w[group] @ im2col(x[:, group])``, ``(N, O, OH, OW)``."""
        N, O = x.shape[0], w.shape[0]
        K = w[0].size
        col = self.im2col(x, OH, OW, win).reshape(N, groups, K, OH * OW)
        y = (w.reshape(groups, O // groups, K) @ col).reshape(N, O, OH, OW)
        return y if bias is None else y + bias.reshape(1, O, 1, 1)

    def conv2d_input(self, gy, w, H, W, win, groups):
        """The transposed convolution of ``gy`` ``(N, O, OH, OW)``: the gradient of ``conv2d`` with
        respect to its ``(N, C, H, W)`` input."""
        N, O, OH, OW = gy.shape
        Cg = w.shape[1]
        wt = w.reshape(groups, O // groups, -1).swapaxes(1, 2)
        col = wt @ gy.reshape(N, groups, O // groups, OH * OW)
        return self.col2im(col.reshape(N, groups * Cg, win.KH, win.KW, OH, OW), H, W, win)

    def conv2d_weight(self, x, gy, win, groups):
        """The gradient of ``conv2d`` with respect to its weight ``(O, C / groups, KH, KW)``."""
        N, C = x.shape[:2]
        O, OH, OW = gy.shape[1:]
        col = self.im2col(x, OH, OW, win).reshape(N, groups, -1, OH * OW)
        gw = (gy.reshape(N, groups, O // groups, OH * OW) @ col.swapaxes(2, 3)).sum(axis=0)
        return self.xp.ascontiguousarray(gw.reshape(O, C // groups, win.KH, win.KW))

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

    def max_pool2d(self, x, OH, OW, win):
        """The maximum of every window and its flat index in the ``H * W`` plane (first on ties,
        last NaN)."""
        xp = self.xp
        N, C, H, W = x.shape
        cols = self._windows(x, OH, OW, win, self._lowest(x.dtype))
        cols = cols.reshape(N, C, win.KH * win.KW, OH, OW)
        k = self._argmax(cols, 2)
        y = xp.take_along_axis(cols, k[:, :, None], axis=2)[:, :, 0]
        ih = xp.arange(OH)[:, None] * win.SH - win.PH + (k // win.KW) * win.DH
        iw = xp.arange(OW) * win.SW - win.PW + (k % win.KW) * win.DW
        # clipping changes only windows that lie on padding only (dilation allows them)
        return y, (xp.clip(ih, 0, H - 1) * W + xp.clip(iw, 0, W - 1)).astype(np.int64)

    def max_pool2d_backward(self, gy, indices, H, W):
        """Scatter-add ``gy`` to the plane positions ``indices`` of an ``(N, C, H, W)`` gradient."""
        xp = self.xp
        N, C = gy.shape[:2]
        base = (xp.arange(N * C, dtype=np.int64) * (H * W)).reshape(N, C, 1, 1)
        gx = xp.bincount((indices + base).ravel(), weights=gy.ravel(), minlength=N * C * H * W)
        return gx.astype(gy.dtype, copy=False).reshape(N, C, H, W)

    def adaptive_max_pool2d(self, x, OH, OW):
        xp = self.xp
        N, C, H, W = x.shape
        y = xp.empty((N, C, OH, OW), x.dtype)
        indices = xp.empty((N, C, OH, OW), np.int64)
        hs, he = adaptive_bounds(H, OH)
        ws, we = adaptive_bounds(W, OW)
        for oh in range(OH):
            for ow in range(OW):
                patch = x[:, :, hs[oh]:he[oh], ws[ow]:we[ow]].reshape(N, C, -1)
                k = self._argmax(patch, 2)
                y[:, :, oh, ow] = xp.take_along_axis(patch, k[:, :, None], axis=2)[:, :, 0]
                pw = int(we[ow] - ws[ow])
                indices[:, :, oh, ow] = (hs[oh] + k // pw) * W + ws[ow] + k % pw
        return y, indices

    # -- average pooling -------------------------------------------------------------------
    def _divisor(self, H, W, OH, OW, win, count_include_pad, divisor_override, dtype):
        return self.xp.asarray(avg_divisor(H, W, OH, OW, win, count_include_pad, divisor_override)
                               ).astype(dtype)

    def avg_pool2d(self, x, OH, OW, win, count_include_pad=True, divisor_override=None):
        """The window sums divided by PyTorch's divisor (see ``avg_divisor``)."""
        N, C, H, W = x.shape
        sums = self._windows(x, OH, OW, win, 0).sum(axis=(2, 3))
        return sums / self._divisor(H, W, OH, OW, win, count_include_pad, divisor_override,
                                    x.dtype)

    def avg_pool2d_backward(self, gy, H, W, win, count_include_pad=True, divisor_override=None):
        N, C, OH, OW = gy.shape
        g = gy / self._divisor(H, W, OH, OW, win, count_include_pad, divisor_override, gy.dtype)
        cols = self.xp.broadcast_to(g[:, :, None, None], (N, C, win.KH, win.KW, OH, OW))
        return self.xp.ascontiguousarray(self._accumulate(cols, H, W, win))

    def _adaptive_matrix(self, size, out_size, dtype):
        """``(out_size, size)``: row ``i`` averages the adaptive window ``i``."""
        start, end = adaptive_bounds(size, out_size)
        j = np.arange(size)
        inside = (j >= start[:, None]) & (j < end[:, None])
        return self.xp.asarray(inside / (end - start)[:, None]).astype(dtype)

    def adaptive_avg_pool2d(self, x, OH, OW):
        N, C, H, W = x.shape
        ah, aw = self._adaptive_matrix(H, OH, x.dtype), self._adaptive_matrix(W, OW, x.dtype)
        return self.xp.ascontiguousarray(ah @ x @ aw.T)

    def adaptive_avg_pool2d_backward(self, gy, H, W):
        N, C, OH, OW = gy.shape
        ah, aw = self._adaptive_matrix(H, OH, gy.dtype), self._adaptive_matrix(W, OW, gy.dtype)
        return self.xp.ascontiguousarray(ah.T @ gy @ aw)

    # -- activation ------------------------------------------------------------------------
    def relu(self, x):
        """``max(x, 0)``; NaN stays NaN."""
        return self.xp.maximum(x, 0)

    def relu_backward(self, gy, y):
        """The gradient of ``y = relu(x)``: ``gy`` where ``y > 0``, else 0 (at 0 too, and for a
        NaN or infinite ``gy``, as in PyTorch)."""
        return self.xp.where(y > 0, gy, 0).astype(gy.dtype, copy=False)

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
