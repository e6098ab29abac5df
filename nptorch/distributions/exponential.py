"""PyTorch's import path for ``Exponential`` (defined in ``uniform``)."""
from .uniform import Exponential

__all__ = ["Exponential"]
