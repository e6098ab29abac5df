/* 2x2 stride-2 max pooling of one plane (pool.pyx), an output row at a time.
 *
 * Written for gcc's vectoriser: the running maximum is updated by selects, and the winning
 * offset (0, 1, W or W + 1) is an int32 like the float lanes; widening it to int64 plane
 * indices is a second loop over a block. Cloned for AVX2 (cpu_clones.h): at SSE2 the selects
 * and the deinterleaving of the window pairs cost ~2x. Each function exists for float (suffix
 * _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_POOL_ROWS_H
#define NPTORCH_POOL_ROWS_H

#include <stdint.h>
#include "cpu_clones.h"

#define NPTORCH_POOL_BLOCK 256

/* a window value v replaces the running maximum when greater, or NaN (the last NaN wins) */
#define NPTORCH_POOL_TAKE(T, V, OFFSET)                                                 \
    {                                                                                   \
        T v = (V);                                                                      \
        int take = (v > best) | (v != v);                                               \
        best = take ? v : best;                                                         \
        arg = take ? (OFFSET) : arg;                                                    \
    }

#define NPTORCH_POOL_ROWS(T, S)                                                         \
/* One (H, W) plane x into y, idx (OH, OW), 2 OH <= H, 2 OW <= W */                     \
NPTORCH_CLONES static void max_plane_2x2_##S(const T *__restrict x, T *__restrict y,   \
                                             int64_t *__restrict idx, Py_ssize_t OH,    \
                                             Py_ssize_t OW, int32_t W)                  \
{                                                                                       \
    int32_t offset[NPTORCH_POOL_BLOCK];                                                 \
    for (Py_ssize_t oh = 0; oh < OH; oh++, y += OW, idx += OW) {                        \
        const T *r0 = x + 2 * oh * W, *r1 = r0 + W;                                     \
        int64_t first = 2 * oh * (int64_t)W;                                            \
        for (Py_ssize_t o0 = 0; o0 < OW; o0 += NPTORCH_POOL_BLOCK) {                    \
            Py_ssize_t n = OW - o0 < NPTORCH_POOL_BLOCK ? OW - o0 : NPTORCH_POOL_BLOCK; \
            const T *a = r0 + 2 * o0, *b = r1 + 2 * o0;                                 \
            for (Py_ssize_t ow = 0; ow < n; ow++) {                                     \
                T best = a[2 * ow];                                                     \
                int32_t arg = 0;                                                        \
                NPTORCH_POOL_TAKE(T, a[2 * ow + 1], 1)                                  \
                NPTORCH_POOL_TAKE(T, b[2 * ow], W)                                      \
                NPTORCH_POOL_TAKE(T, b[2 * ow + 1], W + 1)                              \
                y[o0 + ow] = best;                                                      \
                offset[ow] = arg;                                                       \
            }                                                                           \
            for (Py_ssize_t ow = 0; ow < n; ow++)                                       \
                idx[o0 + ow] = first + 2 * (o0 + ow) + (int64_t)offset[ow];             \
        }                                                                               \
    }                                                                                   \
}

NPTORCH_POOL_ROWS(float, f)
NPTORCH_POOL_ROWS(double, d)

#endif
