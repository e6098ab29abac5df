"""Computer vision utilities, as ``torchvision``: ``transforms``, ``datasets`` and ``utils``.

Pillow is needed only by the code that reads, writes or transforms PIL images.
"""
from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
