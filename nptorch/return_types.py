"""Named tuples returned by ops with several results (``torch.return_types``)."""
from ._api.decompositions import return_types as _linalg_types
from ._api.numeric import return_types as _numeric_types
from ._api.reduction import return_types as _types

_types = {**_types, **_linalg_types, **_numeric_types}
globals().update(_types)
__all__ = sorted(_types)
