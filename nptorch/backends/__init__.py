"""PyTorch compatibility shims: settings that scripts set, accepted here.

``cudnn.allow_tf32`` (True, as in PyTorch) lets float32 convolutions on CUDA run their matrix
products on TensorFloat-32 tensor cores. CuPy picks its own algorithms, so ``cudnn.benchmark``,
``cudnn.deterministic`` and ``cuda.matmul.allow_tf32`` are stored but change nothing.

``cpu``, ``mkl``, ``mkldnn``, ``mps``, ``openmp`` and ``opt_einsum`` report what nptorch has (no
oneDNN, no Metal, no opt_einsum; MKL when NumPy's BLAS is MKL) and keep the flags scripts set.
"""
import types

from .. import _compat
from . import cpu, mkl, mkldnn, mps, openmp, opt_einsum  # noqa: F401

cudnn = types.SimpleNamespace(benchmark=False, deterministic=False, enabled=True,
                              allow_tf32=True, is_available=lambda: False)
cuda = types.SimpleNamespace(
    matmul=types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True),
    is_built=lambda: _compat.cupy is not None)
