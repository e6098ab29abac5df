"""The device model, device errors and ``nptorch.cuda`` without a GPU."""
import numpy as np
import pytest

import nptorch
from nptorch._device import check_same_device

from helpers import check_same_error_as_torch


@pytest.mark.parametrize("spec", ["cpu", "cuda", "cuda:1", "cpu:0", "cpu:1", "cuda:12"])
def test_parsing_matches_torch(torch, spec):
    d, t = nptorch.device(spec), torch.device(spec)
    assert (d.type, d.index) == (t.type, t.index)
    assert repr(d) == repr(t)
    assert str(d) == str(t) == spec


def test_type_and_index_arguments(torch):
    for args in (("cuda", 2), ("cpu", 0), ("cuda", 0)):
        d, t = nptorch.device(*args), torch.device(*args)
        assert repr(d) == repr(t)
    assert nptorch.device(nptorch.device("cuda:3")) == nptorch.device("cuda", 3)
    assert nptorch.device(1) == nptorch.device("cuda:1")


@pytest.mark.parametrize("spec,message", [
    ("gpu", "Expected one of cpu, cuda"),
    ("CPU", "Expected one of cpu, cuda"),
    ("", "Device string must not be empty"),
    ("cuda:x", "Invalid device string: 'cuda:x'"),
    ("cuda:-1", "Invalid device string: 'cuda:-1'"),
    ("cuda:0:1", "Invalid device string: 'cuda:0:1'"),
])
def test_bad_strings(torch, spec, message):
    for lib in (nptorch, torch):
        with pytest.raises(RuntimeError, match=message):
            lib.device(spec)


@pytest.mark.parametrize("spec", ["gpu", "CPU", "tpu"])
def test_unknown_types_get_torchs_message(torch, spec):
    check_same_error_as_torch(lambda lib: lib.device(spec))


@pytest.mark.parametrize("spec, name", [("mps", "mps"), ("meta", "meta"), ("xpu:1", "xpu")])
def test_device_types_nptorch_lacks_are_named(spec, name):
    with pytest.raises(RuntimeError, match=f"^nptorch has no {name} device: its devices are cpu "
                                           "and cuda$"):
        nptorch.device(spec)


def test_bad_arguments(torch):
    for lib in (nptorch, torch):
        with pytest.raises(RuntimeError, match="Device index must not be negative"):
            lib.device("cuda", -1)
        with pytest.raises(RuntimeError, match="type \\(string\\) must not include an index"):
            lib.device("cuda:1", 2)
        with pytest.raises(TypeError, match="device\\(\\) received an invalid combination of arguments"):
            lib.device(5.5)


def test_equality_and_hash(torch):
    cpu = nptorch.device("cpu")
    assert cpu == nptorch.device("cpu")
    assert nptorch.device("cuda") != nptorch.device("cuda:0")
    assert nptorch.device("cuda", 0) == nptorch.device("cuda:0")
    assert (nptorch.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")
    assert len({cpu, nptorch.device("cpu"), nptorch.device("cuda:0")}) == 2


def test_tensor_device():
    x = nptorch.ones(2)
    assert x.device == nptorch.device("cpu")
    assert repr(x.device) == "device(type='cpu')"
    assert nptorch.zeros(2, device="cpu").device == nptorch.device("cpu")
    assert nptorch.zeros(2, device=nptorch.device("cpu:0")).device.type == "cpu"


def test_cuda_module_without_gpu():
    if nptorch.cuda.is_available():
        pytest.skip("a GPU is available")
    assert nptorch.cuda.is_available() is False
    assert nptorch.cuda.device_count() == 0
    nptorch.cuda.manual_seed(3)  # seeds the generators, no error without a GPU
    nptorch.cuda.manual_seed_all(3)
    with pytest.raises((AssertionError, RuntimeError),
                       match="Torch not compiled with CUDA enabled|No CUDA GPUs are available"):
        nptorch.cuda.synchronize()


def test_check_same_device_helper():
    class FakeCudaArray:
        """Stands in for a CuPy array on GPU 0: only ``device.id`` is read."""

        class device:
            id = 0

    a, b = np.zeros(2), FakeCudaArray()
    check_same_device("add", [a, np.ones(2)])
    with pytest.raises(RuntimeError, match=r"Expected all tensors to be on the same device, but found "
                                           r"at least two devices, cpu and cuda:0! \(when checking "
                                           r"arguments for add\)"):
        check_same_device("add", [a, b])


@pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")
def test_mixing_devices_in_an_op_raises():
    a, b = nptorch.ones(2), nptorch.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        a + b
    assert (b + b).device == nptorch.device("cuda:0")
    assert b.cpu().tolist() == [1.0, 1.0]
    same_device = "Expected all tensors to be on the same device"
    with pytest.raises(RuntimeError, match=same_device):
        b.masked_fill(a > 0, 0.0)
    logits, target = nptorch.zeros(3, 2, device="cuda"), nptorch.zeros(3, dtype=nptorch.int64,
                                                                        device="cuda")
    with pytest.raises(RuntimeError, match=same_device):
        nptorch.nn.functional.cross_entropy(logits, target, weight=a)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_legacy_type_names_and_casts(torch, device, dtype):
    ours, theirs = nptorch.ones(2, dtype=getattr(nptorch, dtype), device=device), torch.ones(2)
    theirs = theirs.to(getattr(torch, dtype))
    expected = theirs.type().replace("torch.", "torch.cuda.") if device == "cuda" else theirs.type()
    assert ours.type() == expected
    assert ours.type(ours.type()) is ours
    assert ours.type(nptorch.float64).dtype == nptorch.float64
    cast = ours.type("torch.IntTensor")
    assert (cast.dtype, cast.device.type) == (nptorch.int32, "cpu")
    with pytest.raises(ValueError, match="invalid type: 'torch.FooTensor'"):
        ours.type("torch.FooTensor")


FACTORIES = [lambda: nptorch.zeros(2), lambda: nptorch.ones(2), lambda: nptorch.empty(2),
             lambda: nptorch.full((2,), 1.5), lambda: nptorch.tensor([1.0, 2.0]),
             lambda: nptorch.as_tensor(np.ones(2)), lambda: nptorch.arange(3),
             lambda: nptorch.linspace(0, 1, 3), lambda: nptorch.logspace(0, 1, 3),
             lambda: nptorch.eye(2), lambda: nptorch.rand(2), lambda: nptorch.randn(2),
             lambda: nptorch.randint(0, 3, (2,)), lambda: nptorch.randperm(3),
             lambda: nptorch.normal(0.0, 1.0, (2,)), lambda: nptorch.nn.Linear(2, 3).weight]


@pytest.mark.parametrize("factory", FACTORIES, ids=range(len(FACTORIES)))
def test_factories_use_the_default_device(device, factory):
    with nptorch.device(device):
        assert nptorch.get_default_device() == nptorch.device(device)
        assert factory().device.type == device
        assert nptorch.zeros(1, device="cpu").device.type == "cpu"
        assert nptorch.from_numpy(np.ones(1)).device.type == "cpu"
    assert nptorch.get_default_device() == nptorch.device("cpu")
    assert factory().device.type == "cpu"
    nptorch.set_default_device(device)
    try:
        assert factory().device.type == device
    finally:
        nptorch.set_default_device(None)
    assert factory().device.type == "cpu"


def test_default_device_blocks_nest_and_restore_on_errors(torch):
    with nptorch.device("cpu:0"):
        with pytest.raises(KeyError):
            with nptorch.device("cpu"):
                raise KeyError
        assert nptorch.get_default_device() == nptorch.device("cpu:0")
    assert repr(nptorch.get_default_device()) == repr(torch.get_default_device())


def test_default_cuda_device_without_a_gpu():
    if nptorch.cuda.is_available():
        pytest.skip("a GPU is available")
    with nptorch.device("cuda"):
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            nptorch.zeros(2)
    assert nptorch.zeros(2).device.type == "cpu"
