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


class CythonRecurrentOps(RecurrentOps):
    """LSTM and GRU time loops compiled with Cython, with their own kernel for the steps'
    products (packed_gemm.h); the products over whole sequences stay NumPy's."""

    @property
    def _rnn(self):
        return _backend.load_extension("rnn")

    def lstm_forward(self, xw, w_hh, h0, c0):
        if xw.dtype not in FLOATS:
            return super().lstm_forward(xw, w_hh, h0, c0)
        T, B, _, H = checks.lstm_forward(xw, w_hh, h0, c0)
        hs = np.empty((T + 1, B, H), xw.dtype)
        cs = np.empty_like(hs)
        hs[0], cs[0] = h0, c0
        gates = _c(xw)
        self._rnn.lstm_forward(gates, _c(w_hh), hs, cs)
        return hs, cs, gates

    def lstm_backward(self, gates, cs, w_hh, dhs, dcs, dh, dc, h0_grad=True):
        if gates.dtype not in FLOATS:
            return super().lstm_backward(gates, cs, w_hh, dhs, dcs, dh, dc, h0_grad)
        checks.lstm_backward(gates, cs, w_hh, dhs, dcs, dh, dc)
        dh, dc = np.array(dh, order="C"), np.array(dc, order="C")  # updated in place
        dgates = np.empty(gates.shape, gates.dtype)
        self._rnn.lstm_backward(_c(gates), _c(cs), _c(w_hh), _c(dhs), _c(dcs), dh, dc, dgates,
                                h0_grad)
        return dgates, dh if h0_grad else None, dc

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
