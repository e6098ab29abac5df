"""``torch.cpu``: the CPU's counterpart of ``torch.cuda`` (here its ``amp`` aliases)."""
from . import amp

__all__ = ["amp"]
