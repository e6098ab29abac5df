"""PyTorch's import path for ``Poisson`` (defined in ``discrete``)."""
from .discrete import Poisson

__all__ = ["Poisson"]
