"""Random number generation: ``manual_seed``, ``seed``, ``Generator``, ``fork_rng``.

A Generator wraps NumPy's PCG64 (and, for CUDA tensors, a CuPy generator seeded alike),
so the same seed gives the same numbers.
"""
import contextlib
import warnings

import numpy as np

from . import _compat


class Generator:
    """A source of random numbers, as ``torch.Generator``."""

    def __init__(self, device="cpu"):
        from ._device import to_device
        self.device = to_device(device)
        self.manual_seed(np.random.SeedSequence().entropy % (2 ** 63))

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed += 2 ** 64
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        self.seed_cuda(seed)
        return self

    def seed_cuda(self, seed):
        """Seed only the CUDA stream (``nptorch.cuda.manual_seed``); the CPU stream is kept."""
        self._cuda_seed = int(seed) % 2 ** 64
        self._cupy = None

    def seed(self):
        s = np.random.SeedSequence().entropy % (2 ** 63)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from ._tensor import Tensor
        state = self._np.bit_generator.state
        words = [state["state"]["state"], state["state"]["inc"], state["has_uint32"], state["uinteger"]]
        raw = np.frombuffer(b"".join(int(w).to_bytes(16, "little") for w in words), np.uint8)
        return Tensor._make(raw.copy())

    def set_state(self, new_state):
        raw = bytes(np.asarray(new_state._data if hasattr(new_state, "_data") else new_state,
                               dtype=np.uint8))
        words = [int.from_bytes(raw[i:i + 16], "little") for i in range(0, 64, 16)]
        self._np.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": words[0], "inc": words[1]},
            "has_uint32": words[2], "uinteger": words[3]}
        return self

    def _get_cuda_state(self):
        """A snapshot of the CUDA stream: its seed, CuPy's generator and a copy of that
        generator's device state (None when CuPy does not expose it)."""
        rng = self._cupy
        buffer = None if rng is None else _cupy_state_buffer(rng)
        return self._cuda_seed, rng, None if buffer is None else buffer.copy()

    def _set_cuda_state(self, snapshot):
        seed, rng, buffer = snapshot
        self._cuda_seed, self._cupy = seed, rng
        if buffer is not None:
            _cupy_state_buffer(rng)[...] = buffer

    def xp_generator(self, xp):
        """The array library's generator: NumPy's, or a CuPy one seeded alike."""
        if xp is np:
            return self._np
        if self._cupy is None:
            self._cupy = _compat.cupy.random.default_rng(self._cuda_seed)
        return self._cupy


default_generator = Generator()
default_generator.manual_seed(67280421310721)


def manual_seed(seed):
    """Seed the default generator (and CUDA's); returns it."""
    default_generator.manual_seed(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _cupy_state_buffer(rng):
    """The device array holding the state of a CuPy ``Generator``'s bit generator, if any."""
    bit_generator = getattr(rng, "bit_generator", None) or getattr(rng, "_bit_generator", None)
    return getattr(bit_generator, "_state", None)


def _cuda_get_rng_state(device="cuda"):
    """The CUDA stream's state (one stream serves every GPU); PyTorch's errors without one."""
    from .cuda._lazy import lazy_init
    lazy_init()
    snapshot = default_generator._get_cuda_state()
    if snapshot[1] is not None and snapshot[2] is None:
        # CuPy's state cannot be copied: keep its generator untouched until it is restored,
        # and let the forked block draw from a new one seeded alike
        default_generator._cupy = None
    return snapshot


def _cuda_set_rng_state(new_state, device="cuda"):
    default_generator._set_cuda_state(new_state)


def _rng_state_functions(device_module):
    """``get_rng_state`` and ``set_rng_state`` of a device module (``nptorch.cuda`` keeps its
    stream in the default generator)."""
    if device_module.__name__ == f"{__package__}.cuda" and not hasattr(device_module,
                                                                        "get_rng_state"):
        return _cuda_get_rng_state, _cuda_set_rng_state
    return device_module.get_rng_state, device_module.set_rng_state


_fork_rng_warned_already = False


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Fork the random number generators: on leaving the block they are back in the state
    they had on entering it.

    Args:
        devices (iterable of device ids): the devices whose generators are forked (by default
            every device of ``device_type``, with a warning when there are several). The CPU
            generator is always forked.
        enabled (bool): ``False`` forks nothing (a convenience to turn the block off).
        device_type (str): the accelerator type, ``"cuda"`` by default (nptorch's only one).
    """
    if device_type == "meta":
        yield
        return
    from ._device_module import get_device_module
    device_type = device_type or "cuda"
    device_mod = get_device_module(device_type)
    global _fork_rng_warned_already
    if not enabled:
        yield
        return
    if devices is None:
        num_devices = device_mod.device_count()
        if num_devices > 1 and not _fork_rng_warned_already:
            name = device_type.upper()
            warnings.warn(
                f"{name} reports that you have {num_devices} available devices, and "
                f"you have used {_caller} without explicitly specifying which devices are being "
                f"used. For safety, we initialize *every* {name} device by default, which can "
                f"be quite slow if you have a lot of {name}s. If you know that you are only"
                f" making use of a few {name} devices, set the environment variable "
                f"{name}_VISIBLE_DEVICES or the '{_devices_kw}' keyword argument of {_caller} "
                "with the set of devices you are actually using. For example, if you are using "
                "CPU only, set device.upper()_VISIBLE_DEVICES= or devices=[]; if you are using "
                f"device 0 only, set {name}_VISIBLE_DEVICES=0 or devices=[0].  To initialize all "
                f"devices and suppress this warning, set the '{_devices_kw}' keyword argument to "
                f"`range(torch.{device_type}.device_count())`.", stacklevel=3)
            _fork_rng_warned_already = True
        devices = list(range(num_devices))
    else:
        # a generator of ids would be exhausted by the first pass
        devices = list(devices)
    cpu_rng_state = get_rng_state()
    get_state, set_state = _rng_state_functions(device_mod)
    device_rng_states = [get_state(device) for device in devices]
    try:
        yield
    finally:
        set_rng_state(cpu_rng_state)
        for device, device_rng_state in zip(devices, device_rng_states):
            set_state(device_rng_state, device)


def generator_for(generator, xp):
    """The xp generator to draw from: the given Generator's or the default one."""
    return (generator or default_generator).xp_generator(xp)
