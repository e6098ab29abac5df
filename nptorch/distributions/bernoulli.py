"""PyTorch's import path for ``Bernoulli`` (defined in ``discrete``)."""
from .discrete import Bernoulli

__all__ = ["Bernoulli"]
