"""``nptorch.cuda`` and ``nptorch.backends``: PyTorch's behaviour without a GPU (simulated, so
it is checked on every machine) and with one (skipped where there is none)."""
import importlib.util
import subprocess
import sys
import types

import pytest

import nptorch
from nptorch import _compat

gpu = pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")

NO_CUPY = (AssertionError, "Torch not compiled with CUDA enabled")
NO_GPU = (RuntimeError, "No CUDA GPUs are available")


@pytest.fixture(params=["no cupy", "no gpu"])
def without_gpu(request, monkeypatch):
    """The error that functions needing a GPU raise: CuPy missing, or CuPy seeing no GPU."""
    if request.param == "no cupy":
        monkeypatch.setattr(_compat, "cupy", None)
        return NO_CUPY
    if _compat.cupy is None:  # only its presence matters here
        monkeypatch.setattr(_compat, "cupy", types.ModuleType("cupy"))
    monkeypatch.setattr(_compat, "has_cuda", lambda: False)
    return NO_GPU


NEEDS_GPU = [
    lambda: nptorch.cuda.current_device(),
    lambda: nptorch.cuda.set_device(0),
    lambda: nptorch.cuda.set_device("cuda:1"),
    lambda: nptorch.cuda.get_device_name(),
    lambda: nptorch.cuda.get_device_name(0),
    lambda: nptorch.cuda.get_device_properties(0),
    lambda: nptorch.cuda.get_device_capability(),
    lambda: nptorch.cuda.synchronize(),
    lambda: nptorch.cuda.current_stream(),
    lambda: nptorch.cuda.default_stream(),
    lambda: nptorch.cuda.reset_peak_memory_stats(),
    lambda: nptorch.cuda.device(0).__enter__(),
]


@pytest.mark.parametrize("call", NEEDS_GPU, ids=range(len(NEEDS_GPU)))
def test_functions_needing_a_gpu_raise_without_one(without_gpu, call):
    error, message = without_gpu
    with pytest.raises(error, match=message):
        call()


def test_queries_without_a_gpu(without_gpu):
    cuda = nptorch.cuda
    assert cuda.is_available() is False
    assert cuda.device_count() == 0
    assert cuda.memory_allocated() == cuda.memory_allocated(0) == 0
    assert cuda.max_memory_allocated() == cuda.memory_reserved() == 0
    assert cuda.empty_cache() is None
    cuda.manual_seed(3)
    cuda.manual_seed_all(3)
    # negative indices and None leave the current device: no GPU needed
    cuda.set_device(-1)
    with cuda.device(-1), cuda.device(None), cuda.stream(None) as s:
        assert s is None


def test_streams_and_events_need_cuda(without_gpu):
    with pytest.raises(RuntimeError, match=r"torch.cuda.Stream requires CUDA support"):
        nptorch.cuda.Stream()
    with pytest.raises(RuntimeError, match=r"torch.cuda.Event requires CUDA support"):
        nptorch.cuda.Event(enable_timing=True)


def test_device_arguments_are_checked():
    cuda = nptorch.cuda
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        cuda.set_device("cpu")
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        cuda.device(nptorch.device("cpu"))
    with pytest.raises(ValueError, match="Expected a cuda device, but got: 1.5"):
        cuda.device(1.5)
    with pytest.raises(ValueError, match="with a specified index or an integer, but got:cuda"):
        cuda.set_device("cuda")
    with pytest.raises(ValueError, match="with a specified index or an integer, but got:None"):
        cuda.set_device(None)
    with pytest.raises(RuntimeError, match="Invalid device string: 'cuda:x'"):
        cuda.set_device("cuda:x")
    assert cuda.device("cuda:1").idx == 1
    assert cuda.device(nptorch.device("cuda", 2)).idx == 2
    assert cuda.device(cuda.device(3)).idx == 3


def test_backends_settings_are_settable(monkeypatch):
    backends = nptorch.backends
    assert backends.cudnn.benchmark is False and backends.cudnn.deterministic is False
    assert backends.cudnn.is_available() is False
    # True by default (the tests turn it off): PyTorch's default
    assert _run("import nptorch; print(nptorch.backends.cudnn.allow_tf32)") == ["True"]
    assert backends.cuda.matmul.allow_tf32 is False
    for namespace, name in [(backends.cudnn, "benchmark"), (backends.cudnn, "deterministic"),
                            (backends.cuda.matmul, "allow_tf32")]:
        monkeypatch.setattr(namespace, name, True)
        assert getattr(namespace, name) is True
    assert backends.cuda.is_built() is (_compat.cupy is not None)



def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_cpu_work_leaves_cupy_unimported():
    """Importing CuPy takes as long as importing nptorch: CPU-only work must not pay for it
    (this can only fail where CuPy is installed, as in CI)."""
    assert _run("""
import io, sys, nptorch
m = nptorch.nn.Sequential(nptorch.nn.Conv2d(1, 2, 3), nptorch.nn.ReLU(), nptorch.nn.Flatten(),
                          nptorch.nn.Linear(8, 2))
loss = nptorch.nn.functional.cross_entropy(m(nptorch.randn(4, 1, 4, 4)),
                                           nptorch.tensor([0, 1, 1, 0]))
loss.backward()
nptorch.optim.SGD(m.parameters(), lr=0.1).step()
nptorch.nn.LSTM(3, 4)(nptorch.randn(5, 2, 3))[0].sum().backward()
buffer = io.BytesIO()
nptorch.save(m.state_dict(), buffer)
buffer.seek(0)
m.load_state_dict(nptorch.load(buffer))
print("cupy" in sys.modules)
""") == ["False"]


def test_cupy_is_imported_on_first_use():
    installed = importlib.util.find_spec("cupy") is not None
    assert _run("""
import sys, nptorch
from nptorch import _compat
print(_compat.cupy is None, "cupy" in sys.modules, nptorch.backends.cuda.is_built())
""") == [str(not installed), str(installed), str(installed)]

# -- with a GPU ---------------------------------------------------------------------------
@gpu
def test_device_queries():
    cuda = nptorch.cuda
    assert cuda.device_count() >= 1
    assert cuda.current_device() == 0
    props = cuda.get_device_properties(0)
    assert isinstance(props.name, str) and props.name == cuda.get_device_name()
    assert props.total_memory > 2 ** 30
    assert cuda.get_device_capability() == (props.major, props.minor) and props.major >= 5
    assert "total_memory=" in repr(props)
    with pytest.raises(AssertionError, match="Invalid device id"):
        cuda.get_device_properties(cuda.device_count())
    cuda.synchronize()
    cuda.synchronize("cuda:0")


@gpu
def test_device_context_and_set_device():
    cuda = nptorch.cuda
    last = cuda.device_count() - 1
    with cuda.device(last):
        assert cuda.current_device() == last
        assert nptorch.zeros(2, device="cuda").device == nptorch.device("cuda", last)
    assert cuda.current_device() == 0
    cuda.set_device(f"cuda:{last}")
    try:
        assert cuda.current_device() == last
    finally:
        cuda.set_device(0)


@gpu
def test_memory_statistics():
    cuda = nptorch.cuda
    cuda.empty_cache()
    before = cuda.memory_allocated()
    cuda.reset_peak_memory_stats()
    x = nptorch.zeros(1 << 20, device="cuda")  # 4 MiB
    assert cuda.memory_allocated() - before >= 4 << 20
    assert cuda.memory_reserved() >= cuda.memory_allocated()
    peak = cuda.max_memory_allocated()
    assert peak >= before + (4 << 20)
    del x
    assert cuda.memory_allocated() == before
    assert cuda.max_memory_allocated() == peak
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == before
    cuda.empty_cache()
    assert cuda.memory_reserved() <= peak


@gpu
def test_events_time_work():
    cuda = nptorch.cuda
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    x = nptorch.randn(512, 512, device="cuda")
    start.record()
    for _ in range(5):
        x = x @ x / 512
    end.record()
    end.synchronize()
    assert end.query() is True
    assert start.elapsed_time(end) > 0
    with pytest.raises(RuntimeError, match="Both events must be created with argument"):
        cuda.Event().elapsed_time(end)


@gpu
def test_streams():
    cuda = nptorch.cuda
    s = cuda.Stream()
    assert cuda.current_stream() == cuda.default_stream()
    assert s != cuda.current_stream()
    x = nptorch.ones(1000, device="cuda")
    s.wait_stream(cuda.current_stream())
    with cuda.stream(s):
        assert cuda.current_stream() == s
        y = x * 2
    assert cuda.current_stream() == cuda.default_stream()
    cuda.current_stream().wait_stream(s)
    with s:
        assert cuda.current_stream() == s
    event = s.record_event()
    event.wait()
    s.synchronize()
    assert s.query() is True and event.query() is True
    assert float(y.sum()) == 2000.0
    assert s.device == nptorch.device("cuda", 0)
    assert "cuda_stream=" in repr(s)


@gpu
def test_tensors_move_between_devices():
    x = nptorch.arange(6.0).reshape(2, 3)
    y = x.to("cuda:0", non_blocking=True)
    assert y.device == nptorch.device("cuda", 0)
    assert x.cuda().device == y.device
    assert y.cpu().device == nptorch.device("cpu")
    assert y.cpu().tolist() == x.tolist()
    module = nptorch.nn.Linear(3, 2).to("cuda")
    assert module.weight.device.type == "cuda"


def test_pinning_needs_a_gpu(torch, without_gpu):
    # PyTorch is the oracle only where it sees no GPU either
    for lib in (nptorch,) if torch.cuda.is_available() else (nptorch, torch):
        x = lib.ones(2)
        assert x.is_pinned() is False
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is "
                                               "available"):
            x.pin_memory()


@gpu
def test_pinned_copies_keep_values_and_gradients():
    x = nptorch.arange(6.0, requires_grad=True)
    pinned = x.pin_memory()
    assert pinned.is_pinned() and not x.is_pinned() and pinned.pin_memory() is pinned
    assert pinned.tolist() == x.tolist()
    y = pinned.to("cuda", non_blocking=True)
    (y * 2).sum().backward()
    assert x.grad.tolist() == [2.0] * 6
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        y.pin_memory()
