"""PyTorch's import path for ``Gumbel`` (defined in ``extreme_value``)."""
from .extreme_value import Gumbel

__all__ = ["Gumbel"]
