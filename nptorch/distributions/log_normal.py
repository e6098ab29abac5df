"""PyTorch's import path for ``LogNormal`` (defined in ``transformed_normals``)."""
from .transformed_normals import LogNormal

__all__ = ["LogNormal"]
