"""PyTorch's import path for ``Weibull`` (defined in ``extreme_value``)."""
from .extreme_value import Weibull

__all__ = ["Weibull"]
