"""``asarray``, ``frombuffer``, ``fill``, ``range``, ``empty_permuted`` and
``new_empty_strided`` compared with PyTorch: values, dtypes, memory sharing, autograd and
errors."""
import array
import math
import warnings

import numpy as np
import pytest

import nptorch
from nptorch._api import flags

from helpers import (check_equal_to_torch, check_op, check_same_error_as_torch,
                     check_same_outcome_as_torch)

torch = pytest.importorskip("torch")


def _shares(t, a):
    return t.data_ptr() == a.__array_interface__["data"][0]


@pytest.mark.parametrize("make", [
    lambda lib: lib.asarray([1, 2, 3]),
    lambda lib: lib.asarray([[1.5, 2], [3, 4]]),
    lambda lib: lib.asarray((1, 2.5), dtype=lib.float64),
    lambda lib: lib.asarray([True, False]),
    lambda lib: lib.asarray(3.5),
    lambda lib: lib.asarray(3.5, dtype=lib.int32),
    lambda lib: lib.asarray(np.float32(3.5)),
    lambda lib: lib.asarray(np.float64(3)),
    lambda lib: lib.asarray([np.float64(1.5), 2]),
    lambda lib: lib.asarray([lib.tensor(1.0), lib.tensor(2.0)]),
    lambda lib: lib.asarray([1.7, -2.5], dtype=lib.int64),
    lambda lib: lib.asarray(np.array([1.7, -2.5]), dtype=lib.int64),
    lambda lib: lib.asarray(np.array([True, False]), dtype=lib.float32),
    lambda lib: lib.asarray(np.arange(6, dtype=np.int16).reshape(2, 3)),
    lambda lib: lib.asarray(range(4)),
    lambda lib: lib.asarray(lib.arange(4), dtype=lib.float32, copy=True),
    lambda lib: lib.asarray(bytearray(b"abcdefgh"), dtype=lib.int32),
    lambda lib: lib.asarray(bytearray(b"ab"), dtype=lib.int8, copy=True),
    lambda lib: lib.asarray(array.array("f", [1, 2, 3])),
    lambda lib: lib.asarray(array.array("d", [1, 2])),  # raw bytes, read as float32
    lambda lib: lib.asarray(memoryview(np.arange(4, dtype=np.int16))),
])
def test_asarray_values_match_torch(make):
    check_equal_to_torch(make)


def test_asarray_shares_numpy_memory_unless_asked_to_copy():
    a = np.arange(4.0)
    shared = nptorch.asarray(a)
    assert _shares(shared, a) and shared.dtype == nptorch.float64
    shared[0] = 7
    assert a[0] == 7
    assert _shares(nptorch.asarray(a[::2]), a) and nptorch.asarray(a[::2]).stride() == (2,)
    assert _shares(nptorch.asarray(a, copy=False), a)
    copied = nptorch.asarray(a, copy=True)
    assert not _shares(copied, a) and copied.tolist() == a.tolist()
    converted = nptorch.asarray(a, dtype=nptorch.float32)
    assert not _shares(converted, a) and converted.dtype == nptorch.float32
    # a copy keeps the layout of the source, as PyTorch's
    ours = nptorch.asarray(np.ones((2, 3))[:, ::2].T, copy=True)
    theirs = torch.asarray(np.ones((2, 3))[:, ::2].T, copy=True)
    assert ours.stride() == theirs.stride() == (1, 2)


def test_asarray_shares_buffer_memory():
    buffer = bytearray(8)
    t = nptorch.asarray(buffer, dtype=nptorch.int32)
    t[0] = 5
    assert buffer[0] == 5
    copied = nptorch.asarray(buffer, dtype=nptorch.int32, copy=True)
    copied[1] = 9
    assert buffer[4] == 0


def test_asarray_of_a_tensor_is_the_tensor_unless_converted():
    t = nptorch.arange(4.0)
    assert nptorch.asarray(t) is t
    assert nptorch.asarray(t, copy=False, dtype=nptorch.float32, device="cpu") is t
    copied = nptorch.asarray(t, copy=True)
    assert copied is not t and copied.data_ptr() != t.data_ptr()
    assert nptorch.asarray(t, dtype=nptorch.float64).dtype == nptorch.float64


def test_asarray_requires_grad_follows_torch():
    for lib in (torch, nptorch):
        leaf = lib.arange(4.0, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert lib.asarray(leaf) is leaf
        # differentiable copies and conversions keep the graph
        copied = lib.asarray(leaf, copy=True, requires_grad=True)
        assert copied.requires_grad and not copied.is_leaf
        converted = lib.asarray(leaf, dtype=lib.float64, requires_grad=True)
        assert converted.requires_grad and not converted.is_leaf
        converted.sum().backward()
        assert leaf.grad.tolist() == [1.0] * 4
        detached = lib.asarray(leaf, copy=True, requires_grad=False)
        assert not detached.requires_grad and detached.is_leaf
        y = leaf * 2
        alias = lib.asarray(y, requires_grad=False)
        assert alias is not y and not alias.requires_grad and y.requires_grad
        assert alias.data_ptr() == y.data_ptr()
        # requires_grad on a leaf that shares memory sets the flag on that same leaf
        plain = lib.arange(3.0)
        assert lib.asarray(plain, requires_grad=True) is plain and plain.requires_grad
        assert lib.asarray(leaf, requires_grad=False) is leaf and not leaf.requires_grad
        fresh = lib.asarray(np.arange(3.0), requires_grad=True)
        assert fresh.requires_grad and fresh.is_leaf


def test_asarray_warns_once_when_requires_grad_is_inherited():
    flags._state["warned"].discard("asarray")
    leaf = nptorch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="unspecified requires_grad now defaults to "
                                         "obj.requires_grad instead of False"):
        assert nptorch.asarray(leaf).requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nptorch.asarray(leaf).requires_grad
        assert not nptorch.asarray(leaf.detach()).requires_grad


def test_asarray_follows_the_default_dtype():
    previous = nptorch.get_default_dtype()
    nptorch.set_default_dtype(nptorch.float64)
    try:
        assert nptorch.asarray([1.5]).dtype == nptorch.float64
        assert nptorch.asarray(np.array([1.5], np.float32)).dtype == nptorch.float32
        assert nptorch.asarray(bytearray(8)).dtype == nptorch.float64
    finally:
        nptorch.set_default_dtype(previous)


@pytest.mark.parametrize("call", [
    lambda lib: lib.asarray(lib.ones(2), dtype=lib.float64, copy=False),
    lambda lib: lib.asarray(np.arange(3.0), dtype=lib.float32, copy=False),
    lambda lib: lib.asarray(np.array([1, 2]), dtype=lib.int32, copy=False),
    lambda lib: lib.asarray([1, 2, 3], copy=False),
    lambda lib: lib.asarray(3.5, copy=False),
    lambda lib: lib.asarray(np.float32(3), copy=False),
    lambda lib: lib.asarray(np.arange(3.0)[::-1]),
    lambda lib: lib.asarray(np.arange(3.0)[::-1], copy=True),
    lambda lib: lib.asarray([[1, 2], [3]]),
    lambda lib: lib.asarray("abc"),
    lambda lib: lib.asarray(None),
    lambda lib: lib.asarray({1: 2}),
    lambda lib: lib.asarray(b"abc"),
    lambda lib: lib.asarray(b""),
    lambda lib: lib.asarray([1, 2], requires_grad=True),
    lambda lib: lib.asarray(lib.arange(3), requires_grad=True),
    lambda lib: lib.asarray([1], lib.float32),
    lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_(),
    lambda lib: lib.asarray([1], dtype=np.float64),
    lambda lib: lib.asarray([1], dtype="float64"),
    lambda lib: lib.asarray(lib.ones(2), copy=1),
])
def test_asarray_errors_match_torch(call):
    check_same_error_as_torch(call, nptorch_names=("dtype",))


@pytest.mark.parametrize("make", [
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16, count=1, offset=2),
    lambda lib: lib.frombuffer(bytearray(b"ab"), dtype=lib.int16, count=-2),
    lambda lib: lib.frombuffer(bytearray(b"abcdefgh"), dtype=lib.float64),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.uint8, offset=3),
    lambda lib: lib.frombuffer(np.arange(3, dtype=np.int16), dtype=lib.int16),
    lambda lib: lib.frombuffer(memoryview(bytearray(b"abcdefgh")).cast("i"), dtype=lib.int8),
    lambda lib: lib.frombuffer(array.array("f", [1.5, -2.0]), dtype=lib.float32),
])
def test_frombuffer_matches_torch(make):
    check_equal_to_torch(make)


def test_frombuffer_shares_memory_and_can_require_grad():
    buffer = bytearray(8)
    t = nptorch.frombuffer(buffer, dtype=nptorch.int16, offset=2, count=2)
    t[1] = -1
    assert buffer == bytearray(b"\x00\x00\x00\x00\xff\xff\x00\x00")
    x = nptorch.frombuffer(array.array("f", [1.0, 2.0]), dtype=nptorch.float32,
                           requires_grad=True)
    (x * x).sum().backward()
    assert x.is_leaf and x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("call", [
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16, count=2, offset=2),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16, offset=5),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16, offset=-1),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16, offset=4),
    lambda lib: lib.frombuffer(bytearray(b"abcde"), dtype=lib.int16),
    lambda lib: lib.frombuffer(bytearray(b""), dtype=lib.int16),
    lambda lib: lib.frombuffer(bytearray(b"ab"), dtype=lib.int16, count=0),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int32, requires_grad=True),
    lambda lib: lib.frombuffer([1, 2], dtype=lib.int32),
    lambda lib: lib.frombuffer(np.arange(6, dtype=np.int16)[::2], dtype=lib.int16),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype=lib.int16, count=1.5),
    lambda lib: lib.frombuffer(bytearray(b"abcd"), dtype="int16"),
])
def test_frombuffer_errors_match_torch(call):
    check_same_error_as_torch(call, nptorch_names=("dtype",))


# -- fill ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.fill(lib.ones(2, 3), 2),
    lambda lib: lib.fill(lib.ones(2, 3), True),
    lambda lib: lib.fill(lib.arange(3), 2.7),
    lambda lib: lib.fill(lib.arange(3), lib.tensor(2.7)),
    lambda lib: lib.fill(lib.zeros(3, dtype=lib.bool), 2.7),
    lambda lib: lib.fill(lib.arange(3, dtype=lib.uint8), -1),
    lambda lib: lib.fill(lib.ones(2), float("inf")),
    lambda lib: lib.fill(lib.ones(2, 3), value=np.float64(3)),
    lambda lib: lib.zeros(2, dtype=lib.uint8).fill_(-255),
])
def test_fill_matches_torch(make):
    check_equal_to_torch(make)


def test_fill_is_out_of_place_and_differentiable():
    x = nptorch.ones(2, 3)
    y = nptorch.fill(x, 4.0)
    assert x.tolist() == [[1.0] * 3] * 2 and y.tolist() == [[4.0] * 3] * 2
    check_op(lambda lib, x, v: lib.fill(x, v[0]) * x, (2, 3), (1,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.fill(lib.ones(2), lib.ones(2)),
    lambda lib: lib.fill(lib.ones(2), "a"),
    lambda lib: lib.fill(lib.ones(2), None),
    lambda lib: lib.fill(lib.arange(3, dtype=lib.uint8), 300),
    lambda lib: lib.fill(lib.arange(3, dtype=lib.uint8), -256),
    lambda lib: lib.fill(lib.arange(3, dtype=lib.int8), 200),
    lambda lib: lib.fill(lib.arange(3, dtype=lib.int32), 1e20),
    lambda lib: lib.fill(lib.arange(3, dtype=lib.int32), float("inf")),
    lambda lib: lib.fill(lib.arange(3), 1 << 70),
    lambda lib: lib.fill(lib.ones(3, dtype=lib.float16), 1e10),
    lambda lib: lib.ones(3).fill_(1e300),
    lambda lib: lib.ones(3, dtype=lib.int16).fill_(1 << 20),
])
def test_fill_errors_match_torch(call):
    check_same_error_as_torch(call)


# numbers at the edges of PyTorch's conversion of a Scalar to a dtype: ints wrap into unsigned
# dtypes down to -max, floats do not; floats are compared as doubles (2.0 ** 63 fits int64)
_EDGE_SCALARS = [-2.7, -1, -1.0, -0.5, -0.0, 127.5, -128.5, 255.5, 256, -255, -256, -129,
                 2.0 ** 63, 2 ** 63 - 1, -2 ** 63, math.inf, math.nan, 1e300, 70000.0, True]
_EDGE_DTYPES = ["uint8", "int8", "int32", "int64", "bool", "float16", "float32"]


def _setitem(lib, x, v):
    x[0] = v
    return x


@pytest.mark.parametrize("dtype", _EDGE_DTYPES)
@pytest.mark.parametrize("value", _EDGE_SCALARS + [2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63 - 1])
@pytest.mark.parametrize("fill", [
    lambda lib, x, v: x.fill_(v),
    lambda lib, x, v: x.masked_fill(lib.tensor([True, False]), v),
    lambda lib, x, v: x.index_fill(0, lib.tensor([1]), v),
    lambda lib, x, v: lib.constant_pad_nd(x, [1, 0], v),
], ids=["fill_", "masked_fill", "index_fill", "constant_pad_nd"])
def test_fills_convert_numbers_as_torch(fill, value, dtype):
    check_same_outcome_as_torch(lambda lib: fill(lib, lib.zeros(2, dtype=getattr(lib, dtype)),
                                                 value))


@pytest.mark.parametrize("dtype", _EDGE_DTYPES + ["float64"])
@pytest.mark.parametrize("value", _EDGE_SCALARS + [1e39, 2 ** 63, -2 ** 63 - 1])
def test_setitem_converts_numbers_as_torch(value, dtype):
    check_same_outcome_as_torch(lambda lib: _setitem(lib, lib.zeros(2, dtype=getattr(lib, dtype)),
                                                     value))


# -- range, empty_permuted, new_empty_strided ------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.range(0, 3),
    lambda lib: lib.range(1, 4, 0.5),
    lambda lib: lib.range(1, 4, 0.7),
    lambda lib: lib.range(0, 1, 0.1),
    lambda lib: lib.range(0, 1, 0.1, dtype=lib.float64),
    lambda lib: lib.range(0, 3, dtype=lib.int64),
    lambda lib: lib.range(0.5, 3, dtype=lib.int64),
    lambda lib: lib.range(0, 2.5, dtype=lib.int64),
    lambda lib: lib.range(0, 10, 3, dtype=lib.int32),
    lambda lib: lib.range(3, 0, -1),
    lambda lib: lib.range(0, 0),
    lambda lib: lib.range(lib.tensor(0), lib.tensor(2)),
])
def test_range_matches_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_equal_to_torch(make)


def test_range_warns_and_can_require_grad():
    with pytest.warns(UserWarning, match=r"torch.range is deprecated .* Instead, use "
                                         r"torch.arange, which produces values in \[start, end\)"):
        x = nptorch.range(0, 3, requires_grad=True)
    assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("call", [
    lambda lib: lib.range(3, 0),
    lambda lib: lib.range(0, 3, 0),
    lambda lib: lib.range(0, float("inf")),
    lambda lib: lib.range(0, 3, dtype=lib.bool),
])
def test_range_errors_match_torch(call):
    check_same_error_as_torch(call, ignored_warning=UserWarning)


@pytest.mark.parametrize("size,layout,kwargs", [
    ((2, 3, 4), (0, 2, 1), {}),
    ((2, 3, 4), (2, 0, 1), {"dtype": "int32"}),
    ((2, 3, 4), (2, 0, 1), {"requires_grad": True}),
    ((), (), {}),
])
def test_empty_permuted_matches_torch(size, layout, kwargs):
    results = []
    for lib in (torch, nptorch):
        args = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        t = lib.empty_permuted(size, layout, **args)
        results.append((tuple(t.shape), t.stride(), str(t.dtype).split(".")[-1],
                        t.requires_grad, t.is_leaf))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    lambda lib: lib.empty_permuted((2, 3, 4), (2, 0)),
    lambda lib: lib.empty_permuted((2, 3, 4), (2, 0, 0)),
    lambda lib: lib.empty_permuted((2, 3, 4), (2, 0, 3)),
    lambda lib: lib.empty_permuted((2, 3, 4), (2, 0, -1)),
    lambda lib: lib.empty_permuted((2, -3, 4), (2, 0, 1)),
    lambda lib: lib.empty_permuted(3, [0]),
])
def test_empty_permuted_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("kwargs", [{}, {"dtype": "int32"}, {"requires_grad": True}])
def test_new_empty_strided_matches_torch(kwargs):
    results = []
    for lib in (torch, nptorch):
        args = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        t = lib.ones(2, dtype=lib.float64).new_empty_strided((2, 3), (1, 2), **args)
        results.append((tuple(t.shape), t.stride(), str(t.dtype).split(".")[-1],
                        t.requires_grad))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2).new_empty_strided((2, 3), (-1, 2)),
    lambda lib: lib.ones(2).new_empty_strided((2, 3), (1,)),
])
def test_new_empty_strided_errors_match_torch(call):
    check_same_error_as_torch(call)
