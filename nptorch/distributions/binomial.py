"""PyTorch's import path for ``Binomial`` (defined in ``discrete``)."""
from .discrete import Binomial

__all__ = ["Binomial"]
