"""Storages: ``UntypedStorage``, ``TypedStorage`` and the legacy ``<Type>Storage`` classes, the
storage of a tensor (``untyped_storage``, ``storage``, ``storage_offset``, ``set_``, ``new``,
``as_strided``), their warnings and errors, compared with PyTorch; saving, pickling, files and
shared memory."""
import copy
import io
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest

import nptorch


def _normalized(value):
    """``value`` with nptorch's names written as PyTorch's, and tensors as plain data."""
    if isinstance(value, (list, tuple)):
        return type(value)(_normalized(v) for v in value)
    if hasattr(value, "tolist") and hasattr(value, "stride"):  # a tensor
        return ("tensor", _normalized(value.dtype), tuple(value.shape), value.stride(),
                value.storage_offset(), value.tolist())
    if type(value).__name__ in ("dtype", "Size", "device"):
        return str(value).replace("nptorch.", "torch.")
    if isinstance(value, str):
        return "torch" if value == "nptorch" else value.replace("nptorch.", "torch.")
    return value


def _outcome(lib, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _normalized(call(lib))
        except Exception as e:  # the exception is part of the observable result
            return ("raised", type(e).__name__, _normalized(str(e)))


def _check_like_torch(call):
    """``call(lib)`` gives the same values (or raises the same exception type and message) with
    nptorch as with PyTorch."""
    torch = pytest.importorskip("torch")
    assert _outcome(nptorch, call) == _outcome(torch, call)


def _raises_like_torch(call, error, match):
    """``call(lib)`` raises ``error`` matching ``match`` with both libraries (nptorch's message
    may say more)."""
    torch = pytest.importorskip("torch")
    for lib in (torch, nptorch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(error, match=match):
                call(lib)


# -- UntypedStorage ------------------------------------------------------------------------------
def _filled(lib, values):
    s = lib.UntypedStorage(len(values))
    for i, v in enumerate(values):
        s[i] = v
    return s


UNTYPED_CASES = {
    "sizes": lambda t: [(s.nbytes(), s.size(), len(s), s.element_size())
                        for s in (t.UntypedStorage(5), t.UntypedStorage(), t.UntypedStorage(0))],
    "from ints wraps modulo 256": lambda t: t.UntypedStorage([1, 300, -1, True]).tolist(),
    "tuple": lambda t: t.UntypedStorage((1, 2)).tolist(),
    "device": lambda t: (t.UntypedStorage(3).device, t.UntypedStorage(3, device="cpu").device,
                         t.UntypedStorage(3).is_cuda, t.UntypedStorage(3).get_device()),
    "get": lambda t: [t.UntypedStorage([1, 2, 3])[i] for i in (0, 2, -1, -3, np.int64(1))],
    "slices share memory": lambda t: [
        (s[k].tolist(), s[k].data_ptr() - s.data_ptr(), type(s[k]).__name__)
        for s in [t.UntypedStorage(list(range(6)))]
        for k in (slice(-2, None), slice(2, 100), slice(3, 1), slice(None), slice(-100, 2),
                  slice(10, 20), slice(0, 3, 1))],
    "write through a slice": lambda t: [
        (s[1:3].__setitem__(0, 9), s.tolist()) for s in [t.UntypedStorage([1, 2, 3, 4])]],
    "set": lambda t: [
        (s.__setitem__(0, 1000), s.__setitem__(1, -1), s.__setitem__(2, True),
         s.__setitem__(slice(3, 5), 7), s.__setitem__(slice(10, 20), 1), s.tolist())
        for s in [t.UntypedStorage(6).fill_(0)]],
    "fill": lambda t: (t.UntypedStorage(3).fill_(300).tolist(),
                       t.UntypedStorage(2).fill_(-1).tolist(),
                       t.UntypedStorage(2).fill_(True).tolist()),
    "copy_": lambda t: [(a.copy_(t.UntypedStorage([5, 6])) is a, a.tolist())
                        for a in [t.UntypedStorage(2)]],
    "copy_ from typed": lambda t: t.UntypedStorage(4).copy_(t.FloatStorage([1.0])).tolist(),
    "clone and cpu": lambda t: [(s.clone().tolist(), s.clone().data_ptr() != s.data_ptr(),
                                 s.cpu() is s, s.to(device="cpu") is s)
                                for s in [t.UntypedStorage([1, 2])]],
    "resize_": lambda t: [(s.resize_(4) is s, s.nbytes(), s.tolist()[:2], s.resize_(1).tolist(),
                           s.resizable())
                          for s in [t.UntypedStorage([1, 2])]],
    "share_memory_": lambda t: [(s.is_shared(), s.share_memory_() is s, s.is_shared(),
                                 s.tolist())
                                for s in [t.UntypedStorage([1, 2])]],
    "is_shared of a shared tensor": lambda t: (
        t.tensor([1.0]).share_memory_().untyped_storage().is_shared(),
        t.tensor([1.0]).untyped_storage().is_shared()),
    "is_pinned": lambda t: t.UntypedStorage(3).is_pinned(),
    "type": lambda t: t.UntypedStorage(3).type(),
    "conversions": lambda t: [
        (c.dtype, c.tolist()) for s in [t.UntypedStorage([1, 0, 255])]
        for c in (s.float(), s.double(), s.half(), s.long(), s.int(), s.short(), s.char(),
                  s.byte(), s.bool())],
    "byteswap": lambda t: [(s.byteswap(t.int16), s.tolist(), s.byteswap(t.float32), s.tolist(),
                            s.byteswap(t.int64), s.tolist())
                           for s in [t.UntypedStorage(list(range(8)))]],
    "misc": lambda t: (t.UntypedStorage([1, 2]).new().nbytes(),
                       t.UntypedStorage([1]).untyped().tolist(), t.UntypedStorage([1]).is_sparse,
                       t.UntypedStorage([1]).is_sparse_csr, t.UntypedStorage([1]).filename,
                       list(t.UntypedStorage([3, 4]))),
    "repr": lambda t: (repr(t.UntypedStorage([3, 4])), str(t.UntypedStorage())),
    "from_buffer": lambda t: (
        t.UntypedStorage.from_buffer(b"abcd", dtype=t.uint8).tolist(),
        t.UntypedStorage.from_buffer(b"abcd", "little", dtype=t.int16).tolist(),
        t.UntypedStorage.from_buffer(b"abcd", "big", dtype=t.int16).tolist(),
        t.UntypedStorage.from_buffer(b"abcde", "little", dtype=t.int16, count=1,
                                     offset=1).tolist(),
        t.UntypedStorage.from_buffer(np.arange(3, dtype=np.int16), "native",
                                     dtype=t.int16).tolist(),
        t.UntypedStorage.from_buffer(b"\x00\x00\x80\x3f", "big", dtype=t.float32).tolist(),
        t.UntypedStorage.from_buffer(b"", dtype=t.uint8).nbytes()),
    "from_buffer copies": lambda t: [
        (b.__setitem__(0, 0), s.tolist(), s.resizable())
        for b in [bytearray(b"ab")] for s in [t.UntypedStorage.from_buffer(b, dtype=t.uint8)]],
    "typed from_buffer": lambda t: (
        t.TypedStorage.from_buffer(b"\x00\x00\x80\x3f", "little").tolist(),
        t.FloatStorage.from_buffer(b"\x00\x00\x80\x3f", "little").tolist(),
        t.ShortStorage.from_buffer(b"\x00\x01", "big").tolist(),
        t.ByteStorage.from_buffer(b"ab").tolist()),
    "from_buffer of bools": lambda t: (
        t.UntypedStorage.from_buffer(b"\x00\x02\x01", "big", dtype=t.bool).tolist(),
        t.TypedStorage.from_buffer(b"\x00\x02\x01", "little", dtype=t.bool).tolist()),
    "from_buffer of int8": lambda t: t.UntypedStorage.from_buffer(b"\xff\x01",
                                                                  dtype=t.int8).tolist(),
    "type to a class of bytes": lambda t: [
        (type(r).__name__, r.dtype, r.tolist())
        for r in (t.UntypedStorage([1, 0, 7]).type(t.BoolStorage),
                  t.UntypedStorage([1, 0, 7]).type("torch.CharStorage"),
                  t.FloatStorage([1.0, 2.0]).type(t.ByteStorage),
                  t.LongStorage([1, 0]).type(t.BoolStorage),
                  t.UntypedStorage([]).type(t.FloatStorage))],
    "type to its own class": lambda t: [
        (lambda s: s.type(t.UntypedStorage) is s)(t.UntypedStorage([1])),
        (lambda s: s.type(t.UntypedStorage) is s.untyped())(t.FloatStorage([1.0]))],
    "set with a negative index": lambda t: t.UntypedStorage([1, 2, 3]).__setitem__(-1, 5),
    "set out of range": lambda t: t.UntypedStorage([1, 2, 3]).__setitem__(3, 5),
    "set a tensor": lambda t: t.UntypedStorage(3).__setitem__(0, t.tensor(1)),
    "set a typed storage": lambda t: t.UntypedStorage(3).__setitem__(0, t.FloatStorage(1)),
    "set a Python object": lambda t: t.UntypedStorage(3).__setitem__(0, _Thing()),
    "set a dtype": lambda t: t.UntypedStorage(3).__setitem__(0, t.float32),
}


class _Thing:
    """A class defined in Python, which PyTorch's messages name without its module."""


@pytest.mark.parametrize("name", list(UNTYPED_CASES))
def test_untyped_storage_like_torch(name):
    _check_like_torch(UNTYPED_CASES[name])


UNTYPED_ERRORS = {
    "float item": lambda t: t.UntypedStorage([1.5]),
    "str": lambda t: t.UntypedStorage("ab"),
    "not a sequence": lambda t: t.UntypedStorage(3.0),
    "index out of range": lambda t: t.UntypedStorage([1, 2, 3])[5],
    "negative index out of range": lambda t: t.UntypedStorage([1, 2, 3])[-10],
    "slice step": lambda t: t.UntypedStorage([1, 2, 3])[::2],
    "set slice step": lambda t: t.UntypedStorage(3).__setitem__(slice(0, 2, 2), 1),
    "set a float": lambda t: t.UntypedStorage(3).__setitem__(0, 1.5),
    "set a float out of range": lambda t: t.UntypedStorage(3).__setitem__(7, 1.5),
    "NumPy int item": lambda t: t.UntypedStorage([np.int64(1)]),
    "set a NumPy int": lambda t: t.UntypedStorage(3).__setitem__(0, np.int64(1)),
    "set a storage": lambda t: t.UntypedStorage(3).__setitem__(slice(0, 2),
                                                               t.UntypedStorage(2)),
    "fill a float": lambda t: t.UntypedStorage(3).fill_(2.5),
    "copy_ size": lambda t: t.UntypedStorage(3).copy_(t.UntypedStorage(4)),
    "typed copy_ size": lambda t: t.FloatStorage([1.0, 3]).copy_(t.LongStorage([5, 6, 7])),
    "resize_ a float": lambda t: t.UntypedStorage(2).resize_(2.0),
    "byteswap length": lambda t: t.UntypedStorage([1, 2, 3]).byteswap(t.int16),
    "pin_memory": lambda t: t.UntypedStorage(3).pin_memory(),
    "from_buffer without dtype": lambda t: t.UntypedStorage.from_buffer(b"abcd"),
    "from_buffer without byte order": lambda t: t.UntypedStorage.from_buffer(b"abcd",
                                                                            dtype=t.float32),
    "from_buffer bad byte order": lambda t: t.UntypedStorage.from_buffer(b"ab", "middle",
                                                                        dtype=t.int16),
    "from_buffer size": lambda t: t.UntypedStorage.from_buffer(b"abcde", "little",
                                                               dtype=t.int16),
    "from_buffer count": lambda t: t.UntypedStorage.from_buffer(b"abcd", "little", count=5,
                                                                dtype=t.uint8),
    "from_buffer count of wide elements": lambda t: t.UntypedStorage.from_buffer(
        b"abcdef", "little", count=2, offset=4, dtype=t.int16),
    "from_buffer offset": lambda t: t.UntypedStorage.from_buffer(b"abcd", "little", offset=6,
                                                                 dtype=t.int16),
    "from_buffer of a str": lambda t: t.UntypedStorage.from_buffer("abc", dtype=t.uint8),
    "legacy from_buffer with dtype": lambda t: t.FloatStorage.from_buffer(b"abcd", "little",
                                                                          dtype=t.float32),
    "from_buffer of bools without byte order": lambda t: t.UntypedStorage.from_buffer(
        b"ab", dtype=t.bool),
    "from_buffer size after an offset": lambda t: t.UntypedStorage.from_buffer(
        b"abcd", "little", offset=1, dtype=t.int16),
    "copy_ a tensor": lambda t: t.UntypedStorage(3).copy_(t.ones(3, dtype=t.uint8)),
    "copy_ a list": lambda t: t.UntypedStorage(3).copy_([1, 2, 3]),
    "a tensor": lambda t: t.UntypedStorage(t.ones(3)),
    "sequence of objects": lambda t: t.UntypedStorage([_Thing()]),
    "type to a class of wider elements": lambda t: t.UntypedStorage([1, 2, 3]).type(
        t.FloatStorage),
    "typed type to a class of wider elements": lambda t: t.FloatStorage([1.0, 2]).type(
        "torch.DoubleStorage"),
    "typed type to its own class": lambda t: t.FloatStorage([1.0, 2]).type(t.FloatStorage),
}


@pytest.mark.parametrize("name", list(UNTYPED_ERRORS))
def test_untyped_storage_errors_like_torch(name):
    _check_like_torch(UNTYPED_ERRORS[name])


@pytest.mark.parametrize("call,error,match", [
    (lambda t: t.UntypedStorage(3, 4), TypeError, "received an invalid combination of arguments"),
    (lambda t: t.UntypedStorage(-1), RuntimeError, ""),
    (lambda t: t.UntypedStorage(2).resize_(-1), RuntimeError, ""),
    (lambda t: t.UntypedStorage([1, 2, 3])[True], TypeError, "can't index a .*UntypedStorage "
                                                             "with bool"),
    (lambda t: t.UntypedStorage([1, 2, 3])["a"], TypeError, "with str"),
    (lambda t: t.UntypedStorage([1, 2, 3])[None], TypeError, "with NoneType"),
    (lambda t: t.UntypedStorage([1, 2, 3])[t.tensor(1)], TypeError, "with Tensor"),
    (lambda t: t.UntypedStorage(3).__setitem__("a", 1), RuntimeError, "can't index"),
    (lambda t: t.UntypedStorage(3).__setitem__(5, 1), RuntimeError, ""),
    (lambda t: t.UntypedStorage(3).copy_(t.arange(3)), TypeError,
     r"copy_\(\): argument 'src' \(position 1\) must be"),
    (lambda t: t.UntypedStorage([1, 2]).to("cpu"), TypeError, "positional argument"),
    (lambda t: t.UntypedStorage.from_buffer(b"abcd", "little", count=1, offset=10,
                                            dtype=t.uint8), ValueError, "offset must be"),
    (lambda t: t.UntypedStorage(2).byteswap("a"), RuntimeError, "expected .*dtype"),
    (lambda t: t.from_numpy(np.arange(3)).untyped_storage().resize_(100), RuntimeError,
     "Trying to resize storage that is not resizable"),
])
def test_untyped_storage_error_types_like_torch(call, error, match):
    _raises_like_torch(call, error, match)


# -- TypedStorage and the legacy classes ----------------------------------------------------------
LEGACY = ("FloatStorage", "DoubleStorage", "HalfStorage", "LongStorage", "IntStorage",
          "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage")

TYPED_CASES = {
    "legacy classes": lambda t: [
        (type(c(2)).__name__, c.dtype, c(2).size(), c(2).nbytes(), c([1, 0]).tolist(),
         isinstance(c(2), c), isinstance(c(2), t.TypedStorage), c.__name__, c.__module__,
         isinstance(t.TypedStorage(2, dtype=c.dtype), c), c(2).type(),
         c(2).pickle_storage_type(), repr(c), c().size())
        for c in (getattr(t, name) for name in LEGACY)],
    "legacy isinstance": lambda t: (isinstance(t.FloatStorage(2), t.LongStorage),
                                    isinstance(t.UntypedStorage(2), t.FloatStorage),
                                    isinstance(t.arange(2.0), t.FloatStorage),
                                    isinstance(t.FloatStorage(2), t.UntypedStorage),
                                    isinstance(t.UntypedStorage(2), t.TypedStorage)),
    "constructors": lambda t: (
        t.TypedStorage(3).dtype, t.TypedStorage([1, 2]).tolist(),
        t.TypedStorage([1, 2], dtype=t.int64).tolist(),
        t.TypedStorage([1.5], dtype=t.int32).tolist(), t.TypedStorage(np.int64(2)).size(),
        t.TypedStorage((1, 2)).tolist(), t.TypedStorage().size(),
        t.TypedStorage([True, False], dtype=t.bool).tolist(),
        t.TypedStorage(2, dtype=t.float16).element_size(),
        t.TypedStorage([1, 2], dtype=t.int8, device="cpu").device),
    "wrap_storage": lambda t: [(s.size(), s.tolist(), s.dtype)
                               for s in [t.TypedStorage(wrap_storage=t.UntypedStorage(8).fill_(1),
                                                        dtype=t.int32)]],
    "wrap_storage of an odd size": lambda t: t.TypedStorage(wrap_storage=t.UntypedStorage(7),
                                                            dtype=t.int32).size(),
    "legacy wrap_storage": lambda t: t.FloatStorage(
        wrap_storage=t.UntypedStorage([0, 0, 128, 63])).tolist(),
    "elements": lambda t: [
        (s[0], s[-1], type(s[1]).__name__, s.__setitem__(0, 2.7), s.tolist(),
         s.__setitem__(slice(0, 2), 9), s.tolist(), s.__setitem__(1, t.tensor(4)), s.tolist(),
         s.fill_(5).tolist(), list(s), len(s))
        for s in [t.LongStorage([1, 2, 3])]],
    "element types": lambda t: (t.BoolStorage([1, 0])[0], t.HalfStorage([1.5])[0],
                                type(t.HalfStorage([1.5])[0]).__name__,
                                t.DoubleStorage([0.1])[0], t.FloatStorage([0.1])[0]),
    "methods": lambda t: [
        (s.is_shared(), s.is_pinned(), s.is_cuda, s.device, s.get_device(), s.resizable(),
         s.resize_(5), s.size(), s.clone().tolist()[:2], s.cpu() is not None,
         s.untyped().nbytes(), s.element_size(), s.filename, s.is_sparse)
        for s in [t.LongStorage([1, 2])]],
    "conversions": lambda t: [
        (c.dtype, c.tolist()) for s in [t.DoubleStorage([1.5, -2.0, 0.0])]
        for c in (s.float(), s.double(), s.half(), s.long(), s.int(), s.short(), s.char(),
                  s.byte(), s.bool())],
    "copy_": lambda t: (
        t.FloatStorage([1.0, 3]).copy_(t.UntypedStorage([0, 0, 128, 63, 0, 0, 0, 64])).tolist(),
        t.FloatStorage([1.0, 3]).copy_(t.IntStorage([5, 6])).tolist(),
        t.FloatStorage([1.0, 3]).copy_(t.FloatStorage([5, 6])).tolist()),
    "repr": lambda t: [repr(s) for s in (t.LongStorage([1, 2]), t.BoolStorage([1, 0]),
                                          t.HalfStorage([1.5, 2]), t.DoubleStorage([1.5, 2e10]),
                                          t.FloatStorage(0), t.arange(3.0).storage())],
    "share_memory_": lambda t: [(s.is_shared(), s.share_memory_() is s, s.is_shared())
                                for s in [t.LongStorage([1, 2])]],
    "is_storage": lambda t: (t.is_storage(t.UntypedStorage(1)), t.is_storage(t.FloatStorage(1)),
                             t.is_storage(t.arange(1.0)), t.is_storage(None),
                             t.is_storage(t.arange(1.0).storage())),
    "module attributes": lambda t: (t.storage.UntypedStorage is t.UntypedStorage,
                                    t.storage.TypedStorage is t.TypedStorage,
                                    t.Storage is t.FloatStorage),
}


@pytest.mark.parametrize("name", list(TYPED_CASES))
def test_typed_storage_like_torch(name):
    _check_like_torch(TYPED_CASES[name])


TYPED_ERRORS = {
    "slice": lambda t: t.arange(3.0).storage()[0:1],
    "float index": lambda t: t.arange(3.0).storage()[1.5],
    "NumPy index": lambda t: t.arange(3.0).storage()[np.int64(0)],
    "bool index": lambda t: t.arange(3.0).storage()[True],
    "index out of range": lambda t: t.arange(3.0).storage()[3],
    "negative index out of range": lambda t: t.arange(3.0).storage()[-4],
    "set out of range": lambda t: t.LongStorage([1, 2]).__setitem__(5, 1),
    "set a storage": lambda t: (lambda s: s.__setitem__(0, s))(t.LongStorage([1, 2])),
    "set with a str index": lambda t: t.LongStorage([1, 2]).__setitem__("a", 1),
    "wrap_storage without dtype": lambda t: t.TypedStorage(wrap_storage=t.UntypedStorage(4)),
    "wrap_storage not a storage": lambda t: t.TypedStorage(wrap_storage=[1], dtype=t.int8),
    "wrap_storage with device": lambda t: t.TypedStorage(wrap_storage=t.UntypedStorage(4),
                                                         dtype=t.int8, device="cpu"),
    "wrap_storage and data": lambda t: t.TypedStorage(1, wrap_storage=t.UntypedStorage(4),
                                                      dtype=t.int8),
    "too many arguments": lambda t: t.TypedStorage(1, 2),
    "a float": lambda t: t.TypedStorage(1.5),
    "an untyped storage": lambda t: t.TypedStorage(t.UntypedStorage(4)),
    "legacy: too many arguments": lambda t: t.FloatStorage(1, 2),
    "legacy: a float": lambda t: t.FloatStorage(1.5),
    "legacy: dtype": lambda t: t.FloatStorage(dtype=t.float32),
    "legacy: device": lambda t: t.FloatStorage(device="cpu"),
    "legacy: wrap_storage and data": lambda t: t.FloatStorage(1,
                                                              wrap_storage=t.UntypedStorage(8)),
    "legacy: wrap_storage not a storage": lambda t: t.FloatStorage(wrap_storage=5),
    "legacy base class": lambda t: t.storage._LegacyStorage(),
    "from_file on TypedStorage": lambda t: t.TypedStorage.from_file("x", False, 2),
    "size with a bad dtype": lambda t: t.TypedStorage(3, dtype=1),
    "data with a bad dtype": lambda t: t.TypedStorage([1], dtype="float"),
}


@pytest.mark.parametrize("name", list(TYPED_ERRORS))
def test_typed_storage_errors_like_torch(name):
    _check_like_torch(TYPED_ERRORS[name])


def test_typed_storage_wrong_dtype_argument():
    _raises_like_torch(lambda t: t.TypedStorage(wrap_storage=t.UntypedStorage(4), dtype="float"),
                       TypeError, "Argument 'dtype' must be .*dtype, not <class 'str'>")


# -- warnings -------------------------------------------------------------------------------------
def _recorded(lib, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(lib)
    return [(w.category, str(w.message), os.path.basename(w.filename)) for w in caught]


@pytest.mark.parametrize("call", [
    lambda t: t.arange(3.0).storage(),
    lambda t: t.FloatStorage(2),
    lambda t: t.TypedStorage(2),
    lambda t: t.arange(3.0).storage()[0],
    lambda t: t.TypedStorage(wrap_storage=t.UntypedStorage(4), dtype=t.int8),
    lambda t: t.LongStorage([1, 2]).fill_(3),
    lambda t: t.arange(3.0).untyped_storage()[0],
    lambda t: t.UntypedStorage(4).tolist(),
])
def test_typed_storage_warnings_like_torch(call):
    """Every public use of a TypedStorage warns (with warnings always on), with PyTorch's
    message and category, pointing at the caller; UntypedStorage does not warn."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torch, nptorch):
        lib.storage._set_always_warn_typed_storage_removal(True)
        try:
            results.append(_recorded(lib, call))
        finally:
            lib.storage._set_always_warn_typed_storage_removal(False)
    assert results[0] == results[1]
    assert all(name == os.path.basename(__file__) for _, _, name in results[1])


def test_typed_storage_warns_once_by_default():
    nptorch.storage._reset_warn_typed_storage_removal()
    x = nptorch.arange(3.0)
    first = _recorded(nptorch, lambda t: (x.storage(), x.storage().size()))
    again = _recorded(nptorch, lambda t: (x.storage(), nptorch.FloatStorage(2)))
    assert len(first) == 1 and first[0][0] is UserWarning and again == []
    assert first[0][1].startswith("TypedStorage is deprecated. It will be removed in the future")
    with pytest.raises(AssertionError, match="always_warn must be bool"):
        nptorch.storage._set_always_warn_typed_storage_removal(1)


# -- the storage of a tensor ----------------------------------------------------------------------
def _views(t, x=None):
    x = t.arange(12.0).reshape(3, 4) if x is None else x
    return x, (x[1], x[:, 1:], x.t(), x[1:, ::2], x.view(12), x.reshape(4, 3), x.view(t.int32),
               x.view(t.int32)[1:], x.detach()[1:], x[1:].detach(), x.data[2:], x.unsqueeze(0),
               x.expand(2, 3, 4), x.narrow(1, 1, 2), x.diagonal(), x.unfold(1, 2, 1),
               x.as_strided((2,), (3,), 5), x[2:].as_strided((2,), (1,)), x.view(t.int16)[1:, 3:])


TENSOR_CASES = {
    "one storage for all views": lambda t: [
        (v.untyped_storage().data_ptr() == x.data_ptr(), v.storage_offset(),
         v.untyped_storage().nbytes(), v.untyped_storage() is x.untyped_storage(),
         v.data_ptr() - v.untyped_storage().data_ptr() == v.storage_offset() * v.element_size())
        for x, views in [_views(t)] for v in views],
    "writes through the storage": lambda t: [
        (x.untyped_storage().__setitem__(slice(0, 4), 0),
         x[1:].untyped_storage().__setitem__(4, 1), x.tolist(), x[2:].storage().__setitem__(3, 9),
         x.tolist())
        for x in [t.arange(4.0)]],
    "tensor writes seen by the storage": lambda t: [
        (x.__setitem__(1, 5.0), u[4:8].tolist(), x[2:].add_(1), u.tolist()[8:12])
        for x in [t.arange(3.0)] for u in [x.untyped_storage()]],
    "typed storage of a tensor": lambda t: [
        (s.dtype, s.size(), len(s), s.nbytes(), s.element_size(), s[1], s[-1],
         s.__setitem__(1, 10), x.tolist(), s.tolist(), s._untyped_storage is x.untyped_storage(),
         s.untyped() is x.untyped_storage(), s.data_ptr() == x.data_ptr(), s.type(),
         x[1:].storage().size(), x[1:].storage().data_ptr() == x.data_ptr())
        for x in [t.arange(6.0)] for s in [x.storage()]],
    "typed storage of other dtypes": lambda t: [
        (x.storage().dtype, x.storage().tolist(), x.storage().type())
        for x in (t.tensor([True, False]), t.arange(3, dtype=t.int16), t.ones(2, dtype=t.half))],
    "storage of a shrunk tensor": lambda t: [
        (x.resize_(2), x.untyped_storage().nbytes(), x.storage_offset())
        for x in [t.arange(6.0)]][0][1:],
    "storage of a scalar": lambda t: (t.tensor(3.0).untyped_storage().nbytes(),
                                      t.tensor(3.0).storage().tolist()),
    "clone has its own storage": lambda t: [
        (y.untyped_storage().data_ptr() != x.untyped_storage().data_ptr(),
         y.untyped_storage().nbytes())
        for x in [t.arange(6.0)] for y in [x[1:].clone()]],
    "from_numpy": lambda t: [(s.nbytes(), s.data_ptr() == a.ctypes.data, s.tolist()[:8])
                             for a in [np.arange(3)] for s in [t.from_numpy(a).untyped_storage()]],
}


@pytest.mark.parametrize("name", list(TENSOR_CASES))
def test_tensor_storage_like_torch(name):
    _check_like_torch(TENSOR_CASES[name])


def test_storages_of_shared_memory_are_one_object():
    x = nptorch.arange(12.0).reshape(3, 4)
    u = x.untyped_storage()
    for v in _views(nptorch, x)[1]:
        assert v.untyped_storage() is u
    # still the same memory (and data_ptr) once the first storage object is gone
    ptr = u.data_ptr()
    del u
    assert x[1].untyped_storage().data_ptr() == ptr == x.t().untyped_storage().data_ptr()
    assert nptorch.arange(3.0).untyped_storage() is not nptorch.arange(3.0).untyped_storage()


SET_CASES = {
    "whole storage": lambda t: t.empty(0, dtype=t.int16).set_(t.UntypedStorage(list(range(8)))),
    "view": lambda t: t.empty(0, dtype=t.int16).set_(t.UntypedStorage(list(range(8))), 1, (2,),
                                                     (1,)),
    "contiguous strides": lambda t: t.empty(0, dtype=t.int16).set_(
        t.UntypedStorage(list(range(8))), 1, (2,)),
    "keywords": lambda t: t.empty(0, dtype=t.int16).set_(
        source=t.UntypedStorage(list(range(8))), storage_offset=1, size=(2,), stride=(1,)),
    "Size": lambda t: t.empty(0, dtype=t.int16).set_(t.UntypedStorage(list(range(8))), 0,
                                                     t.Size([2, 2])),
    "lists": lambda t: t.empty(0, dtype=t.uint8).set_(t.UntypedStorage(list(range(8))), 0, [2],
                                                      [3]),
    "0-d": lambda t: t.empty(0, dtype=t.uint8).set_(t.UntypedStorage(list(range(8))), 3, ()),
    "empty past the end": lambda t: t.empty(0, dtype=t.uint8).set_(
        t.UntypedStorage(list(range(8))), 100, (0,), (1,)),
    "partial element": lambda t: tuple(t.empty(0).set_(t.UntypedStorage(7)).shape),
    "grows a standalone storage": lambda t: [
        (tuple(t.empty(0, dtype=t.uint8).set_(u, 0, (6,), (1,)).shape), u.nbytes())
        for u in [t.UntypedStorage(4)]],
    "typed storage": lambda t: t.empty(0).set_(t.arange(4.0).storage()),
    "typed storage view": lambda t: t.empty(0).set_(t.arange(4.0).storage(), 1, (2,)),
    "tensor": lambda t: t.empty(0).set_(t.arange(10.0)[2:]),
    "tensor view: offset from the tensor's start": lambda t: [
        t.empty(0).set_(x[2:], k, (3,), (1,)) for x in [t.arange(10.0)] for k in (0, 1)],
    "tensor of another dtype": lambda t: [
        (y.storage_offset(), y.data_ptr() - x.data_ptr(),
         y.untyped_storage() is x.untyped_storage())
        for x in [t.arange(8.0)] for src in (x, x[1:], x[2:])
        for y in [t.empty(0, dtype=t.int64).set_(src, 1, (1,))]],
    "shares the storage": lambda t: [
        (a.untyped_storage() is u, a.__setitem__(0, 9), u[0], a.storage_offset(),
         a.as_strided((3,), (1,), 0).tolist())
        for u in [t.UntypedStorage([1, 2, 3, 4])]
        for a in [t.empty(0, dtype=t.uint8).set_(u, 1, (2,), (1,))]],
    "on a view": lambda t: [(b[1:3].set_(t.UntypedStorage(8)).shape, b.tolist())
                            for b in [t.arange(6.0)]],
    "no source": lambda t: [(y.set_().shape, y.untyped_storage().nbytes())
                            for y in [t.arange(6.0)]],
    "new(storage)": lambda t: [
        (n.data_ptr() == s.data_ptr(), n.tolist(), m.dtype, tuple(m.shape),
         m.data_ptr() == u.data_ptr(), tuple(k.shape))
        for s in [t.FloatStorage([1, 2, 3])] for n in [t.arange(2.0).new(s)]
        for u in [t.UntypedStorage(list(range(7)))] for m in [t.arange(2, dtype=t.int16).new(u)]
        for k in [t.arange(2.0).new(t.UntypedStorage(8), device="cpu")]],
    "Tensor(storage)": lambda t: [(n.data_ptr() == u.data_ptr(), tuple(n.shape), n.dtype)
                                  for u in [t.UntypedStorage(8)] for n in [t.Tensor(u)]],
    "as_strided after detach": lambda t: [y.as_strided((2,), (1,), y.storage_offset())
                                          for y in [t.arange(10.0)[2:].detach()]],
    "as_strided of a dtype view": lambda t: t.arange(4.0).view(t.int16)[3:].as_strided((2,),
                                                                                        (1,)),
    "as_strided function and in place": lambda t: (
        t.as_strided(t.arange(6.0)[1:], (2, 2), (1, 2), 1),
        [y.as_strided_((2,), (2,), 1) for y in [t.arange(6.0)[1:].detach()]]),
    "storage_offset of a strided detached view": lambda t: t.arange(10.0)[2::2].detach(
    ).storage_offset(),
}


@pytest.mark.parametrize("name", list(SET_CASES))
def test_set_new_and_as_strided_like_torch(name):
    _check_like_torch(SET_CASES[name])


SET_ERRORS = {
    "negative offset": lambda t: t.empty(0).set_(t.UntypedStorage(8), -1, (1,), (1,)),
    "negative stride": lambda t: t.empty(0).set_(t.UntypedStorage(8), 0, (2,), (-1,)),
    "stride length": lambda t: t.empty(0).set_(t.UntypedStorage(8), 0, (2,), (1, 1)),
    "typed storage of another dtype": lambda t: t.empty(0, dtype=t.int64).set_(
        t.arange(4.0).storage()),
    "non-contiguous tensor": lambda t: t.empty(0).set_(t.arange(4.0)[::2], 0, (1,)),
    "leaf that requires grad": lambda t: t.arange(2.0).requires_grad_().set_(
        t.UntypedStorage(8)),
    "new from a typed storage of another dtype": lambda t: t.arange(2).new(t.FloatStorage(2)),
    "Tensor from a typed storage of another dtype": lambda t: t.Tensor(t.LongStorage([1])),
    "as_strided out of bounds": lambda t: t.arange(4.0)[1:].as_strided((4,), (1,)),
    "as_strided size not a tuple": lambda t: t.arange(4.0).as_strided(2, (1,)),
    "as_strided float size": lambda t: t.arange(4.0).as_strided((2, 1.5), (1, 1)),
    "as_strided bool size": lambda t: t.arange(4.0).as_strided((True,), (1,)),
    "as_strided float stride": lambda t: t.arange(4.0).as_strided((2,), (1.5,)),
    "as_strided float offset": lambda t: t.arange(4.0).as_strided((2,), (1,), 1.0),
    "as_strided tensor ints": lambda t: t.arange(4.0).as_strided((t.tensor(2),), (1,),
                                                                 t.tensor(1)),
}


@pytest.mark.parametrize("name", list(SET_ERRORS))
def test_set_errors_like_torch(name):
    _check_like_torch(SET_ERRORS[name])


@pytest.mark.parametrize("call", [
    lambda t: t.empty(0).set_(5),
    lambda t: t.empty(0).set_("a"),
    lambda t: t.empty(0).set_(t.UntypedStorage(8), 1),
    lambda t: t.empty(0).set_(t.UntypedStorage(8), 0, 2),
    lambda t: t.empty(0).set_(t.UntypedStorage(8), 1.0, (1,), (1,)),
    lambda t: t.empty(0).set_(t.UntypedStorage(8), 0, (1.5,), (1,)),
    lambda t: t.empty(0).set_(t.arange(4.0), 0, (2,), (1.0,)),
])
def test_set_bad_arguments_like_torch(call):
    _raises_like_torch(call, TypeError, r"set_\(\) received an invalid combination of arguments "
                                        r"- got \(")


def test_set_out_of_bounds_of_tensor_memory():
    """As PyTorch for memory it cannot resize (NumPy's here; any tensor's in nptorch)."""
    _raises_like_torch(
        lambda t: t.empty(0, dtype=t.uint8).set_(
            t.from_numpy(np.arange(4, dtype=np.uint8)).untyped_storage(), 0, (5,), (1,)),
        RuntimeError, "Trying to resize storage that is not resizable")


def test_as_strided_gradient_like_torch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (torch, nptorch):
        w = lib.arange(6.0, requires_grad=True)
        y = w[1:].as_strided((2, 2), (1, 2), 1)
        (y * lib.arange(4.0).reshape(2, 2)).sum().backward()
        grads.append(w.grad.tolist())
    assert grads[0] == grads[1]


# -- what nptorch does differently -----------------------------------------------------------------
def test_memory_of_tensors_cannot_be_resized_or_moved():
    """nptorch cannot move the memory under existing tensors: resizing the storage of a tensor
    (which PyTorch allows, the tensor following) or moving it to shared memory raises instead."""
    x = nptorch.arange(3.0)
    u = x.untyped_storage()
    assert not u.resizable() and not x.storage().resizable()
    with pytest.raises(RuntimeError, match="Trying to resize storage that is not resizable: "
                                           "tensors use its memory"):
        u.resize_(48)
    with pytest.raises(RuntimeError, match="call share_memory_\\(\\) on the tensor"):
        u.share_memory_()
    assert x.share_memory_().untyped_storage().share_memory_().is_shared()  # already shared
    # a standalone storage may be resized until a tensor is made over it
    s = nptorch.UntypedStorage(8)
    assert s.resizable() and s.resize_(16).nbytes() == 16
    t = nptorch.empty(0).set_(s)
    assert tuple(t.shape) == (4,) and not s.resizable()
    with pytest.raises(RuntimeError, match="not resizable"):
        s.resize_(4)
    with pytest.raises(RuntimeError, match="not resizable"):
        nptorch.empty(0).set_(s, 0, (5,))


def test_shared_and_mapped_storages_are_not_resizable():
    """PyTorch reports them resizable (and crashes resizing a shared one)."""
    s = nptorch.UntypedStorage([1, 2]).share_memory_()
    assert s.is_shared() and not s.resizable()
    with pytest.raises(RuntimeError, match="memory-mapped"):
        s.resize_(4)


def test_a_storage_slice_is_its_own_storage():
    s = nptorch.UntypedStorage(list(range(6)))
    part = s[2:5]
    assert part.data_ptr() == s.data_ptr() + 2 and not part.resizable()
    t = nptorch.empty(0, dtype=nptorch.uint8).set_(part)
    assert t.untyped_storage() is part and t.tolist() == [2, 3, 4] and t.storage_offset() == 0
    t[0] = 20
    assert s[2] == 20


def test_storage_is_the_whole_numpy_allocation():
    """A tensor over a NumPy view: its storage is the viewed array's memory (PyTorch's
    ``from_numpy`` makes a storage of the view's extent only)."""
    a = np.arange(6.0)
    t = nptorch.from_numpy(a[2::2])
    assert t.untyped_storage().data_ptr() == a.ctypes.data and t.storage_offset() == 2
    assert t.untyped_storage() is nptorch.from_numpy(a).untyped_storage()


def test_unsupported_constructions_raise():
    """``nptorch.tensor(storage)`` (which shares memory in PyTorch) is not supported."""
    with pytest.raises(RuntimeError, match="Could not infer dtype"):
        nptorch.tensor(nptorch.UntypedStorage(8))


# -- serialization, pickling, copies, files and processes -----------------------------------------
def test_save_and_load_storages():
    x = nptorch.arange(4.0)
    u = x.untyped_storage()
    buf = io.BytesIO()
    nptorch.save({"x": x, "u": u, "typed": x.storage(), "again": u,
                  "standalone": nptorch.UntypedStorage([1, 2]),
                  "longs": nptorch.LongStorage([5, 6])}, buf)
    buf.seek(0)
    out = nptorch.load(buf)
    assert type(out["u"]) is nptorch.UntypedStorage and out["u"] is out["again"]
    assert out["u"].tolist() == u.tolist() and out["u"].resizable()
    typed = out["typed"]
    assert type(typed) is nptorch.TypedStorage and typed.dtype is nptorch.float32
    assert typed._untyped_storage is out["u"] and typed.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert out["standalone"].tolist() == [1, 2] and out["longs"].tolist() == [5, 6]
    assert out["x"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_loading_a_bad_storage_node_is_refused():
    buf = io.BytesIO()
    nptorch.save([nptorch.arange(3.0), nptorch.UntypedStorage([1])], buf)
    raw = buf.getvalue()
    # point the storage at the float tensor: refused, not misread
    bad = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "data.json":
                data = data.replace(b'{"storage": [1, null]}', b'{"storage": [0, null]}')
            dst.writestr(info, data)
    bad.seek(0)
    with pytest.raises(nptorch.serialization.LoadError, match="bad storage data"):
        nptorch.load(bad)


def test_pickle_and_copy():
    x = nptorch.arange(4.0)
    u = x.untyped_storage()
    assert pickle.loads(pickle.dumps(u)).tolist() == u.tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed = pickle.loads(pickle.dumps(x.storage()))
        assert typed.dtype is nptorch.float32 and typed.tolist() == [0.0, 1.0, 2.0, 3.0]
        assert type(copy.copy(nptorch.FloatStorage([1.0]))) is nptorch.TypedStorage
    c = copy.copy(u)
    assert c.tolist() == u.tolist() and c.data_ptr() != u.data_ptr()
    pair = copy.deepcopy([u, u])
    assert pair[0] is pair[1] and pair[0].data_ptr() != u.data_ptr()


def test_from_file(tmp_path):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torch, nptorch):
        name = str(tmp_path / f"{lib.__name__}.bin")
        f = lib.UntypedStorage.from_file(name, True, 8)
        first = (f.tolist(), os.path.getsize(name), f.filename == name, f.is_shared(),
                 f.resizable())
        f[0] = 7
        written = open(name, "rb").read()
        g = lib.UntypedStorage.from_file(name, False, 8)
        g[1] = 5
        private = (g.tolist(), g.filename, g.is_shared(), open(name, "rb").read())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            floats = lib.IntStorage.from_file(name, False, 2).tolist()
        sizes = (lib.UntypedStorage.from_file(name, False).nbytes(),
                 lib.UntypedStorage.from_file(name, shared=True, nbytes=16).nbytes(),
                 os.path.getsize(name))
        results.append((first, written, private, floats, sizes))
    assert results[0] == results[1]
    name = str(tmp_path / "nptorch.bin")
    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match="is smaller than the required mapping size"):
            lib.UntypedStorage.from_file(name, False, 100)
        with pytest.raises(RuntimeError, match="unable to open file"):
            lib.UntypedStorage.from_file(str(tmp_path / "missing.bin"), False, 4)
        with pytest.raises(TypeError):
            lib.UntypedStorage.from_file(name, False, 1.5)
    # a tensor over the mapped storage writes to the file
    f = nptorch.UntypedStorage.from_file(name, True, 16)
    t = nptorch.empty(0, dtype=nptorch.uint8).set_(f)
    t[2] = 9
    assert open(name, "rb").read()[2] == 9 and t.untyped_storage() is f


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_shared_storage_is_seen_by_forked_processes():
    s = nptorch.UntypedStorage([0, 0, 0, 0]).share_memory_()
    t = nptorch.empty(0, dtype=nptorch.uint8).set_(s)
    pid = os.fork()
    if pid == 0:  # the child writes through its copy of the mapping
        s[0] = 42
        t[1] = 43
        os._exit(0)
    os.waitpid(pid, 0)
    assert s.tolist() == [42, 43, 0, 0]


# -- devices ---------------------------------------------------------------------------------------
def test_storage_on_each_device(device):
    s = nptorch.UntypedStorage([1, 2, 3, 4], device=device)
    assert s.device.type == device and s.is_cuda == (device == "cuda")
    assert s.tolist() == [1, 2, 3, 4]
    x = nptorch.arange(6.0, device=device)
    u = x.untyped_storage()
    assert u.device == x.device and u.nbytes() == 24 and u.data_ptr() == x.data_ptr()
    assert x[2:].untyped_storage() is u and x[2:].storage_offset() == 2
    assert x.t().untyped_storage().data_ptr() == x[::2].untyped_storage().data_ptr()
    u[0:4] = 0
    x[1] = 5.0
    assert x.tolist()[0] == 0.0 and u[4:8].tolist() == [0, 0, 160, 64]
    t = nptorch.empty(0, dtype=nptorch.int16, device=device).set_(s, 1, (1,))
    assert t.tolist() == [3 + 4 * 256] and t.untyped_storage() is s
    assert s.cpu().tolist() == [1, 2, 3, 4] and s.clone().device == s.device
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed = x.storage()
        typed[0] = 7.0
        assert x[0].item() == 7.0 and typed.device == x.device
    if device == "cuda":
        assert s.is_shared() and s.cpu().cuda().tolist() == [1, 2, 3, 4]
        with pytest.raises(RuntimeError, match="devices must match"):
            nptorch.empty(0, dtype=nptorch.uint8).set_(s)
