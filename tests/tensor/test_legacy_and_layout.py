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


def test_new():
    for lib in (torch, nptorch):
        x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3)
        assert tuple(x.new(2, 3).shape) == (2, 3) and x.new(2, 3).dtype == lib.float64
        assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new([1, 2]).dtype == lib.float64
        assert tuple(x.new().shape) == (0,) and tuple(x.new(lib.Size([2, 2])).shape) == (2, 2)
        assert x.new((4, 5)).tolist() == [4.0, 5.0]  # a plain tuple is data, a Size a shape


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
