"""``skip_init``: build a module whose parameters and buffers are left uninitialized."""
import inspect

from ..._api.creation import empty_like
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` with uninitialized parameters and buffers, to be filled
    by the caller. The class must take a ``device`` argument.

    Example::

        >>> m = torch.nn.utils.skip_init(nn.Linear, 5, 1)
        >>> m.weight.shape
        torch.Size([1, 5])
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs["device"] = kwargs.get("device", "cpu")
    return module_cls(*args, **kwargs)._apply(empty_like)
