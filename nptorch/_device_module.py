"""``get_device_module``: the module (``nptorch.cuda``, ``nptorch.cpu``) of a device type."""
import sys

from . import cuda
from ._device import device as _device


def get_device_module(device=None):
    """The module of ``device`` (a device or a string such as ``"cuda:1"``); for None, that of
    the current accelerator (``nptorch.cuda`` while a GPU is usable), else ``nptorch.cpu``."""
    if isinstance(device, _device):
        name = device.type
    elif isinstance(device, str):
        name = _device(device).type
    elif device is None:
        name = "cuda" if cuda.is_available() else "cpu"
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, "
                           "or None")
    return getattr(sys.modules[__package__], name)
