"""``nptorch.cuda``: GPU availability and control through CuPy."""
from .. import _compat


def is_available():
    """True when CuPy is installed and sees a GPU."""
    return _compat.has_cuda()


def device_count():
    if not is_available():
        return 0
    return _compat.cupy.cuda.runtime.getDeviceCount()


def manual_seed(seed):
    """Seed the CUDA random stream; CPU draws are not affected, as in PyTorch."""
    from ..random import default_generator
    default_generator.seed_cuda(seed)


manual_seed_all = manual_seed


def synchronize(device=None):
    if is_available():
        _compat.cupy.cuda.Device().synchronize()
