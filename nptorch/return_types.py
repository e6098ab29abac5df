"""Named tuples returned by ops that give values and indices (``torch.return_types``)."""
from ._api.reduction import return_types as _types

globals().update(_types)
__all__ = sorted(_types)
