"""PyTorch's symbolic-shape utilities (``sym_int``, ``sym_max``, ...). nptorch runs eagerly,
with no symbolic ints, floats or bools, so each acts on plain Python (and NumPy) numbers, and
on one-element tensors where PyTorch's do, with PyTorch's result types and errors."""
import builtins
import math

import numpy as np

_NUMBERS = (np.integer, np.floating, builtins.int, builtins.float)
_FLOATS = (np.floating, builtins.float)


def sym_int(a):
    """``a`` as an int (floats truncate toward zero)."""
    return builtins.int(a)


def sym_float(a):
    """``a`` as a float."""
    return builtins.float(a)


def _check_number(a):
    if not isinstance(a, _NUMBERS):
        raise AssertionError(f"expected {_NUMBERS}, got {type(a)}")


def _extremum(pick, a, b):
    _check_number(a)
    _check_number(b)
    if isinstance(a, _FLOATS) or isinstance(b, _FLOATS):
        return builtins.float(pick(a, b))
    return pick(a, b)


def sym_max(a, b):
    """The larger of two numbers; a float when either is a float (``sym_max(1, 2.0)`` is
    ``2.0``), unlike ``max``."""
    return _extremum(builtins.max, a, b)


def sym_min(a, b):
    """The smaller of two numbers; a float when either is a float."""
    return _extremum(builtins.min, a, b)


def sym_not(a):
    """Logical negation: ``not a``."""
    return not a


def sym_ite(b, t, f):
    """``t if b else f``; ``b`` must be a bool and ``t``, ``f`` of the same type."""
    if not isinstance(b, builtins.bool):
        raise AssertionError(f"expected SymBool or bool, got {type(b)}")
    if type(t) is not type(f):
        raise AssertionError(f"type mismatch: {type(t)} vs {type(f)}")
    return t if b else f


def sym_sqrt(a):
    """``math.sqrt(a)``: always a float."""
    return math.sqrt(a)


def sym_sum(*args):
    """The sum of the arguments, given one by one or as a single list or tuple (0 when
    there are none)."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = args[0]
    return builtins.sum(args)


FUNCTIONS = {f.__name__: f for f in (sym_int, sym_float, sym_max, sym_min, sym_not, sym_ite,
                                     sym_sqrt, sym_sum)}
