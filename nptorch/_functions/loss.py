"""Loss Functions that are not compositions of Tensor ops: the target-class terms of the
negative log-likelihood (one op each way instead of gather, squeeze and scale), binary
cross-entropy (torch's clamped logs and gradient) and CTC (alpha/beta recursions in log space,
vectorised over the batch)."""
import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.function import once_differentiable
from ._utils import BuiltinFunction


def _picked(x, t):
    """``x[n, t[n, ...], ...]``: each item's value at its target class (dim 1)."""
    xp = xp_of(x)
    if x.ndim == 2:  # indexing beats take_along_axis's index building on small batches
        return x[xp.arange(len(t)), t]
    return xp.take_along_axis(x, t[:, None], 1)[:, 0]


def _place(x, t, values):
    """``x[n, t[n, ...], ...] = values[n, ...]``."""
    xp = xp_of(x)
    if x.ndim == 2:
        x[xp.arange(len(t)), t] = values
    else:
        xp.put_along_axis(x, t[:, None], values[:, None], 1)


class TargetTerms(BuiltinFunction):
    """``coef[n, ...] * x[n, t[n, ...], ...]``: each item's value at its target class (dim 1),
    scaled; args ``(x, t, coef)`` with ``t`` (int64) and ``coef`` arrays of the result's shape.
    Its gradient places the values back (``TargetPlaces``), and that one's gradient picks them
    again."""

    @staticmethod
    def forward(ctx, x, t, coef):
        ctx.t, ctx.coef, ctx.shape = t, coef, x._data.shape
        return _picked(x._data, t) * coef

    @staticmethod
    def backward(ctx, gy):
        return TargetPlaces.apply(gy, ctx.t, ctx.coef, ctx.shape), None, None


class TargetPlaces(BuiltinFunction):
    """Zeros of ``shape`` holding ``coef * y`` at each item's target class: the adjoint of
    ``TargetTerms``; args ``(y, t, coef, shape)``."""

    @staticmethod
    def forward(ctx, y, t, coef, shape):
        ctx.t, ctx.coef = t, coef
        x = xp_of(t).zeros(shape, y._data.dtype)
        _place(x, t, y._data * coef)
        return x

    @staticmethod
    def backward(ctx, gx):
        return TargetTerms.apply(gx, ctx.t, ctx.coef), None, None, None


class BinaryCrossEntropy(BuiltinFunction):
    """Pointwise ``-(t * log(x) + (1 - t) * log(1 - x))``, each log clamped at -100."""

    @staticmethod
    def forward(ctx, x, t):
        a, b = x._data, t._data
        out = -(b * np.maximum(np.log(a), -100) + (1 - b) * np.maximum(np.log1p(-a), -100))
        ctx.save_for_backward(x, t)
        return out

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        nx, nt = ctx.needs_input_grad
        # PyTorch's formulas: the input's denominator is kept away from 0 by 1e-12
        gx = g * (x - t) / ((1 - x) * x).clamp(min=1e-12) if nx else None
        gt = g * ((1 - x).log() - x.log()) if nt else None
        return gx, gt


def _logsumexp(*terms):
    m = terms[0]
    for t in terms[1:]:
        m = np.maximum(m, t)
    m = np.where(np.isinf(m), 0, m)
    return m + np.log(sum(np.exp(t - m) for t in terms))


def _shift(a, k, fill):
    """``a`` moved ``k`` places along the last axis (right for k > 0, left for k < 0)."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CTCLoss(BuiltinFunction):
    """Per-sample negative log-likelihood of ``targets`` (N, S) under ``log_probs`` (T, N, C).

    Over the extended label sequence (blanks around and between the labels, length
    ``2 * target_length + 1``) ``alpha`` holds the log-probability of the prefixes and ``beta``
    that of the suffixes, both including the emission at their time step. The gradient is
    PyTorch's: ``exp(lp) - exp(log(sum of alpha * beta over the label's places) + nll - lp)``.
    """

    @staticmethod
    def forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        lp = log_probs._data
        xp = xp_of(lp)
        T, N, _ = lp.shape
        L = 2 * targets.shape[1] + 1
        ext = xp.full((N, L), blank, dtype=np.int64)
        ext[:, 1::2] = targets
        ext[xp.arange(L)[None, :] >= (2 * target_lengths + 1)[:, None]] = blank
        skip = xp.zeros((N, L), dtype=bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        emit = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T, N, L)), axis=2)
        neg_inf = -np.inf
        alpha = xp.full((T, N, L), neg_inf, dtype=lp.dtype)
        alpha[0, :, 0] = emit[0, :, 0]
        if L > 1:
            alpha[0, :, 1] = xp.where(target_lengths > 0, emit[0, :, 1], neg_inf)
        for t in range(1, T):
            prev = alpha[t - 1]
            alpha[t] = _logsumexp(prev, _shift(prev, 1, neg_inf),
                                  xp.where(skip, _shift(prev, 2, neg_inf), neg_inf)) + emit[t]
        rows = alpha[input_lengths - 1, xp.arange(N)]
        end = 2 * target_lengths
        last = xp.take_along_axis(rows, end[:, None], axis=1)[:, 0]
        before = xp.take_along_axis(rows, xp.maximum(end - 1, 0)[:, None], axis=1)[:, 0]
        nll = -_logsumexp(last, xp.where(target_lengths > 0, before, neg_inf))
        ctx.save_for_backward(log_probs)
        ctx.state = (ext, skip, emit, alpha, nll, input_lengths, target_lengths, zero_infinity)
        if zero_infinity:
            nll = xp.where(np.isinf(nll), 0, nll)
        return nll.astype(lp.dtype, copy=False)

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        lp = ctx.saved_tensors[0]._data
        ext, skip, emit, alpha, nll, input_lengths, target_lengths, zero_infinity = ctx.state
        xp = xp_of(lp)
        T, N, C = lp.shape
        L = ext.shape[1]
        neg_inf = -np.inf
        n = xp.arange(N)
        skip_ahead = _shift(skip, -2, False)  # may s jump to s + 2
        beta = xp.full((T, N, L), neg_inf, dtype=lp.dtype)
        for t in range(T - 1, -1, -1):
            init = xp.full((N, L), neg_inf, dtype=lp.dtype)
            init[n, 2 * target_lengths] = emit[t, n, 2 * target_lengths]
            has_label = target_lengths > 0
            init[n[has_label], 2 * target_lengths[has_label] - 1] = \
                emit[t, n[has_label], 2 * target_lengths[has_label] - 1]
            row = init
            if t < T - 1:
                nxt = beta[t + 1]
                rec = _logsumexp(nxt, _shift(nxt, -1, neg_inf),
                                 xp.where(skip_ahead, _shift(nxt, -2, neg_inf), neg_inf)) + emit[t]
                row = xp.where((t < input_lengths - 1)[:, None], rec, neg_inf)
            beta[t] = xp.where((t == input_lengths - 1)[:, None], init, row)
        occupancy = xp.exp(alpha + beta + nll[None, :, None])  # (T, N, L), posterior
        occupancy = xp.where(xp.isnan(occupancy), 0, occupancy)
        per_class = xp.zeros((T, N, C), dtype=lp.dtype)
        for s in range(L):  # scatter-add the places of each label into its class
            per_class[:, n, ext[:, s]] += occupancy[:, :, s]
        grad = xp.exp(lp) - xp.where(per_class > 0, per_class * xp.exp(-lp), 0)
        active = xp.arange(T)[:, None] < input_lengths[None, :]
        grad = xp.where(active[:, :, None], grad, 0)
        if zero_infinity:
            grad = xp.where(xp.isinf(nll)[None, :, None], 0, grad)
        return (Tensor._make(grad.astype(lp.dtype, copy=False)) * g.reshape(1, N, 1),
                None, None, None, None, None)
