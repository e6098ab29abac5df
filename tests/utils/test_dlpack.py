"""DLPack exchange with PyTorch and NumPy: ``nptorch.from_dlpack``, ``Tensor.__dlpack__`` /
``__dlpack_device__`` and ``nptorch.utils.dlpack``: shared memory, dtypes, shapes, strides
and PyTorch's errors."""
import gc

import numpy as np
import pytest

import nptorch
from nptorch.utils.dlpack import DLDeviceType, from_dlpack, to_dlpack

from helpers import check_error, check_same_error_as_torch

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _data(dtype, shape=(3, 4)):
    return (np.arange(int(np.prod(shape))).reshape(shape) % 7).astype(dtype)


def _strided(lib, make):
    """Tensors of several layouts, by name."""
    return {
        "contiguous": make((3, 4)),
        "transposed": make((3, 4)).t(),
        "sliced": make((4, 6))[1:, ::2],
        "channels_last": make((2, 3, 4, 5)).contiguous(memory_format=lib.channels_last),
        "scalar": make(()),
        "empty": make((0, 3)),
    }


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_imports_nptorch_tensors_without_copying(dtype):
    torch = pytest.importorskip("torch")
    for name, x in _strided(nptorch, lambda s: nptorch.tensor(_data(dtype, s))).items():
        t = torch.from_dlpack(x)
        assert str(t.dtype) == f"torch.{dtype}", name
        assert tuple(t.shape) == tuple(x.shape), name
        np.testing.assert_array_equal(t.numpy(), x.numpy())
        if x.numel():
            assert t.stride() == x.stride(), name
            assert t.data_ptr() == x.data_ptr(), name
            t.fill_(True if dtype == "bool" else 5)
            assert bool((x == (True if dtype == "bool" else 5)).all()), name


@pytest.mark.parametrize("dtype", DTYPES)
def test_nptorch_imports_torch_tensors_without_copying(dtype):
    torch = pytest.importorskip("torch")
    for name, t in _strided(torch, lambda s: torch.tensor(_data(dtype, s))).items():
        x = nptorch.from_dlpack(t)
        assert isinstance(x, nptorch.Tensor)
        assert x.dtype is getattr(nptorch, "bool" if dtype == "bool" else dtype), name
        assert tuple(x.shape) == tuple(t.shape), name
        assert not x.requires_grad
        np.testing.assert_array_equal(x.numpy(), t.numpy())
        if t.numel():
            assert x.stride() == t.stride(), name
            assert x.data_ptr() == t.data_ptr(), name
            x.fill_(True if dtype == "bool" else 6)
            assert bool((t == (True if dtype == "bool" else 6)).all()), name


def test_writes_go_both_ways():
    torch = pytest.importorskip("torch")
    x = nptorch.arange(6.0).reshape(2, 3)
    t = torch.from_dlpack(x)
    t[0, 1] = 100.0
    x[1, 2] = -1.0
    assert x.tolist() == t.tolist() == [[0.0, 100.0, 2.0], [3.0, 4.0, -1.0]]
    u = torch.arange(4, dtype=torch.int32)
    y = nptorch.from_dlpack(u)
    y.add_(10)
    u[0] = 7
    assert y.tolist() == u.tolist() == [7, 11, 12, 13]


def test_exported_memory_outlives_the_tensor():
    torch = pytest.importorskip("torch")
    x = nptorch.arange(5.0) * 2
    t = torch.from_dlpack(x)
    del x
    gc.collect()
    assert t.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    u = torch.arange(3.0)
    y = nptorch.from_dlpack(u)
    del u
    gc.collect()
    assert y.tolist() == [0.0, 1.0, 2.0]


def test_numpy_round_trips():
    a = np.arange(12, dtype=np.int16).reshape(3, 4)[:, 1:]
    x = nptorch.from_dlpack(a)
    assert x.dtype is nptorch.int16 and x.stride() == (4, 1)
    x[0, 0] = 99
    assert a[0, 0] == 99
    b = np.from_dlpack(nptorch.ones(2, 3).t())
    assert b.shape == (3, 2) and b.strides == (4, 12)
    y = nptorch.from_dlpack(nptorch.arange(3))
    assert y.tolist() == [0, 1, 2]


def test_legacy_capsules():
    torch = pytest.importorskip("torch")
    x = nptorch.arange(4.0)
    capsule = to_dlpack(x)
    assert "dltensor" in repr(capsule) and "versioned" not in repr(capsule)
    t = torch.utils.dlpack.from_dlpack(capsule)
    t[0] = 42.0
    assert x.tolist() == [42.0, 1.0, 2.0, 3.0]
    # PyTorch's capsule: memory shared; NumPy imports legacy capsules read-only.
    u = torch.arange(3, dtype=torch.int64)
    y = from_dlpack(torch.utils.dlpack.to_dlpack(u))
    assert y.dtype is nptorch.int64 and y.data_ptr() == u.data_ptr()
    u[2] = 9
    assert y.tolist() == [0, 1, 9]
    versioned = x.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(versioned)
    z = nptorch.from_dlpack(versioned)
    z[1] = -1.0
    assert x.tolist() == [42.0, -1.0, 2.0, 3.0]


def test_read_only_memory_needs_a_versioned_capsule():
    torch = pytest.importorskip("torch")
    expanded = nptorch.arange(3.0).reshape(3, 1).expand(3, 4)
    check_error(lambda: to_dlpack(expanded), BufferError, "Cannot export readonly array")
    t = torch.from_dlpack(expanded)  # asks for a versioned capsule, which can say read-only
    assert t.stride() == (1, 0) and t.tolist() == expanded.tolist()


def test_writing_memory_imported_read_only_names_the_cause():
    x = nptorch.arange(4.0)
    imported = from_dlpack(to_dlpack(x))  # legacy capsules come in read-only
    for write in (lambda t: t.add_(1), lambda t: t.mul_(nptorch.ones(4)), lambda t: t.zero_(),
                  lambda t: t.copy_(nptorch.ones(4)), lambda t: t.__setitem__(0, 5.0)):
        with pytest.raises(RuntimeError, match="memory is read-only"):
            write(imported)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    # an expanded tensor keeps PyTorch's message
    check_same_error_as_torch(lambda L: L.zeros(1).expand(3).add_(1))
    # (PyTorch lets an index assignment write its shared memory; nptorch refuses it alike)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        nptorch.zeros(1).expand(3)[0] = 1.0


def test_copy_and_device_arguments():
    torch = pytest.importorskip("torch")
    t = torch.arange(3.0)
    copied = nptorch.from_dlpack(t, copy=True)
    copied[0] = 5.0
    assert t.tolist() == [0.0, 1.0, 2.0] and copied.tolist() == [5.0, 1.0, 2.0]
    same = nptorch.from_dlpack(t, device="cpu", copy=False)
    assert same.data_ptr() == t.data_ptr() and same.device == nptorch.device("cpu")
    check_error(lambda: nptorch.from_dlpack(t, device="cuda", copy=False), ValueError,
                r"cannot move DLPack tensor from device \(1, 0\) to \(2, 0\) without copying")


def test_dlpack_device_matches_torch():
    torch = pytest.importorskip("torch")
    ours = nptorch.zeros(2).__dlpack_device__()
    theirs = torch.zeros(2).__dlpack_device__()
    assert ours == theirs == (1, 0)
    assert ours[0] is DLDeviceType.kDLCPU
    assert {m.name: int(m) for m in DLDeviceType} == {
        m.name: int(m) for m in torch.utils.dlpack.DLDeviceType}


def test_bad_exports_raise_torch_errors():
    for call in (
            lambda L: L.ones(2, requires_grad=True).__dlpack__(),
            lambda L: (L.ones(2, requires_grad=True) * 2).__dlpack__(max_version=(1, 0)),
            lambda L: L.ones(2).__dlpack__(stream="default"),
            lambda L: L.ones(2).__dlpack__(stream=3),
            lambda L: L.ones(2).__dlpack__(None),
            lambda L: L.from_dlpack(5),
            lambda L: L.from_dlpack(L.utils.dlpack.to_dlpack(L.ones(2)), copy=True),
            lambda L: L.utils.dlpack.from_dlpack(L.utils.dlpack.to_dlpack(L.ones(2)),
                                                 device="cpu"),
    ):
        check_same_error_as_torch(call)
    x = nptorch.ones(2, requires_grad=True)
    assert nptorch.from_dlpack(x.detach()).tolist() == [1.0, 1.0]
    assert "dltensor" in repr(x.detach().__dlpack__(stream=None))


def test_a_capsule_is_consumed_once_like_torch():
    def consume_twice(lib):
        capsule = lib.utils.dlpack.to_dlpack(lib.ones(2))
        lib.from_dlpack(capsule)
        lib.from_dlpack(capsule)
    check_same_error_as_torch(consume_twice)


def test_dtypes_nptorch_lacks_are_refused():
    torch = pytest.importorskip("torch")
    check_error(lambda: nptorch.from_dlpack(torch.ones(2, dtype=torch.complex64)),
                RuntimeError, "Unsupported dtype in DLTensor: nptorch has no complex64 tensors")
    check_error(lambda: nptorch.from_dlpack(np.ones(2, dtype=np.uint32)),
                RuntimeError, "nptorch has no uint32 tensors")


def test_names_are_registered_like_torch():
    torch = pytest.importorskip("torch")
    for name in ("from_dlpack", "to_dlpack", "DLDeviceType"):
        assert hasattr(torch.utils.dlpack, name) and hasattr(nptorch.utils.dlpack, name)
    assert nptorch.from_dlpack is from_dlpack
    for name in ("__dlpack__", "__dlpack_device__"):
        assert hasattr(torch.Tensor, name) and hasattr(nptorch.Tensor, name)
