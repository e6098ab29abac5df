"""PyTorch's import path for ``LogitRelaxedBernoulli`` and ``RelaxedBernoulli``
(defined in ``relaxed``)."""
from .relaxed import LogitRelaxedBernoulli, RelaxedBernoulli

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]
