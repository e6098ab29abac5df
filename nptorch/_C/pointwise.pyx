"""ReLU, its gradient and the scaled add over flat contiguous arrays: twins of
``nptorch._ops.reference.ArrayOps.relu`` / ``relu_backward`` / ``add_scaled``. Imports nothing from
nptorch; ``nptorch._ops.cython_ops`` checks sizes and dtypes before these run.

NumPy's ``maximum(x, 0)`` takes its slow path for a scalar operand (about 4x a copy); these are
single passes that gcc vectorises (compare-and-mask, no branch).
"""
from cython cimport floating

EXTENSION_ABI = 11


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
