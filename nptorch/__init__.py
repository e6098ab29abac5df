"""nptorch: PyTorch's API over NumPy (CPU) and CuPy (CUDA), with compiled hot paths.

``import nptorch as torch`` runs ordinary PyTorch scripts.
"""
__version__ = "0.1.0"

from ._allocator import tune_malloc as _tune_malloc
_tune_malloc()

from ._dtype import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32,
                     float64, get_default_dtype, set_default_dtype, promote_types)
from ._device import device, get_default_device, set_default_device
from ._memory_format import memory_format, contiguous_format, preserve_format, layout, strided
from ._memory_format import channels_last, channels_last_3d
from ._tensor import Tensor, Size
from . import autograd
from .autograd import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                       is_inference_mode_enabled)
from .autograd.anomaly_mode import (is_anomaly_enabled, is_anomaly_check_nan_enabled,
                                    set_anomaly_enabled)
from .random import (Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state,
                     default_generator)
from . import _api
from . import cuda, backends, nn
from . import linalg
from . import utils
from .utils.dlpack import from_dlpack
from . import optim
from . import distributed
from . import amp, cpu
from .amp import autocast
from .amp._state import *  # noqa: F401,F403  (is_autocast_enabled, get_autocast_dtype, ...)

globals().update(_api.FUNCTIONS)

# what nptorch computes with: NumPy's LAPACK and FFT, and MKL where NumPy's BLAS is MKL
# (has_openmp: below)
has_lapack = has_spectral = True
has_mkl = backends.mkl.is_available()

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

del _api, _tune_malloc


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    from ._dtype import result_type as _result_type
    return _result_type(tensor1, tensor2)


def is_distributed(input):
    """False: no nptorch tensor is distributed."""
    if not isinstance(input, Tensor):
        from ._typename import type_name
        raise TypeError("is_distributed(): argument 'input' (position 1) must be Tensor, not "
                        f"{type_name(input)}")
    return False


def can_cast(from_, to):
    from ._api._inplace import _can_cast
    return _can_cast(from_.np_dtype, to.np_dtype)


from ._formatting import set_printoptions, get_printoptions  # noqa: E402
from ._typeinfo import finfo, iinfo, typename  # noqa: E402
from ._settings import (compile, set_float32_matmul_precision,  # noqa: E402
                        get_float32_matmul_precision, use_deterministic_algorithms,
                        are_deterministic_algorithms_enabled,
                        is_deterministic_algorithms_warn_only_enabled)
from ._threads import (set_num_threads, get_num_threads, init_num_threads,  # noqa: E402
                       set_num_interop_threads, get_num_interop_threads)
from ._legacy_types import (FloatTensor, DoubleTensor, HalfTensor, LongTensor,  # noqa: E402
                            IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor,
                            set_default_tensor_type)
from ._control_flow import cond, while_loop  # noqa: E402
from ._from_file import from_file  # noqa: E402
from .amp import GradScaler  # noqa: E402
from . import storage  # noqa: E402
from .storage import (UntypedStorage, TypedStorage, is_storage, FloatStorage,  # noqa: E402
                      DoubleStorage, HalfStorage, LongStorage, IntStorage, ShortStorage,
                      CharStorage, ByteStorage, BoolStorage, FloatStorage as Storage)
from . import func, jit, return_types, special, testing  # noqa: E402
from . import distributions  # noqa: E402
from ._aliases import FUNCTIONS as _ALIASES, METHODS as _METHODS  # noqa: E402
globals().update(_ALIASES)
from ._api.layers import FUNCTIONS as _LAYERS  # noqa: E402  (needs nn.functional)
globals().update(_LAYERS)
from ._api.native_forms import FUNCTIONS as _NATIVE_FORMS  # noqa: E402  (needs nn.functional)
from ._api.recurrent_forms import FUNCTIONS as _RECURRENT_FORMS  # noqa: E402  (needs nn)
globals().update(_NATIVE_FORMS)
globals().update(_RECURRENT_FORMS)
for _name, _method in _METHODS.items():
    setattr(Tensor, _name, _method)
del _ALIASES, _LAYERS, _NATIVE_FORMS, _RECURRENT_FORMS, _METHODS, _name, _method
from .serialization import save, load, save_safetensors, load_safetensors  # noqa: E402
from ._device_module import get_device_module  # noqa: E402
from ._ops_namespace import ops  # noqa: E402  (also importable as the module nptorch.ops)

# Submodules that ordinary scripts seldom touch load on first use (~25 ms of the import; ops is
# loaded, as it must be importable as the module nptorch.ops, but it imports library only on the
# first operator lookup).
_LAZY = ("accelerator", "compiler", "hub", "library", "multiprocessing", "quasirandom", "signal")


def __getattr__(name):
    if name == "has_openmp":  # whether the compiled kernels have OpenMP: read from them on use
        return backends.openmp.is_available()
    if name not in _LAZY:
        raise AttributeError(f"module 'nptorch' has no attribute '{name}'")
    import importlib
    module = importlib.import_module(f".{name}", __name__)
    globals()[name] = module
    return module


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | {"has_openmp"})
