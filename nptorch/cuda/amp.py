"""``torch.cuda.amp``: deprecated CUDA aliases of ``torch.amp``'s autocast, GradScaler,
custom_fwd and custom_bwd."""
from .._dtype import float16
from ..amp import autocast_mode
from ..amp._deprecated import device_autocast, device_grad_scaler, warn

__all__ = ["autocast", "custom_bwd", "custom_fwd", "GradScaler"]

autocast = device_autocast("cuda", float16)
GradScaler = device_grad_scaler("cuda")


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated: ``torch.amp.custom_fwd(args..., device_type='cuda')``."""
    warn("cuda.amp.custom_fwd(args...)", "amp.custom_fwd(args..., device_type='cuda')")
    return autocast_mode.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """Deprecated: ``torch.amp.custom_bwd(args..., device_type='cuda')``."""
    warn("cuda.amp.custom_bwd(args...)", "amp.custom_bwd(args..., device_type='cuda')")
    return autocast_mode.custom_bwd(bwd, device_type="cuda")
