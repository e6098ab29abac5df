"""Utilities, as ``torch.utils``: ``data``, ``checkpoint``, ``dlpack``."""
from . import checkpoint, data, dlpack

__all__ = ["checkpoint", "data", "dlpack"]
