"""Normalization over some axes of the input with an optional affine: the one Function behind
batch_norm, instance_norm, group_norm and layer_norm.

The caller views the input so that the statistics are taken over ``axes`` and ``w``/``b``
broadcast against the view:

    batch_norm     (N, C, S)        axes (0, 2)   w (1, C, 1)
    instance_norm  (N, C, S)        axes (2,)     w (1, C, 1)
    group_norm     (N, G, C/G, S)   axes (2, 3)   w (1, G, C/G, 1)
    layer_norm     (R, D)           axes (1,)     w (1, D)

The forward works on arrays in one pass per step (sums through ``einsum``, which needs no
product temporaries and is NumPy's fastest reduction here). The backward uses the saved
normalized input; under ``create_graph`` it recomputes the statistics from the input with
Tensor ops, so that the same formula is differentiable again.
"""
import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ..autograd import grad_mode
from ._utils import BuiltinFunction

_LETTERS = "abcdefgh"
_ONE_PASS_RATIO = 16.0


def _keep_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _sum(a, axes, b=None):
    """``a`` (or ``a * b``) summed over ``axes``, keeping dims."""
    if isinstance(a, Tensor):
        return (a if b is None else a * b).sum(axis=axes, keepdims=True)
    letters = _LETTERS[:a.ndim]
    out = "".join(c for i, c in enumerate(letters) if i not in axes)
    operands = (a,) if b is None else (a, b)
    r = xp_of(a).einsum(",".join([letters] * len(operands)) + "->" + out, *operands)
    return r.reshape(_keep_shape(a.shape, axes))


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


class Normalize(BuiltinFunction):
    """``(x - mean) / sqrt(var + eps) * w + b`` with mean and biased var over ``axes``.

    Returns ``(y, mean, var)``; mean and var (kept dims) are not differentiable.
    """

    @staticmethod
    def forward(ctx, x, w, b, axes, eps):
        xd = x._data
        m = _count(xd.shape, axes)
        mean = _sum(xd, axes) / m
        var = _sum(xd, axes, xd) / m - mean * mean
        # One pass (E[x^2] - mean^2) is accurate while mean^2 stays within a few variances;
        # beyond, the difference cancels and the variance is taken around the mean.
        ctx.one_pass = bool((mean * mean <= _ONE_PASS_RATIO * var).all())
        if not ctx.one_pass:
            xc = xd - mean
            var = _sum(xc, axes, xc) / m
        invstd = 1.0 / np.sqrt(var + eps)
        wd, bd = (None if t is None else t._data for t in (w, b))
        if wd is None or _folds(wd, axes):  # y = x * scale + shift, per statistics group
            scale = invstd if wd is None else invstd * wd
            shift = -mean * scale if bd is None else bd - mean * scale
            y = xd * scale
            y += shift
        else:
            y = xd * invstd
            y -= mean * invstd
            y *= wd
            if bd is not None:
                y += bd
        ctx.axes, ctx.eps, ctx.mean, ctx.invstd = axes, eps, mean, invstd
        ctx.b_shape = None if b is None else bd.shape
        ctx.save_for_backward(x, w)
        mean, var = Tensor._make(mean), Tensor._make(var)
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx, gy, _gmean, _gvar):
        x, w = ctx.saved_tensors
        axes, b_shape = ctx.axes, ctx.b_shape
        graph = grad_mode.state.enabled  # create_graph: statistics as functions of x
        if graph:
            xc = x - x.mean(axes, keepdim=True)
            invstd = ((xc * xc).mean(axes, keepdim=True) + ctx.eps).rsqrt()
            return _backward(ctx, gy, xc * invstd, invstd, w) + (None, None)
        g, xd, invstd = gy._data, x._data, ctx.invstd
        wd = None if w is None else w._data
        shapes = [s for s in (None if wd is None else wd.shape, b_shape) if s is not None]
        per_group = all(_broadcast_axes(s) == axes for s in shapes)
        if not (per_group and ctx.one_pass):
            xhat = (xd - ctx.mean) * invstd
            grads = _backward(ctx, g, xhat, invstd, wd)
        else:  # the per-group sums give everything; xhat is never formed
            need_x, need_w, need_b = ctx.needs_input_grad[:3]
            m, mean = _count(xd.shape, axes), ctx.mean
            sum_g = _sum(g, axes)
            sum_gxhat = (_sum(g, axes, xd) - mean * sum_g) * invstd
            gx = None
            if need_x:  # scale * (g - mean(g) - xhat * mean(g * xhat)), a*g + c*x + d per group
                scale = invstd if wd is None else invstd * wd
                k = scale * invstd * sum_gxhat / m
                gx = g * scale
                gx -= xd * k
                gx += mean * k - scale * sum_g / m
            grads = (gx, sum_gxhat if need_w else None, sum_g if need_b else None)
        return tuple(None if a is None else Tensor._make(a) for a in grads) + (None, None)


def _backward(ctx, g, xhat, invstd, w):
    """Gradients of x, w, b from ``xhat`` (arrays, or Tensors under create_graph)."""
    axes = ctx.axes
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    gx = gw = gb = None
    if need_w:
        gw = _sum(g, _broadcast_axes(w.shape), xhat)
    if need_b:
        gb = _sum(g, _broadcast_axes(ctx.b_shape))
    if need_x:
        m = _count(xhat.shape, axes)
        if w is None or _folds(w, axes):
            scale = invstd if w is None else invstd * w
        else:  # the affine varies inside a statistics group: normalise g * w itself
            g, scale = g * w, invstd
        gx = (g - _sum(g, axes) / m - xhat * (_sum(g, axes, xhat) / m)) * scale
    return gx, gw, gb
