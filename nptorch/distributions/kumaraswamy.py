"""PyTorch's import path for ``Kumaraswamy`` (defined in ``power_laws``)."""
from .power_laws import Kumaraswamy

__all__ = ["Kumaraswamy"]
