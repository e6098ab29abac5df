"""PyTorch's import path for ``NegativeBinomial`` (defined in ``discrete``)."""
from .discrete import NegativeBinomial

__all__ = ["NegativeBinomial"]
