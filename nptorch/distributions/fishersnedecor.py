"""PyTorch's import path for ``FisherSnedecor`` (defined in ``gamma``)."""
from .gamma import FisherSnedecor

__all__ = ["FisherSnedecor"]
