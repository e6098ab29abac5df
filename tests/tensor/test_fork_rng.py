"""``torch.random.fork_rng``: the generators are back in their entry state after the block."""
import inspect
import warnings

import numpy as np
import pytest

import nptorch
from nptorch import _compat
from helpers import check_same_error_as_torch


def draws(lib):
    return lib.rand(4).tolist() + lib.randn(3).tolist() + lib.randint(0, 100, (3,)).tolist()


def test_signature_matches_torch(torch):
    ours = inspect.signature(nptorch.random.fork_rng).parameters
    assert ours == inspect.signature(torch.random.fork_rng).parameters


def test_restores_the_cpu_state(torch):
    for lib in (nptorch, torch):
        lib.manual_seed(5)
        draws(lib)
        expected_inside = draws(lib)
        lib.manual_seed(5)
        draws(lib)
        with lib.random.fork_rng():
            inside = draws(lib)  # the block continues the stream...
            lib.manual_seed(99)
            draws(lib)
        after = draws(lib)  # ...and the stream resumes where the block found it
        lib.manual_seed(5)
        draws(lib)
        expected_after = draws(lib)
        assert inside == expected_inside and after == expected_after


def test_restores_after_an_exception():
    nptorch.manual_seed(11)
    state = nptorch.get_rng_state()
    with pytest.raises(ValueError, match="inside"):
        with nptorch.random.fork_rng():
            nptorch.rand(10)
            raise ValueError("inside")
    assert nptorch.get_rng_state().tolist() == state.tolist()


def test_disabled_forks_nothing(torch):
    for lib in (nptorch, torch):
        lib.manual_seed(3)
        with lib.random.fork_rng(enabled=False):
            inside = draws(lib)
        after = draws(lib)
        lib.manual_seed(3)
        assert draws(lib) == inside and draws(lib) == after


def test_explicit_empty_devices_and_a_generator_of_ids(torch):
    for lib in (nptorch, torch):
        lib.manual_seed(4)
        first = draws(lib)
        lib.manual_seed(4)
        with lib.random.fork_rng(devices=iter([])):
            draws(lib)
        assert draws(lib) == first


def test_meta_device_type_forks_nothing(torch):
    for lib in (nptorch, torch):
        lib.manual_seed(8)
        with lib.random.fork_rng(device_type="meta"):
            inside = draws(lib)
        after = draws(lib)
        lib.manual_seed(8)
        assert draws(lib) == inside and draws(lib) == after


@pytest.mark.skipif(nptorch.cuda.is_available(), reason="checks the errors without a GPU")
def test_errors_without_a_gpu(torch):
    def cuda_device(lib):
        with lib.random.fork_rng(devices=[0]):
            pass

    if _compat.cupy is None:  # as PyTorch's CPU build: no CUDA support at all
        check_same_error_as_torch(cuda_device)
    else:  # CUDA support (CuPy) but no GPU, as PyTorch's CUDA build on such a machine
        with pytest.raises(RuntimeError, match="^No CUDA GPUs are available$"):
            cuda_device(nptorch)

    def cpu_type(lib):
        with lib.random.fork_rng(device_type="cpu"):
            pass

    with pytest.raises(AttributeError, match="has no attribute"):
        cpu_type(torch)
    with pytest.raises(AttributeError, match="module 'nptorch.cpu' has no attribute"):
        cpu_type(nptorch)


class FakeBitGenerator:
    def __init__(self, state):
        self._state = state


class FakeCupyGenerator:
    """Stands for a CuPy generator: draws advance a state buffer."""

    def __init__(self, exposes_state=True):
        self.bit_generator = FakeBitGenerator(np.zeros(4) if exposes_state else None)
        self.draws = 0

    def advance(self):
        self.draws += 1
        if self.bit_generator._state is not None:
            self.bit_generator._state += 1


@pytest.fixture
def fake_gpu(monkeypatch):
    """One GPU, as far as fork_rng can tell, with the CUDA stream in a fake CuPy generator."""
    import nptorch.cuda._lazy as lazy

    monkeypatch.setattr(lazy, "lazy_init", lambda: None)
    monkeypatch.setattr(nptorch.cuda, "device_count", lambda: 1)
    gen = nptorch.default_generator
    monkeypatch.setattr(gen, "_cupy", gen._cupy)
    monkeypatch.setattr(gen, "_cuda_seed", gen._cuda_seed)
    return gen


def test_restores_the_cuda_stream(fake_gpu):
    rng = FakeCupyGenerator()
    fake_gpu._cupy, fake_gpu._cuda_seed = rng, 17
    with nptorch.random.fork_rng():
        assert fake_gpu._cupy is rng  # the block continues the stream
        rng.advance()
        nptorch.cuda.manual_seed(5)
        assert fake_gpu._cuda_seed == 5 and fake_gpu._cupy is None
    assert fake_gpu._cupy is rng and fake_gpu._cuda_seed == 17
    assert rng.bit_generator._state.tolist() == [0.0] * 4


def test_cuda_stream_without_copyable_state_is_left_untouched(fake_gpu):
    rng = FakeCupyGenerator(exposes_state=False)
    fake_gpu._cupy, fake_gpu._cuda_seed = rng, 17
    with nptorch.random.fork_rng(devices=[0]):
        assert fake_gpu._cupy is None and fake_gpu._cuda_seed == 17  # drawn anew, seeded alike
    assert fake_gpu._cupy is rng and rng.draws == 0


def test_cuda_stream_not_yet_drawn_from(fake_gpu):
    fake_gpu._cupy, fake_gpu._cuda_seed = None, 23
    with nptorch.random.fork_rng():
        fake_gpu._cupy = FakeCupyGenerator()
        nptorch.cuda.manual_seed(1)
    assert fake_gpu._cupy is None and fake_gpu._cuda_seed == 23


def test_many_devices_warn_once_like_torch(torch, monkeypatch):
    import nptorch.cuda._lazy as lazy
    import torch.random as torch_random

    monkeypatch.setattr(lazy, "lazy_init", lambda: None)
    messages = []
    for lib, module in ((nptorch, nptorch.random), (torch, torch_random)):
        monkeypatch.setattr(lib.cuda, "device_count", lambda: 2)
        monkeypatch.setattr(module, "_fork_rng_warned_already", False)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            for _ in range(2):
                try:
                    with lib.random.fork_rng():
                        pass
                except (AssertionError, RuntimeError):
                    pass  # PyTorch's CPU build cannot read a GPU's state after warning
        texts = [str(w.message) for w in record if "available devices" in str(w.message)]
        assert len(texts) == 1
        messages.append(texts[0])
    assert messages[0] == messages[1]
    assert messages[0].startswith("CUDA reports that you have 2 available devices")
