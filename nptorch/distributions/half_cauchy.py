"""PyTorch's import path for ``HalfCauchy`` (defined in ``half``)."""
from .half import HalfCauchy

__all__ = ["HalfCauchy"]
