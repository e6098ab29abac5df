"""PyTorch's import path for ``Beta`` (defined in ``gamma``)."""
from .gamma import Beta

__all__ = ["Beta"]
