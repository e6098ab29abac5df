"""Reference twins of the LSTM/GRU time loops (``nptorch/_C/rnn.pyx``): one layer, one direction.

Notation (as in rnn.pyx): T steps, B batch, H hidden, G gate rows (4H LSTM: i, f, g, o;
3H GRU: r, z, n). Arrays are feature-major, (features, time, batch): ``xw`` (G, T, B) is the
input projection with its biases, computed before the loop, and is overwritten (its buffer
becomes the activated gates); ``w_hh`` (G, H) is the recurrent weight; ``hs`` (H, T + 1, B)
the hidden states with ``hs[:, 0]`` the initial one; single states such as ``h0`` are (H, B).
"""


def _sigmoid(xp, a):
    return 1 / (1 + xp.exp(-a))


class RecurrentOps:
    """LSTM and GRU recurrences written with array-module operations only."""

    def matmul(self, a, b):
        """``a @ b``: the layers' products outside the time loop (input projection, gradients)."""
        return a @ b

    def lstm_forward(self, xw, w_hh, h0, c0):
        """Returns hs, cs (H, T + 1, B) and the activated gates (G, T, B), in xw's buffer."""
        xp = self.xp
        G, T, B = xw.shape
        H = G // 4
        hs = xp.empty((H, T + 1, B), xw.dtype)
        cs = xp.empty_like(hs)
        hs[:, 0], cs[:, 0] = h0, c0
        gates = xw
        for t in range(T):
            a = xw[:, t] + w_hh @ hs[:, t]
            i, f = _sigmoid(xp, a[:H]), _sigmoid(xp, a[H:2 * H])
            g, o = xp.tanh(a[2 * H:3 * H]), _sigmoid(xp, a[3 * H:])
            cs[:, t + 1] = f * cs[:, t] + i * g
            hs[:, t + 1] = o * xp.tanh(cs[:, t + 1])
            gates[:, t] = xp.concatenate([i, f, g, o])
        return hs, cs, gates

    def lstm_backward(self, gates, cs, w_hh, dhs, dcs, dh, dc):
        """Gradients of the gate pre-activations (G, T, B), of h0 and of c0, from those of h
        and c after each step (dhs, dcs: (H, T, B)) and of h_T and c_T (dh, dc: (H, B))."""
        xp = self.xp
        G, T, B = gates.shape
        H = G // 4
        dgates = xp.empty_like(gates)
        for t in range(T - 1, -1, -1):
            i, f, g, o = (gates[k * H:(k + 1) * H, t] for k in range(4))
            tc = xp.tanh(cs[:, t + 1])
            dht = dhs[:, t] + dh
            dct = dht * o * (1 - tc * tc) + dc + dcs[:, t]
            dgates[:, t] = xp.concatenate([dct * g * i * (1 - i), dct * cs[:, t] * f * (1 - f),
                                           dct * i * (1 - g * g), dht * tc * o * (1 - o)])
            dc = dct * f
            dh = w_hh.T @ dgates[:, t]
        return dgates, dh, dc

    def gru_forward(self, xw, w_hh, b_hn, h0):
        """Returns hs (H, T + 1, B), the activated gates (G, T, B, in xw's buffer) and hn
        (H, T, B), the recurrent part of the n gate (W_hn @ h + b_hn)."""
        xp = self.xp
        G, T, B = xw.shape
        H = G // 3
        hs = xp.empty((H, T + 1, B), xw.dtype)
        hn = xp.empty((H, T, B), xw.dtype)
        hs[:, 0] = h0
        gates = xw
        for t in range(T):
            hh = w_hh @ hs[:, t]
            r = _sigmoid(xp, xw[:H, t] + hh[:H])
            z = _sigmoid(xp, xw[H:2 * H, t] + hh[H:2 * H])
            hn[:, t] = hh[2 * H:] + b_hn[:, None]
            n = xp.tanh(xw[2 * H:, t] + r * hn[:, t])
            hs[:, t + 1] = (1 - z) * n + z * hs[:, t]
            gates[:, t] = xp.concatenate([r, z, n])
        return hs, gates, hn

    def gru_backward(self, gates, hn, hs, w_hh, dhs, dh):
        """Gradients of the input-side and recurrent-side gate pre-activations (G, T, B; they
        differ in the n gate, where r scales the recurrent term) and of h0."""
        xp = self.xp
        G, T, B = gates.shape
        H = G // 3
        dgx = xp.empty_like(gates)
        dgh = xp.empty_like(gates)
        for t in range(T - 1, -1, -1):
            r, z, n = (gates[k * H:(k + 1) * H, t] for k in range(3))
            dht = dhs[:, t] + dh
            dn = dht * (1 - z) * (1 - n * n)
            dr = dn * hn[:, t] * r * (1 - r)
            dz = dht * (hs[:, t] - n) * z * (1 - z)
            dgx[:, t] = xp.concatenate([dr, dz, dn])
            dgh[:, t] = xp.concatenate([dr, dz, dn * r])
            dh = dht * z + w_hh.T @ dgh[:, t]
        return dgx, dgh, dh
