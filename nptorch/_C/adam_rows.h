/* The Adam update over n values (pointwise.pyx's adam_update), one pass where NumPy takes
 * eleven: per value, the moments, the AMSGrad maximum (when max_sq is not NULL), the
 * denominator and the parameter step, in the order of ArrayOps.adam_update. Cloned for AVX2
 * (cpu_clones.h): its square roots and divisions run eight at a time there. Each function
 * exists for float (suffix _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_ADAM_ROWS_H
#define NPTORCH_ADAM_ROWS_H

#include <math.h>
#include "cpu_clones.h"

#define NPTORCH_ADAM_ROWS(T, SQRT, S)                                                     \
/* m moves towards g by w (PyTorch's lerp: from g back by 1 - w when w >= 0.5); v decays by  \
 * beta2 and gains c2 g^2; p -= step * m / (sqrt(v, or its running maximum) / bc2 + eps). */ \
NPTORCH_CLONES static void adam_rows_##S(                                                 \
        Py_ssize_t n, T *__restrict p, const T *__restrict g, T *__restrict m,            \
        T *__restrict v, T *__restrict max_sq, T w, int from_m, T rest, T beta2, T c2,     \
        T bc2, T eps, T neg_step)                                                         \
{                                                                                         \
    for (Py_ssize_t i = 0; i < n; i++) {                                                  \
        T d = g[i] - m[i];                                                                \
        T mi = from_m ? m[i] + d * w : g[i] - d * rest;                                   \
        T vi = v[i] * beta2 + g[i] * c2 * g[i];                                           \
        m[i] = mi;                                                                        \
        v[i] = vi;                                                                        \
        if (max_sq) {  /* NaN propagates, as in maximum */                                \
            T x = max_sq[i];                                                              \
            vi = x > vi || x != x ? x : vi;                                               \
            max_sq[i] = vi;                                                               \
        }                                                                                 \
        p[i] += mi * neg_step / (SQRT(vi) / bc2 + eps);                                   \
    }                                                                                     \
}

NPTORCH_ADAM_ROWS(float, sqrtf, f)
NPTORCH_ADAM_ROWS(double, sqrt, d)

#endif
