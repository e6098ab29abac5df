"""``torch.linalg``: determinants, inverses, solvers, factorizations and norms.

Real floating dtypes only; batch dims lead and broadcast as in PyTorch.
"""
from ._api.decompositions import LINALG as _DECOMPOSITIONS, LinAlgError  # noqa: F401
from ._api.matrix_functions import LINALG as _MATRIX_FUNCTIONS
from ._api.linalg import matmul  # noqa: F401

globals().update(_DECOMPOSITIONS)
globals().update(_MATRIX_FUNCTIONS)

__all__ = sorted([*_DECOMPOSITIONS, *_MATRIX_FUNCTIONS, "matmul", "LinAlgError"])
