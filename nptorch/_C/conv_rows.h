/* Row loops of im2col / col2im (conv.pyx) for a window at horizontal stride 1: `rows` rows of
 * `width` values, x_stride apart in the image and col_stride apart in the columns.
 *
 * Convolution rows are short (LeNet's second layer: 10 values), so that the cost is in the calls
 * and loop control, not in the copy (a memcpy per row was 2x slower, a loop whose pointers may
 * alias, Cython's, 1.7x). The gather inlines into its caller and copies 32-byte vectors, the
 * last one overlapping the one before; the scatter-add, whose vectors cannot overlap, is a
 * restrict loop that gcc vectorizes, cloned for AVX2 (cpu_clones.h). Each function exists for
 * float (suffix _f) and double (_d); one macro writes both.
 */
#ifndef NPTORCH_CONV_ROWS_H
#define NPTORCH_CONV_ROWS_H

#include <string.h>
#include "cpu_clones.h"

#define NPTORCH_CONV_VECTOR_BYTES 32

#define NPTORCH_CONV_ROWS(T, S)                                                         \
/* col[r * col_stride + i] = x[r * x_stride + i] */                                    \
static inline void gather_rows_##S(Py_ssize_t rows, Py_ssize_t width,                  \
                                   const T *__restrict x, Py_ssize_t x_stride,          \
                                   T *__restrict col, Py_ssize_t col_stride)            \
{                                                                                       \
    enum { lanes = NPTORCH_CONV_VECTOR_BYTES / sizeof(T) };                             \
    if (width >= lanes && width <= 2 * lanes) {  /* LeNet's rows: no inner loop */       \
        for (Py_ssize_t r = 0; r < rows; r++, x += x_stride, col += col_stride) {       \
            memcpy(col, x, NPTORCH_CONV_VECTOR_BYTES);                                  \
            memcpy(col + width - lanes, x + width - lanes, NPTORCH_CONV_VECTOR_BYTES);  \
        }                                                                               \
        return;                                                                         \
    }                                                                                   \
    for (Py_ssize_t r = 0; r < rows; r++, x += x_stride, col += col_stride) {           \
        if (width < lanes) {                                                            \
            for (Py_ssize_t i = 0; i < width; i++)                                      \
                col[i] = x[i];                                                          \
            continue;                                                                   \
        }                                                                               \
        for (Py_ssize_t i = 0; i + lanes < width; i += lanes)                           \
            memcpy(col + i, x + i, NPTORCH_CONV_VECTOR_BYTES);                          \
        memcpy(col + width - lanes, x + width - lanes, NPTORCH_CONV_VECTOR_BYTES);      \
    }                                                                                   \
}                                                                                       \
                                                                                        \
/* x[r * x_stride + i] += col[r * col_stride + i] */                                   \
NPTORCH_CLONES static void scatter_add_rows_##S(Py_ssize_t rows, Py_ssize_t width,     \
                                                const T *__restrict col,                \
                                                Py_ssize_t col_stride, T *__restrict x, \
                                                Py_ssize_t x_stride)                    \
{                                                                                       \
    for (Py_ssize_t r = 0; r < rows; r++, x += x_stride, col += col_stride)             \
        for (Py_ssize_t i = 0; i < width; i++)                                          \
            x[i] += col[i];                                                             \
}

NPTORCH_CONV_ROWS(float, f)
NPTORCH_CONV_ROWS(double, d)

#endif
