/* LSTM and GRU time steps: the gate arithmetic of one step as one fused kernel. CUDA twin of
 * nptorch/_C/rnn.pyx (its rnn_rows.h); nptorch._ops.cupy_ops runs the time loop, with one cuBLAS
 * product per step (through cupy.matmul) between these launches.
 *
 * Notation:
 *     T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate rows.
 *     LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
 *     Arrays are feature-major, (features, time, batch), C-contiguous:
 *     gates (G, T, B)       the input projection on entry, the activated gates after forward
 *     hs, cs (H, T + 1, B)  states, hs[:, t] before step t
 *     hn, dhs, dcs (H, T, B)
 *     (G, B) and (H, B) arrays are one step's products and running states.
 * One thread per (hidden unit j, batch item b) of the step.
 */
template <typename scalar_t>
__device__ scalar_t sigmoid(scalar_t a)
{
    return 1 / (1 + exp(-a));
}

/* Step t: hh (G, B) = w_hh @ h_t. Activates the gates in place, writes c_{t+1}, h_{t+1} into
 * cs and hs, and h_{t+1} into h (H, B), the operand of the next step's product. */
template <typename scalar_t>
__global__ void lstm_forward_step(scalar_t* __restrict__ gates, const scalar_t* __restrict__ hh,
                                  scalar_t* __restrict__ cs, scalar_t* __restrict__ hs,
                                  scalar_t* __restrict__ h, idx_t t, idx_t T, idx_t H, idx_t B)
{
    GRID_STRIDE(k, H * B) {
        idx_t j = k / B, b = k % B;
        scalar_t* gi = gates + (j * T + t) * B + b;  /* gate q of unit j: gi[q * H * T * B] */
        idx_t gs = H * T * B;
        scalar_t i = sigmoid(gi[0] + hh[k]);
        scalar_t f = sigmoid(gi[gs] + hh[H * B + k]);
        scalar_t g = tanh(gi[2 * gs] + hh[2 * H * B + k]);
        scalar_t o = sigmoid(gi[3 * gs] + hh[3 * H * B + k]);
        idx_t s = (j * (T + 1) + t) * B + b;
        scalar_t c = f * cs[s] + i * g;
        scalar_t hn = o * tanh(c);
        gi[0] = i;
        gi[gs] = f;
        gi[2 * gs] = g;
        gi[3 * gs] = o;
        cs[s + B] = c;
        hs[s + B] = hn;
        h[k] = hn;
    }
}

/* Step t backward: dh (H, B) is the gradient of h_{t+1} from later steps, dc (H, B) that of
 * c_{t+1} (left as that of c_t). Writes the gate pre-activation gradients into dgates[:, t]
 * and into dg (G, B), the operand of the product dh = w_hh^T @ dg that follows. */
template <typename scalar_t>
__global__ void lstm_backward_step(const scalar_t* __restrict__ gates,
                                   const scalar_t* __restrict__ cs,
                                   const scalar_t* __restrict__ dhs,
                                   const scalar_t* __restrict__ dcs,
                                   const scalar_t* __restrict__ dh, scalar_t* __restrict__ dc,
                                   scalar_t* __restrict__ dgates, scalar_t* __restrict__ dg,
                                   idx_t t, idx_t T, idx_t H, idx_t B)
{
    GRID_STRIDE(k, H * B) {
        idx_t j = k / B, b = k % B;
        idx_t q = (j * T + t) * B + b, gs = H * T * B;
        scalar_t i = gates[q], f = gates[q + gs], g = gates[q + 2 * gs], o = gates[q + 3 * gs];
        idx_t s = (j * (T + 1) + t) * B + b;
        scalar_t tc = tanh(cs[s + B]);
        scalar_t dht = dh[k] + dhs[q];
        scalar_t dct = dht * o * (1 - tc * tc) + dc[k] + dcs[q];
        scalar_t di = dct * g * i * (1 - i);
        scalar_t df = dct * cs[s] * f * (1 - f);
        scalar_t dgg = dct * i * (1 - g * g);
        scalar_t d_o = dht * tc * o * (1 - o);
        dgates[q] = di;
        dgates[q + gs] = df;
        dgates[q + 2 * gs] = dgg;
        dgates[q + 3 * gs] = d_o;
        dg[k] = di;
        dg[H * B + k] = df;
        dg[2 * H * B + k] = dgg;
        dg[3 * H * B + k] = d_o;
        dc[k] = dct * f;
    }
}

/* Step t: hh (G, B) = w_hh @ h_t. Activates r, z, n in place, keeps hn[:, t] = W_hn h + b_hn,
 * and writes h_{t+1} into hs and into h (H, B), the operand of the next step's product. */
template <typename scalar_t>
__global__ void gru_forward_step(scalar_t* __restrict__ gates, const scalar_t* __restrict__ hh,
                                 const scalar_t* __restrict__ b_hn, scalar_t* __restrict__ hs,
                                 scalar_t* __restrict__ hn, scalar_t* __restrict__ h, idx_t t,
                                 idx_t T, idx_t H, idx_t B)
{
    GRID_STRIDE(k, H * B) {
        idx_t j = k / B, b = k % B;
        idx_t q = (j * T + t) * B + b, gs = H * T * B;
        scalar_t r = sigmoid(gates[q] + hh[k]);
        scalar_t z = sigmoid(gates[q + gs] + hh[H * B + k]);
        scalar_t hnb = hh[2 * H * B + k] + b_hn[j];
        scalar_t n = tanh(gates[q + 2 * gs] + r * hnb);
        scalar_t hnext = n + z * (h[k] - n);
        gates[q] = r;
        gates[q + gs] = z;
        gates[q + 2 * gs] = n;
        hn[q] = hnb;
        hs[(j * (T + 1) + t + 1) * B + b] = hnext;
        h[k] = hnext;
    }
}

/* Step t backward: the gradient of h_{t+1} from later steps is dhz + dhw (H, B), its direct
 * path (dh_{t+2} z) and the product w_hh^T @ dg of the step after; dhz is left as
 * dh_{t+1} z. Writes the input-side (dgx) and recurrent-side (dgh, and dg (G, B), the
 * operand of the next product) gate gradients; they differ in the n gate, scaled by r. */
template <typename scalar_t>
__global__ void gru_backward_step(const scalar_t* __restrict__ gates,
                                  const scalar_t* __restrict__ hn, const scalar_t* __restrict__ hs,
                                  const scalar_t* __restrict__ dhs, scalar_t* __restrict__ dhz,
                                  const scalar_t* __restrict__ dhw, scalar_t* __restrict__ dgx,
                                  scalar_t* __restrict__ dgh, scalar_t* __restrict__ dg, idx_t t,
                                  idx_t T, idx_t H, idx_t B)
{
    GRID_STRIDE(k, H * B) {
        idx_t j = k / B, b = k % B;
        idx_t q = (j * T + t) * B + b, gs = H * T * B;
        scalar_t r = gates[q], z = gates[q + gs], n = gates[q + 2 * gs];
        scalar_t dht = dhs[q] + dhz[k] + dhw[k];
        scalar_t dn = dht * (1 - z) * (1 - n * n);
        scalar_t dr = dn * hn[q] * r * (1 - r);
        scalar_t dz = dht * (hs[(j * (T + 1) + t) * B + b] - n) * z * (1 - z);
        dgx[q] = dr;
        dgx[q + gs] = dz;
        dgx[q + 2 * gs] = dn;
        dgh[q] = dr;
        dgh[q + gs] = dz;
        dgh[q + 2 * gs] = dn * r;
        dg[k] = dr;
        dg[H * B + k] = dz;
        dg[2 * H * B + k] = dn * r;
        dhz[k] = dht * z;
    }
}
