"""PyTorch's import path for ``HalfNormal`` (defined in ``half``)."""
from .half import HalfNormal

__all__ = ["HalfNormal"]
