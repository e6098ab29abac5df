"""The kernel implementations that the twin tests compare: the reference ``Ops``, and
``CythonOps`` where it is compiled and ``CupyOps`` where a GPU is."""
import numpy as np

import nptorch
from nptorch import _backend
from nptorch._ops import Ops


def _accelerated():
    twins = []
    try:
        from nptorch._ops.cython_ops import CythonOps
        twins.append(CythonOps())
    except ImportError:
        if not _backend.PURE_PYTHON:
            raise
    if nptorch.cuda.is_available():
        from nptorch._ops.cupy_ops import CupyOps
        twins.append(CupyOps())
    return twins


REF = Ops()
ACCELERATED = _accelerated()
TWINS = [REF, *ACCELERATED]
DTYPES = [np.float32, np.float64]
