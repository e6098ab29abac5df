/* Vectorisable expf for the compiled kernels.
 *
 * glibc's expf is a scalar call, so a loop that uses it cannot be vectorised; this one is
 * branch-free arithmetic (Cephes' range reduction and polynomial, within 2 ulp of expf on
 * [-87, 88]), so gcc turns loops over it into SIMD code. Inputs are clamped to [-87, 88]:
 * below, the result is ~1e-38 instead of a denormal; above, ~1.7e38 instead of inf.
 */
#ifndef NPTORCH_FASTMATH_H
#define NPTORCH_FASTMATH_H

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
/* inlined even into the AVX2 clones of rnn_rows.h, whose loops otherwise stay scalar */
#define NPTORCH_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define NPTORCH_ALWAYS_INLINE static inline
#endif

NPTORCH_ALWAYS_INLINE float nptorch_expf(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    /* n = round(x / ln 2), by the magic-number trick (no call, no branch) */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;  /* 2^n as a float's bit pattern */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

#endif
