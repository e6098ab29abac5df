/* LSTM and GRU time steps: the gate arithmetic of one step as one fused kernel. CUDA twin of
 * nptorch/_C/rnn.pyx (its rnn_rows.h); nptorch._ops.cupy_ops runs the time loop, with one cuBLAS
 * product per step (through cupy.matmul) between these launches.
 *
 * Notation:
 *     T time steps, B batch, H hidden size; G = 4H (LSTM) or 3H (GRU) gate features.
 *     LSTM gate order (PyTorch's): i, f, g, o.   GRU gate order: r, z, n.
 *     Arrays are batch-major, (time, batch, features), C-contiguous:
 *     gates (T, B, G)       the input projection on entry, the activated gates after forward
 *     hs, cs (T + 1, B, H)  states, hs[t] before step t
 *     hn, dhs, dcs (T, B, H)
 *     (B, G) and (B, H) arrays are one step's products and running states.
 * One thread per (batch item b, hidden unit j) of the step: k = b * H + j, so that step t's
 * (T, B, H) element is at t * B * H + k and its gate q at (t * B + b) * G + q * H + j.
 */
template <typename scalar_t>
__device__ scalar_t sigmoid(scalar_t a)
{
    return 1 / (1 + exp(-a));
}

/* Step t: hh (B, G) = h_t @ w_hh^T. Activates the gates in place and writes c_{t+1}, h_{t+1}
 * into cs and hs. */
template <typename scalar_t>
__global__ void lstm_forward_step(scalar_t* __restrict__ gates, const scalar_t* __restrict__ hh,
                                  scalar_t* __restrict__ cs, scalar_t* __restrict__ hs, idx_t t,
                                  idx_t B, idx_t H)
{
    GRID_STRIDE(k, B * H) {
        idx_t b = k / H, j = k % H;
        scalar_t* gi = gates + (t * B + b) * 4 * H + j;
        const scalar_t* hi = hh + b * 4 * H + j;
        scalar_t i = sigmoid(gi[0] + hi[0]);
        scalar_t f = sigmoid(gi[H] + hi[H]);
        scalar_t g = tanh(gi[2 * H] + hi[2 * H]);
        scalar_t o = sigmoid(gi[3 * H] + hi[3 * H]);
        idx_t s = t * B * H + k;
        scalar_t c = f * cs[s] + i * g;
        gi[0] = i;
        gi[H] = f;
        gi[2 * H] = g;
        gi[3 * H] = o;
        cs[s + B * H] = c;
        hs[s + B * H] = o * tanh(c);
    }
}

/* Step t backward: dh (B, H) is the gradient of h_{t+1} from later steps, dc (B, H) that of
 * c_{t+1} (left as that of c_t). Writes the gate pre-activation gradients into dgates[t], the
 * operand of the product dh = dgates[t] @ w_hh that follows. */
template <typename scalar_t>
__global__ void lstm_backward_step(const scalar_t* __restrict__ gates,
                                   const scalar_t* __restrict__ cs,
                                   const scalar_t* __restrict__ dhs,
                                   const scalar_t* __restrict__ dcs,
                                   const scalar_t* __restrict__ dh, scalar_t* __restrict__ dc,
                                   scalar_t* __restrict__ dgates, idx_t t, idx_t B, idx_t H)
{
    GRID_STRIDE(k, B * H) {
        idx_t b = k / H, j = k % H;
        idx_t q = (t * B + b) * 4 * H + j, s = t * B * H + k;
        scalar_t i = gates[q], f = gates[q + H], g = gates[q + 2 * H], o = gates[q + 3 * H];
        scalar_t tc = tanh(cs[s + B * H]);
        scalar_t dht = dh[k] + dhs[s];
        scalar_t dct = dht * o * (1 - tc * tc) + dc[k] + dcs[s];
        dgates[q] = dct * g * i * (1 - i);
        dgates[q + H] = dct * cs[s] * f * (1 - f);
        dgates[q + 2 * H] = dct * i * (1 - g * g);
        dgates[q + 3 * H] = dht * tc * o * (1 - o);
        dc[k] = dct * f;
    }
}

/* Step t: hh (B, G) = h_t @ w_hh^T. Activates r, z, n in place, keeps hn[t] = W_hn h + b_hn,
 * and writes h_{t+1} into hs. */
template <typename scalar_t>
__global__ void gru_forward_step(scalar_t* __restrict__ gates, const scalar_t* __restrict__ hh,
                                 const scalar_t* __restrict__ b_hn, scalar_t* __restrict__ hs,
                                 scalar_t* __restrict__ hn, idx_t t, idx_t B, idx_t H)
{
    GRID_STRIDE(k, B * H) {
        idx_t b = k / H, j = k % H;
        scalar_t* gi = gates + (t * B + b) * 3 * H + j;
        const scalar_t* hi = hh + b * 3 * H + j;
        idx_t s = t * B * H + k;
        scalar_t r = sigmoid(gi[0] + hi[0]);
        scalar_t z = sigmoid(gi[H] + hi[H]);
        scalar_t hnk = hi[2 * H] + b_hn[j];
        scalar_t n = tanh(gi[2 * H] + r * hnk);
        gi[0] = r;
        gi[H] = z;
        gi[2 * H] = n;
        hn[s] = hnk;
        hs[s + B * H] = n + z * (hs[s] - n);
    }
}

/* Step t backward: the gradient of h_{t+1} from later steps is dhz + dhw (B, H), its direct
 * path (dh_{t+2} z) and the product dgh[t + 1] @ w_hh; dhz is left as dh_{t+1} z. Writes the
 * input-side (dgx) and recurrent-side (dgh, the operand of the next product) gate gradients;
 * they differ in the n gate, scaled by r. */
template <typename scalar_t>
__global__ void gru_backward_step(const scalar_t* __restrict__ gates,
                                  const scalar_t* __restrict__ hn, const scalar_t* __restrict__ hs,
                                  const scalar_t* __restrict__ dhs, scalar_t* __restrict__ dhz,
                                  const scalar_t* __restrict__ dhw, scalar_t* __restrict__ dgx,
                                  scalar_t* __restrict__ dgh, idx_t t, idx_t B, idx_t H)
{
    GRID_STRIDE(k, B * H) {
        idx_t b = k / H, j = k % H;
        idx_t q = (t * B + b) * 3 * H + j, s = t * B * H + k;
        scalar_t r = gates[q], z = gates[q + H], n = gates[q + 2 * H];
        scalar_t dht = dhs[s] + dhz[k] + dhw[k];
        scalar_t dn = dht * (1 - z) * (1 - n * n);
        scalar_t dr = dn * hn[s] * r * (1 - r);
        scalar_t dz = dht * (hs[s] - n) * z * (1 - z);
        dgx[q] = dr;
        dgx[q + H] = dz;
        dgx[q + 2 * H] = dn;
        dgh[q] = dr;
        dgh[q + H] = dz;
        dgh[q + 2 * H] = dn * r;
        dhz[k] = dht * z;
    }
}
