"""dtype objects, aliases, the default dtype and PyTorch's type promotion."""
import itertools
import pickle

import numpy as np
import pytest

import nptorch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def name_of(torch_dtype):
    return str(torch_dtype).replace("torch.", "")


def test_aliases():
    assert nptorch.float is nptorch.float32
    assert nptorch.double is nptorch.float64
    assert nptorch.half is nptorch.float16
    assert nptorch.long is nptorch.int64
    assert nptorch.int is nptorch.int32
    assert nptorch.short is nptorch.int16
    assert isinstance(nptorch.bool, nptorch.dtype)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes_match_torch(torch, name):
    d, t = getattr(nptorch, name), getattr(torch, name)
    assert repr(d) == str(d) == f"nptorch.{name}"
    assert d.is_floating_point == t.is_floating_point
    assert d.is_signed == t.is_signed
    assert d.itemsize == t.itemsize
    assert d.is_complex is False
    assert nptorch.zeros(1, dtype=d).dtype is d
    assert pickle.loads(pickle.dumps(d)) is d


def test_numpy_dtype_round_trip():
    from nptorch import _dtype
    for name in NAMES:
        d = getattr(nptorch, name)
        assert _dtype.from_numpy_dtype(d.np_dtype) is d
        assert nptorch.from_numpy(np.zeros(1, d.np_dtype)).dtype is d
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.complex128. The only "
                                        "supported types are: float64, float32, float16, int64"):
        _dtype.from_numpy_dtype(np.complex128)


def test_default_dtype(torch):
    assert nptorch.get_default_dtype() is nptorch.float32
    try:
        nptorch.set_default_dtype(nptorch.float64)
        assert nptorch.tensor([1.5]).dtype is nptorch.float64
        assert nptorch.zeros(1).dtype is nptorch.float64
        assert nptorch.arange(0.0, 1.0).dtype is nptorch.float64
        assert repr(nptorch.tensor([1.5])) == "tensor([1.5000])"
        assert repr(nptorch.tensor([1.5], dtype=nptorch.float32)) == \
            "tensor([1.5000], dtype=nptorch.float32)"
    finally:
        nptorch.set_default_dtype(nptorch.float32)
    assert nptorch.tensor([1.5]).dtype is nptorch.float32
    for lib in (nptorch, torch):
        with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
            lib.set_default_dtype(lib.int64)


def test_promote_types_all_pairs(torch):
    for a, b in itertools.product(NAMES, NAMES):
        ours = nptorch.promote_types(getattr(nptorch, a), getattr(nptorch, b))
        theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert ours.name == name_of(theirs), (a, b)


def _operand(lib, name, kind):
    dt = getattr(lib, name)
    return lib.ones(2, dtype=dt) if kind == "dim" else lib.ones((), dtype=dt)


def test_result_type_tensors_and_zero_dim(torch):
    for a, b in itertools.product(NAMES, NAMES):
        for ka, kb in itertools.product(("dim", "zero"), repeat=2):
            ours = nptorch.result_type(_operand(nptorch, a, ka), _operand(nptorch, b, kb))
            theirs = torch.result_type(_operand(torch, a, ka), _operand(torch, b, kb))
            assert ours.name == name_of(theirs), (a, ka, b, kb)


def test_result_type_with_python_scalars(torch):
    for name, kind, scalar in itertools.product(NAMES, ("dim", "zero"), (True, 2, 2.5)):
        ours = nptorch.result_type(_operand(nptorch, name, kind), scalar)
        theirs = torch.result_type(_operand(torch, name, kind), scalar)
        assert ours.name == name_of(theirs), (name, kind, scalar)
        ours = nptorch.result_type(scalar, _operand(nptorch, name, kind))
        theirs = torch.result_type(scalar, _operand(torch, name, kind))
        assert ours.name == name_of(theirs), (scalar, name, kind)
    for s1, s2 in itertools.product((True, 2, 2.5), repeat=2):
        assert nptorch.result_type(s1, s2).name == name_of(torch.result_type(s1, s2))


def test_binary_op_result_dtypes_follow_promotion(torch):
    for a, b in (("int32", "int64"), ("uint8", "int8"), ("bool", "float16"), ("int64", "float32")):
        x = nptorch.ones(2, dtype=getattr(nptorch, a)) + nptorch.ones(2, dtype=getattr(nptorch, b))
        t = torch.ones(2, dtype=getattr(torch, a)) + torch.ones(2, dtype=getattr(torch, b))
        assert x.dtype.name == name_of(t.dtype)
    assert (nptorch.ones(2, dtype=nptorch.int32) * 2.5).dtype is nptorch.float32
    assert (nptorch.ones(2, dtype=nptorch.float16) + nptorch.tensor(1.0, dtype=nptorch.float64)).dtype \
        is nptorch.float16


def test_can_cast(torch):
    for a, b in itertools.product(NAMES, NAMES):
        assert nptorch.can_cast(getattr(nptorch, a), getattr(nptorch, b)) == \
            torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_python_types_as_dtypes(torch):
    for py in (float, int, bool):
        assert nptorch.tensor([1], dtype=py).dtype.name == name_of(torch.tensor([1], dtype=py).dtype)
        assert nptorch.ones(1, dtype=py).dtype.name == name_of(torch.ones(1, dtype=py).dtype)
