"""PyTorch's import path for ``StudentT`` (defined in ``location_scale``)."""
from .location_scale import StudentT

__all__ = ["StudentT"]
