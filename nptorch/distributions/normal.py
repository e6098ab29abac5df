"""PyTorch's import path for ``Normal`` (defined in ``location_scale``)."""
from .location_scale import Normal

__all__ = ["Normal"]
