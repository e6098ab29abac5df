"""Random number generation: ``manual_seed``, ``seed``, ``Generator``.

A Generator wraps NumPy's PCG64 (and, for CUDA tensors, a CuPy generator seeded alike),
so the same seed gives the same numbers.
"""
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


def generator_for(generator, xp):
    """The xp generator to draw from: the given Generator's or the default one."""
    return (generator or default_generator).xp_generator(xp)
