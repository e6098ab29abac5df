/* Winograd F(2x2, 3x3) transforms of the tiles of one plane (winograd.pyx), a block of
 * NPTORCH_WINOGRAD_BLOCK consecutive tiles at a time, in segments of one tile row each.
 *
 * The arithmetic runs on arrays on the stack: a segment's input rows, and a block's 16
 * transformed values per tile, each a row; memcpy moves those rows to and from the 16 strided
 * rows of the transformed array. Done in place there, every store could alias the next loads as
 * far as gcc knows, and it left the loops scalar (4x slower). The plane functions are cloned for
 * AVX2 + FMA (cpu_clones.h; the segment functions inline into them), and every function exists
 * for float (suffix _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_WINOGRAD_TILES_H
#define NPTORCH_WINOGRAD_TILES_H

#include <string.h>
#include "cpu_clones.h"

#define NPTORCH_WINOGRAD_BLOCK 256

#if defined(__GNUC__)
#define NPTORCH_WINOGRAD_INLINE static inline __attribute__((always_inline))
#else
#define NPTORCH_WINOGRAD_INLINE static inline
#endif

static inline Py_ssize_t nptorch_min(Py_ssize_t a, Py_ssize_t b) { return a < b ? a : b; }

static inline Py_ssize_t nptorch_clamp(Py_ssize_t a, Py_ssize_t lo, Py_ssize_t hi)
{
    return a < lo ? lo : (a > hi ? hi : a);
}

/* The loop of a plane function over its tiles: blocks of BLOCK consecutive tiles t0 ..
 * t0 + count - 1 (t = th * TW + tw), each split into segments, the parts of one tile row:
 * nt tiles of row th from column tw0, starting at place tl of the block. BEFORE and AFTER run
 * around each block, SEGMENT on each segment. */
#define NPTORCH_WINOGRAD_FOR_BLOCKS(TH, TW, BEFORE, SEGMENT, AFTER)                     \
    for (Py_ssize_t t0 = 0; t0 < (TH) * (TW); t0 += NPTORCH_WINOGRAD_BLOCK) {           \
        Py_ssize_t count = nptorch_min(NPTORCH_WINOGRAD_BLOCK, (TH) * (TW) - t0);       \
        BEFORE;                                                                         \
        for (Py_ssize_t t = t0, nt; t < t0 + count; t += nt) {                          \
            Py_ssize_t th = t / (TW), tw0 = t % (TW), tl = t - t0;                      \
            nt = nptorch_min((TW) - tw0, t0 + count - t);                               \
            SEGMENT;                                                                    \
        }                                                                               \
        AFTER;                                                                          \
    }

#define NPTORCH_WINOGRAD_TILES(T, S)                                                    \
/* B^T d B of the 4x4 input blocks d of nt tiles of tile row th of the (H, W) plane x,   \
 * from tile column tw0, into out[xi][tl + tw]. */                                      \
NPTORCH_WINOGRAD_INLINE void winograd_input_segment_##S(                                \
        const T *x, T out[16][NPTORCH_WINOGRAD_BLOCK], Py_ssize_t H, Py_ssize_t W,       \
        Py_ssize_t PH, Py_ssize_t PW, Py_ssize_t th, Py_ssize_t tw0, Py_ssize_t nt,      \
        Py_ssize_t tl)                                                                  \
{                                                                                       \
    T rows[4][2 * NPTORCH_WINOGRAD_BLOCK + 2];                                          \
    Py_ssize_t Wp = 2 * nt + 2, c0 = 2 * tw0 - PW;  /* c0: the column of rows[.][0] */   \
    Py_ssize_t lo = nptorch_clamp(-c0, 0, Wp), hi = nptorch_clamp(W - c0, lo, Wp);      \
    for (int r = 0; r < 4; r++) {                   /* the input rows, zero-padded */   \
        Py_ssize_t ih = 2 * th - PH + r;                                                \
        memset(rows[r], 0, Wp * sizeof(T));                                             \
        if (ih >= 0 && ih < H && hi > lo)                                               \
            memcpy(rows[r] + lo, x + ih * W + c0 + lo, (hi - lo) * sizeof(T));          \
    }                                                                                   \
    for (Py_ssize_t j = 0; j < Wp; j++) {           /* B^T down the columns */          \
        T r0 = rows[0][j], r1 = rows[1][j], r2 = rows[2][j], r3 = rows[3][j];           \
        rows[0][j] = r0 - r2;                                                           \
        rows[1][j] = r1 + r2;                                                           \
        rows[2][j] = r2 - r1;                                                           \
        rows[3][j] = r1 - r3;                                                           \
    }                                                                                   \
    for (int r = 0; r < 4; r++) {                   /* then B along the rows */         \
        const T *a = rows[r];                                                           \
        T *o0 = out[4 * r] + tl, *o1 = out[4 * r + 1] + tl;                             \
        T *o2 = out[4 * r + 2] + tl, *o3 = out[4 * r + 3] + tl;                         \
        for (Py_ssize_t tw = 0; tw < nt; tw++) {                                        \
            o0[tw] = a[2 * tw] - a[2 * tw + 2];                                         \
            o1[tw] = a[2 * tw + 1] + a[2 * tw + 2];                                     \
            o2[tw] = a[2 * tw + 2] - a[2 * tw + 1];                                     \
            o3[tw] = a[2 * tw + 1] - a[2 * tw + 3];                                     \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* B^T d B of every tile of the (H, W) plane x into v[xi * stride + t]. */              \
NPTORCH_CLONES static void winograd_input_plane_##S(                                    \
        const T *x, T *v, Py_ssize_t H, Py_ssize_t W, Py_ssize_t TH, Py_ssize_t TW,      \
        Py_ssize_t PH, Py_ssize_t PW, Py_ssize_t stride)                                 \
{                                                                                       \
    T out[16][NPTORCH_WINOGRAD_BLOCK];                                                  \
    NPTORCH_WINOGRAD_FOR_BLOCKS(TH, TW, ,                                               \
        winograd_input_segment_##S(x, out, H, W, PH, PW, th, tw0, nt, tl),              \
        for (int k = 0; k < 16; k++)                                                    \
            memcpy(v + k * stride + t0, out[k], count * sizeof(T)))                     \
}                                                                                       \
                                                                                        \
/* A^T m A + bias of the products m = in[xi][tl + tw] of nt tiles of tile row th, from   \
 * tile column tw0, into their 2x2 blocks of the (OH, OW) plane y. */                   \
NPTORCH_WINOGRAD_INLINE void winograd_output_segment_##S(                               \
        T in[16][NPTORCH_WINOGRAD_BLOCK], T *y, Py_ssize_t OH, Py_ssize_t OW, T bias,    \
        Py_ssize_t th, Py_ssize_t tw0, Py_ssize_t nt, Py_ssize_t tl)                     \
{                                                                                       \
    T rows[2][2 * NPTORCH_WINOGRAD_BLOCK];                                              \
    for (Py_ssize_t tw = 0; tw < nt; tw++) {                                            \
        T u0[4], u1[4];                             /* A^T down the columns */          \
        for (int j = 0; j < 4; j++) {                                                   \
            u0[j] = in[j][tl + tw] + in[4 + j][tl + tw] + in[8 + j][tl + tw];           \
            u1[j] = in[4 + j][tl + tw] - in[8 + j][tl + tw] - in[12 + j][tl + tw];      \
        }                                                                               \
        rows[0][2 * tw] = u0[0] + u0[1] + u0[2] + bias;   /* then A along the rows */   \
        rows[0][2 * tw + 1] = u0[1] - u0[2] - u0[3] + bias;                             \
        rows[1][2 * tw] = u1[0] + u1[1] + u1[2] + bias;                                 \
        rows[1][2 * tw + 1] = u1[1] - u1[2] - u1[3] + bias;                             \
    }                                                                                   \
    Py_ssize_t end = nptorch_clamp(OW - 2 * tw0, 0, 2 * nt);                            \
    for (int i = 0; i < 2 && 2 * th + i < OH; i++)                                      \
        memcpy(y + (2 * th + i) * OW + 2 * tw0, rows[i], end * sizeof(T));              \
}                                                                                       \
                                                                                        \
/* A^T m A + bias of every tile's products m (m[xi * stride + t]) into its 2x2 block of  \
 * the (OH, OW) plane y. */                                                             \
NPTORCH_CLONES static void winograd_output_plane_##S(                                   \
        const T *m, T *y, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t TH, Py_ssize_t TW,    \
        Py_ssize_t stride, T bias)                                                      \
{                                                                                       \
    T in[16][NPTORCH_WINOGRAD_BLOCK];                                                   \
    NPTORCH_WINOGRAD_FOR_BLOCKS(TH, TW,                                                 \
        for (int k = 0; k < 16; k++)                                                    \
            memcpy(in[k], m + k * stride + t0, count * sizeof(T)),                      \
        winograd_output_segment_##S(in, y, OH, OW, bias, th, tw0, nt, tl), )            \
}                                                                                       \
                                                                                        \
/* A e A^T of the 2x2 blocks e of nt tiles of tile row th of the (OH, OW) plane g (zero  \
 * past its edges), from tile column tw0, into out[xi][tl + tw]. */                     \
NPTORCH_WINOGRAD_INLINE void winograd_output_adjoint_segment_##S(                       \
        const T *g, T out[16][NPTORCH_WINOGRAD_BLOCK], Py_ssize_t OH, Py_ssize_t OW,     \
        Py_ssize_t th, Py_ssize_t tw0, Py_ssize_t nt, Py_ssize_t tl)                     \
{                                                                                       \
    T rows[2][2 * NPTORCH_WINOGRAD_BLOCK];                                              \
    Py_ssize_t end = nptorch_clamp(OW - 2 * tw0, 0, 2 * nt);                            \
    for (int i = 0; i < 2; i++) {                   /* the block's rows, zero-padded */ \
        memset(rows[i], 0, 2 * nt * sizeof(T));                                         \
        if (2 * th + i < OH && end > 0)                                                 \
            memcpy(rows[i], g + (2 * th + i) * OW + 2 * tw0, end * sizeof(T));          \
    }                                                                                   \
    for (Py_ssize_t tw = 0; tw < nt; tw++) {                                            \
        /* A e: rows e0, e0 + e1, e0 - e1, -e1; each row (p, q) -> (p, p + q, p - q, -q) */ \
        T p0 = rows[0][2 * tw], q0 = rows[0][2 * tw + 1];                               \
        T p3 = -rows[1][2 * tw], q3 = -rows[1][2 * tw + 1];                             \
        T p[4] = {p0, p0 - p3, p0 + p3, p3}, q[4] = {q0, q0 - q3, q0 + q3, q3};         \
        for (int r = 0; r < 4; r++) {                                                   \
            out[4 * r][tl + tw] = p[r];                                                 \
            out[4 * r + 1][tl + tw] = p[r] + q[r];                                      \
            out[4 * r + 2][tl + tw] = p[r] - q[r];                                      \
            out[4 * r + 3][tl + tw] = -q[r];                                            \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* A e A^T of every 2x2 block e of the (OH, OW) plane g (zero past its edges) into       \
 * v[xi * stride + t]: the adjoint of winograd_output_plane without its bias. */        \
NPTORCH_CLONES static void winograd_output_adjoint_plane_##S(                           \
        const T *g, T *v, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t TH, Py_ssize_t TW,    \
        Py_ssize_t stride)                                                              \
{                                                                                       \
    T out[16][NPTORCH_WINOGRAD_BLOCK];                                                  \
    NPTORCH_WINOGRAD_FOR_BLOCKS(TH, TW, ,                                               \
        winograd_output_adjoint_segment_##S(g, out, OH, OW, th, tw0, nt, tl),           \
        for (int k = 0; k < 16; k++)                                                    \
            memcpy(v + k * stride + t0, out[k], count * sizeof(T)))                     \
}

NPTORCH_WINOGRAD_TILES(float, f)
NPTORCH_WINOGRAD_TILES(double, d)

#endif
