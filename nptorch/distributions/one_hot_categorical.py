"""PyTorch's import path for ``OneHotCategorical`` and ``OneHotCategoricalStraightThrough``
(defined in ``categorical``)."""
from .categorical import OneHotCategorical, OneHotCategoricalStraightThrough

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]
