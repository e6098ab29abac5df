"""The CUDA kernels of ``CupyOps``: templated sources (``*.cu``) compiled with ``cupy.RawModule``
on first use, once per source and dtype, so that importing nptorch never needs a GPU or NVRTC.

Every kernel is a template over ``scalar_t``, instantiated for float and double; ``KERNELS``
lists the kernels of each source, and ``common.cuh`` is prepended to every source.
"""
import functools
import pathlib

import numpy as np

from ... import _compat

KERNELS = {
    "conv.cu": ("im2col", "col2im"),
    "pool.cu": ("max_pool2d", "scatter_add_planes", "avg_pool2d", "avg_pool2d_backward",
                "adaptive_avg_pool2d", "adaptive_avg_pool2d_backward", "adaptive_max_pool2d"),
    "rnn.cu": ("lstm_forward_step", "lstm_backward_step", "gru_forward_step",
               "gru_backward_step"),
}
SCALAR_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}
BLOCK = 256
MAX_BLOCKS = 1 << 16  # the kernels loop over the rest (grid-stride)

_HERE = pathlib.Path(__file__).parent
_SOURCE_OF = {name: source for source, names in KERNELS.items() for name in names}


def source(filename):
    """The code of ``filename`` as compiled: ``common.cuh`` followed by the file."""
    return (_HERE / "common.cuh").read_text() + (_HERE / filename).read_text()


def name_expressions(filename, dtypes=tuple(SCALAR_TYPES)):
    """The template instantiations of ``filename``'s kernels for ``dtypes``: ``im2col<float>``..."""
    return [f"{name}<{SCALAR_TYPES[np.dtype(d)]}>" for name in KERNELS[filename] for d in dtypes]


@functools.cache
def _module(filename, dtype):
    return _compat.cupy.RawModule(code=source(filename),
                                  name_expressions=name_expressions(filename, (dtype,)))


@functools.cache
def kernel(name, dtype, device_id):
    """The compiled kernel ``name`` for ``dtype`` (float32 or float64), loaded on the GPU
    ``device_id`` (a module is loaded on each device that uses it)."""
    dtype = np.dtype(dtype)
    with _compat.cupy.cuda.Device(device_id):
        return _module(_SOURCE_OF[name], dtype).get_function(f"{name}<{SCALAR_TYPES[dtype]}>")


def kernel_args(args):
    """``args`` as the kernels take them: integers as ``long long`` (``idx_t``), other numbers
    as ``double``, arrays as they are."""
    return tuple(np.int64(a) if isinstance(a, (int, np.integer))
                 else np.float64(a) if isinstance(a, (float, np.floating)) else a for a in args)


def launch_rows(name, dtype, rows, *args):
    """Run kernel ``name`` (written with ``BLOCK_ROWS``) for ``dtype`` over ``rows`` rows, a
    block per row."""
    launch(name, dtype, rows * BLOCK, *args)


def launch(name, dtype, n, *args):
    """Run kernel ``name`` for ``dtype`` over ``n`` elements on the current GPU."""
    if n == 0:
        return
    blocks = min((n + BLOCK - 1) // BLOCK, MAX_BLOCKS)
    device_id = _compat.cupy.cuda.runtime.getDevice()
    kernel(name, dtype, device_id)((blocks,), (BLOCK,), kernel_args(args))
