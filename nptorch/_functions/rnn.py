"""One recurrent layer in one direction over a whole sequence, as one autograd Function.

The time loop runs in the kernels (``ops.lstm_forward`` ...); around it, the weight gradients
(and the GRU's input projection and input gradient) are single matrix products over all
steps. Double backward through a recurrent layer is not supported (``once_differentiable``).
"""
from .._device import device_of
from .._ops import ops_for
from .._tensor import Tensor
from ..autograd.function import once_differentiable
from ._utils import BuiltinFunction, tensor_or_none


def _project(ops, x, w_ih, bias):
    """The input projection x_t @ W_ih^T + bias for every step at once, (T, B, G)."""
    T, B, I = x.shape
    xw = ops.matmul(x.reshape(T * B, I), w_ih.T)
    if bias is not None:
        xw += bias
    return xw.reshape(T, B, w_ih.shape[0])


def _input_grad(ops, dgates, w_ih, needed):
    """Gradient of x from the gate gradients (T, B, G), one product over all steps and batch
    rows; None unless needed."""
    if not needed:
        return None
    T, B, G = dgates.shape
    return Tensor._make(ops.matmul(dgates.reshape(T * B, G), w_ih).reshape(T, B, w_ih.shape[1]))


def _weight_grad(ops, dgates, inputs, needed):
    """Gradient of a weight from the gate gradients (T, B, G) and what it multiplied,
    inputs[:T] (x, or the states hs), one product over all steps and batch rows; None unless
    needed."""
    if not needed:
        return None
    T, B, G = dgates.shape
    flat = inputs[:T].reshape(T * B, inputs.shape[2])
    return Tensor._make(ops.matmul(dgates.reshape(T * B, G).T, flat))


def _recurrent_weight_grad(ops, dgates, hs, needed):
    """Gradient of w_hh from the gate gradients (T, B, G) and the states they read, hs[:T]
    (hs[0] is h0); a zero h0 (the layers' default) adds nothing, so its step is skipped."""
    if not needed:
        return None
    first = 0 if hs[0].any() else 1
    return _weight_grad(ops, dgates[first:], hs[first:], True)


def _bias_grad(dgates):
    T, B, G = dgates.shape
    return dgates.reshape(T * B, G).sum(0)


class LSTMLayer(BuiltinFunction):
    """Returns (outputs h_1..h_T, cells c_1..c_T), both (T, B, H)."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        ops = ops_for(device_of(x._data))
        bias = None if b_ih is None else b_ih._data + b_hh._data
        hs, cs, gates = ops.lstm_forward(x._data, w_ih._data, w_hh._data, bias, h0._data,
                                         c0._data)
        ctx.save_for_backward(x, w_ih, w_hh)
        ctx.ops, ctx.hs, ctx.cs, ctx.gates = ops, hs, cs, gates
        # copies: backward reads hs and cs, which the caller may modify in place
        return Tensor._make(hs[1:].copy()), Tensor._make(cs[1:].copy())

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, gc):
        x, w_ih, w_hh = ctx.saved_tensors
        needs = ctx.needs_input_grad
        zeros = ctx.ops.xp.zeros_like(ctx.hs[0])
        dgates, dx, dh0, dc0 = ctx.ops.lstm_backward(ctx.gates, ctx.cs, w_ih._data, w_hh._data,
                                                     gy._data, gc._data, zeros, zeros,
                                                     needs[0], needs[1])
        gw_ih = _weight_grad(ctx.ops, dgates, x._data, needs[3])
        gw_hh = _recurrent_weight_grad(ctx.ops, dgates, ctx.hs, needs[4])
        has_bias = needs[5] or needs[6]
        gb = _bias_grad(dgates) if has_bias else None
        # b_ih and b_hh enter alike: the same gradient, in two arrays
        return (tensor_or_none(dx), tensor_or_none(dh0), Tensor._make(dc0), gw_ih, gw_hh,
                tensor_or_none(gb), Tensor._make(gb.copy()) if has_bias else None)


class GRULayer(BuiltinFunction):
    """Returns the outputs h_1..h_T (T, B, H)."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh):
        ops = ops_for(device_of(x._data))
        H = w_hh._data.shape[1]
        xp = ops.xp
        if b_ih is None:
            bias, b_hn = None, xp.zeros(H, x._data.dtype)
        else:
            # b_hh's r and z parts add to the input side; its n part stays inside r * (...)
            bias = b_ih._data.copy()
            bias[:2 * H] += b_hh._data[:2 * H]
            b_hn = b_hh._data[2 * H:]
        xw = _project(ops, x._data, w_ih._data, bias)
        hs, gates, hn = ops.gru_forward(xw, w_hh._data, b_hn, h0._data)
        ctx.save_for_backward(x, w_ih, w_hh)
        ctx.ops, ctx.hs, ctx.gates, ctx.hn = ops, hs, gates, hn
        return Tensor._make(hs[1:].copy())

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, w_ih, w_hh = ctx.saved_tensors
        zeros = ctx.ops.xp.zeros_like(ctx.hs[0])
        dgx, dgh, dh0 = ctx.ops.gru_backward(ctx.gates, ctx.hn, ctx.hs, w_hh._data, gy._data,
                                             zeros, ctx.needs_input_grad[1])
        needs = ctx.needs_input_grad
        has_bias = needs[4] or needs[5]
        return (_input_grad(ctx.ops, dgx, w_ih._data, needs[0]), tensor_or_none(dh0),
                _weight_grad(ctx.ops, dgx, x._data, needs[2]),
                _recurrent_weight_grad(ctx.ops, dgh, ctx.hs, needs[3]),
                Tensor._make(_bias_grad(dgx)) if has_bias else None,
                Tensor._make(_bias_grad(dgh)) if has_bias else None)
