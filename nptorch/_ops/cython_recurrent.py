"""``CythonRecurrentOps``: the compiled twins of ``RecurrentOps`` (``nptorch._C.rnn``).

Shapes and dtypes are checked here, before the nogil kernels that trust them.
"""
import numpy as np

from .. import _backend
from .recurrent import RecurrentOps

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _check(name, arrays, shapes):
    """Same float dtype everywhere and the expected shapes, or a ValueError naming the kernel."""
    dtype = arrays[0].dtype
    for array, shape in zip(arrays, shapes):
        if array.dtype != dtype:
            raise ValueError(f"{name}: mixed dtypes {dtype} and {array.dtype}")
        if array.shape != shape:
            raise ValueError(f"{name}: expected an array of shape {shape}, got {array.shape}")


def _c(array):
    return np.ascontiguousarray(array)


class CythonRecurrentOps(RecurrentOps):
    """LSTM and GRU time loops compiled with Cython, calling BLAS for the recurrent products."""

    @property
    def _rnn(self):
        return _backend.load_extension("rnn")

    def lstm_forward(self, xw, w_hh, h0, c0):
        if xw.dtype not in _FLOATS:
            return super().lstm_forward(xw, w_hh, h0, c0)
        G, T, B = xw.shape
        H = G // 4
        _check("lstm_forward", (xw, w_hh, h0, c0), (xw.shape, (4 * H, H), (H, B), (H, B)))
        hs = np.empty((H, T + 1, B), xw.dtype)
        cs = np.empty_like(hs)
        hs[:, 0], cs[:, 0] = h0, c0
        gates = _c(xw)
        self._rnn.lstm_forward(gates, _c(w_hh), hs, cs)
        return hs, cs, gates

    def lstm_backward(self, gates, cs, w_hh, dhs, dcs, dh, dc):
        if gates.dtype not in _FLOATS:
            return super().lstm_backward(gates, cs, w_hh, dhs, dcs, dh, dc)
        G, T, B = gates.shape
        H = G // 4
        _check("lstm_backward", (gates, cs, w_hh, dhs, dcs, dh, dc),
               (gates.shape, (H, T + 1, B), (4 * H, H), (H, T, B), (H, T, B), (H, B), (H, B)))
        dh, dc = np.array(dh, order="C"), np.array(dc, order="C")  # updated in place
        dgates = np.empty(gates.shape, gates.dtype)
        self._rnn.lstm_backward(_c(gates), _c(cs), _c(w_hh.T), _c(dhs), _c(dcs), dh, dc, dgates)
        return dgates, dh, dc

    def gru_forward(self, xw, w_hh, b_hn, h0):
        if xw.dtype not in _FLOATS:
            return super().gru_forward(xw, w_hh, b_hn, h0)
        G, T, B = xw.shape
        H = G // 3
        _check("gru_forward", (xw, w_hh, b_hn, h0), (xw.shape, (3 * H, H), (H,), (H, B)))
        hs = np.empty((H, T + 1, B), xw.dtype)
        hn = np.empty((H, T, B), xw.dtype)
        hs[:, 0] = h0
        gates = _c(xw)
        self._rnn.gru_forward(gates, _c(w_hh), _c(b_hn), hs, hn, np.empty((G, B), xw.dtype))
        return hs, gates, hn

    def gru_backward(self, gates, hn, hs, w_hh, dhs, dh):
        if gates.dtype not in _FLOATS:
            return super().gru_backward(gates, hn, hs, w_hh, dhs, dh)
        G, T, B = gates.shape
        H = G // 3
        _check("gru_backward", (gates, hn, hs, w_hh, dhs, dh),
               (gates.shape, (H, T, B), (H, T + 1, B), (3 * H, H), (H, T, B), (H, B)))
        dh = np.array(dh, order="C")
        dgx = np.empty(gates.shape, gates.dtype)
        dgh = np.empty(gates.shape, gates.dtype)
        self._rnn.gru_backward(_c(gates), _c(hn), _c(hs), _c(w_hh.T), _c(dhs), dh, dgx, dgh)
        return dgx, dgh, dh
