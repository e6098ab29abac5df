"""PyTorch's import path for ``Pareto`` (defined in ``power_laws``)."""
from .power_laws import Pareto

__all__ = ["Pareto"]
