"""Utilities, as ``torch.utils``: ``data``, ``checkpoint``."""
from . import checkpoint, data

__all__ = ["checkpoint", "data"]
