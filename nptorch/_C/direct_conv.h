/* Direct convolution of images with few channels (direct_conv.pyx): stride 1, no dilation, one
 * group. Their im2col columns hold C*KH*KW values per output place, and a product with O small
 * reads each column value for only O multiply-adds: LeNet's first layer (1 -> 6 channels, 5x5)
 * spent more time writing and reading columns than multiplying. Here each output row is
 * computed from the zero-padded image in registers.
 *
 * Per image, `pad` is the (C, Hp, Wp) zero-padded copy of its planes, Hp = OH + KH - 1 rows
 * and Wp = OWr + KW - 1 columns, OWr being OW rounded up to whole vectors (or more), so that
 * vector loads past the last output column stay inside it. Weights are (Opad, C, KH, KW), Opad a
 * multiple of NPTORCH_DIRECT_OB with zero rows past O.
 *
 * Each function exists for float (suffix _f) and double (_d), I being the integer of a lane's
 * size; one macro writes both.
 */
#ifndef NPTORCH_DIRECT_CONV_H
#define NPTORCH_DIRECT_CONV_H

#include <string.h>
#include "cpu_clones.h"
#include "fastmath.h"  /* NPTORCH_ALWAYS_INLINE */
#include "simd_vectors.h"

/* Register blocks: 3 output channels by 4 vectors of a row (forward), or by 4 kernel columns
 * (weight gradient): 12 accumulators, with the loaded vectors in 16 registers. */
#define NPTORCH_DIRECT_OB 3
#define NPTORCH_DIRECT_VB 4

#define NPTORCH_DIRECT_CONV(T, I, S)                                                        \
/* pad (C, Hp, Wp) = the planes x (C, H, W) with PH rows and PW columns of zeros before,    \
 * zeros after */                                                                         \
static void pad_planes_##S(const T *x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,         \
                           Py_ssize_t PH, Py_ssize_t PW, T *pad, Py_ssize_t Hp,          \
                           Py_ssize_t Wp)                                                 \
{                                                                                         \
    memset(pad, 0, C * Hp * Wp * sizeof(T));                                              \
    for (Py_ssize_t c = 0; c < C; c++)                                                    \
        for (Py_ssize_t r = 0; r < H; r++)                                                \
            memcpy(pad + (c * Hp + PH + r) * Wp + PW, x + (c * H + r) * W, W * sizeof(T)); \
}                                                                                         \
                                                                                          \
/* y[o, 0:cols] (row stride ystride) for o < outs = bias[o] + the products of nv vectors of \
 * one output row, read from pad (C planes of `plane` values, rows Wp apart) at the row's   \
 * first window, with w at the block's first output channel (rows CKK apart). nv is a       \
 * constant wherever this is inlined, so the accumulators stay in registers. */           \
NPTORCH_ALWAYS_INLINE void direct_forward_block_##S(                                      \
        const int nv, const T *__restrict pad, Py_ssize_t C, Py_ssize_t plane,            \
        Py_ssize_t Wp, Py_ssize_t KH, Py_ssize_t KW, const T *__restrict w,              \
        const T *__restrict bias, int outs, T *__restrict y, Py_ssize_t ystride, int cols) \
{                                                                                         \
    enum { L = NPTORCH_LANES(T), OB = NPTORCH_DIRECT_OB, VB = NPTORCH_DIRECT_VB };        \
    const Py_ssize_t CKK = C * KH * KW;                                                   \
    const nptorch_vec_##S zero = {0};                                                     \
    nptorch_vec_##S acc[OB][VB];                                                          \
    for (int o = 0; o < OB; o++)                                                          \
        for (int v = 0; v < nv; v++)                                                      \
            acc[o][v] = zero + bias[o];                                                   \
    for (Py_ssize_t c = 0; c < C; c++)                                                    \
        for (Py_ssize_t kh = 0; kh < KH; kh++) {                                          \
            const T *row = pad + c * plane + kh * Wp;                                     \
            const T *wk = w + (c * KH + kh) * KW;                                         \
            for (Py_ssize_t kw = 0; kw < KW; kw++) {                                      \
                nptorch_vec_##S xv[VB];                                                   \
                for (int v = 0; v < nv; v++)                                              \
                    xv[v] = *(const nptorch_vec_##S *)(row + kw + v * L);                 \
                for (int o = 0; o < OB; o++) {                                            \
                    T s = wk[o * CKK + kw];                                               \
                    for (int v = 0; v < nv; v++)                                          \
                        acc[o][v] += s * xv[v];                                           \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    for (int o = 0; o < OB && o < outs; o++)                                              \
        for (int v = 0; v < nv; v++) {                                                    \
            T *dst = y + o * ystride + v * L;                                             \
            if ((v + 1) * L <= cols)                                                      \
                *(nptorch_vec_##S *)dst = acc[o][v];                                      \
            else                                                                          \
                memcpy(dst, &acc[o][v], (cols - v * L) * sizeof(T));                      \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* y (O, OH, OW) = bias + the convolution of one padded image with w (see above); bias has  \
 * Opad values. */                                                                        \
NPTORCH_CLONES static void direct_forward_##S(                                            \
        const T *pad, Py_ssize_t C, Py_ssize_t Hp, Py_ssize_t Wp, const T *w,             \
        const T *bias, Py_ssize_t O, Py_ssize_t KH, Py_ssize_t KW, T *y, Py_ssize_t OH,   \
        Py_ssize_t OW)                                                                    \
{                                                                                         \
    enum { L = NPTORCH_LANES(T), OB = NPTORCH_DIRECT_OB, VB = NPTORCH_DIRECT_VB };        \
    const Py_ssize_t plane = Hp * Wp, CKK = C * KH * KW;                                  \
    for (Py_ssize_t o0 = 0; o0 < O; o0 += OB) {                                           \
        const int outs = O - o0 < OB ? (int)(O - o0) : OB;                                \
        for (Py_ssize_t i = 0; i < OH; i++)                                               \
            for (Py_ssize_t j = 0; j < OW; j += VB * L) {                                 \
                const int cols = OW - j < VB * L ? (int)(OW - j) : VB * L;                \
                const T *p = pad + i * Wp + j;                                            \
                T *out = y + (o0 * OH + i) * OW + j;                                      \
                switch ((cols + L - 1) / L) {  /* constant vector counts: unrolled */     \
                case 1: direct_forward_block_##S(1, p, C, plane, Wp, KH, KW, w + o0 * CKK, \
                                                 bias + o0, outs, out, OH * OW, cols);    \
                        break;                                                            \
                case 2: direct_forward_block_##S(2, p, C, plane, Wp, KH, KW, w + o0 * CKK, \
                                                 bias + o0, outs, out, OH * OW, cols);    \
                        break;                                                            \
                case 3: direct_forward_block_##S(3, p, C, plane, Wp, KH, KW, w + o0 * CKK, \
                                                 bias + o0, outs, out, OH * OW, cols);    \
                        break;                                                            \
                default: direct_forward_block_##S(4, p, C, plane, Wp, KH, KW,             \
                                                  w + o0 * CKK, bias + o0, outs, out,     \
                                                  OH * OW, cols);                         \
                }                                                                         \
            }                                                                             \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* gw[o, k] (o < OB, k < nk; rows CKK apart) += sum over rows i and columns j of            \
 * g[o, i, j] * x[i, j + k], for OB gradient planes g (OH, OWr; `gplane` values apart, zero \
 * past column OW) and one padded plane x at the block's first kernel row and column (rows  \
 * Wp apart). The last vector of a row reads x through `tail`, as zero past column OW: x    \
 * there may be inf or NaN, which times a zero of g would not be zero. nk is a constant     \
 * wherever this is inlined, so the accumulators stay in registers. */                    \
NPTORCH_ALWAYS_INLINE void direct_weight_block_##S(                                       \
        const int nk, const T *__restrict x, Py_ssize_t Wp, const T *__restrict g,        \
        Py_ssize_t gplane, Py_ssize_t OH, Py_ssize_t OWr, Py_ssize_t OWv,                  \
        const nptorch_bits_##S tail, T *__restrict gw, Py_ssize_t CKK)                    \
{                                                                                         \
    enum { L = NPTORCH_LANES(T), OB = NPTORCH_DIRECT_OB, VB = NPTORCH_DIRECT_VB };        \
    const nptorch_vec_##S zero = {0};                                                     \
    const nptorch_bits_##S none = {0}, all = ~none;                                       \
    nptorch_vec_##S acc[OB][VB];                                                          \
    for (int o = 0; o < OB; o++)                                                          \
        for (int k = 0; k < nk; k++)                                                      \
            acc[o][k] = zero;                                                             \
    for (Py_ssize_t i = 0; i < OH; i++) {                                                 \
        const T *xr = x + i * Wp, *gr = g + i * OWr;                                      \
        for (Py_ssize_t j = 0; j < OWv; j += L) {                                         \
            const nptorch_bits_##S mask = j + L < OWv ? all : tail;                       \
            nptorch_vec_##S gv[OB];                                                       \
            for (int o = 0; o < OB; o++)                                                  \
                gv[o] = *(const nptorch_vec_##S *)(gr + o * gplane + j);                  \
            for (int k = 0; k < nk; k++) {                                                \
                nptorch_vec_##S xv = *(const nptorch_vec_##S *)(xr + j + k);              \
                xv = NPTORCH_MASKED(S, xv, mask);                                         \
                for (int o = 0; o < OB; o++)                                              \
                    acc[o][k] += gv[o] * xv;                                              \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
    for (int o = 0; o < OB; o++)                                                          \
        for (int k = 0; k < nk; k++) {                                                    \
            T lanes[L], sum = 0;                                                          \
            memcpy(lanes, &acc[o][k], sizeof lanes);                                      \
            for (int l = 0; l < L; l++)                                                   \
                sum += lanes[l];                                                          \
            gw[o * CKK + k] += sum;                                                       \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* gw (Opad, C, KH, KW) += the weight gradient of one padded image given g (Opad, OH, OWr), \
 * its output gradient zero-padded to whole vectors of columns and to Opad planes. */     \
NPTORCH_CLONES static void direct_weight_##S(                                             \
        const T *pad, Py_ssize_t C, Py_ssize_t Hp, Py_ssize_t Wp, const T *g,             \
        Py_ssize_t Opad, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t OWr, Py_ssize_t KH,     \
        Py_ssize_t KW, T *gw)                                                             \
{                                                                                         \
    enum { L = NPTORCH_LANES(T), OB = NPTORCH_DIRECT_OB, VB = NPTORCH_DIRECT_VB };        \
    const Py_ssize_t OWv = (OW + L - 1) / L * L, gplane = OH * OWr, CKK = C * KH * KW;    \
    /* all ones in the lanes of a row's last vector that are before column OW */          \
    I tail_lanes[L];                                                                      \
    for (int l = 0; l < L; l++)                                                           \
        tail_lanes[l] = l < OW - (OWv - L) ? -1 : 0;                                      \
    nptorch_bits_##S tail;                                                                \
    memcpy(&tail, tail_lanes, sizeof tail);                                               \
    for (Py_ssize_t o0 = 0; o0 < Opad; o0 += OB)                                          \
        for (Py_ssize_t c = 0; c < C; c++)                                                \
            for (Py_ssize_t kh = 0; kh < KH; kh++)                                        \
                for (Py_ssize_t kw = 0; kw < KW; kw += VB) {                              \
                    const T *x = pad + (c * Hp + kh) * Wp + kw;                           \
                    const T *go = g + o0 * gplane;                                        \
                    T *out = gw + o0 * CKK + (c * KH + kh) * KW + kw;                     \
                    switch (KW - kw < VB ? KW - kw : VB) {  /* unrolled, as above */      \
                    case 1: direct_weight_block_##S(1, x, Wp, go, gplane, OH, OWr, OWv, tail, \
                                                    out, CKK);                            \
                            break;                                                        \
                    case 2: direct_weight_block_##S(2, x, Wp, go, gplane, OH, OWr, OWv, tail, \
                                                    out, CKK);                            \
                            break;                                                        \
                    case 3: direct_weight_block_##S(3, x, Wp, go, gplane, OH, OWr, OWv, tail, \
                                                    out, CKK);                            \
                            break;                                                        \
                    default: direct_weight_block_##S(4, x, Wp, go, gplane, OH, OWr, OWv, tail,\
                                                     out, CKK);                           \
                    }                                                                     \
                }                                                                         \
}

NPTORCH_DIRECT_CONV(float, int32_t, f)
NPTORCH_DIRECT_CONV(double, int64_t, d)

#endif
