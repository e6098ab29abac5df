"""NumPy's floating-point error reports, silenced while nptorch computes.

PyTorch reports no division by zero, overflow or invalid operation: its results simply hold
the inf or NaN. NumPy warns by default. The autograd engines (compiled and pure) silence
NumPy's reports around each operation and each backward pass only, so that a user's own
NumPy code keeps its settings. Imports nothing from nptorch.
"""
import numpy as np

try:  # NumPy 2 keeps the error state in a context variable, set and reset cheaply
    from numpy._core._ufunc_config import _extobj_contextvar as STATE, _make_extobj

    SILENT = _make_extobj(all="ignore")
except ImportError:  # NumPy 1.x: a thread-local state, set with seterr
    STATE = SILENT = None


def silence():
    """Turn NumPy's floating-point reports off; returns what ``restore`` takes (None when they
    are off already, as in an operation called by another or by a backward pass)."""
    if STATE is None:
        return np.seterr(all="ignore")
    if STATE.get() is SILENT:
        return None
    return STATE.set(SILENT)


def restore(token):
    """Undo the ``silence`` call that returned ``token``."""
    if token is None:
        return
    if STATE is None:
        np.seterr(**token)
    else:
        STATE.reset(token)
