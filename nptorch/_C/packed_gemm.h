/* The per-step matrix products of the recurrent time loops (rnn.pyx):
 * out (B, M) = a (B, K) @ w^T (+ a bias of M values), or out += that, for a small batch B and a
 * weight w (M, K) that every step of a sequence reuses.
 *
 * The weight is packed once per sequence into panels of NR rows of w, each stored (K, NR) so
 * that a step reads it in memory order. A register block of MR rows of `a` by one panel then
 * accumulates over K: per k, one broadcast of a[r, k] for each row and NR / LANES vector
 * multiply-adds. OpenBLAS packs its operands on every call and reaches 60-90% of this rate on
 * these shapes (B 32, K 256, M 1024, one core: 65 against 100-105 GFLOP/s).
 *
 * Vectors are simd_vectors.h's.
 *
 * Each function exists for float (suffix _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_PACKED_GEMM_H
#define NPTORCH_PACKED_GEMM_H

#include <string.h>
#include "cpu_clones.h"
#include "fastmath.h"  /* NPTORCH_ALWAYS_INLINE */
#include "simd_vectors.h"

/* rows of `a` per register block: 4 x 3 accumulators, 3 panel vectors and a broadcast in 16
 * vector registers. 12 independent multiply-add chains cover the FMA units' latency; at the
 * batch sizes that are multiples of 4 no rows are left for a narrower block (with 6 x 2, a
 * batch of 32 left a block of 2 rows running at half rate: 11% slower steps at B 32). */
#define NPTORCH_GEMM_MR 4

#define NPTORCH_PACKED_GEMM(T, S)                                                       \
enum { NPTORCH_NR_##S = 3 * NPTORCH_LANES(T) };  /* columns of out per panel */          \
                                                                                        \
/* Length of the packed form of an (M, K) weight: whole panels of NR * K, the last padded \
 * with zeros. */                                                                       \
static Py_ssize_t packed_length_##S(Py_ssize_t M, Py_ssize_t K)                         \
{                                                                                       \
    return (M + NPTORCH_NR_##S - 1) / NPTORCH_NR_##S * NPTORCH_NR_##S * K;              \
}                                                                                       \
                                                                                        \
/* packed[p, k, j] = w[p NR + j, k] (0 past row M), w's element [m, k] at                \
 * w[m * stride_m + k * stride_k]: a row-major w, or the transpose of one. The loops run \
 * along w's rows or its columns, whichever are contiguous. */                          \
static void pack_panels_##S(T *__restrict packed, const T *__restrict w, Py_ssize_t M,  \
                            Py_ssize_t K, Py_ssize_t stride_m, Py_ssize_t stride_k)     \
{                                                                                       \
    const Py_ssize_t nr = NPTORCH_NR_##S;                                               \
    for (Py_ssize_t m0 = 0; m0 < M; m0 += nr, packed += nr * K) {                       \
        Py_ssize_t cols = M - m0 < nr ? M - m0 : nr;                                    \
        const T *src = w + m0 * stride_m;                                               \
        if (cols < nr)                                                                  \
            memset(packed, 0, nr * K * sizeof(T));                                      \
        if (stride_k == 1) {                                                            \
            for (Py_ssize_t j = 0; j < cols; j++)                                       \
                for (Py_ssize_t k = 0; k < K; k++)                                      \
                    packed[k * nr + j] = src[j * stride_m + k];                         \
        } else {                                                                        \
            for (Py_ssize_t k = 0; k < K; k++)                                          \
                for (Py_ssize_t j = 0; j < cols; j++)                                   \
                    packed[k * nr + j] = src[j * stride_m + k * stride_k];              \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* out[0:mr, 0:cols] (row stride ldo) = or += bias[0:NR] + a[0:mr, :] (row stride lda) @ \
 * panel, with no bias where bias is NULL;                                              \
 * mr is a constant wherever this is inlined, so the loops over it unroll and the        \
 * accumulators stay in registers. */                                                   \
NPTORCH_ALWAYS_INLINE void packed_block_##S(                                            \
        const int mr, Py_ssize_t K, const T *__restrict a, Py_ssize_t lda,              \
        const T *__restrict panel, const T *__restrict bias, T *__restrict out,         \
        Py_ssize_t ldo, int cols, int accumulate)                                       \
{                                                                                       \
    enum { NR = NPTORCH_NR_##S, L = NPTORCH_LANES(T), NV = NR / L };                    \
    const nptorch_vec_##S zero = {0};                                                   \
    nptorch_vec_##S start[NV];                                                          \
    for (int v = 0; v < NV; v++)                                                        \
        start[v] = bias ? *(const nptorch_vec_##S *)(bias + v * L) : zero;              \
    nptorch_vec_##S acc[NPTORCH_GEMM_MR][NV];                                           \
    for (int r = 0; r < mr; r++)                                                        \
        for (int v = 0; v < NV; v++)                                                    \
            acc[r][v] = start[v];                                                       \
    for (Py_ssize_t k = 0; k < K; k++) {                                                \
        nptorch_vec_##S w[NV];                                                          \
        for (int v = 0; v < NV; v++)                                                    \
            w[v] = *(const nptorch_vec_##S *)(panel + k * NR + v * L);                  \
        for (int r = 0; r < mr; r++) {                                                  \
            T s = a[r * lda + k];                                                       \
            for (int v = 0; v < NV; v++)                                                \
                acc[r][v] += s * w[v];                                                  \
        }                                                                               \
    }                                                                                   \
    for (int r = 0; r < mr; r++) {                                                      \
        T *row = out + r * ldo;                                                         \
        if (cols == NR) {                                                               \
            for (int v = 0; v < NV; v++) {                                              \
                nptorch_vec_##S *dst = (nptorch_vec_##S *)(row + v * L);                \
                *dst = accumulate ? *dst + acc[r][v] : acc[r][v];                       \
            }                                                                           \
        } else {  /* the zero-padded last panel */                                      \
            T block[NR];                                                                \
            memcpy(block, acc[r], sizeof block);                                        \
            for (int j = 0; j < cols; j++)                                              \
                row[j] = accumulate ? row[j] + block[j] : block[j];                     \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* out (B, M, row stride ldo) = bias + a (B, K, row stride lda) @ w^T, or += with         \
 * accumulate; packed is w (M, K) by pack_panels; bias (M) or NULL. */                  \
NPTORCH_CLONES static void packed_product_##S(                                          \
        Py_ssize_t B, Py_ssize_t M, Py_ssize_t K, const T *a, Py_ssize_t lda,           \
        const T *packed, const T *bias, T *out, Py_ssize_t ldo, int accumulate)         \
{                                                                                       \
    const Py_ssize_t nr = NPTORCH_NR_##S, mr = NPTORCH_GEMM_MR;                         \
    T padded_bias[NPTORCH_NR_##S];                                                      \
    for (Py_ssize_t m0 = 0; m0 < M; m0 += nr, packed += nr * K) {                       \
        const int cols = M - m0 < nr ? (int)(M - m0) : (int)nr;                         \
        const T *pb = bias ? bias + m0 : NULL;                                          \
        if (pb && cols < nr) {  /* the last panel's bias, zero-padded like the panel */ \
            memset(padded_bias, 0, sizeof padded_bias);                                 \
            memcpy(padded_bias, pb, cols * sizeof(T));                                  \
            pb = padded_bias;                                                           \
        }                                                                               \
        Py_ssize_t b = 0;                                                               \
        for (; b + mr <= B; b += mr)                                                    \
            packed_block_##S(NPTORCH_GEMM_MR, K, a + b * lda, lda, packed, pb,          \
                             out + b * ldo + m0, ldo, cols, accumulate);                \
        const T *ab = a + b * lda;                                                      \
        T *ob = out + b * ldo + m0;                                                     \
        switch (B - b) {  /* constant row counts: each case is unrolled */              \
        case 1: packed_block_##S(1, K, ab, lda, packed, pb, ob, ldo, cols, accumulate); break; \
        case 2: packed_block_##S(2, K, ab, lda, packed, pb, ob, ldo, cols, accumulate); break; \
        case 3: packed_block_##S(3, K, ab, lda, packed, pb, ob, ldo, cols, accumulate); break; \
        }                                                                               \
    }                                                                                   \
}

NPTORCH_PACKED_GEMM(float, f)
NPTORCH_PACKED_GEMM(double, d)

#endif
