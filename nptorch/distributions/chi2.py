"""PyTorch's import path for ``Chi2`` (defined in ``gamma``)."""
from .gamma import Chi2

__all__ = ["Chi2"]
