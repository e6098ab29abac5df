"""Thread counts (``set_num_threads`` ...), ``nptorch.jit`` and the legacy tensor types
(``FloatTensor`` ...), compared with PyTorch where it has the same behaviour."""
import os
import subprocess
import sys
import textwrap
import threading
import typing

import numpy as np
import pytest
import threadpoolctl

import nptorch
from nptorch import _backend, _threads
from helpers import check_error_like_torch

# -- threads -------------------------------------------------------------------------------------

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@pytest.fixture
def restore_threads(monkeypatch):
    """Put every thread pool's limit and nptorch's recorded counts back after the test."""
    nptorch.get_num_threads()  # loads nptorch's pools, so that they are restored as well
    monkeypatch.setattr(_threads, "_state", dict(_threads._state))
    with threadpoolctl.threadpool_limits(limits=None):
        yield


def _limits():
    return {(pool["user_api"], pool["filepath"]): pool["num_threads"]
            for pool in threadpoolctl.threadpool_info()
            if pool["user_api"] in ("blas", "openmp")}


def test_set_num_threads_limits_blas_and_openmp(restore_threads):
    nptorch.set_num_threads(1)
    assert nptorch.get_num_threads() == 1
    limits = _limits()
    apis = {api for api, _ in limits}
    assert apis == ({"blas"} if _backend.PURE_PYTHON else {"blas", "openmp"})
    assert set(limits.values()) == {1}
    nptorch.set_num_threads(np.int64(1))  # NumPy integers are ints, as in PyTorch


@pytest.mark.skipif(any(v in os.environ for v in _THREAD_VARIABLES),
                    reason="the default comes from the environment")
def test_default_is_every_core_available(restore_threads):
    assert nptorch.get_num_threads() == _cores()
    assert nptorch.get_num_interop_threads() == _cores()


def test_limit_covers_pools_loaded_later():
    """In a fresh process the kernels' OpenMP runtime and SciPy's BLAS are not loaded yet:
    the limit must still hold for them once a convolution has loaded them."""
    script = textwrap.dedent("""
        import threadpoolctl, nptorch
        print([p["user_api"] for p in threadpoolctl.threadpool_info()])
        nptorch.set_num_threads(1)
        nptorch.nn.functional.conv2d(nptorch.ones(1, 1, 4, 4), nptorch.ones(1, 1, 3, 3))
        print(sorted((p["user_api"], p["num_threads"]) for p in threadpoolctl.threadpool_info()))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "['blas']"  # only NumPy's BLAS before the call
    openmp = [] if _backend.PURE_PYTHON else [("openmp", 1)]
    assert out[1] == str([("blas", 1), ("blas", 1)] + openmp)  # NumPy's, SciPy's, the kernels'


@pytest.mark.skipif(_backend.PURE_PYTHON, reason="no OpenMP runtime without the kernels")
def test_init_num_threads_applies_the_limit_to_a_new_thread(restore_threads):
    default = nptorch.get_num_threads()
    nptorch.set_num_threads(1)
    seen = []

    def work():
        seen.append(nptorch.get_num_threads())  # OpenMP's limit is per thread
        nptorch.init_num_threads()
        seen.append(nptorch.get_num_threads())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [default, 1]


def test_init_num_threads_without_a_limit_changes_nothing(restore_threads):
    before = _limits()
    assert nptorch.init_num_threads() is None
    assert _limits() == before


def test_interop_threads_are_recorded(restore_threads):
    assert nptorch.set_num_interop_threads(3) is None
    assert nptorch.get_num_interop_threads() == 3
    nptorch.set_num_interop_threads(1)  # PyTorch refuses a second call; nptorch has no pool
    assert nptorch.get_num_interop_threads() == 1


@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
@pytest.mark.parametrize("value, message", [
    (0, "expects a positive integer"), (-2, "expects a positive integer"),
    (2.0, "expects an int, but got float"), (True, "expects an int, but got bool"),
    ("2", "expects an int, but got str"), (None, "expects an int, but got NoneType")])
def test_thread_count_errors_like_torch(name, value, message, restore_threads):
    check_error_like_torch(lambda lib: getattr(lib, name)(value), RuntimeError,
                           f"^{name} {message}$")


def test_thread_count_takes_one_positional_argument():
    with pytest.raises(TypeError):
        nptorch.set_num_threads(num=1)
    with pytest.raises(TypeError):
        nptorch.set_num_threads()


# -- jit -------------------------------------------------------------------------------------


class _Scaled(nptorch.nn.Module):
    def forward(self, x):
        return x * 2

    @nptorch.jit.export
    def half(self, x):
        return x / 2

    @nptorch.jit.ignore
    def debug(self):
        return "eager"

    @nptorch.jit.ignore(drop=True)
    def dropped(self):
        return "dropped"

    @nptorch.jit.unused
    def unused(self):
        return "unused"


def test_script_and_trace_return_their_argument():
    model = _Scaled()
    assert nptorch.jit.script(model) is model
    assert nptorch.jit.script(_Scaled.half) is _Scaled.half
    calls = []

    def fn(x):
        calls.append(x)
        return x + 1

    assert nptorch.jit.trace(fn, (nptorch.ones(2),)) is fn
    assert nptorch.jit.trace_module(model, {"forward": nptorch.ones(2)}) is model
    assert calls == []  # nothing was traced
    x = nptorch.tensor([1.0, 4.0])
    assert nptorch.jit.script(model)(x).tolist() == [2.0, 8.0]


def test_decorators_keep_methods_working():
    model = nptorch.jit.script(_Scaled())
    assert model.half(nptorch.tensor([4.0])).tolist() == [2.0]
    assert (model.debug(), model.dropped(), model.unused()) == ("eager", "dropped", "unused")


def test_eager_queries_like_torch(torch):
    assert nptorch.jit.is_scripting() is torch.jit.is_scripting() is False
    assert nptorch.jit.is_tracing() is torch.jit.is_tracing() is False
    value = [nptorch.ones(1)]
    assert nptorch.jit.annotate(typing.List[nptorch.Tensor], value) is value
    assert nptorch.jit.Final is torch.jit.Final is typing.Final


@pytest.mark.parametrize("call", [lambda: nptorch.jit.save(_Scaled(), "m.pt"),
                                  lambda: nptorch.jit.load("m.pt")])
def test_save_and_load_name_the_alternative(call):
    with pytest.raises(NotImplementedError, match="nptorch.save"):
        call()


# -- legacy tensor types -------------------------------------------------------------------------

_LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]
_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("name", _LEGACY)
def test_class_attributes_like_torch(name, torch):
    ours, theirs = getattr(nptorch, name), getattr(torch, name)
    assert ours.__name__ == theirs.__name__ == name
    assert repr(ours) == repr(theirs).replace("torch", "nptorch")
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert (ours.is_cuda, ours.is_sparse) == (theirs.is_cuda, theirs.is_sparse) == (False, False)
    assert ours.layout is nptorch.strided
    assert issubclass(ours, nptorch.Tensor) is issubclass(theirs, torch.Tensor) is False


@pytest.mark.parametrize("name", _LEGACY)
@pytest.mark.parametrize("args", [(2, 3), (np.int64(4),), (0,), (), ("size", (2, 1, 3))])
def test_uninitialised_like_torch(name, args, torch):
    def make(lib):
        sizes = (lib.Size(args[1]),) if args and args[0] == "size" else args
        return getattr(lib, name)(*sizes)

    ours, theirs = make(nptorch), make(torch)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert _dtype_name(ours) == _dtype_name(theirs)
    assert ours.device.type == "cpu" and not ours.requires_grad


@pytest.mark.parametrize("name", _LEGACY)
@pytest.mark.parametrize("data", [[1, 0], [[1.5, 2], [0, 3]], (2, 3), range(3), [],
                                  np.array([[0.5], [3.0]])])
def test_from_data_like_torch(name, data, torch):
    ours, theirs = getattr(nptorch, name)(data), getattr(torch, name)(data)
    assert _dtype_name(ours) == _dtype_name(theirs)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_device_keyword_like_torch(torch):
    for lib in (nptorch, torch):
        assert lib.FloatTensor(2, 3, device="cpu").shape == (2, 3)
        assert lib.LongTensor([1, 2], device=lib.device("cpu")).tolist() == [1, 2]


def test_from_tensor_shares_memory_like_torch(torch):
    for lib in (nptorch, torch):
        x = lib.zeros(3, requires_grad=True)
        y = lib.FloatTensor(x)
        assert y is not x and y.requires_grad
        y.sum().backward()
        assert x.grad.tolist() == [1.0, 1.0, 1.0]
        with lib.no_grad():
            y[0] = 5
        assert x[0].item() == 5


def test_forms_of_tensor_new_like_torch(torch):
    for lib in (nptorch, torch):
        assert lib.FloatTensor(size=(2, 3)).shape == (2, 3)
        assert lib.FloatTensor(2, True).shape == (2, 1)
        assert lib.FloatTensor(lib.tensor([3]), 2).shape == (3, 2)
        assert lib.FloatTensor(data=[1, 2]).tolist() == [1.0, 2.0]
        assert lib.FloatTensor(other=lib.ones(2)).tolist() == [1.0, 1.0]
        shared = np.array([1.0, 2.0], np.float32)
        lib.FloatTensor(shared)[0] = 5
        assert shared.tolist() == [5.0, 2.0]


@pytest.mark.parametrize("call", [
    lambda lib: lib.FloatTensor((2, 3), 4),
    lambda lib: lib.FloatTensor(2, dtype=lib.int32),
    lambda lib: lib.FloatTensor(2, device=2.5),
    lambda lib: lib.FloatTensor(storage=3),
    lambda lib: lib.FloatTensor(lib.ones(1), device=None),
])
def test_errors_of_tensor_new_forms_like_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(nptorch)
    assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


@pytest.mark.parametrize("name", _LEGACY)
@pytest.mark.parametrize("dtype", _DTYPES)
def test_isinstance_like_torch(name, dtype, torch):
    ours = nptorch.zeros(2, dtype=getattr(nptorch, dtype))
    theirs = torch.zeros(2, dtype=getattr(torch, dtype))
    assert isinstance(ours, getattr(nptorch, name)) is isinstance(theirs, getattr(torch, name))


def test_isinstance_of_parameters_and_other_objects(torch):
    for lib in (nptorch, torch):
        assert isinstance(lib.nn.Parameter(lib.zeros(2)), lib.FloatTensor)
        assert not isinstance(np.zeros(2, np.float32), lib.FloatTensor)
        assert not isinstance(1.0, lib.FloatTensor)


@pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")
def test_cuda_tensors_are_no_legacy_cpu_type():
    assert not isinstance(nptorch.zeros(2, device="cuda"), nptorch.FloatTensor)


@pytest.mark.parametrize("name", _LEGACY)
def test_type_converts_like_torch(name, torch):
    ours = nptorch.tensor([0.0, 1.0, 2.5]).type(getattr(nptorch, name))
    theirs = torch.tensor([0.0, 1.0, 2.5]).type(getattr(torch, name))
    assert _dtype_name(ours) == _dtype_name(theirs)
    assert ours.type() == theirs.type() == f"torch.{name}"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    by_name = nptorch.tensor([0.0, 1.0, 2.5]).type(f"torch.{name}")
    np.testing.assert_array_equal(by_name.numpy(), theirs.numpy())
    assert ours.type(getattr(nptorch, name)) is ours


@pytest.mark.parametrize("call, error, message", [
    (lambda lib: lib.FloatTensor(2.5), TypeError, r"data must be a sequence \(got float\)"),
    (lambda lib: lib.FloatTensor(np.float32(2)), TypeError,
     r"data must be a sequence \(got numpy.float32\)"),
    (lambda lib: lib.FloatTensor(True), TypeError, r"data must be a sequence \(got bool\)"),
    (lambda lib: lib.FloatTensor(None), TypeError, r"data must be a sequence \(got NoneType\)"),
    (lambda lib: lib.FloatTensor({1: 2}), TypeError, r"data must be a sequence \(got dict\)"),
    (lambda lib: lib.FloatTensor("ab"), TypeError, "invalid data type 'str'"),
    (lambda lib: lib.FloatTensor(2, 3.0), TypeError,
     "'size' failed to unpack the object at pos 2 with error \"type must be tuple of ints,but "
     "got float\""),
    (lambda lib: lib.LongTensor([1], [2]), TypeError,
     r"invalid combination of arguments - got \(list, list\)"),
    (lambda lib: lib.FloatTensor(lib.zeros(1), lib.zeros(1)), TypeError,
     r"invalid combination of arguments - got \(Tensor, Tensor\)"),
    (lambda lib: lib.FloatTensor(lib.zeros(2, dtype=lib.int64)), TypeError,
     r"expected TensorOptions\(dtype=float, device=cpu, .*\(got TensorOptions\(dtype=long int"),
    (lambda lib: lib.FloatTensor(lib.zeros(2), device="cpu"), RuntimeError,
     "Legacy tensor constructor of the form torch.Tensor\\(tensor, device=device\\)"),
    (lambda lib: lib.FloatTensor(2, device="cuda"), RuntimeError,
     "legacy constructor expects device type: cpu but device type: cuda was passed"),
    (lambda lib: lib.FloatTensor(-1, 2), RuntimeError,
     r"negative dimension -1: \[-1, 2\]"),
    (lambda lib: lib.FloatTensor([[1], [2, 3]]), ValueError,
     r"expected sequence of length 1 at dim 1 \(got 2\)"),
    (lambda lib: lib.FloatTensor(2, requires_grad=True), TypeError, "requires_grad"),
    (lambda lib: lib.zeros(2).type("FloatTensor"), ValueError, "invalid type: 'FloatTensor'"),
])
def test_errors_like_torch(call, error, message):
    check_error_like_torch(call, error, message)
