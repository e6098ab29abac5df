"""PyTorch's import path for ``MixtureSameFamily`` (defined in ``mixture``)."""
from .mixture import MixtureSameFamily

__all__ = ["MixtureSameFamily"]
