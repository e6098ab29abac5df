/* Gate arithmetic of the LSTM/GRU kernels (rnn.pyx) on the n hidden units of one batch item.
 *
 * Plain loops over __restrict pointers, so that gcc vectorises every one of them; each
 * function is cloned for AVX-512 and AVX2 + FMA (cpu_clones.h).
 *
 * Each function exists for float (suffix _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_RNN_ROWS_H
#define NPTORCH_RNN_ROWS_H

#include <math.h>
#include "cpu_clones.h"
#include "fastmath.h"

/* tanh(x) = 1 - 2 / (1 + e^2x), with the series near 0 where that form cancels; both are
 * computed and one selected, which vectorises (glibc's tanhf costs about four expf). */
#define NPTORCH_TANH(T, EXP, x)                                                         \
    ((x) * (x) < (T)0.00390625                                                          \
         ? (x) * (1 + (x) * (x) * ((T)(-1.0 / 3) + (x) * (x) * ((T)(2.0 / 15)           \
                                   - (x) * (x) * (T)(17.0 / 315))))                      \
         : 1 - 2 / (1 + EXP(2 * (x))))
#define NPTORCH_SIGMOID(T, EXP, x) (1 / (1 + EXP(-(x))))

#define NPTORCH_RNN_ROWS(T, S, EXP)                                                     \
/* LSTM step: activate the gates i, f, g, o in place; c_next = f c_prev + i g,          \
 * h_next = o tanh(c_next). */                                                          \
NPTORCH_CLONES_AVX512 static void lstm_forward_row_##S(                                        \
        Py_ssize_t n, T *__restrict i, T *__restrict f, T *__restrict g, T *__restrict o,       \
        const T *__restrict c_prev, T *__restrict c_next, T *__restrict h_next)               \
{                                                                                       \
    for (Py_ssize_t k = 0; k < n; k++) {                                                \
        T ik = NPTORCH_SIGMOID(T, EXP, i[k]), fk = NPTORCH_SIGMOID(T, EXP, f[k]);       \
        T gk = NPTORCH_TANH(T, EXP, g[k]), ok = NPTORCH_SIGMOID(T, EXP, o[k]);          \
        T c = fk * c_prev[k] + ik * gk;                                                 \
        i[k] = ik; f[k] = fk; g[k] = gk; o[k] = ok;                                     \
        c_next[k] = c;                                                                  \
        h_next[k] = ok * NPTORCH_TANH(T, EXP, c);                                       \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* LSTM step backward, from the activated gates: dh holds the gradient of h_{t+1} from  \
 * later steps, dc that of c_{t+1}; dh_out, dc_out those of this step's outputs. Writes  \
 * the gate pre-activation gradients and leaves dc as the gradient of c_t. */           \
NPTORCH_CLONES_AVX512 static void lstm_backward_row_##S(                                       \
        Py_ssize_t n, const T *__restrict i, const T *__restrict f, const T *__restrict g,    \
        const T *__restrict o, const T *__restrict c_prev, const T *__restrict c_next,        \
        const T *__restrict dh_out, const T *__restrict dc_out, const T *__restrict dh,       \
        T *__restrict dc, T *__restrict di, T *__restrict df, T *__restrict dg, T *__restrict d_o) \
{                                                                                       \
    for (Py_ssize_t k = 0; k < n; k++) {                                                \
        T tc = NPTORCH_TANH(T, EXP, c_next[k]);                                         \
        T dht = dh[k] + dh_out[k];                                                      \
        T dct = dht * o[k] * (1 - tc * tc) + dc[k] + dc_out[k];                         \
        di[k] = dct * g[k] * i[k] * (1 - i[k]);                                         \
        df[k] = dct * c_prev[k] * f[k] * (1 - f[k]);                                    \
        dg[k] = dct * i[k] * (1 - g[k] * g[k]);                                         \
        d_o[k] = dht * tc * o[k] * (1 - o[k]);                                          \
        dc[k] = dct * f[k];                                                             \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* GRU step: r, z, nn hold the input side on entry and the activated gates on return;   \
 * hr, hz, hh_n the recurrent products W_h{r,z,n} h; hn = hh_n + b_hn is kept. */        \
NPTORCH_CLONES_AVX512 static void gru_forward_row_##S(                                         \
        Py_ssize_t n, T *__restrict r, T *__restrict z, T *__restrict nn, const T *__restrict hr, \
        const T *__restrict hz, const T *__restrict hh_n, const T *__restrict b_hn, T *__restrict hn, \
        const T *__restrict h_prev, T *__restrict h_next)                                   \
{                                                                                       \
    for (Py_ssize_t k = 0; k < n; k++) {                                                \
        T rk = NPTORCH_SIGMOID(T, EXP, r[k] + hr[k]);                                   \
        T zk = NPTORCH_SIGMOID(T, EXP, z[k] + hz[k]);                                   \
        T hnk = hh_n[k] + b_hn[k];                                                      \
        T a = nn[k] + rk * hnk;                                                         \
        T nk = NPTORCH_TANH(T, EXP, a);                                                 \
        r[k] = rk; z[k] = zk; nn[k] = nk; hn[k] = hnk;                                  \
        h_next[k] = nk + zk * (h_prev[k] - nk);                                         \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* GRU step backward: dh holds the gradient of h_{t+1} from later steps on entry and    \
 * dh_{t+1} z (the direct path to h_t) on return; writes the input-side gradients dr,   \
 * dz, dn and the recurrent side's n gradient dnh (its r and z equal dr and dz). */      \
NPTORCH_CLONES_AVX512 static void gru_backward_row_##S(                                        \
        Py_ssize_t n, const T *__restrict r, const T *__restrict z, const T *__restrict nn,   \
        const T *__restrict hn, const T *__restrict h_prev, const T *__restrict dh_out,       \
        T *__restrict dh, T *__restrict dr, T *__restrict dz, T *__restrict dn, T *__restrict dnh) \
{                                                                                       \
    for (Py_ssize_t k = 0; k < n; k++) {                                                \
        T dht = dh_out[k] + dh[k];                                                      \
        T d = dht * (1 - z[k]) * (1 - nn[k] * nn[k]);                                   \
        dr[k] = d * hn[k] * r[k] * (1 - r[k]);                                          \
        dz[k] = dht * (h_prev[k] - nn[k]) * z[k] * (1 - z[k]);                          \
        dn[k] = d;                                                                      \
        dnh[k] = d * r[k];                                                              \
        dh[k] = dht * z[k];                                                             \
    }                                                                                   \
}

NPTORCH_RNN_ROWS(float, f, nptorch_expf)
NPTORCH_RNN_ROWS(double, d, exp)

#endif
