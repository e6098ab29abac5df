/* Gate arithmetic of the LSTM/GRU kernels (rnn.pyx) on one row of n batch values.
 *
 * Plain loops over __restrict pointers, so that gcc vectorises every one of them; each
 * function is cloned for AVX2 + FMA (cpu_clones.h).
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
NPTORCH_CLONES static void lstm_forward_row_##S(                                        \
        Py_ssize_t n, T *__restrict i, T *__restrict f, T *__restrict g, T *__restrict o,       \
        const T *__restrict c_prev, T *__restrict c_next, T *__restrict h_next)               \
{                                                                                       \
    for (Py_ssize_t b = 0; b < n; b++) {                                                \
        T ib = NPTORCH_SIGMOID(T, EXP, i[b]), fb = NPTORCH_SIGMOID(T, EXP, f[b]);       \
        T gb = NPTORCH_TANH(T, EXP, g[b]), ob = NPTORCH_SIGMOID(T, EXP, o[b]);          \
        T c = fb * c_prev[b] + ib * gb;                                                 \
        i[b] = ib; f[b] = fb; g[b] = gb; o[b] = ob;                                     \
        c_next[b] = c;                                                                  \
        h_next[b] = ob * NPTORCH_TANH(T, EXP, c);                                       \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* LSTM step backward, from the activated gates: dh holds the gradient of h_{t+1} from  \
 * later steps, dc that of c_{t+1}; dh_out, dc_out those of this step's outputs. Writes  \
 * the gate pre-activation gradients and leaves dc as the gradient of c_t. */           \
NPTORCH_CLONES static void lstm_backward_row_##S(                                       \
        Py_ssize_t n, const T *__restrict i, const T *__restrict f, const T *__restrict g,    \
        const T *__restrict o, const T *__restrict c_prev, const T *__restrict c_next,        \
        const T *__restrict dh_out, const T *__restrict dc_out, const T *__restrict dh,       \
        T *__restrict dc, T *__restrict di, T *__restrict df, T *__restrict dg, T *__restrict d_o) \
{                                                                                       \
    for (Py_ssize_t b = 0; b < n; b++) {                                                \
        T tc = NPTORCH_TANH(T, EXP, c_next[b]);                                         \
        T dht = dh[b] + dh_out[b];                                                      \
        T dct = dht * o[b] * (1 - tc * tc) + dc[b] + dc_out[b];                         \
        di[b] = dct * g[b] * i[b] * (1 - i[b]);                                         \
        df[b] = dct * c_prev[b] * f[b] * (1 - f[b]);                                    \
        dg[b] = dct * i[b] * (1 - g[b] * g[b]);                                         \
        d_o[b] = dht * tc * o[b] * (1 - o[b]);                                          \
        dc[b] = dct * f[b];                                                             \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* GRU step: r, z, nn hold the input side on entry and the activated gates on return;   \
 * hr, hz, hh_n the recurrent products W_h{r,z,n} h; hn = hh_n + b_hn is kept. */        \
NPTORCH_CLONES static void gru_forward_row_##S(                                         \
        Py_ssize_t n, T *__restrict r, T *__restrict z, T *__restrict nn, const T *__restrict hr, \
        const T *__restrict hz, const T *__restrict hh_n, T b_hn, T *__restrict hn,           \
        const T *__restrict h_prev, T *__restrict h_next)                                   \
{                                                                                       \
    for (Py_ssize_t b = 0; b < n; b++) {                                                \
        T rb = NPTORCH_SIGMOID(T, EXP, r[b] + hr[b]);                                   \
        T zb = NPTORCH_SIGMOID(T, EXP, z[b] + hz[b]);                                   \
        T hnb = hh_n[b] + b_hn;                                                         \
        T a = nn[b] + rb * hnb;                                                         \
        T nb = NPTORCH_TANH(T, EXP, a);                                                 \
        r[b] = rb; z[b] = zb; nn[b] = nb; hn[b] = hnb;                                  \
        h_next[b] = nb + zb * (h_prev[b] - nb);                                         \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* GRU step backward: dh holds the gradient of h_{t+1} from later steps on entry and    \
 * dh_{t+1} z (the direct path to h_t) on return; writes the input-side gradients dr,   \
 * dz, dn and the recurrent side's n gradient dnh (its r and z equal dr and dz). */      \
NPTORCH_CLONES static void gru_backward_row_##S(                                        \
        Py_ssize_t n, const T *__restrict r, const T *__restrict z, const T *__restrict nn,   \
        const T *__restrict hn, const T *__restrict h_prev, const T *__restrict dh_out,       \
        T *__restrict dh, T *__restrict dr, T *__restrict dz, T *__restrict dn, T *__restrict dnh) \
{                                                                                       \
    for (Py_ssize_t b = 0; b < n; b++) {                                                \
        T dht = dh_out[b] + dh[b];                                                      \
        T d = dht * (1 - z[b]) * (1 - nn[b] * nn[b]);                                   \
        dr[b] = d * hn[b] * r[b] * (1 - r[b]);                                          \
        dz[b] = dht * (h_prev[b] - nn[b]) * z[b] * (1 - z[b]);                          \
        dn[b] = d;                                                                      \
        dnh[b] = d * r[b];                                                              \
        dh[b] = dht * z[b];                                                             \
    }                                                                                   \
}

NPTORCH_RNN_ROWS(float, f, nptorch_expf)
NPTORCH_RNN_ROWS(double, d, exp)

#endif
