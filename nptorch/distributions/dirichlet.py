"""PyTorch's import path for ``Dirichlet`` (defined in ``gamma``)."""
from .gamma import Dirichlet

__all__ = ["Dirichlet"]
