"""The Tensor data model: metadata, conversions, copies, Python protocols and repr."""
import numpy as np
import pytest

import nptorch


def same(lib_value, torch_value):
    """Compare a value from nptorch with PyTorch's (dtypes and Sizes by name)."""
    return repr(lib_value).replace("nptorch.", "") == repr(torch_value).replace("torch.", "")


# -- metadata -----------------------------------------------------------------------------------
def test_shape_size_dim_numel(torch):
    data = np.arange(24.0).reshape(2, 3, 4)
    x, t = nptorch.tensor(data), torch.tensor(data)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple)
    assert repr(x.shape) == "nptorch.Size([2, 3, 4])"
    assert same(x.size(), t.size())
    assert x.size(1) == t.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == x.ndim == x.ndimension() == 3
    assert x.numel() == x.nelement() == 24 == nptorch.numel(x)
    assert x.shape[1:] == (3, 4) and type(x.shape[1:]).__name__ == "Size"
    assert x.shape.numel() == 24
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-3, 2\], but got 3\)"):
        x.size(3)
    s = nptorch.tensor(5.0)
    assert s.shape == () and s.dim() == 0 and s.numel() == 1


def test_dtype_device_and_flags():
    x = nptorch.tensor([1.0, 2.0])
    assert x.dtype is nptorch.float32
    assert x.device == nptorch.device("cpu") and x.device.type == "cpu"
    assert x.is_cpu and not x.is_cuda and x.get_device() == -1
    assert x.is_floating_point() and not x.is_complex()
    assert not nptorch.tensor([1]).is_floating_point()
    assert nptorch.is_tensor(x) and not nptorch.is_tensor([1.0])
    assert x.element_size() == x.itemsize == 4 and x.nbytes == 8
    assert x.double().element_size() == 8


def test_strides_and_contiguity(torch):
    x = nptorch.tensor(np.arange(6.0).reshape(2, 3))
    t = torch.tensor(np.arange(6.0).reshape(2, 3))
    assert x.stride() == t.stride() == (3, 1)
    assert x.stride(0) == 3
    xt = x.transpose(0, 1)
    assert xt.stride() == t.t().stride() and not xt.is_contiguous()
    c = xt.contiguous()
    assert c.is_contiguous() and c.tolist() == t.t().tolist()
    assert x.contiguous() is x


def test_autograd_attributes_of_a_fresh_tensor():
    x = nptorch.tensor([1.0])
    assert x.requires_grad is False and x.grad is None and x.grad_fn is None and x.is_leaf
    y = nptorch.tensor([1.0], requires_grad=True)
    z = y * 2
    assert y.requires_grad and y.is_leaf
    assert z.requires_grad and not z.is_leaf and z.grad_fn.name() == "MulBackward0"


# -- conversion to Python and NumPy ------------------------------------------------------------
def test_item_and_tolist(torch):
    assert nptorch.tensor([[2.5]]).item() == 2.5
    assert type(nptorch.tensor([3]).item()) is int
    assert type(nptorch.tensor(True).item()) is bool
    assert type(nptorch.tensor(1.5).item()) is float
    x = nptorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert nptorch.tensor(2).tolist() == 2
    assert nptorch.tensor([True]).tolist() == [True]
    for lib in (nptorch, torch):
        with pytest.raises(RuntimeError, match="a Tensor with 3 elements cannot be converted to Scalar"):
            lib.tensor([1.0, 2.0, 3.0]).item()
        with pytest.raises(RuntimeError, match="a Tensor with 0 elements cannot be converted to Scalar"):
            lib.tensor([]).item()


def test_python_number_protocols(torch):
    for lib in (nptorch, torch):
        assert float(lib.tensor([2.5])) == 2.5
        assert int(lib.tensor(-2.7)) == -2
        assert int(lib.tensor([3])) == 3
        assert bool(lib.tensor([0.0])) is False and bool(lib.tensor(2)) is True
        assert complex(lib.tensor(2.0)) == 2 + 0j
        assert [10, 20, 30][lib.tensor(2)] == 30
        assert [10, 20, 30][lib.tensor([1])] == 20
        assert list(range(lib.tensor(3))) == [0, 1, 2]
        assert f"{lib.tensor(2.5):.2f}" == "2.50"
        many = lib.tensor([1.0, 2.0])
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            float(many)
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            int(many)
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
            bool(many)
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
            bool(lib.tensor([]))
        for bad in (lib.tensor(1.0), lib.tensor([1, 2])):
            with pytest.raises(TypeError, match="only integer tensors of a single element can be "
                                                "converted to an index"):
                [1, 2, 3][bad]


def test_len_and_iteration(torch):
    for lib in (nptorch, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        assert len(x) == 2
        rows = list(x)
        assert [r.tolist() for r in rows] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
        assert all(isinstance(r, lib.Tensor) for r in rows)
        with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
            len(lib.tensor(1.0))
        with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
            list(lib.tensor(1.0))


def test_numpy_shares_memory_and_refuses_grad():
    x = nptorch.tensor([1.0, 2.0])
    a = x.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    a[0] = 10.0
    assert x.tolist() == [10.0, 2.0]
    x.add_(1)
    assert a.tolist() == [11.0, 3.0]
    y = nptorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead."):
        y.numpy()
    assert y.numpy(force=True).tolist() == [1.0, 1.0]
    assert y.detach().numpy().tolist() == [1.0, 1.0]
    assert np.asarray(x).tolist() == [11.0, 3.0]


# -- copies and casts ------------------------------------------------------------------------------
def test_detach_clone_contiguous():
    x = nptorch.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.data_ptr() == y.data_ptr()
    c = y.clone()
    assert c.data_ptr() != y.data_ptr() and c.grad_fn.name() == "CloneBackward0"
    c.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    z = y.detach_()
    assert z is y and not y.requires_grad and y.grad_fn is None


def test_requires_grad_(torch):
    x = nptorch.zeros(2)
    assert x.requires_grad_() is x and x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nptorch.zeros(2, dtype=nptorch.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        torch.zeros(2, dtype=torch.int64).requires_grad_()


@pytest.mark.parametrize("method,dtype", [
    ("float", "float32"), ("double", "float64"), ("half", "float16"), ("int", "int32"),
    ("long", "int64"), ("bool", "bool"), ("short", "int16"), ("char", "int8"), ("byte", "uint8")])
def test_cast_methods(torch, method, dtype):
    values = [-1.7, 0.0, 2.5]
    x = getattr(nptorch.tensor(values), method)()
    t = getattr(torch.tensor(values), method)()
    assert x.dtype is getattr(nptorch, dtype)
    assert same(x.dtype, t.dtype)
    if dtype != "uint8":  # negative floats to uint8 are undefined behaviour in C
        assert x.tolist() == t.tolist()


def test_to(torch):
    x = nptorch.tensor([[1.0, 2.0]])
    assert x.to(nptorch.float32) is x
    assert x.to("cpu") is x and x.to(nptorch.device("cpu")) is x and x.cpu() is x
    assert x.to("cpu:0") is x
    c = x.to(nptorch.float32, copy=True)
    assert c is not x and c.data_ptr() != x.data_ptr()
    assert x.to(dtype=nptorch.float64).dtype is nptorch.float64
    assert x.to(nptorch.tensor([1], dtype=nptorch.int32)).dtype is nptorch.int32
    assert x.to("cpu", nptorch.float16).dtype is nptorch.float16
    assert x.to(float).dtype is nptorch.float64 and torch.ones(1).to(float).dtype == torch.float64
    assert x.to(int).dtype is nptorch.int64
    assert x.type_as(nptorch.tensor([1])).dtype is nptorch.int64


_TO_CALLS = {
    "device_dtype_non_blocking": lambda L, x: x.to("cpu", L.float64, True),
    "dtype_non_blocking_copy": lambda L, x: x.to(L.float64, True, True),
    "none_device": lambda L, x: x.to(None, L.float16),
    "tensor_non_blocking": lambda L, x: x.to(L.zeros(1, dtype=L.int32), True),
    "keywords_copy": lambda L, x: x.to(device="cpu", dtype=L.float32, copy=True),
    "memory_format": lambda L, x: x.to(L.float64, memory_format=L.contiguous_format),
    "unchanged": lambda L, x: x.to("cpu", L.float32, False, False),
}


@pytest.mark.parametrize("call", _TO_CALLS.values(), ids=list(_TO_CALLS))
def test_to_overloads_match_torch(torch, call):
    x, t = nptorch.ones(2), torch.ones(2)
    ours, theirs = call(nptorch, x), call(torch, t)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert (ours is x) == (theirs is t)


@pytest.mark.parametrize("call,error,message", [
    (lambda L, x: x.to(dtype="cpu"), TypeError, r"got \(dtype=str, \), but expected one of"),
    (lambda L, x: x.to(L.float64, foo=1), TypeError, r"got \(torch.dtype, foo=int\)"),
    (lambda L, x: x.to(L.float64, L.float32), TypeError, r"got \(torch.dtype, torch.dtype\)"),
    (lambda L, x: x.to("cpu", L.float64, True, True, True), TypeError,
     "to\\(\\) takes from 0 to 4 positional arguments but 5 were given"),
    (lambda L, x: L.nn.Linear(2, 2).to(L.float64, copy=True), RuntimeError,
     "does not accept copy argument"),
])
def test_to_bad_arguments_match_torch(torch, call, error, message):
    for lib in (nptorch, torch):
        with pytest.raises(error, match=message):
            call(lib, lib.ones(2))


def test_to_is_differentiable():
    x = nptorch.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.grad_fn is not None
    y.sum().backward()
    assert x.grad.dtype is nptorch.float32 and x.grad.tolist() == [3.0, 3.0]


def test_cuda_without_gpu_raises():
    if nptorch.cuda.is_available():
        pytest.skip("a GPU is available")
    x = nptorch.ones(2)
    for action in (x.cuda, lambda: x.to("cuda"), lambda: nptorch.zeros(2, device="cuda")):
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            action()


def test_new_constructors(torch):
    for lib in (nptorch, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64)
        z = x.new_zeros(2)
        assert z.tolist() == [0.0, 0.0] and z.dtype == lib.float64
        assert x.new_zeros((2, 1)).shape == (2, 1)
        assert x.new_zeros(2, dtype=lib.int64).dtype == lib.int64
        assert lib.tensor([1], dtype=lib.int32).new_ones(3).dtype == lib.int32
        f = x.new_full((2,), 7)
        assert f.dtype == lib.float64 and f.tolist() == [7.0, 7.0]
        assert lib.tensor([1]).new_full((2,), 7.5).tolist() == [7, 7]
        n = x.new_tensor([1, 2])
        assert n.dtype == lib.float64 and not n.requires_grad
        assert x.new_tensor([1.0], requires_grad=True).requires_grad
        e = x.new_empty(2, 3)
        assert e.shape == (2, 3) and e.dtype == lib.float64


def test_tensor_constructor(torch):
    for lib in (nptorch, torch):
        a = lib.Tensor([1, 2])
        assert a.dtype == lib.float32 and a.tolist() == [1.0, 2.0]
        assert lib.Tensor(2, 3).shape == (2, 3)
        assert lib.Tensor().shape == (0,)


def test_data_attribute():
    x = nptorch.ones(2, requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    x.data = nptorch.zeros(2)
    assert x.tolist() == [0.0, 0.0] and x.requires_grad


def test_hash_is_identity():
    x = nptorch.ones(1)
    assert len({x, x, nptorch.ones(1)}) == 2


# -- repr -----------------------------------------------------------------------------------------
REPR_CASES = [
    lambda T: T.tensor([1.0, 2.0, 3.0]),
    lambda T: T.tensor([1.5, -2.25, 3.0]),
    lambda T: T.tensor([0.1, 0.123456789]),
    lambda T: T.tensor([1, 2, 3]),
    lambda T: T.tensor([-1, 20, 300]),
    lambda T: T.tensor([True, False]),
    lambda T: T.tensor(3.5),
    lambda T: T.tensor(3.0),
    lambda T: T.tensor(7),
    lambda T: T.tensor(True),
    lambda T: T.tensor(-0.0001),
    lambda T: T.tensor(1e10),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]]),
    lambda T: T.tensor([[1.5, -2.0], [3.0, 40.0]]),
    lambda T: T.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]),
    lambda T: T.tensor([[True, False], [False, True]]),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True),
    lambda T: T.tensor(2.5, requires_grad=True),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda T: T.tensor([1.0, 2.0], requires_grad=True).sum(),
    lambda T: T.tensor([1.0, 2.0], dtype=T.float64),
    lambda T: T.tensor(1.0, dtype=T.float64),
    lambda T: T.tensor([1.5, 2.0], dtype=T.float64, requires_grad=True),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=T.float64) * T.tensor(
        2.0, dtype=T.float64, requires_grad=True),
    lambda T: T.tensor([1, 2], dtype=T.int32),
    lambda T: T.tensor(1, dtype=T.int32),
    lambda T: T.tensor([1, 2], dtype=T.uint8),
    lambda T: T.tensor([1.0, 2.0], dtype=T.float16),
    lambda T: T.tensor([0.25], dtype=T.float16) / 3,
    lambda T: T.tensor([1e10, 1.0]),
    lambda T: T.tensor([1e-10, 1.0]),
    lambda T: T.tensor([123456.7, 0.001]),
    lambda T: T.tensor([1e-5, 2e-5]),
    lambda T: T.tensor([1e8, 2.0]),
    lambda T: T.tensor([1e9, 2.0]),
    lambda T: T.tensor([12345678.0, 2.0]),
    lambda T: T.tensor([100.0, 0.01]),
    lambda T: T.tensor([1000.5, 0.5]),
    lambda T: T.tensor([0.5, 1e5]),
    lambda T: T.tensor([[1e-8, 1.0], [2.0, 3.0]]),
    lambda T: T.tensor([[0.1, -0.2], [10.0, -100.0]]),
    lambda T: T.tensor([float("inf"), -float("inf"), float("nan"), 1.0]),
    lambda T: T.tensor([float("nan"), 1.5]),
    lambda T: T.tensor([0.0, -0.0]),
    lambda T: T.tensor([]),
    lambda T: T.tensor([], dtype=T.int64),
    lambda T: T.tensor([[]]),
    lambda T: T.zeros(0, 3),
    lambda T: T.zeros(2, 0, dtype=T.bool),
    lambda T: T.arange(30.0),                       # wraps at 80 columns
    lambda T: T.arange(25.0).reshape(5, 5) / 3,
    lambda T: T.arange(26.0).reshape(2, 13) * 1000.123,
    lambda T: T.arange(40.0) * 1e-5,
    lambda T: T.arange(1001),                       # summarised with ...
    lambda T: T.arange(2000.0).reshape(40, 50),
    lambda T: T.arange(3000.0).reshape(10, 10, 30) / 7,
]


@pytest.mark.parametrize("case", range(len(REPR_CASES)))
def test_repr_matches_torch(torch, case):
    make = REPR_CASES[case]
    ours, theirs = make(nptorch), make(torch)
    assert repr(ours) == repr(theirs).replace("torch.", "nptorch.")
    assert str(ours) == repr(ours)


@pytest.mark.parametrize("n,tail", [
    (20, "0.5000]], dtype=nptorch.float64, grad_fn=<MulBackward0>)"),
    (22, "0.5000]], dtype=nptorch.float64,\n       grad_fn=<MulBackward0>)"),
    (26, "0.5000]],\n       dtype=nptorch.float64, grad_fn=<MulBackward0>)")])
def test_repr_suffix_wraps_like_torch(torch, n, tail):
    # a suffix that no longer fits in 80 columns goes to a new line, indented under "tensor("
    x = nptorch.ones(2, n, dtype=nptorch.float64, requires_grad=True) * 0.5
    t = torch.ones(2, n, dtype=torch.float64, requires_grad=True) * 0.5
    assert repr(x).endswith(tail)
    assert repr(x) == repr(t).replace("torch.", "nptorch.")


def test_set_printoptions(torch):
    from nptorch._formatting import set_printoptions, get_printoptions
    try:
        set_printoptions(precision=2)
        torch.set_printoptions(precision=2)
        assert repr(nptorch.tensor([1.12345, 2.0])) == repr(torch.tensor([1.12345, 2.0]))
        set_printoptions(sci_mode=True)
        torch.set_printoptions(sci_mode=True)
        assert repr(nptorch.tensor([1.5, 2.0])) == repr(torch.tensor([1.5, 2.0]))
        set_printoptions(threshold=5, edgeitems=1)
        torch.set_printoptions(threshold=5, edgeitems=1)
        assert repr(nptorch.arange(10)) == repr(torch.arange(10))
        assert get_printoptions()["threshold"] == 5
    finally:
        set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(nptorch.tensor([1.12345])) == "tensor([1.1235])"
