"""PyTorch's import path for ``ExpRelaxedCategorical`` and ``RelaxedOneHotCategorical``
(defined in ``relaxed``)."""
from .relaxed import ExpRelaxedCategorical, RelaxedOneHotCategorical

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]
