"""What every ``nptorch.cuda`` function that needs a GPU checks first, and device parsing."""
from .. import _compat
from .._device import device as _device


def lazy_init():
    """CuPy's module once a GPU is usable; PyTorch's errors otherwise."""
    cupy = _compat.cupy
    if cupy is None:
        raise AssertionError("Torch not compiled with CUDA enabled")
    if not _compat.has_cuda():
        raise RuntimeError("No CUDA GPUs are available")
    return cupy


def device_index(device, optional=False):
    """The GPU index of ``device`` (an int, ``"cuda:1"``, a ``device`` or a ``cuda.device``):
    the current GPU for ``None`` or ``"cuda"`` when ``optional``, ``-1`` for ``None`` without a
    GPU (a no-op for the callers that accept it)."""
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    if hasattr(device, "idx"):  # an nptorch.cuda.device
        return device.idx
    if isinstance(device, str):
        device = _device(device)
    if isinstance(device, _device):
        if device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        if device.index is not None:
            return device.index
        if not optional:
            raise ValueError("Expected a torch.device with a specified index or an integer, "
                             f"but got:{device}")
    elif device is not None:
        raise ValueError(f"Expected a cuda device, but got: {device!r}")
    elif not optional:
        raise ValueError("Expected a torch.device with a specified index or an integer, "
                         "but got:None")
    if device is None and not _compat.has_cuda():
        return -1
    return lazy_init().cuda.runtime.getDevice()
