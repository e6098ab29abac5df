"""PyTorch's import path for ``Geometric`` (defined in ``discrete``)."""
from .discrete import Geometric

__all__ = ["Geometric"]
