"""Reference twins of the LSTM/GRU time loops (``nptorch/_C/rnn.pyx``): one layer, one direction.

Notation (as in rnn.pyx): T steps, B batch, I input features, H hidden, G gate features (4H
LSTM: i, f, g, o; 3H GRU: r, z, n). Arrays are batch-major, (time, batch, features), PyTorch's
layout: ``xw`` (T, B, G) is the input projection with its biases, computed before the loop, and
is overwritten (its buffer becomes the activated gates); ``w_hh`` (G, H) is the recurrent weight;
``hs`` (T + 1, B, H) the hidden states with ``hs[0]`` the initial one; single states such as
``h0`` are (B, H).

The LSTM's ``lstm_forward`` and ``lstm_backward`` take the input side in (the projection, and
x's gradient), which the compiled kernel does inside its steps' products; here they wrap the
time loops ``lstm_recurrence`` and ``lstm_recurrence_backward``, which the CUDA twin replaces.
"""


def _sigmoid(xp, a):
    return 1 / (1 + xp.exp(-a))


class RecurrentOps:
    """LSTM and GRU recurrences written with array-module operations only."""

    def matmul(self, a, b):
        """``a @ b``: the layers' products outside the time loop (input projection, gradients)."""
        return a @ b

    def lstm_forward(self, x, w_ih, w_hh, bias, h0, c0):
        """One LSTM layer over ``x`` (T, B, I), ``bias`` (G,) the sum of its two or None:
        returns hs, cs (T + 1, B, H) and the activated gates (T, B, G)."""
        T, B, I = x.shape
        xw = self.matmul(x.reshape(T * B, I), w_ih.T)
        if bias is not None:
            xw += bias
        return self.lstm_recurrence(xw.reshape(T, B, w_ih.shape[0]), w_hh, h0, c0)

    def lstm_backward(self, gates, cs, w_ih, w_hh, dhs, dcs, dh, dc, x_grad=True,
                      h0_grad=True):
        """``lstm_recurrence_backward``'s gradients (of the gate pre-activations, h0, c0) with
        that of ``x`` (T, B, I), or None without x_grad, second."""
        dgates, dh0, dc0 = self.lstm_recurrence_backward(gates, cs, w_hh, dhs, dcs, dh, dc,
                                                         h0_grad)
        T, B, G = dgates.shape
        dx = (self.matmul(dgates.reshape(T * B, G), w_ih).reshape(T, B, w_ih.shape[1])
              if x_grad else None)
        return dgates, dx, dh0, dc0

    def lstm_recurrence(self, xw, w_hh, h0, c0):
        """The time loop after the input projection ``xw`` (T, B, G): returns hs, cs
        (T + 1, B, H) and the activated gates (T, B, G), in xw's buffer."""
        xp = self.xp
        T, B, G = xw.shape
        H = G // 4
        hs = xp.empty((T + 1, B, H), xw.dtype)
        cs = xp.empty_like(hs)
        hs[0], cs[0] = h0, c0
        gates = xw
        for t in range(T):
            a = xw[t] + hs[t] @ w_hh.T
            i, f = _sigmoid(xp, a[:, :H]), _sigmoid(xp, a[:, H:2 * H])
            g, o = xp.tanh(a[:, 2 * H:3 * H]), _sigmoid(xp, a[:, 3 * H:])
            cs[t + 1] = f * cs[t] + i * g
            hs[t + 1] = o * xp.tanh(cs[t + 1])
            gates[t] = xp.concatenate([i, f, g, o], axis=1)
        return hs, cs, gates

    def lstm_recurrence_backward(self, gates, cs, w_hh, dhs, dcs, dh, dc, h0_grad=True):
        """Gradients of the gate pre-activations (T, B, G), of h0 and of c0, from those of h
        and c after each step (dhs, dcs: (T, B, H)) and of h_T and c_T (dh, dc: (B, H)).
        Without h0_grad, h0's gradient (the last step's product) is None."""
        xp = self.xp
        T, B, G = gates.shape
        H = G // 4
        dgates = xp.empty_like(gates)
        for t in range(T - 1, -1, -1):
            i, f, g, o = (gates[t, :, k * H:(k + 1) * H] for k in range(4))
            tc = xp.tanh(cs[t + 1])
            dht = dhs[t] + dh
            dct = dht * o * (1 - tc * tc) + dc + dcs[t]
            dgates[t] = xp.concatenate([dct * g * i * (1 - i), dct * cs[t] * f * (1 - f),
                                        dct * i * (1 - g * g), dht * tc * o * (1 - o)], axis=1)
            dc = dct * f
            dh = dgates[t] @ w_hh if t or h0_grad else None
        return dgates, dh, dc

    def gru_forward(self, xw, w_hh, b_hn, h0):
        """Returns hs (T + 1, B, H), the activated gates (T, B, G, in xw's buffer) and hn
        (T, B, H), the recurrent part of the n gate (W_hn @ h + b_hn)."""
        xp = self.xp
        T, B, G = xw.shape
        H = G // 3
        hs = xp.empty((T + 1, B, H), xw.dtype)
        hn = xp.empty((T, B, H), xw.dtype)
        hs[0] = h0
        gates = xw
        for t in range(T):
            hh = hs[t] @ w_hh.T
            r = _sigmoid(xp, xw[t, :, :H] + hh[:, :H])
            z = _sigmoid(xp, xw[t, :, H:2 * H] + hh[:, H:2 * H])
            hn[t] = hh[:, 2 * H:] + b_hn
            n = xp.tanh(xw[t, :, 2 * H:] + r * hn[t])
            hs[t + 1] = (1 - z) * n + z * hs[t]
            gates[t] = xp.concatenate([r, z, n], axis=1)
        return hs, gates, hn

    def gru_backward(self, gates, hn, hs, w_hh, dhs, dh, h0_grad=True):
        """Gradients of the input-side and recurrent-side gate pre-activations (T, B, G; they
        differ in the n gate, where r scales the recurrent term) and of h0 (None without
        h0_grad)."""
        xp = self.xp
        T, B, G = gates.shape
        H = G // 3
        dgx = xp.empty_like(gates)
        dgh = xp.empty_like(gates)
        for t in range(T - 1, -1, -1):
            r, z, n = (gates[t, :, k * H:(k + 1) * H] for k in range(3))
            dht = dhs[t] + dh
            dn = dht * (1 - z) * (1 - n * n)
            dr = dn * hn[t] * r * (1 - r)
            dz = dht * (hs[t] - n) * z * (1 - z)
            dgx[t] = xp.concatenate([dr, dz, dn], axis=1)
            dgh[t] = xp.concatenate([dr, dz, dn * r], axis=1)
            dh = dht * z + dgh[t] @ w_hh if t or h0_grad else None
        return dgx, dgh, dh
