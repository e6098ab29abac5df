"""Legacy and rarely used Tensor API: Variable, new, layout flags, storage_offset, resize_,
apply_/map_, msort, frexp, hardshrink/prelu methods; against PyTorch."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import Variable

torch = pytest.importorskip("torch")


def test_variable_is_a_tensor_sharing_data():
    x = nptorch.ones(2)
    v = Variable(x, requires_grad=True)
    assert isinstance(v, nptorch.Tensor) and v.requires_grad and not x.requires_grad
    assert isinstance(nptorch.zeros(1), Variable)
    x[0] = 5
    assert v[0].item() == 5


def _raised(call):
    """The type and message of the exception ``call()`` raises."""
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


def _raised_alike(call):
    """Whether ``call(lib)`` raises the same exception and message for nptorch as for PyTorch."""
    return _raised(lambda: call(torch)) == _raised(lambda: call(nptorch))


def test_new():
    for lib in (torch, nptorch):
        x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3)
        assert tuple(x.new(2, 3).shape) == (2, 3) and x.new(2, 3).dtype == lib.float64
        assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new([1, 2]).dtype == lib.float64
        assert tuple(x.new().shape) == (0,) and tuple(x.new(lib.Size([2, 2])).shape) == (2, 2)
        assert x.new((4, 5)).tolist() == [4.0, 5.0]  # a plain tuple is data, a Size a shape


def test_new_sizes():
    for lib in (torch, nptorch):
        x = lib.arange(3)
        made = [x.new(), x.new(device="cpu"), x.new(3), x.new(lib.Size([])), x.new(size=(2, 3)),
                x.new(size=[]), x.new(np.int64(2), 3), x.new(2, True), x.new(lib.tensor([3]), 2),
                x.new(2, 0, device=lib.device("cpu"))]
        assert [tuple(t.shape) for t in made] == [(0,), (0,), (3,), (), (2, 3), (), (2, 3), (2, 1),
                                                  (3, 2), (2, 0)]
        assert all(t.dtype == lib.int64 and not t.requires_grad for t in made)
        y = lib.ones(2, requires_grad=True).new(2)
        assert y.dtype == lib.float32 and not y.requires_grad
    for call in (lambda lib: lib.ones(1).new(2, -1), lambda lib: lib.ones(1).new(2, 3.5),
                 lambda lib: lib.ones(1).new(2, lib.tensor(3.0)),
                 lambda lib: lib.ones(1).new(size=(2, [3]))):
        assert _raised_alike(call)
    assert _raised(lambda: nptorch.ones(1).new(1, 2, 3.0)) == (
        TypeError, "new(): argument 'size' failed to unpack the object at pos 3 with error "
                   "\"type must be tuple of ints,but got float\"")


def test_new_data():
    for lib in (torch, nptorch):
        x = lib.zeros(1)
        assert x.new([True, False]).tolist() == [1.0, 0.0]
        assert x.new(range(2)).tolist() == [0.0, 1.0] and x.new(()).tolist() == []
        assert x.new(data=[[1, 2]]).tolist() == [[1.0, 2.0]]
        assert x.new(np.array(2.5)).tolist() == 2.5 and x.new(lib.tensor(2.5)).tolist() == 2.5
        whole = lib.zeros(1, dtype=lib.int64).new([1.7, -2.5])
        assert whole.dtype == lib.int64 and whole.tolist() == [1, -2]
        same, other = np.array([1.0, 2.0], np.float32), np.array([1.0, 2.0])
        x.new(same)[0] = 5
        x.new(other)[0] = 5
        assert same.tolist() == [5.0, 2.0] and other.tolist() == [1.0, 2.0]
    for data in (3.5, True, np.float64(2.0), None, {1: 2}, 1 + 2j, "ab"):
        assert _raised_alike(lambda lib: lib.ones(1).new(data))
    assert _raised(lambda: nptorch.ones(1).new(np.float32(2))) == (
        TypeError, "new(): data must be a sequence (got numpy.float32)")
    assert _raised(lambda: nptorch.ones(1).new(data=nptorch.ones(1))) == (
        TypeError, "new(): data must be a sequence (got Tensor)")


def test_new_from_tensor_shares_it():
    for lib in (torch, nptorch):
        source = lib.ones(2, requires_grad=True)
        alias = lib.zeros(1).new(source)
        assert alias is not source and alias.requires_grad and not alias.is_leaf
        (alias * 3).sum().backward()
        assert source.grad.tolist() == [3.0, 3.0]
        plain = lib.ones(2)
        lib.zeros(1).new(other=plain)[0] = 7
        assert plain.tolist() == [7.0, 1.0]
    for call in (lambda lib: lib.zeros(1).new(lib.ones(2, dtype=lib.int64)),
                 lambda lib: lib.zeros(1, dtype=lib.bool).new(lib.ones(2)),
                 lambda lib: lib.zeros(1).new(lib.ones(2), device="cpu"),
                 lambda lib: lib.zeros(1).new(other=lib.ones(2), device=None)):
        assert _raised_alike(call)
    assert _raised(lambda: nptorch.zeros(1).new(nptorch.ones(2, dtype=nptorch.float64))) == (
        TypeError, "expected TensorOptions(dtype=float, device=cpu, layout=Strided, requires_grad="
                   "false (default), pinned_memory=false (default), memory_format=(nullopt)) "
                   "(got TensorOptions(dtype=double, device=cpu, layout=Strided, requires_grad="
                   "false (default), pinned_memory=false (default), memory_format=(nullopt)))")


def test_new_keywords():
    assert _raised(lambda: nptorch.ones(1).new([1], device="cuda")) == (
        RuntimeError, "legacy constructor expects device type: cpu but device type: cuda was "
                      "passed")
    calls = [lambda lib: lib.ones(1).new(device="cuda"),
             lambda lib: lib.ones(1).new(2, dtype=lib.int32),
             lambda lib: lib.ones(1).new([1], requires_grad=True),
             lambda lib: lib.ones(1).new(2, device=2.5),
             lambda lib: lib.ones(1).new(a=1, b=2),
             lambda lib: lib.ones(1).new(2, 3, 4, device="cpu", foo=2),
             lambda lib: lib.ones(1).new(size=(2,), foo=2),
             lambda lib: lib.ones(1).new([1], 2, device="cpu"),
             lambda lib: lib.ones(1).new(size=2),
             lambda lib: lib.ones(1).new(other=[1]),
             lambda lib: lib.ones(1).new(storage=3)]
    for call in calls:
        assert _raised_alike(call)
    assert _raised(lambda: nptorch.ones(1).new(dtype=nptorch.int32)) == (
        TypeError, "new() received an invalid combination of arguments - got (dtype=torch.dtype, "
                   "), but expected one of:\n * (*, torch.device device = None)\n * (torch.Storage "
                   "storage)\n      didn't match because some of the keywords were incorrect: "
                   "dtype\n * (Tensor other)\n      didn't match because some of the keywords "
                   "were incorrect: dtype\n * (tuple of ints size, *, torch.device device = "
                   "None)\n * (object data, *, torch.device device = None)\n")


def test_new_rejects_mixed_positional_arguments():
    calls = [lambda lib: lib.ones(1).new((2, 3), 4),
             lambda lib: lib.ones(1).new(lib.Size([2]), 4),
             lambda lib: lib.ones(1).new(lib.ones(1), 3),
             lambda lib: lib.ones(1).new(2.0, 3),
             lambda lib: lib.ones(1).new(True, False),
             lambda lib: lib.ones(1).new([1, 2], None),
             lambda lib: lib.ones(1).new(np.ones(2), lib.device("cpu")),
             lambda lib: lib.ones(1).new([1, 2, 3], [4], (5,))]
    for call in calls:
        assert _raised_alike(call)
    assert _raised(lambda: nptorch.ones(1).new((2, 3), 4)) == (
        TypeError, "new() received an invalid combination of arguments - got (tuple, int), but "
                   "expected one of:\n * (*, torch.device device = None)\n      didn't match "
                   "because some of the arguments have invalid types: (!tuple of (int, int)!, "
                   "!int!)\n * (torch.Storage storage)\n * (Tensor other)\n * (tuple of ints "
                   "size, *, torch.device device = None)\n * (object data, *, torch.device device "
                   "= None)\n")


def test_layout_and_flags():
    x = nptorch.ones(2)
    assert x.layout is nptorch.strided and repr(nptorch.strided) == repr(torch.strided)
    assert not (x.is_sparse or x.is_quantized or x.is_meta or x.is_mkldnn or x.is_nested)
    assert nptorch.zeros(2, layout=nptorch.strided).shape == (2,)


@pytest.mark.parametrize("view", [lambda x: x, lambda x: x.t(), lambda x: x[1], lambda x: x[:, 1:],
                                  lambda x: x[1:, ::2]])
def test_storage_offset(view):
    assert view(nptorch.arange(12.0).reshape(3, 4)).storage_offset() == \
        view(torch.arange(12.0).reshape(3, 4)).storage_offset()


def test_resize():
    for lib in (torch, nptorch):
        y = lib.arange(6.0)
        assert y.resize_(2, 2) is y and y.tolist() == [[0.0, 1.0], [2.0, 3.0]]
        y.resize_(3, 3)
        assert tuple(y.shape) == (3, 3) and y[0].tolist() == [0.0, 1.0, 2.0]
        z = lib.ones(2, 3)
        z.resize_as_(lib.ones(3))
        assert z.tolist() == [1.0, 1.0, 1.0]
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            lib.ones(2, requires_grad=True).resize_(3)


def test_resize_to_a_memory_format():
    for lib in (torch, nptorch):
        x = lib.arange(6.0).resize_(1, 2, 1, 3, memory_format=lib.channels_last)
        assert x.stride() == (6, 1, 6, 2) and x.tolist() == [[[[0.0, 2.0, 4.0]],
                                                              [[1.0, 3.0, 5.0]]]]
        assert lib.zeros(4).resize_(1, 2, 1, 2, memory_format=lib.contiguous_format
                                    ).stride() == (4, 2, 2, 1)
        last = lib.zeros(1, 2, 3, 4).to(memory_format=lib.channels_last)
        assert lib.zeros(2).resize_as_(last).stride() == (24, 12, 4, 1)
        assert lib.zeros(2).resize_as_(last, memory_format=lib.preserve_format
                                       ).stride() == (24, 1, 8, 2)
    for call in (lambda lib: lib.zeros(4).resize_(2, 2, memory_format=lib.channels_last),
                 lambda lib: lib.zeros(4).resize_(1, 4, memory_format=lib.channels_last_3d),
                 lambda lib: lib.zeros(4).resize_(4, memory_format=lib.preserve_format),
                 lambda lib: lib.zeros(4).resize_(4, memory_format="channels_last")):
        assert _raised_alike(call)


def test_apply_and_map():
    for lib in (torch, nptorch):
        a = lib.tensor([1.0, 2.0])
        assert a.apply_(lambda v: v * 10) is a and a.tolist() == [10.0, 20.0]
        a.map_(lib.tensor([1.0, 2.0]), lambda p, q: p + q)
        assert a.tolist() == [11.0, 22.0]
        assert lib.ones(2, dtype=lib.int64).apply_(lambda v: v * 2.7).tolist() == [2, 2]
        with pytest.raises(RuntimeError, match="Can't call apply_\\(\\) on Variable that "
                                               "requires grad"):
            lib.ones(3, requires_grad=True).apply_(lambda v: v)


def test_msort_frexp_and_layer_methods():
    values = np.array([[3.0, -1.0], [0.3, 8.0], [-5.0, 2.0]], np.float32)
    ours, theirs = nptorch.tensor(values), torch.tensor(values)
    assert ours.msort().tolist() == theirs.msort().tolist()
    assert nptorch.msort(ours).tolist() == torch.msort(theirs).tolist()
    m, e = nptorch.frexp(ours)
    tm, te = torch.frexp(theirs)
    assert m.tolist() == tm.tolist() and e.tolist() == te.tolist() and e.dtype == nptorch.int32
    with pytest.raises(RuntimeError, match="only supports floating-point dtypes"):
        nptorch.frexp(nptorch.tensor([1]))
    assert ours.hardshrink(0.5).tolist() == theirs.hardshrink(0.5).tolist()
    slope = [0.25, 0.5]
    np.testing.assert_allclose(ours.prelu(nptorch.tensor(slope)).numpy(),
                               theirs.prelu(torch.tensor(slope)).numpy())
