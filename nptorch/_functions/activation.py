"""Activation Functions: a table of pointwise ops, and softmax / log_softmax over a dim.

Pointwise ops follow ``elementwise._unary``: ``compute(array, *args)`` gives the output and
``derivative(gy, x, y, *args)`` the input gradient, written in Tensor ops so that second
derivatives work. Masks are plain arrays (their own derivative is zero). Branches that could
overflow on the side ``where`` discards are clamped first, so that no inf reaches a product
with a zero gradient (which would give NaN in double backward).
"""
import math

import numpy as np

from .._tensor import Tensor
from ._utils import BuiltinFunction
from .elementwise import _special, _unary, _where

_expit, _erf = _special("expit"), _special("erf")
_SQRT1_2, _INV_SQRT_2PI = math.sqrt(0.5), 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K, _GELU_C = math.sqrt(2.0 / math.pi), 0.044715


def _softplus(a, beta, threshold):
    z = a * beta
    # torch's linear regime above the threshold; logaddexp(0, z) = log1p(exp(z)) without overflow
    return np.where(z > threshold, a, np.logaddexp(0, z) / beta).astype(a.dtype, copy=False)


def _gelu_tanh_inner(a):
    return _GELU_K * (a + _GELU_C * a * a * a)


def _gelu_tanh_derivative(gy, x, y):
    t = (_GELU_K * (x + _GELU_C * x * x * x)).tanh()
    return gy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_K * (1 + 3 * _GELU_C * x * x))


def _mish_derivative(gy, x, y):
    t = Softplus.apply(x, 1.0, 20.0).tanh()
    return gy * (t + x * x.sigmoid() * (1 - t * t))


def _hardswish_derivative(gy, x, y):
    xd = x._data
    return _where(xd < -3, 0, _where(xd <= 3, gy * (x / 3 + 0.5), gy))


# args: alpha, scale, input_scale (ELU, SELU and CELU are this one op)
Elu = _unary(
    "Elu",
    lambda a, alpha, scale, input_scale: np.where(
        a > 0, a * scale, np.expm1(np.minimum(a, 0) * input_scale) * (alpha * scale)),
    lambda gy, x, y, alpha, scale, input_scale: _where(
        x._data > 0, gy * scale,
        gy * (x.clamp(max=0) * input_scale).exp() * (alpha * scale * input_scale)))
Hardtanh = _unary("Hardtanh", lambda a, lo, hi: np.clip(a, lo, hi),
                  lambda gy, x, y, lo, hi: _where((x._data > lo) & (x._data < hi), gy, 0))
LeakyRelu = _unary("LeakyRelu", lambda a, slope: np.where(a > 0, a, a * slope),
                   lambda gy, x, y, slope: _where(x._data > 0, gy, gy * slope))
Threshold = _unary("Threshold", lambda a, th, value: np.where(a > th, a, a.dtype.type(value)),
                   lambda gy, x, y, th, value: _where(x._data > th, gy, 0))
Gelu = _unary("Gelu", lambda a: a * 0.5 * (1 + _erf(a * _SQRT1_2)),
              lambda gy, x, y: gy * (0.5 * (1 + (x * _SQRT1_2).erf())
                                     + x * (-0.5 * x * x).exp() * _INV_SQRT_2PI))
GeluTanh = _unary("GeluTanh", lambda a: 0.5 * a * (1 + np.tanh(_gelu_tanh_inner(a))),
                  _gelu_tanh_derivative)
Silu = _unary("Silu", lambda a: a * _expit(a),
              lambda gy, x, y: gy * x.sigmoid() * (1 + x * (1 - x.sigmoid())))
Softplus = _unary("Softplus", _softplus,
                  lambda gy, x, y, beta, threshold: _where(
                      x._data * beta > threshold, gy, gy * (x * beta).sigmoid()))
Mish = _unary("Mish", lambda a: a * np.tanh(_softplus(a, 1.0, 20.0)), _mish_derivative)
Hardsigmoid = _unary("Hardsigmoid", lambda a: np.clip(a / 6 + 0.5, 0, 1),
                     lambda gy, x, y: _where((x._data > -3) & (x._data < 3), gy / 6, 0))
Hardswish = _unary("Hardswish", lambda a: a * np.clip(a + 3, 0, 6) / 6, _hardswish_derivative)
LogSigmoid = _unary("LogSigmoid", lambda a: np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))),
                    lambda gy, x, y: gy * (-x).sigmoid())
Hardshrink = _unary("Hardshrink", lambda a, lambd: np.where(np.abs(a) > lambd, a, 0).astype(a.dtype),
                    lambda gy, x, y, lambd: _where(np.abs(x._data) > lambd, gy, 0))
Softshrink = _unary(
    "Softshrink",
    lambda a, lambd: np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, 0)).astype(a.dtype),
    lambda gy, x, y, lambd: _where(np.abs(x._data) > lambd, gy, 0))


class Softmax(BuiltinFunction):
    """``exp(x) / sum(exp(x))`` over ``dim``, computed after subtracting the max."""

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        y = Tensor._make(e / e.sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        y, = ctx.saved_tensors
        return y * (gy - (gy * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(BuiltinFunction):
    """``x - logsumexp(x)`` over ``dim``, computed after subtracting the max."""

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        s = a - a.max(axis=dim, keepdims=True)
        y = Tensor._make(s - np.log(np.exp(s).sum(axis=dim, keepdims=True)))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        y, = ctx.saved_tensors
        return gy - y.exp() * gy.sum(ctx.dim, keepdim=True), None
