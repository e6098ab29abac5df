"""``nptorch.nn.parallel``: data-parallel training, as ``torch.nn.parallel``."""
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
