"""PyTorch's import path for ``LogisticNormal`` (defined in ``transformed_normals``)."""
from .transformed_normals import LogisticNormal

__all__ = ["LogisticNormal"]
