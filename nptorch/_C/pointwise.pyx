"""ReLU, its gradient, the scaled add and Adam's update over flat contiguous arrays: twins of
``nptorch._ops.reference.ArrayOps.relu`` / ``relu_backward`` / ``add_scaled`` /
``adam_update``. Imports nothing from
nptorch; ``nptorch._ops.cython_ops`` checks sizes and dtypes before these run.

NumPy's ``maximum(x, 0)`` takes its slow path for a scalar operand (about 4x a copy); these are
single passes that gcc vectorises (compare-and-mask, no branch).
"""
from cython cimport floating

cdef extern from "adam_rows.h" nogil:
    void adam_rows_f(Py_ssize_t n, float* p, const float* g, float* m, float* v, float* max_sq,
                     float w, int from_m, float rest, float beta2, float c2, float bc2,
                     float eps, float neg_step)
    void adam_rows_d(Py_ssize_t n, double* p, const double* g, double* m, double* v,
                     double* max_sq, double w, int from_m, double rest, double beta2, double c2,
                     double bc2, double eps, double neg_step)

EXTENSION_ABI = 12


def relu(const floating[::1] x, floating[::1] y):
    """y = max(x, 0), NaN kept."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(x.shape[0]):
            y[i] = 0 if x[i] <= 0 else x[i]


def relu_backward(const floating[:] gy, const floating[::1] y, floating[::1] gx):
    """gx = gy where y > 0, else 0 (a NaN or infinite gy included); gy is contiguous or one
    value broadcast (stride 0), as the gradient of a sum is."""
    cdef Py_ssize_t i
    cdef floating g
    if gy.strides[0] == 0:
        g = gy[0]
        with nogil:
            for i in range(y.shape[0]):
                gx[i] = g if y[i] > 0 else 0
        return
    cdef const floating* gp = &gy[0]
    with nogil:
        for i in range(y.shape[0]):
            g = gp[i]  # loaded unconditionally, so that the select vectorises
            gx[i] = g if y[i] > 0 else 0


def add_scaled(floating[::1] dst, const floating[::1] src, floating alpha):
    """dst += alpha * src, with no temporary (src does not overlap dst). A loop of this thread:
    BLAS's axpy would wake a second thread pool (SciPy's OpenBLAS), which spins against NumPy's
    between the products of a training step (4x the MLP step's time on two cores)."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(dst.shape[0]):
            dst[i] += alpha * src[i]


def adam_update(floating[::1] param, const floating[::1] grad, floating[::1] exp_avg,
                floating[::1] exp_avg_sq, floating[::1] max_exp_avg_sq, double beta1,
                double beta2, double step_size, double bias_correction2_sqrt, double eps):
    """One Adam update in place (``ArrayOps.adam_update``); ``max_exp_avg_sq`` is None without
    AMSGrad. The numbers are rounded to the arrays' type as NumPy rounds Python numbers."""
    cdef double w = 1 - beta1
    cdef floating* max_sq = NULL if max_exp_avg_sq is None else &max_exp_avg_sq[0]
    cdef Py_ssize_t n = param.shape[0]
    if n == 0:
        return
    with nogil:
        if floating is float:
            adam_rows_f(n, &param[0], &grad[0], &exp_avg[0], &exp_avg_sq[0], max_sq, w,
                        abs(w) < 0.5, 1 - w, beta2, 1 - beta2, bias_correction2_sqrt, eps,
                        -step_size)
        else:
            adam_rows_d(n, &param[0], &grad[0], &exp_avg[0], &exp_avg_sq[0], max_sq, w,
                        abs(w) < 0.5, 1 - w, beta2, 1 - beta2, bias_correction2_sqrt, eps,
                        -step_size)
