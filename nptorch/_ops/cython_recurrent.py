"""``CythonRecurrentOps``: the compiled twins of ``RecurrentOps`` (``nptorch._C.rnn``).

Shapes and dtypes are checked here, before the nogil kernels that trust them.
"""
import numpy as np

from .. import _backend
from . import checks
from .checks import FLOATS
from .recurrent import RecurrentOps


def _c(array):
    return np.ascontiguousarray(array)


def _side_by_side(w_ih, w_hh):
    """[W_ih | W_hh], C-contiguous (np.concatenate keeps Fortran order of Fortran inputs)."""
    w = np.empty((w_hh.shape[0], w_ih.shape[1] + w_hh.shape[1]), w_hh.dtype)
    w[:, :w_ih.shape[1]], w[:, w_ih.shape[1]:] = w_ih, w_hh
    return w


class CythonRecurrentOps(RecurrentOps):
    """LSTM and GRU time loops compiled with Cython, with their own kernel for the steps'
    products (packed_gemm.h), which for the LSTM also do the input projection and x's
    gradient; the weight gradients (and the GRU's input side) stay NumPy's products."""

    @property
    def _rnn(self):
        return _backend.load_extension("rnn")

    def lstm_forward(self, x, w_ih, w_hh, bias, h0, c0):
        if x.dtype not in FLOATS or len(x) == 0:
            return super().lstm_forward(x, w_ih, w_hh, bias, h0, c0)
        T, B, I, H = checks.lstm_forward(x, w_ih, w_hh, bias, h0, c0)
        z = np.empty((T + 1, B, I + H), x.dtype)  # rows [x_t | h_{t-1}], see rnn.pyx
        z[:T, :, :I] = x
        z[0, :, I:] = h0
        cs = np.empty((T + 1, B, H), x.dtype)
        cs[0] = c0
        gates = np.empty((T, B, 4 * H), x.dtype)
        bias = np.zeros(4 * H, x.dtype) if bias is None else _c(bias)
        self._rnn.lstm_forward(z, _side_by_side(w_ih, w_hh), bias, cs, gates)
        return z[:, :, I:], cs, gates

    def lstm_backward(self, gates, cs, w_ih, w_hh, dhs, dcs, dh, dc, x_grad=True,
                      h0_grad=True):
        if gates.dtype not in FLOATS or len(gates) == 0:
            return super().lstm_backward(gates, cs, w_ih, w_hh, dhs, dcs, dh, dc, x_grad,
                                         h0_grad)
        T, B, G, H = checks.lstm_backward(gates, cs, w_ih, w_hh, dhs, dcs, dh, dc)
        # the steps' products give x's gradient too when it is needed: dz[t] = [dx_t | dh_{t-1}]
        w = _side_by_side(w_ih, w_hh) if x_grad else _c(w_hh)
        I = w.shape[1] - H
        dc = np.array(dc, order="C")  # updated in place
        dgates = np.empty(gates.shape, gates.dtype)
        dz = np.empty((T, B, I + H), gates.dtype)
        self._rnn.lstm_backward(_c(gates), _c(cs), w, _c(dhs), _c(dcs), _c(dh), dc, dgates, dz,
                                h0_grad)
        return (dgates, dz[:, :, :I] if x_grad else None, dz[0, :, I:] if h0_grad else None,
                dc)

    def gru_forward(self, xw, w_hh, b_hn, h0):
        if xw.dtype not in FLOATS:
            return super().gru_forward(xw, w_hh, b_hn, h0)
        T, B, G, H = checks.gru_forward(xw, w_hh, b_hn, h0)
        hs = np.empty((T + 1, B, H), xw.dtype)
        hn = np.empty((T, B, H), xw.dtype)
        hs[0] = h0
        gates = _c(xw)
        self._rnn.gru_forward(gates, _c(w_hh), _c(b_hn), hs, hn, np.empty((B, G), xw.dtype))
        return hs, gates, hn

    def gru_backward(self, gates, hn, hs, w_hh, dhs, dh, h0_grad=True):
        if gates.dtype not in FLOATS:
            return super().gru_backward(gates, hn, hs, w_hh, dhs, dh, h0_grad)
        checks.gru_backward(gates, hn, hs, w_hh, dhs, dh)
        dh = np.array(dh, order="C")
        dgx = np.empty(gates.shape, gates.dtype)
        dgh = np.empty(gates.shape, gates.dtype)
        self._rnn.gru_backward(_c(gates), _c(hn), _c(hs), _c(w_hh), _c(dhs), dh, dgx, dgh,
                               h0_grad)
        return dgx, dgh, dh if h0_grad else None
