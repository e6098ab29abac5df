"""PyTorch's import path for ``InverseGamma`` (defined in ``power_laws``)."""
from .power_laws import InverseGamma

__all__ = ["InverseGamma"]
