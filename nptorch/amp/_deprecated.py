"""The device-specific aliases ``torch.cuda.amp.*`` and ``torch.cpu.amp.*``, deprecated in
PyTorch in favour of ``torch.amp``: each warns as PyTorch does, then acts as its ``torch.amp``
counterpart for its device."""
import warnings

from .autocast_mode import autocast as _autocast
from .grad_scaler import GradScaler as _GradScaler


def warn(old, new):
    warnings.warn(f"`torch.{old}` is deprecated. Please use `torch.{new}` instead.",
                  FutureWarning, stacklevel=3)


def device_autocast(device_type, default_dtype):
    """The deprecated ``torch.<device_type>.amp.autocast`` class."""

    class autocast(_autocast):
        __doc__ = (f"See ``torch.autocast``; ``torch.{device_type}.amp.autocast(args...)`` is "
                   f"deprecated: use ``torch.amp.autocast('{device_type}', args...)``.")

        def __init__(self, enabled=True, dtype=default_dtype, cache_enabled=True):
            warn(f"{device_type}.amp.autocast(args...)",
                 f"amp.autocast('{device_type}', args...)")
            super().__init__(device_type, enabled=enabled, dtype=dtype,
                             cache_enabled=cache_enabled)

    autocast.__module__, autocast.__qualname__ = f"nptorch.{device_type}.amp", "autocast"
    return autocast


def device_grad_scaler(device_type):
    """The deprecated ``torch.<device_type>.amp.GradScaler`` class."""

    class GradScaler(_GradScaler):
        __doc__ = (f"See ``torch.amp.GradScaler``; ``torch.{device_type}.amp.GradScaler(args...)``"
                   f" is deprecated: use ``torch.amp.GradScaler('{device_type}', args...)``.")

        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                     growth_interval=2000, enabled=True):
            warn(f"{device_type}.amp.GradScaler(args...)",
                 f"amp.GradScaler('{device_type}', args...)")
            super().__init__(device_type, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)

    GradScaler.__module__ = f"nptorch.{device_type}.amp"
    GradScaler.__qualname__ = "GradScaler"
    return GradScaler

