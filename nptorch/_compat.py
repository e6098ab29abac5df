"""Optional imports in one place: CuPy (GPU arrays) and PyTorch (the test oracle)."""
import importlib

try:
    import cupy
except ImportError:  # the GPU extra is not installed
    cupy = None


def has_cuda():
    """True when CuPy is importable and sees at least one GPU."""
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # CuPy installed without a driver or device
        return False


def optional_import(name):
    """Import a module by name, or return None when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
