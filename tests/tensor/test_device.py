"""The device model, device errors and ``nptorch.cuda`` without a GPU."""
import numpy as np
import pytest

import nptorch
from nptorch._device import check_same_device


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
