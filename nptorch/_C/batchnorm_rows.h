/* Row loops of the batch-norm kernels (batchnorm.pyx) on n contiguous values of one channel.
 *
 * A sum runs in NPTORCH_BN_LANES float (or double) partial sums, which gcc turns into a few
 * independent SIMD accumulators without reordering anything (a single running sum is bound by
 * the latency of one add); every NPTORCH_BN_BLOCK values the partial sums go into a double, so
 * that long rows lose no precision. Each function is cloned for AVX2 + FMA (cpu_clones.h).
 *
 * Each function exists for float (suffix _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_BATCHNORM_ROWS_H
#define NPTORCH_BATCHNORM_ROWS_H

#include "cpu_clones.h"

#define NPTORCH_BN_LANES 32
#define NPTORCH_BN_BLOCK 2048

/* sums[0] += sum(a), sums[1] += sum(a * b) over i < n, with a = A and b = B at index i */
#define NPTORCH_BN_TWO_SUMS(T, A, B)                                                    \
    for (Py_ssize_t start = 0; start < n; start += NPTORCH_BN_BLOCK) {                  \
        Py_ssize_t end = start + NPTORCH_BN_BLOCK < n ? start + NPTORCH_BN_BLOCK : n;   \
        T s1[NPTORCH_BN_LANES] = {0}, s2[NPTORCH_BN_LANES] = {0};                       \
        Py_ssize_t i = start;                                                           \
        for (; i + NPTORCH_BN_LANES <= end; i += NPTORCH_BN_LANES) {                    \
            for (int j = 0; j < NPTORCH_BN_LANES; j++) {                                \
                T a = (A), b = (B);                                                     \
                s1[j] += a;                                                             \
                s2[j] += a * b;                                                         \
            }                                                                           \
        }                                                                               \
        for (int j = 0; i + j < end; j++) {                                             \
            T a = (A), b = (B);                                                         \
            s1[j] += a;                                                                 \
            s2[j] += a * b;                                                             \
        }                                                                               \
        for (int j = 0; j < NPTORCH_BN_LANES; j++) {                                    \
            sums[0] += s1[j];                                                           \
            sums[1] += s2[j];                                                           \
        }                                                                               \
    }

#define NPTORCH_BN_ROWS(T, S)                                                           \
/* sums[0] += sum(x - m), sums[1] += sum((x - m)^2) */                                  \
NPTORCH_CLONES static void bn_moments_##S(Py_ssize_t n, const T *__restrict x, T m,   \
                                             double *sums)                               \
{                                                                                       \
    NPTORCH_BN_TWO_SUMS(T, x[i + j] - m, x[i + j] - m)                                  \
}                                                                                       \
                                                                                        \
/* sums[0] += sum(g), sums[1] += sum(g * (x - m)) */                                    \
NPTORCH_CLONES static void bn_grad_sums_##S(Py_ssize_t n, const T *__restrict g,      \
                                               const T *__restrict x, T m, double *sums) \
{                                                                                       \
    NPTORCH_BN_TWO_SUMS(T, g[i + j], x[i + j] - m)                                      \
}                                                                                       \
                                                                                        \
/* y = (x - m) a + c */                                                                 \
NPTORCH_CLONES static void bn_affine_##S(Py_ssize_t n, const T *__restrict x, T m, T a,  \
                                            T c, T *__restrict y)                        \
{                                                                                       \
    for (Py_ssize_t i = 0; i < n; i++)                                                  \
        y[i] = (x[i] - m) * a + c;                                                      \
}                                                                                       \
                                                                                        \
/* gx = g a + (x - m) c + d */                                                          \
NPTORCH_CLONES static void bn_affine2_##S(Py_ssize_t n, const T *__restrict g,        \
                                             const T *__restrict x, T m, T a, T c, T d,  \
                                             T *__restrict gx)                           \
{                                                                                       \
    for (Py_ssize_t i = 0; i < n; i++)                                                  \
        gx[i] = g[i] * a + (x[i] - m) * c + d;                                          \
}

NPTORCH_BN_ROWS(float, f)
NPTORCH_BN_ROWS(double, d)

#endif
