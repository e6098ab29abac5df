"""nptorch.accelerator and nptorch.get_device_module: without a GPU, what PyTorch's CPU-only
build returns or raises; with one (a real GPU, or a stand-in for CuPy), nptorch.cuda's
answers."""
import inspect
import types
import warnings

import pytest

import nptorch
from nptorch import _compat, accelerator
from nptorch.cuda import memory as cuda_memory

from helpers import check_same_error_as_torch

gpu = pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")
NONE_AVAILABLE = "Cannot access accelerator device when none is available."


@pytest.fixture
def without_gpu(monkeypatch):
    monkeypatch.setattr(_compat, "has_cuda", lambda: False)


@pytest.fixture
def cpu_torch(torch):
    """PyTorch, when it sees no accelerator either (the oracle of the GPU-less behavior)."""
    if torch.accelerator.current_accelerator() is not None:
        pytest.skip("PyTorch sees an accelerator")
    return torch


def test_namespace_matches_torch(torch):
    # Graph (accelerator graph capture) is not provided
    assert set(accelerator.__all__) == set(torch.accelerator.__all__) - {"Graph"}
    for name in accelerator.__all__:
        ours = getattr(accelerator, name)
        theirs = getattr(torch.accelerator, name)
        if name == "device_index":
            ours, theirs = ours.__init__, theirs.__init__
        assert ([(p.name, p.kind, p.default) for p in
                 inspect.signature(ours).parameters.values()]
                == [(p.name, p.kind, p.default) for p in
                    inspect.signature(theirs).parameters.values()]), name


def test_queries_without_a_gpu(without_gpu, cpu_torch):
    for lib in (nptorch, cpu_torch):
        acc = lib.accelerator
        assert acc.current_accelerator() is None
        assert acc.current_accelerator(check_available=True) is None
        assert acc.device_count() == 0
        assert acc.is_available() is False
        # negative indices and None need no device
        assert acc.set_device_index(-1) is None
        assert acc.set_device_index(-5) is None
        with acc.device_index(None):
            pass
        with pytest.warns(FutureWarning, match="Use `set_device_index` instead."):
            assert acc.set_device_idx(-1) is None


@pytest.mark.parametrize("call", [
    lambda lib: lib.accelerator.current_device_index(),
    lambda lib: lib.accelerator.set_device_index(0),
    lambda lib: lib.accelerator.set_device_index(3),
    lambda lib: lib.accelerator.synchronize(),
    lambda lib: lib.accelerator.synchronize(0),
    lambda lib: lib.accelerator.synchronize(-1),
    lambda lib: lib.accelerator.current_stream(),
    lambda lib: lib.accelerator.current_stream(0),
    lambda lib: lib.accelerator.empty_cache(),
    lambda lib: lib.accelerator.empty_host_cache(),
    lambda lib: lib.accelerator.memory_stats(),
    lambda lib: lib.accelerator.memory_stats("cuda"),
    lambda lib: lib.accelerator.memory_allocated(),
    lambda lib: lib.accelerator.memory_allocated(0),
    lambda lib: lib.accelerator.max_memory_allocated(),
    lambda lib: lib.accelerator.memory_reserved(),
    lambda lib: lib.accelerator.max_memory_reserved("cuda:0"),
    lambda lib: lib.accelerator.reset_accumulated_memory_stats(),
    lambda lib: lib.accelerator.reset_peak_memory_stats(0),
    lambda lib: lib.accelerator.get_memory_info(),
    lambda lib: lib.accelerator.get_memory_info(-1),
    lambda lib: lib.accelerator.get_device_capability(),
    lambda lib: lib.accelerator.get_device_capability(0),
    lambda lib: lib.accelerator.device_index(0).__enter__(),
    lambda lib: lib.accelerator.device_index(-1).__enter__(),
    lambda lib: lib.accelerator.set_device_index("cuda:0"),
    lambda lib: lib.accelerator.set_device_index("cpu"),
    lambda lib: lib.accelerator.set_device_index(lib.device("cuda", 1)),
    lambda lib: lib.accelerator.synchronize("cuda"),
    lambda lib: lib.accelerator.get_memory_info("cuda:0"),
    lambda lib: lib.accelerator.set_device_index(None),
    lambda lib: lib.accelerator.set_device_index(1.5),
])
def test_errors_without_a_gpu_are_torchs(without_gpu, cpu_torch, call):
    check_same_error_as_torch(call)


def test_deprecated_names_warn_then_fail_as_torch(without_gpu, cpu_torch):
    for lib in (nptorch, cpu_torch):
        with pytest.warns(FutureWarning, match="Use `current_device_index` instead."):
            with pytest.raises(RuntimeError, match=NONE_AVAILABLE):
                lib.accelerator.current_device_idx()
        with pytest.warns(FutureWarning, match="Use `set_device_index` instead."):
            with pytest.raises(RuntimeError, match=NONE_AVAILABLE):
                lib.accelerator.set_device_idx(0)


def test_argument_type_errors(without_gpu, cpu_torch):
    for lib in (nptorch, cpu_torch):
        with pytest.raises(TypeError):
            with lib.accelerator.device_index("cuda"):
                pass
        with pytest.raises(TypeError):
            lib.accelerator.set_stream(None)


def test_get_device_module(without_gpu, cpu_torch):
    for lib in (nptorch, cpu_torch):
        assert lib.get_device_module() is lib.cpu
        assert lib.get_device_module("cpu") is lib.cpu
        assert lib.get_device_module(lib.device("cpu")) is lib.cpu
        assert lib.get_device_module("cuda") is lib.cuda
        assert lib.get_device_module(lib.device("cuda:1")) is lib.cuda
    check_same_error_as_torch(lambda lib: lib.get_device_module(0))
    check_same_error_as_torch(lambda lib: lib.get_device_module(1.5))
    with pytest.raises(RuntimeError, match="foo"):
        nptorch.get_device_module("foo")


class _FakeRuntime:
    """CuPy's ``cuda.runtime`` for two pretend GPUs."""

    def __init__(self):
        self.current, self.synchronized = 0, []

    def getDeviceCount(self):
        return 2

    def getDevice(self):
        return self.current

    def setDevice(self, index):
        assert 0 <= index < 2
        self.current = index

    def deviceSynchronize(self):
        self.synchronized.append(self.current)

    def memGetInfo(self):
        return 1000 + self.current, 4000


class _FakeDevice:
    def __init__(self, runtime, index):
        self.runtime, self.index = runtime, index

    def __enter__(self):
        self.previous = self.runtime.current
        self.runtime.current = self.index

    def __exit__(self, *exc):
        self.runtime.current = self.previous


class _FakePool:
    def __init__(self, runtime, scale):
        self.runtime, self.scale, self.freed = runtime, scale, 0

    def used_bytes(self):
        return self.scale * (self.runtime.current + 1)

    def total_bytes(self):
        return 3 * self.used_bytes()

    def free_all_blocks(self):
        self.freed += 1


@pytest.fixture
def fake_gpus(monkeypatch):
    """Two pretend GPUs behind a stand-in for CuPy: the runtime and the two memory pools."""
    runtime = _FakeRuntime()
    pools = _FakePool(runtime, 100), _FakePool(runtime, 0)
    cupy = types.SimpleNamespace(
        cuda=types.SimpleNamespace(runtime=runtime, set_allocator=lambda allocator: None,
                                   Device=lambda index: _FakeDevice(runtime, index)),
        get_default_memory_pool=lambda: pools[0],
        get_default_pinned_memory_pool=lambda: pools[1])
    monkeypatch.setattr(_compat, "cupy", cupy)
    monkeypatch.setattr(_compat, "has_cuda", lambda: True)
    # max_memory_allocated puts a peak tracker in front of the pool: keep it to this test
    monkeypatch.setattr(cuda_memory, "_tracker", None)
    return runtime, pools


def test_queries_with_gpus(fake_gpus):
    runtime, (pool, pinned) = fake_gpus
    acc = accelerator
    assert acc.current_accelerator() == nptorch.device("cuda")
    assert acc.current_accelerator(check_available=True) == nptorch.device("cuda")
    assert acc.is_available() is True and acc.device_count() == 2
    assert acc.current_device_index() == 0
    acc.set_device_index("cuda:1")
    assert acc.current_device_index() == runtime.current == 1
    acc.set_device_index(-1)
    assert runtime.current == 1
    acc.set_device_index(nptorch.device("cuda", 0))
    assert runtime.current == 0
    with pytest.warns(FutureWarning, match="Use `set_device_index` instead."):
        acc.set_device_idx(1)
    with pytest.warns(FutureWarning, match="Use `current_device_index` instead."):
        assert acc.current_device_idx() == 1
    with acc.device_index(0) as entered:
        assert entered is None and runtime.current == 0
    assert runtime.current == 1
    context = acc.device_index(0)
    with context:
        assert context.prev_idx == 1
    with acc.device_index(None):
        assert runtime.current == 1
    assert nptorch.get_device_module() is nptorch.cuda


def test_device_arguments_with_gpus(fake_gpus):
    runtime, _ = fake_gpus
    accelerator.synchronize("cuda:0")
    accelerator.synchronize()
    accelerator.synchronize(nptorch.device("cuda"))
    assert runtime.synchronized == [0, 0, 0]
    runtime.current = 1
    accelerator.synchronize(0)
    assert runtime.synchronized[-1] == 0 and runtime.current == 1
    with pytest.raises(ValueError, match="^cpu doesn't match the current accelerator cuda.$"):
        accelerator.set_device_index("cpu")
    with pytest.raises(ValueError, match="^Expected a torch.device with a specified index or "
                                         "an integer, but got:cuda$"):
        accelerator.set_device_index("cuda")


def test_memory_with_gpus(fake_gpus):
    runtime, (pool, pinned) = fake_gpus
    acc = accelerator
    assert acc.memory_allocated() == acc.memory_allocated(0) == 100
    assert acc.memory_allocated("cuda:1") == 200
    assert acc.memory_reserved(1) == acc.max_memory_reserved(1) == 600
    assert acc.get_memory_info() == (1000, 4000)
    assert acc.get_memory_info(1) == (1001, 4000)
    assert runtime.current == 0
    stats = acc.memory_stats(1)
    assert list(stats) == sorted(stats)
    assert stats == {"allocated_bytes.all.current": 200, "allocated_bytes.all.peak": 200,
                     "reserved_bytes.all.current": 600, "reserved_bytes.all.peak": 600}
    acc.reset_peak_memory_stats()
    assert acc.max_memory_allocated() == 100
    assert acc.reset_accumulated_memory_stats() is None
    acc.empty_cache()  # as nptorch.cuda.empty_cache, pinned host blocks as well
    assert pool.freed == 1
    freed = pinned.freed
    acc.empty_host_cache()
    assert (pool.freed, pinned.freed) == (1, freed + 1)
    capability = acc.get_device_capability()
    assert {nptorch.float32, nptorch.float64, nptorch.int64, nptorch.bool} <= \
        capability["supported_dtypes"]


@gpu
def test_a_real_gpu():
    acc = accelerator
    cuda = nptorch.cuda
    assert acc.current_accelerator() == nptorch.device("cuda")
    assert acc.is_available() and acc.device_count() == cuda.device_count() >= 1
    assert acc.current_device_index() == cuda.current_device()
    with acc.device_index(0):
        assert cuda.current_device() == 0
    x = nptorch.ones(1024, device="cuda")
    acc.synchronize()
    assert acc.memory_allocated() == cuda.memory_allocated() >= x.numel() * 4
    assert acc.memory_reserved() >= acc.memory_allocated()
    free, total = acc.get_memory_info()
    assert 0 < free <= total
    previous = acc.current_stream()
    assert previous == cuda.current_stream()
    stream = cuda.Stream()
    acc.set_stream(stream)
    try:
        assert acc.current_stream() == stream
    finally:
        acc.set_stream(previous)
    assert acc.current_stream() == previous
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert acc.current_device_idx() == cuda.current_device()
