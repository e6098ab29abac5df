"""Optional imports in one place: CuPy (GPU arrays) and PyTorch (the test oracle).

``_compat.cupy`` is CuPy, or None when it is not installed. It is imported on first use, since
importing it takes as long as importing the rest of nptorch; code that only asks whether an
array is a CuPy array uses ``imported_cupy()``, which never imports it.
"""
import importlib
import sys


def __getattr__(name):
    if name != "cupy":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = optional_import("cupy")
    globals()["cupy"] = module  # later lookups find it without this function
    return module


def imported_cupy():
    """CuPy if anything has imported it yet, else None: before that no CuPy array can exist."""
    return sys.modules.get("cupy")


def has_cuda():
    """True when CuPy is importable and sees at least one GPU."""
    cupy = sys.modules[__name__].cupy  # through __getattr__ on first use
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # CuPy installed without a driver or device
        return False


def scipy_special(array):
    """``scipy.special`` for a NumPy array (or a number), ``cupyx.scipy.special`` for a CuPy
    array: the same functions on either device."""
    cupy = imported_cupy()
    if cupy is not None and isinstance(array, cupy.ndarray):
        import cupyx.scipy.special as special
    else:
        import scipy.special as special
    return special


def optional_import(name):
    """Import a module by name, or return None when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
