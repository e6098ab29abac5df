"""PyTorch's import path for ``Laplace`` (defined in ``location_scale``)."""
from .location_scale import Laplace

__all__ = ["Laplace"]
