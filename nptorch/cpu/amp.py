"""``torch.cpu.amp``: deprecated CPU aliases of ``torch.amp``'s autocast and GradScaler."""
from ..amp._deprecated import device_autocast, device_grad_scaler

__all__ = ["autocast", "GradScaler"]

# PyTorch's default here is bfloat16, which nptorch lacks: None picks get_autocast_dtype("cpu")
autocast = device_autocast("cpu", None)
GradScaler = device_grad_scaler("cpu")
