/* Vectors of 32 bytes for the compiled kernels: GCC's vector extension (gcc and clang: AVX2 +
 * FMA in the x86-64-v3 clone of cpu_clones.h, SSE2 or NEON elsewhere). Other compilers get
 * one-lane "vectors": the same code, correct but slow.
 */
#ifndef NPTORCH_SIMD_VECTORS_H
#define NPTORCH_SIMD_VECTORS_H

#include <stdint.h>

#if defined(__GNUC__)
/* aligned(sizeof(T)): loads and stores at any element */
typedef float nptorch_vec_f __attribute__((vector_size(32), aligned(4)));
typedef double nptorch_vec_d __attribute__((vector_size(32), aligned(8)));
/* the same lanes as integers, for masks: (nptorch_bits_f)v reinterprets v's bits */
typedef int32_t nptorch_bits_f __attribute__((vector_size(32), aligned(4)));
typedef int64_t nptorch_bits_d __attribute__((vector_size(32), aligned(8)));
#define NPTORCH_LANES(T) (32 / (int)sizeof(T))
/* v with the lanes where `mask` (a bits vector) is 0 zeroed */
#define NPTORCH_MASKED(S, v, mask) ((nptorch_vec_##S)((nptorch_bits_##S)(v) & (mask)))
#else
typedef float nptorch_vec_f;
typedef double nptorch_vec_d;
typedef int32_t nptorch_bits_f;
typedef int64_t nptorch_bits_d;
#define NPTORCH_LANES(T) 1
/* one lane, never masked off (a cast to an integer would convert the value, not its bits) */
#define NPTORCH_MASKED(S, v, mask) (v)
#endif

#endif
