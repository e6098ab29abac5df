"""nn.utils.parametrize against PyTorch: values, gradients, state_dict keys, reprs, errors."""
import copy
import pickle

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck
from nptorch.func import functional_call
from nptorch.nn.utils import parametrize as P

from helpers import as_numpy, load_torch_state

torch = pytest.importorskip("torch")


def _classes(lib):
    """The same parametrizations written for nptorch and for torch."""
    nn = lib.nn

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.calls = 0

        def forward(self, X):
            self.calls += 1
            return X * 2.0

        def right_inverse(self, A):
            return A / 2.0

    class Split(nn.Module):
        def forward(self, A, B):
            return A + B

        def right_inverse(self, X):
            return X * 0.25, X * 0.75

    class Double(nn.Module):
        def forward(self, X):
            return X.double()

    class Rows(nn.Module):
        def forward(self, X):
            return X[:1]

    return Symmetric, Scale, Split, Double, Rows


def _pair(build):
    """Build the same parametrized module with each library; ours gets torch's values."""
    theirs = build(torch, *_classes(torch))
    ours = build(nptorch, *_classes(nptorch))
    load_torch_state(ours, theirs)
    return ours, theirs


def _symmetric_linear(lib, Symmetric, *_):
    m = lib.nn.Linear(3, 3)
    lib.nn.utils.parametrize.register_parametrization(m, "weight", Symmetric())
    return m


def test_register_values_grads_keys_and_repr():
    ours, theirs = _pair(_symmetric_linear)
    assert type(ours).__name__ == "ParametrizedLinear"
    assert type(ours).__mro__[1] is nptorch.nn.Linear
    assert list(ours.state_dict()) == list(theirs.state_dict()) == \
        ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    np.testing.assert_array_equal(as_numpy(ours.weight), as_numpy(ours.weight).T)
    x = np.random.randn(4, 3).astype(np.float32)
    yo, yt = ours(nptorch.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(as_numpy(yo), as_numpy(yt), rtol=1e-5, atol=1e-6)
    (yo ** 2).sum().backward()
    (yt ** 2).sum().backward()
    go = ours.parametrizations.weight.original.grad
    np.testing.assert_allclose(as_numpy(go), as_numpy(theirs.parametrizations.weight.original.grad),
                               rtol=1e-5, atol=1e-6)
    # triu is read
    assert not np.tril(as_numpy(go), -1).any() and as_numpy(go)[np.triu_indices(3)].all()


def test_gradcheck_through_parametrization():
    m = _symmetric_linear(nptorch, *_classes(nptorch)).double()
    x = nptorch.randn(2, 3, dtype=nptorch.float64)

    def f(w):  # the module's output as a function of its stored original
        return functional_call(m, {"parametrizations.weight.original": w}, x)
    assert gradcheck(f, (nptorch.randn(3, 3, dtype=nptorch.float64, requires_grad=True),))


def test_right_inverse_on_register_and_assignment():
    def build(lib, Symmetric, Scale, *_):
        m = lib.nn.Linear(2, 3)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Scale())
        return m
    ours, theirs = _pair(build)
    w = np.random.randn(3, 2).astype(np.float32)
    ours.weight = nptorch.tensor(w)
    theirs.weight = torch.tensor(w)
    np.testing.assert_allclose(as_numpy(ours.parametrizations.weight.original), w / 2, rtol=1e-6)
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    assert isinstance(ours.parametrizations.weight.original, nptorch.nn.Parameter)


def test_chained_parametrizations():
    def build(lib, Symmetric, Scale, *_):
        m = lib.nn.Linear(3, 3)
        for p in (Symmetric(), Scale()):
            lib.nn.utils.parametrize.register_parametrization(m, "weight", p)
        return m
    ours, theirs = _pair(build)
    assert len(ours.parametrizations.weight) == 2
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    w = np.random.randn(3, 3).astype(np.float32)
    ours.weight, theirs.weight = nptorch.tensor(w), torch.tensor(w)  # right inverses, last first
    np.testing.assert_allclose(as_numpy(ours.parametrizations.weight.original),
                               np.triu(w) / 2, rtol=1e-6)
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)


def test_tuple_right_inverse_gives_original0_original1():
    def build(lib, Symmetric, Scale, Split, *_):
        m = lib.nn.Linear(2, 2)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Split())
        return m
    ours, theirs = _pair(build)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == \
        ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    chain = ours.parametrizations.weight
    assert not chain.is_tensor and chain.ntensors == 2
    assert not hasattr(chain, "original")
    np.testing.assert_allclose(as_numpy(chain.original1), 3 * as_numpy(chain.original0), rtol=1e-6)
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    assert all(isinstance(t, nptorch.nn.Parameter) for t in (chain.original0, chain.original1))
    w0 = as_numpy(ours.weight)
    P.remove_parametrizations(ours, "weight")
    assert isinstance(ours.weight, nptorch.nn.Parameter)
    np.testing.assert_allclose(as_numpy(ours.weight), w0, rtol=1e-6)
    assert list(ours.state_dict()) == ["bias", "weight"]


def test_buffer_parametrization():
    def build(lib, Symmetric, Scale, *_):
        m = lib.nn.BatchNorm1d(3)
        lib.nn.utils.parametrize.register_parametrization(m, "running_var", Scale())
        return m
    ours, theirs = _pair(build)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "parametrizations.running_var.original" in dict(ours.named_buffers())
    np.testing.assert_allclose(as_numpy(ours.running_var), as_numpy(theirs.running_var))
    np.testing.assert_allclose(as_numpy(ours.running_var), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(as_numpy(ours.parametrizations.running_var.original), [0.5] * 3)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    ours, theirs = _pair(_symmetric_linear)
    original = ours.parametrizations.weight.original
    expected = as_numpy(ours.weight) if leave else as_numpy(original).copy()
    assert P.remove_parametrizations(ours, "weight", leave_parametrized=leave) is ours
    torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight", leave_parametrized=leave)
    assert type(ours) is nptorch.nn.Linear and not hasattr(ours, "parametrizations")
    assert ours.weight is original
    np.testing.assert_allclose(as_numpy(ours.weight), expected, rtol=1e-6)
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), rtol=1e-6)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight"]
    assert "weight" not in type(ours).__dict__


def test_is_parametrized_and_type_before():
    m = nptorch.nn.Linear(3, 3)
    assert not P.is_parametrized(m) and P.type_before_parametrizations(m) is nptorch.nn.Linear
    Symmetric, Scale = _classes(nptorch)[:2]
    P.register_parametrization(m, "weight", Symmetric())
    P.register_parametrization(m, "bias", Scale())
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert P.is_parametrized(m, "bias") and not P.is_parametrized(m, "other")
    assert P.type_before_parametrizations(m) is nptorch.nn.Linear
    P.remove_parametrizations(m, "weight")
    assert type(m).__name__ == "ParametrizedLinear" and "weight" not in type(m).__dict__
    P.remove_parametrizations(m, "bias")
    assert type(m) is nptorch.nn.Linear and not P.is_parametrized(m)


def test_cached_computes_once():
    m = nptorch.nn.Linear(2, 2)
    scale = _classes(nptorch)[1]()
    P.register_parametrization(m, "weight", scale)
    scale.calls = 0
    with P.cached():
        a, b = m.weight, m.weight
        with P.cached():
            c = m.weight
    assert a is b is c and scale.calls == 1
    d = m.weight
    assert d is not a and scale.calls == 2
    np.testing.assert_array_equal(as_numpy(a), as_numpy(d))


def test_training_flag_deepcopy_and_pickling():
    m = nptorch.nn.Linear(3, 3).eval()
    sym = _classes(nptorch)[0]()
    P.register_parametrization(m, "weight", sym)
    assert sym.training is False
    m2 = copy.deepcopy(m)
    assert type(m2) is type(m) and m2.parametrizations.weight is not m.parametrizations.weight
    np.testing.assert_array_equal(as_numpy(m2.weight), as_numpy(m.weight))
    with pytest.raises(RuntimeError, match=r"Serialization of parametrized modules is only "
                                           r"supported through state_dict\(\)"):
        pickle.dumps(m)


def test_transfer_parametrizations_and_params():
    Symmetric, Scale = _classes(nptorch)[:2]
    src = nptorch.nn.Linear(3, 3)
    P.register_parametrization(src, "weight", Symmetric())
    P.register_parametrization(src, "weight", Scale())
    dst = nptorch.nn.Linear(3, 3)
    assert P.transfer_parametrizations_and_params(src, dst) is dst
    assert [type(p).__name__ for p in dst.parametrizations.weight] == ["Symmetric", "Scale"]
    assert dst.parametrizations.weight.original is src.parametrizations.weight.original
    np.testing.assert_array_equal(as_numpy(dst.weight), as_numpy(src.weight))
    assert P.transfer_parametrizations_and_params(nptorch.nn.Linear(2, 2), dst) is dst


def test_errors_match_pytorch():
    Symmetric, Scale, Split, Double, Rows = _classes(nptorch)
    TSym, TScale, TSplit, TDouble, TRows = _classes(torch)

    def both(exc, fn_ours, fn_theirs):
        with pytest.raises(exc) as eo:
            fn_ours()
        with pytest.raises(exc) as et:
            fn_theirs()
        assert str(eo.value).replace("nptorch", "torch") == str(et.value)
    register = P.register_parametrization
    tregister = torch.nn.utils.parametrize.register_parametrization
    both(ValueError, lambda: register(nptorch.nn.Linear(2, 2), "weight", Double()),
         lambda: tregister(torch.nn.Linear(2, 2), "weight", TDouble()))
    both(ValueError, lambda: register(nptorch.nn.Linear(2, 2), "weight", Rows()),
         lambda: tregister(torch.nn.Linear(2, 2), "weight", TRows()))
    mo, mt = nptorch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    register(mo, "weight", Symmetric())
    tregister(mt, "weight", TSym())
    both(ValueError, lambda: register(mo, "weight", Rows()),
         lambda: tregister(mt, "weight", TRows()))
    with pytest.raises(ValueError, match="Module 'Linear.*' does not have a parameter, a buffer, "
                                         "or a parametrized element with name 'nope'"):
        register(nptorch.nn.Linear(2, 2), "nope", Symmetric())
    with pytest.raises(ValueError, match="does not have a parametrization on bias"):
        P.remove_parametrizations(mo, "bias")
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        mo.weight = nptorch.nn.Parameter(nptorch.ones(2, 2))
    plain_o, plain_t = nptorch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    register(plain_o, "weight", Rows(), unsafe=True)
    tregister(plain_t, "weight", TRows(), unsafe=True)
    assert tuple(plain_o.weight.shape) == (1, 2)
    both(RuntimeError, lambda: setattr(plain_o, "weight", nptorch.ones(1, 2)),
         lambda: setattr(plain_t, "weight", torch.ones(1, 2)))
    so, st = nptorch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    register(so, "weight", Split())
    tregister(st, "weight", TSplit())
    both(ValueError, lambda: P.remove_parametrizations(so, "weight", leave_parametrized=False),
         lambda: torch.nn.utils.parametrize.remove_parametrizations(st, "weight", False))
    with pytest.raises(ValueError, match="ParametrizationList requires one or more modules."):
        P.ParametrizationList([], nptorch.ones(2))
