"""Top-level names matching PyTorch's: set_default_tensor_type, GradScaler, is_distributed,
the build flags, cond, while_loop, from_file and the conv weight memory-format converters."""
import warnings

import numpy as np
import pytest

import nptorch
from nptorch._api import flags
from nptorch.autograd import gradcheck
from helpers import check_same_error_as_torch


@pytest.fixture
def restore_defaults():
    """Restore the default dtype and device (and the once-only warnings) after a test."""
    dtype, device = nptorch.get_default_dtype(), nptorch.get_default_device()
    try:
        yield
    finally:
        nptorch.set_default_dtype(dtype)
        nptorch.set_default_device(None if device.type == "cpu" else device)
        nptorch._legacy_types._cuda_set_by_type[0] = False


@pytest.fixture
def torch_defaults(torch):
    """PyTorch, its default dtype restored after the test."""
    dtype = torch.get_default_dtype()
    try:
        yield torch
    finally:
        torch.set_default_dtype(dtype)


# -- set_default_tensor_type ------------------------------------------------------------------

@pytest.mark.parametrize("arg", ["DoubleTensor", "torch.DoubleTensor", "HalfTensor",
                                 "torch.FloatTensor"])
def test_set_default_tensor_type_sets_the_default_dtype(restore_defaults, torch_defaults, arg):
    torch = torch_defaults
    for lib in (nptorch, torch):
        lib.set_default_tensor_type(arg if "." in arg else getattr(lib, arg))
    assert nptorch.get_default_dtype().name == str(torch.get_default_dtype()).split(".")[1]
    assert nptorch.tensor([1.5]).dtype.name == str(torch.tensor([1.5]).dtype).split(".")[1]
    assert nptorch.get_default_device() == nptorch.device("cpu")


def test_set_default_tensor_type_warns_once_like_torch(restore_defaults, torch_defaults):
    flags._state["warned"].discard("set_default_tensor_type")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nptorch.set_default_tensor_type(nptorch.DoubleTensor)
        nptorch.set_default_tensor_type(nptorch.FloatTensor)
    assert [(w.category, str(w.message)) for w in caught] == [(UserWarning, (
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives."))]
    assert caught[0].filename == __file__
    torch_defaults.set_warn_always(True)
    nptorch.set_warn_always(True)
    try:
        for lib in (nptorch, torch_defaults):
            with pytest.warns(UserWarning, match=r"set_default_tensor_type\(\) is deprecated"):
                lib.set_default_tensor_type(lib.FloatTensor)
    finally:
        torch_defaults.set_warn_always(False)
        nptorch.set_warn_always(False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.set_default_tensor_type(lib.LongTensor),
    lambda lib: lib.set_default_tensor_type("torch.IntTensor"),
    lambda lib: lib.set_default_tensor_type(lib.BoolTensor),
    lambda lib: lib.set_default_tensor_type(lib.float64),
    lambda lib: lib.set_default_tensor_type(lib.Tensor),
    lambda lib: lib.set_default_tensor_type(3),
    lambda lib: lib.set_default_tensor_type("torch.cuda.FloatTensor"),
    lambda lib: lib.set_default_tensor_type("torch.cuda.LongTensor"),
    lambda lib: lib.set_default_tensor_type("nope_no_such_module.FloatTensor"),
    lambda lib: lib.set_default_tensor_type(t=lib.DoubleTensor),
    lambda lib: lib.set_default_tensor_type(),
])
def test_set_default_tensor_type_errors_like_torch(restore_defaults, torch_defaults, call):
    if nptorch.cuda.is_available():
        pytest.skip("the CUDA types are available")
    check_same_error_as_torch(call, ignored_warning=UserWarning)
    assert nptorch.get_default_dtype() is nptorch.float32


def test_set_default_tensor_type_unknown_name(restore_defaults):
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        nptorch.set_default_tensor_type("torch.Nope")


def test_cuda_tensor_type_sets_the_default_device(restore_defaults, monkeypatch):
    monkeypatch.setattr(nptorch.cuda, "is_available", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        nptorch.set_default_tensor_type("torch.cuda.DoubleTensor")
        assert (nptorch.get_default_dtype(), nptorch.get_default_device()) == \
            (nptorch.float64, nptorch.device("cuda"))
        nptorch.set_default_tensor_type(nptorch.FloatTensor)
    assert (nptorch.get_default_dtype(), nptorch.get_default_device()) == \
        (nptorch.float32, nptorch.device("cpu"))


def test_cpu_tensor_type_keeps_a_device_set_by_set_default_device(restore_defaults):
    nptorch.set_default_device("cpu:0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        nptorch.set_default_tensor_type(nptorch.DoubleTensor)
    assert nptorch.get_default_device() == nptorch.device("cpu:0")


def test_cuda_legacy_types():
    cuda_float = nptorch._legacy_types.CUDA_TYPES["FloatTensor"]
    assert (cuda_float.is_cuda, cuda_float.dtype, cuda_float.legacy_name) == \
        (True, nptorch.float32, "torch.cuda.FloatTensor")
    assert repr(cuda_float) == "<class 'nptorch.cuda.FloatTensor'>"
    assert not isinstance(nptorch.ones(1), cuda_float)
    assert isinstance(nptorch.ones(1), nptorch.FloatTensor)
    assert not nptorch.FloatTensor.is_cuda


def test_set_default_dtype_half_and_errors(restore_defaults, torch_defaults):
    nptorch.set_default_dtype(nptorch.float16)
    assert nptorch.tensor([1.5]).dtype is nptorch.float16
    assert nptorch.zeros(2).dtype is nptorch.float16
    for arg in ("int64", "bool"):
        check_same_error_as_torch(lambda lib: lib.set_default_dtype(getattr(lib, arg)))
    check_same_error_as_torch(lambda lib: lib.set_default_dtype("float"))


# -- GradScaler, is_distributed, build flags -----------------------------------------------------

def test_grad_scaler_is_amps(torch):
    assert torch.GradScaler is torch.amp.GradScaler
    assert nptorch.GradScaler is nptorch.amp.GradScaler


def test_is_distributed(torch):
    assert nptorch.is_distributed(nptorch.ones(2)) is torch.is_distributed(torch.ones(2)) is False
    for value in (3, None, "x", np.ones(2)):
        check_same_error_as_torch(lambda lib: lib.is_distributed(value))


def test_build_flags_describe_nptorch(torch):
    for name in ("has_lapack", "has_mkl", "has_spectral", "has_openmp"):
        assert type(getattr(nptorch, name)) is type(getattr(torch, name)) is bool
        assert name in dir(nptorch)
    assert nptorch.has_lapack and nptorch.has_spectral
    assert nptorch.has_mkl is nptorch.backends.mkl.is_available()
    assert nptorch.has_openmp is nptorch.backends.openmp.is_available()
    x = nptorch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=nptorch.float64)
    np.testing.assert_allclose(nptorch.linalg.inv(x).numpy(), np.linalg.inv(x.numpy()))


# -- cond -------------------------------------------------------------------------------------

def _both(torch, fn):
    """``fn(lib, x)`` with ``x`` a float64 leaf requiring grad, for nptorch and PyTorch."""
    values = [0.5, -1.0, 2.0]
    ours = nptorch.tensor(values, dtype=nptorch.float64, requires_grad=True)
    theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    return (ours, fn(nptorch, ours)), (theirs, fn(torch, theirs))


@pytest.mark.parametrize("pred", [True, False, 1, 0.0, "tensor_true", "tensor_false",
                                  "int_tensor", "float_tensor"])
def test_cond_matches_torch_with_gradients(torch, pred):
    def run(lib, x):
        p = {"tensor_true": lib.tensor(True), "tensor_false": lib.tensor([False]),
             "int_tensor": lib.tensor([0]), "float_tensor": lib.tensor(0.5)}.get(pred, pred)
        return lib.cond(p, lambda a, b: (a * b).sin(), lambda a, b: a.exp() - b, (x, x * 2))
    (x, ours), (y, theirs) = _both(torch, run)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())


def test_cond_nested_operands_and_closures(torch):
    for lib in (nptorch, torch):
        x = lib.tensor([1.0, 2.0])
        out = lib.cond(lib.tensor(False), lambda t: t[0] + t[1], lambda t: t[0] - t[1] * 3,
                       ([x, x * 2],))
        assert out.tolist() == [-5.0, -10.0]
        assert lib.cond(lib.tensor(True), lambda: x * 2, lambda: x * 3).tolist() == [2.0, 4.0]
        assert lib.cond(lib.tensor(True), lambda t: 1, lambda t: 2, (x,)) == 1


def test_cond_gradcheck():
    x = nptorch.tensor([0.3, -0.7, 1.1], dtype=nptorch.float64, requires_grad=True)
    for pred in (nptorch.tensor(True), nptorch.tensor(False)):
        assert gradcheck(lambda a: nptorch.cond(pred, lambda t: t.sin() * t,
                                                lambda t: t.pow(3), (a,)), (x,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.cond("a", lambda a: a, lambda a: a, (lib.ones(2),)),
    lambda lib: lib.cond(None, lambda a: a, lambda a: a, (lib.ones(2),)),
    lambda lib: lib.cond(lib.tensor([True, False]), lambda a: a, lambda a: a, (lib.ones(2),)),
    lambda lib: lib.cond(lib.tensor(True), 3, lambda a: a, (lib.ones(2),)),
    lambda lib: lib.cond(True, 3, lambda a: a, (lib.ones(2),)),
    lambda lib: lib.cond(lib.tensor(True), lambda a: a, lambda a: a, lib.ones(2)),
    lambda lib: lib.cond(lib.tensor(True), lambda a, b: a, lambda a, b: a, (lib.ones(2), 3)),
])
def test_cond_argument_errors_like_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("branch, message", [
    (lambda a: a, "do not support aliasing"),
    (lambda a: a[0:1], "do not support aliasing"),
    (lambda a: (lambda b: (b, b))(a * 2), "do not support aliasing"),
    (lambda a: a.add_(1), "do not support input mutation"),
    (lambda a: 1.5, "must consist of tensors or ints/bools only but got <class 'float'>"),
    (lambda a: None, "must consist of tensors or ints/bools only but got <class 'NoneType'>"),
])
def test_cond_branch_output_errors_like_torch(torch, branch, message):
    with pytest.raises(RuntimeError):
        torch.cond(torch.tensor(True), branch, branch, (torch.ones(2),))
    with pytest.raises(RuntimeError, match=message):
        nptorch.cond(nptorch.tensor(True), branch, branch, (nptorch.ones(2),))


def test_cond_allows_aliasing_and_mutation_without_grad():
    x = nptorch.ones(2)
    with nptorch.no_grad():
        assert nptorch.cond(nptorch.tensor(True), lambda a: a, lambda a: a, (x,)) is x
        nptorch.cond(nptorch.tensor(True), lambda a: a.mul_(3), lambda a: a, (x,))
    assert x.tolist() == [3.0, 3.0]


# -- while_loop -------------------------------------------------------------------------------

def test_while_loop_matches_torch_with_gradients(torch):
    def run(lib, x):
        return lib.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, (a * 1.5).sin()),
                              (lib.tensor(0), x))
    (x, ours), (y, theirs) = _both(torch, run)
    assert type(ours) is type(theirs) is tuple
    assert ours[0].item() == theirs[0].item() == 3
    np.testing.assert_allclose(ours[1].detach().numpy(), theirs[1].detach().numpy())
    ours[1].sum().backward()
    theirs[1].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())


def test_while_loop_without_iterations_returns_clones_as_a_tuple(torch):
    for lib in (torch, nptorch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out = lib.while_loop(lambda a: a.sum() < 0, lambda a: (a * 2,), [x])
        assert type(out) is tuple and out[0] is not x and out[0].tolist() == [1.0, 2.0]
    out[0].sum().backward()  # nptorch's output: the input's clone, of gradient one
    assert x.grad.tolist() == [1.0, 1.0]


def test_while_loop_nested_and_int_carries(torch):
    for lib in (nptorch, torch):
        x = lib.tensor([1.0, 2.0])
        out = lib.while_loop(lambda c: c[0] < 3, lambda c: ((c[0] + 1, c[1] * 2),),
                             ((lib.tensor(0), x),))
        assert out[0][0].item() == 3 and out[0][1].tolist() == [8.0, 16.0]
    count, y = nptorch.while_loop(lambda n, a: n < 4, lambda n, a: (n + 1, a + n),
                                  (0, nptorch.tensor([1.0, 2.0])))
    assert count == 4 and y.tolist() == [7.0, 8.0]


def test_while_loop_gradcheck():
    x = nptorch.tensor([0.3, -0.7], dtype=nptorch.float64, requires_grad=True)
    assert gradcheck(lambda a: nptorch.while_loop(
        lambda i, t: i < 3, lambda i, t: (i + 1, t.sin() + t * t), (nptorch.tensor(0), a))[1],
        (x,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.while_loop(3, lambda a: (a,), (lib.ones(2),)),
    lambda lib: lib.while_loop(lambda a: a, 3, (lib.ones(2),)),
])
def test_while_loop_argument_errors_like_torch(call):
    check_same_error_as_torch(call)


def test_while_loop_argument_errors():
    with pytest.raises(AssertionError, match=r"can only be of .* but got \(<class 'float'>"):
        nptorch.while_loop(lambda a, b: True, lambda a, b: (a, b), (0.5, nptorch.ones(1)))
    with pytest.raises(RuntimeError, match="carried_inputs must be a tuple or list but got"):
        nptorch.while_loop(lambda a: True, lambda a: (a,), nptorch.ones(1))


@pytest.mark.parametrize("cond_fn, body_fn, message", [
    (lambda i, a: a > 0, lambda i, a: (i + 1, a * 2), "cond_fn must return a boolean scalar"),
    (lambda i, a: i, lambda i, a: (i + 1, a * 2), "cond_fn must return a boolean scalar"),
    (lambda i, a: i < 3, lambda i, a: (i + 1,), "to have same number of outputs"),
    (lambda i, a: i < 3, lambda i, a: (i + 1, a.sum()), "to have same metadata but found:\n"
                                                        r"pair\[1\] differ in 'shape"),
    (lambda i, a: i < 3, lambda i, a: (i + 1, a.double()), "to have same metadata but found:\n"
                                                           r"pair\[1\] differ in 'dtype"),
    (lambda i, a: i < 3, lambda i, a: (i + 1, a), "do not support aliasing"),
    (lambda i, a: i < 3, lambda i, a: (i + 1, a.mul_(2)), "do not support"),
])
def test_while_loop_body_errors_like_torch(torch, cond_fn, body_fn, message):
    with pytest.raises(RuntimeError):
        torch.while_loop(cond_fn, body_fn, (torch.tensor(0), torch.ones(2)))
    with pytest.raises(RuntimeError, match=message):
        nptorch.while_loop(cond_fn, body_fn, (nptorch.tensor(0), nptorch.ones(2)))


# -- from_file --------------------------------------------------------------------------------

@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.bin"
    np.arange(6, dtype=np.float32).tofile(path)
    return str(path)


@pytest.mark.parametrize("kwargs", [{}, {"size": 6}, {"size": 3, "dtype": "float64"},
                                    {"size": 24, "dtype": "uint8"}, {"size": 2, "dtype": "bool"},
                                    {"size": 4, "shared": False, "dtype": "int32"}])
def test_from_file_reads_like_torch(torch, data_file, kwargs):
    def read(lib):
        options = dict(kwargs, **({"dtype": getattr(lib, kwargs["dtype"])} if "dtype" in kwargs
                                  else {}))
        return lib.from_file(data_file, **options)
    ours, theirs = read(nptorch), read(torch)
    assert ours.dtype.name == str(theirs.dtype).split(".")[1]
    assert ours.shape == theirs.shape and ours.device.type == "cpu"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_from_file_uses_the_default_dtype(restore_defaults, data_file):
    nptorch.set_default_dtype(nptorch.float64)
    assert nptorch.from_file(data_file, size=3).dtype is nptorch.float64


def test_from_file_shared_writes_reach_the_file(data_file, tmp_path):
    t = nptorch.from_file(data_file, shared=True, size=6)
    t[0] = 42
    del t
    private = nptorch.from_file(data_file, shared=False, size=6, requires_grad=True)
    assert private.requires_grad and private.tolist()[:2] == [42.0, 1.0]
    with nptorch.no_grad():
        private[1] = 43
    assert np.fromfile(data_file, np.float32).tolist() == [42.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    created = str(tmp_path / "new.bin")
    assert nptorch.from_file(created, shared=True, size=7).tolist() == [0.0] * 7
    assert (tmp_path / "new.bin").stat().st_size == 28


@pytest.mark.parametrize("call", [
    lambda lib, f: lib.from_file(f, size=7),
    lambda lib, f: lib.from_file(f + ".missing", size=1),
    lambda lib, f: lib.from_file(f, size=-1),
    lambda lib, f: lib.from_file(f, size=1.5),
    lambda lib, f: lib.from_file(3, size=2),
    lambda lib, f: lib.from_file(f, "yes", 2),
    lambda lib, f: lib.from_file(f, size=2, pin_memory=True),
])
def test_from_file_errors_like_torch(data_file, call):
    check_same_error_as_torch(lambda lib: call(lib, data_file))


# -- conv weight memory formats ---------------------------------------------------------------

def _model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.Sequential(nn.ConvTranspose2d(3, 2, 2)),
                         nn.Conv3d(2, 2, 1), nn.ConvTranspose3d(2, 2, 1), nn.Linear(2, 2))


@pytest.mark.parametrize("name, fmt", [("convert_conv2d_weight_memory_format", "channels_last"),
                                       ("convert_conv3d_weight_memory_format", "channels_last_3d")])
def test_convert_conv_weight_memory_format_like_torch(torch, name, fmt):
    strides = []
    for lib in (nptorch, torch):
        model = _model(lib)
        before = [p.detach().clone() for p in model.parameters()]
        assert getattr(lib.nn.utils, name)(model, getattr(lib, fmt)) is model
        assert all(type(p) is lib.nn.Parameter for p in model.parameters())
        for old, new in zip(before, model.parameters()):
            assert np.array_equal(old.numpy(), new.detach().numpy())
        strides.append([p.stride() for p in model.parameters()])
    assert strides[0] == strides[1]
    conv = nptorch.nn.Conv2d(2, 3, 3)
    assert nptorch.nn.utils.memory_format.convert_conv2d_weight_memory_format(
        conv, nptorch.channels_last).weight.is_contiguous(memory_format=nptorch.channels_last)


def test_cuda_legacy_types_and_device_kind_properties():
    torch = pytest.importorskip("torch")
    x, t = nptorch.zeros(2), torch.zeros(2)
    for name in ("is_xpu", "is_mps", "is_ipu", "is_mtia", "is_maia", "is_vulkan", "is_xla"):
        assert getattr(x, name) is getattr(t, name) is False
    assert nptorch.cuda.FloatTensor.is_cuda and not isinstance(x, nptorch.cuda.FloatTensor)
    assert isinstance(x, nptorch.FloatTensor)
    if not nptorch.cuda.is_available():
        with pytest.raises(TypeError, match=r"type torch\.cuda\.FloatTensor not available\. "
                                            "Torch not compiled with CUDA enabled\."):
            nptorch.cuda.FloatTensor(2)
    with pytest.raises(AttributeError, match="has no attribute 'NotAType'"):
        nptorch.cuda.NotAType
