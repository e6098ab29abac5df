"""Direct convolution of images with few channels: the forward pass and the weight gradient at
stride 1, without dilation, in one group (direct_conv.h). Imports nothing from nptorch; every
shape is checked by ``nptorch._ops.direct_conv`` before these run.

Images are split into ``len(pads)`` runs of consecutive images, one per parallel task, each
with its own scratch: ``pads[t]`` holds a zero-padded image (C, OH + KH - 1, OWr + KW - 1)
and ``grads[t]`` a padded output gradient (Opad, OH, OWr), OWr being OW rounded up to whole
32-byte vectors; see direct_conv.h.
"""
from cython cimport floating
from cython.parallel cimport prange
from libc.string cimport memcpy

cdef extern from "direct_conv.h" nogil:
    enum:
        NPTORCH_DIRECT_OB
    void pad_planes_f(const float* x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W, Py_ssize_t PH,
                      Py_ssize_t PW, float* pad, Py_ssize_t Hp, Py_ssize_t Wp)
    void pad_planes_d(const double* x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W, Py_ssize_t PH,
                      Py_ssize_t PW, double* pad, Py_ssize_t Hp, Py_ssize_t Wp)
    void direct_forward_f(const float* pad, Py_ssize_t C, Py_ssize_t Hp, Py_ssize_t Wp,
                          const float* w, const float* bias, Py_ssize_t O, Py_ssize_t KH,
                          Py_ssize_t KW, float* y, Py_ssize_t OH, Py_ssize_t OW)
    void direct_forward_d(const double* pad, Py_ssize_t C, Py_ssize_t Hp, Py_ssize_t Wp,
                          const double* w, const double* bias, Py_ssize_t O, Py_ssize_t KH,
                          Py_ssize_t KW, double* y, Py_ssize_t OH, Py_ssize_t OW)
    void direct_weight_f(const float* pad, Py_ssize_t C, Py_ssize_t Hp, Py_ssize_t Wp,
                         const float* g, Py_ssize_t Opad, Py_ssize_t OH, Py_ssize_t OW,
                         Py_ssize_t OWr, Py_ssize_t KH, Py_ssize_t KW, float* gw)
    void direct_weight_d(const double* pad, Py_ssize_t C, Py_ssize_t Hp, Py_ssize_t Wp,
                         const double* g, Py_ssize_t Opad, Py_ssize_t OH, Py_ssize_t OW,
                         Py_ssize_t OWr, Py_ssize_t KH, Py_ssize_t KW, double* gw)

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int nptorch_max_threads(void) { return omp_get_max_threads(); }
    #else
    static int nptorch_max_threads(void) { return 1; }
    #endif
    """
    int nptorch_max_threads() nogil

EXTENSION_ABI = 12
OUTPUT_BLOCK = NPTORCH_DIRECT_OB


def max_threads():
    """The number of threads a parallel loop of these kernels may use."""
    return nptorch_max_threads()


cdef inline void _pad(const floating* x, Py_ssize_t C, Py_ssize_t H, Py_ssize_t W,
                      Py_ssize_t PH, Py_ssize_t PW, floating* pad, Py_ssize_t Hp,
                      Py_ssize_t Wp) noexcept nogil:
    if floating is float:
        pad_planes_f(x, C, H, W, PH, PW, pad, Hp, Wp)
    else:
        pad_planes_d(x, C, H, W, PH, PW, pad, Hp, Wp)


def conv2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] w,
           const floating[::1] bias, floating[:, :, :, ::1] y, Py_ssize_t PH, Py_ssize_t PW,
           floating[:, :, :, ::1] pads):
    """y (N, O, OH, OW) = bias + the convolution of x (N, C, H, W), padded by PH and PW, with
    w (Opad, C, KH, KW); bias has Opad values."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = y.shape[1], OH = y.shape[2], OW = y.shape[3]
    cdef Py_ssize_t KH = w.shape[2], KW = w.shape[3], Hp = pads.shape[2], Wp = pads.shape[3]
    cdef Py_ssize_t tasks = pads.shape[0], t, n
    with nogil:
        for t in prange(tasks, schedule="static"):
            for n in range(t * N // tasks, (t + 1) * N // tasks):
                _pad(&x[n, 0, 0, 0], C, H, W, PH, PW, &pads[t, 0, 0, 0], Hp, Wp)
                if floating is float:
                    direct_forward_f(&pads[t, 0, 0, 0], C, Hp, Wp, &w[0, 0, 0, 0], &bias[0], O,
                                     KH, KW, &y[n, 0, 0, 0], OH, OW)
                else:
                    direct_forward_d(&pads[t, 0, 0, 0], C, Hp, Wp, &w[0, 0, 0, 0], &bias[0], O,
                                     KH, KW, &y[n, 0, 0, 0], OH, OW)


def conv2d_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] gy,
                  floating[:, :, :, :, ::1] gw, Py_ssize_t PH, Py_ssize_t PW,
                  floating[:, :, :, ::1] pads, floating[:, :, :, ::1] grads):
    """gw[t] (Opad, C, KH, KW) = the weight gradient of task t's images of x (N, C, H, W),
    padded by PH and PW, given gy (N, O, OH, OW); gw starts zero."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t O = gy.shape[1], OH = gy.shape[2], OW = gy.shape[3]
    cdef Py_ssize_t Opad = gw.shape[1], KH = gw.shape[3], KW = gw.shape[4]
    cdef Py_ssize_t Hp = pads.shape[2], Wp = pads.shape[3], OWr = grads.shape[3]
    cdef Py_ssize_t tasks = pads.shape[0], t, n, o, i
    with nogil:
        for t in prange(tasks, schedule="static"):
            for n in range(t * N // tasks, (t + 1) * N // tasks):
                _pad(&x[n, 0, 0, 0], C, H, W, PH, PW, &pads[t, 0, 0, 0], Hp, Wp)
                for o in range(O):  # rows of the padded gradient: columns past OW stay zero
                    for i in range(OH):
                        memcpy(&grads[t, o, i, 0], &gy[n, o, i, 0], OW * sizeof(floating))
                if floating is float:
                    direct_weight_f(&pads[t, 0, 0, 0], C, Hp, Wp, &grads[t, 0, 0, 0], Opad, OH,
                                    OW, OWr, KH, KW, &gw[t, 0, 0, 0, 0])
                else:
                    direct_weight_d(&pads[t, 0, 0, 0], C, Hp, Wp, &grads[t, 0, 0, 0], Opad, OH,
                                    OW, OWr, KH, KW, &gw[t, 0, 0, 0, 0])
