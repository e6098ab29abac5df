"""``DataParallel``: a module wrapper that runs its module on the first of ``device_ids``, as
``torch.nn.DataParallel`` does with one device (and without CUDA, where it only forwards)."""
from ... import cuda
from ..._device import device as _device
from ..._tensor import Tensor
from ..modules.module import Module


def _index(d):
    return d if isinstance(d, int) else _device(d).index or 0


def _to(value, device):
    """``value`` with every tensor in it (nested in tuples, lists and dicts) moved to ``device``."""
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, (tuple, list)):
        return type(value)(_to(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


class DataParallel(Module):
    """``module`` called on ``device_ids[0]`` with its inputs moved there (its state dict keys
    gain the prefix ``module.``). Without CUDA it just calls ``module``. Splitting a batch over
    several GPUs is not supported: that raises at construction; use
    ``DistributedDataParallel`` with one process per GPU."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        if not cuda.is_available():
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(cuda.device_count()))
        if len(device_ids) > 1:
            raise NotImplementedError(
                "DataParallel over several GPUs is not supported: pass one device in "
                "device_ids, or use DistributedDataParallel with one process per GPU")
        self.dim = dim
        self.device_ids = [_index(d) for d in device_ids]
        self.output_device = _index(device_ids[0] if output_device is None else output_device)
        self.src_device_obj = _device("cuda", self.device_ids[0])

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in (*self.module.parameters(), *self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError(
                    "module must have its parameters and buffers on device "
                    f"{self.src_device_obj} (device_ids[0]) but found one of them on device: "
                    f"{t.device}")
        return self.module(*_to(inputs, self.src_device_obj), **_to(kwargs, self.src_device_obj))
