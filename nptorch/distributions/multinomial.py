"""PyTorch's import path for ``Multinomial`` (defined in ``categorical``)."""
from .categorical import Multinomial

__all__ = ["Multinomial"]
