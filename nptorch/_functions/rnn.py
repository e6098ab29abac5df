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


def _project(ops, x, w_ih, bias):
    """The input projection W_ih @ x_t + bias for every step at once, feature-major (G, T, B)."""
    T, B, I = x.shape
    xw = ops.matmul(w_ih, x.reshape(T * B, I).T)
    if bias is not None:
        xw += bias[:, None]
    return xw.reshape(-1, T, B)


def _batch_major(a):
    """(H, T, B) -> (T, B, H), contiguous."""
    return a.transpose(1, 2, 0).copy()


def _feature_major(a):
    """(T, B, H) -> (H, T, B), contiguous."""
    return a.transpose(2, 0, 1).copy()


def _input_side_grads(ops, dgates, x, w_ih):
    """Gradients of x and w_ih from the gate gradients (G, T, B), as single products over all
    steps and batch rows."""
    flat = dgates.reshape(dgates.shape[0], -1)
    return (ops.matmul(flat.T, w_ih).reshape(x.shape),
            ops.matmul(flat, x.reshape(flat.shape[1], -1)))


def _recurrent_weight_grad(ops, dgates, hs):
    """Gradient of w_hh: the gate gradients (G, T, B) against the states they read, hs[:, :T]."""
    G, T, B = dgates.shape
    return ops.matmul(dgates.reshape(G, T * B), hs[:, :T].reshape(-1, T * B).T)


class LSTMLayer(BuiltinFunction):
    """Returns (outputs h_1..h_T, cells c_1..c_T), both (T, B, H)."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        ops = ops_for(device_of(x._data))
        bias = None if b_ih is None else b_ih._data + b_hh._data
        xw = _project(ops, x._data, w_ih._data, bias)
        hs, cs, gates = ops.lstm_forward(xw, w_hh._data, h0._data.T, c0._data.T)
        ctx.save_for_backward(x, w_ih, w_hh)
        ctx.ops, ctx.hs, ctx.cs, ctx.gates = ops, hs, cs, gates
        return Tensor._make(_batch_major(hs[:, 1:])), Tensor._make(_batch_major(cs[:, 1:]))

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, gc):
        x, w_ih, w_hh = ctx.saved_tensors
        zeros = ctx.ops.xp.zeros_like(ctx.hs[:, 0])
        dgates, dh0, dc0 = ctx.ops.lstm_backward(ctx.gates, ctx.cs, w_hh._data,
                                                 _feature_major(gy._data),
                                                 _feature_major(gc._data), zeros, zeros)
        dx, gw_ih = _input_side_grads(ctx.ops, dgates, x._data, w_ih._data)
        gw_hh = _recurrent_weight_grad(ctx.ops, dgates, ctx.hs)
        gb = None
        if ctx.needs_input_grad[5] or ctx.needs_input_grad[6]:
            gb = dgates.sum((1, 2))
        return (Tensor._make(dx), Tensor._make(dh0.T.copy()), Tensor._make(dc0.T.copy()),
                Tensor._make(gw_ih), Tensor._make(gw_hh),
                None if gb is None else Tensor._make(gb),
                None if gb is None else Tensor._make(gb.copy()))


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
        hs, gates, hn = ops.gru_forward(xw, w_hh._data, b_hn, h0._data.T)
        ctx.save_for_backward(x, w_ih, w_hh)
        ctx.ops, ctx.hs, ctx.gates, ctx.hn = ops, hs, gates, hn
        return Tensor._make(_batch_major(hs[:, 1:]))

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, w_ih, w_hh = ctx.saved_tensors
        zeros = ctx.ops.xp.zeros_like(ctx.hs[:, 0])
        dgx, dgh, dh0 = ctx.ops.gru_backward(ctx.gates, ctx.hn, ctx.hs, w_hh._data,
                                             _feature_major(gy._data), zeros)
        dx, gw_ih = _input_side_grads(ctx.ops, dgx, x._data, w_ih._data)
        gw_hh = _recurrent_weight_grad(ctx.ops, dgh, ctx.hs)
        has_bias = ctx.needs_input_grad[4] or ctx.needs_input_grad[5]
        return (Tensor._make(dx), Tensor._make(dh0.T.copy()), Tensor._make(gw_ih),
                Tensor._make(gw_hh), Tensor._make(dgx.sum((1, 2))) if has_bias else None,
                Tensor._make(dgh.sum((1, 2))) if has_bias else None)
