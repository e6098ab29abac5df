"""``torch.backends.openmp``: whether nptorch's compiled kernels run their loops with OpenMP."""
import functools

from .. import _backend

# symbols that a library built with OpenMP imports: GCC's libgomp, LLVM's libomp, MSVC's vcomp
_OPENMP_SYMBOLS = (b"GOMP_", b"__kmpc_", b"_vcomp_")


@functools.cache
def is_available():
    """True when the compiled kernels are in use and were built with OpenMP (not with
    ``NPTORCH_PURE_PYTHON=1``, nor with a compiler that has no OpenMP)."""
    if _backend.PURE_PYTHON:
        return False
    try:
        module = _backend.load_extension("pool")
    except ImportError:
        return False
    with open(module.__file__, "rb") as f:
        binary = f.read()
    return any(symbol in binary for symbol in _OPENMP_SYMBOLS)
