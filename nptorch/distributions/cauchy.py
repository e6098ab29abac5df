"""PyTorch's import path for ``Cauchy`` (defined in ``location_scale``)."""
from .location_scale import Cauchy

__all__ = ["Cauchy"]
