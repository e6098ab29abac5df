"""The numeric constants of the namespace, as PyTorch exposes them: Python floats (``pi``,
``e``, ``inf``, ``nan``, the very objects of :mod:`math`) and ``newaxis`` (``None``)."""
import math

FUNCTIONS = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan, "newaxis": None}
