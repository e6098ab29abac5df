"""One recurrent layer in one direction over a whole sequence, as one autograd Function.

The time loop runs in the kernels (``ops.lstm_forward`` ...); around it, the input projection
for all steps and the weight gradients are single matrix products. Double backward through
a recurrent layer is not supported (``once_differentiable``).
"""
from .._device import device_of
from .._ops import ops_for
from .._tensor import Tensor
from ..autograd.function import once_differentiable
from ._utils import BuiltinFunction


def _project(x, w_ih, bias):
    """x (T, B, I) @ w_ih^T + bias, for every step at once."""
    xw = x @ w_ih.T
    if bias is not None:
        xw += bias
    return xw


def _weight_and_bias_grads(dgates, inputs):
    """``dgates^T @ inputs`` and ``dgates`` summed, over all steps and batch rows at once."""
    flat = dgates.reshape(-1, dgates.shape[-1])
    return flat.T @ inputs.reshape(-1, inputs.shape[-1]), flat.sum(0)


class LSTMLayer(BuiltinFunction):
    """Returns (outputs h_1..h_T, cells c_1..c_T), both (T, B, H)."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        ops = ops_for(device_of(x._data))
        bias = None if b_ih is None else b_ih._data + b_hh._data
        xw = _project(x._data, w_ih._data, bias)
        hs, cs, gates = ops.lstm_forward(xw, w_hh._data, h0._data, c0._data)
        ctx.save_for_backward(x, w_ih, w_hh)
        ctx.ops, ctx.hs, ctx.cs, ctx.gates = ops, hs, cs, gates
        return Tensor._make(hs[1:]), Tensor._make(cs[1:])

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, gc):
        x, w_ih, w_hh = ctx.saved_tensors
        zeros = ctx.ops.xp.zeros_like(ctx.hs[0])
        dgates, dh0, dc0 = ctx.ops.lstm_backward(ctx.gates, ctx.cs, w_hh._data, gy._data,
                                                 gc._data, zeros, zeros)
        gw_ih, gb = _weight_and_bias_grads(dgates, x._data)
        gw_hh, _ = _weight_and_bias_grads(dgates, ctx.hs[:-1])
        has_bias = ctx.needs_input_grad[5] or ctx.needs_input_grad[6]
        return (Tensor._make(dgates @ w_ih._data), Tensor._make(dh0), Tensor._make(dc0),
                Tensor._make(gw_ih), Tensor._make(gw_hh),
                Tensor._make(gb) if has_bias else None, Tensor._make(gb) if has_bias else None)


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
        xw = _project(x._data, w_ih._data, bias)
        hs, gates, hn = ops.gru_forward(xw, w_hh._data, b_hn, h0._data)
        ctx.save_for_backward(x, w_ih, w_hh)
        ctx.ops, ctx.hs, ctx.gates, ctx.hn = ops, hs, gates, hn
        return Tensor._make(hs[1:])

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, w_ih, w_hh = ctx.saved_tensors
        zeros = ctx.ops.xp.zeros_like(ctx.hs[0])
        dgx, dgh, dh0 = ctx.ops.gru_backward(ctx.gates, ctx.hn, ctx.hs, w_hh._data, gy._data,
                                             zeros)
        gw_ih, gb_ih = _weight_and_bias_grads(dgx, x._data)
        gw_hh, gb_hh = _weight_and_bias_grads(dgh, ctx.hs[:-1])
        has_bias = ctx.needs_input_grad[4] or ctx.needs_input_grad[5]
        return (Tensor._make(dgx @ w_ih._data), Tensor._make(dh0), Tensor._make(gw_ih),
                Tensor._make(gw_hh), Tensor._make(gb_ih) if has_bias else None,
                Tensor._make(gb_hh) if has_bias else None)
