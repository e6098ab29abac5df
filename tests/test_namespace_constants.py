"""The namespace's constants (``pi``, ``e``, ``inf``, ``nan``, ``newaxis``) and the
symbolic-shape utilities (``sym_int``, ``sym_max``, ...) on plain numbers and one-element
tensors, compared with PyTorch: values, result types and errors."""
import math

import numpy as np
import pytest

import nptorch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan"])
def test_float_constants_are_pytorchs(name):
    ours, theirs = getattr(nptorch, name), getattr(torch, name)
    assert type(ours) is float and type(theirs) is float
    assert ours is getattr(math, name)
    assert ours == theirs or (math.isnan(ours) and math.isnan(theirs))


def test_newaxis_is_none_and_indexes_a_new_dim():
    assert nptorch.newaxis is None and torch.newaxis is None
    x = nptorch.arange(6.0).reshape(2, 3)
    assert tuple(x[:, nptorch.newaxis].shape) == (2, 1, 3)
    assert tuple(x[nptorch.newaxis, ..., nptorch.newaxis].shape) == (1, 2, 3, 1)


def _call(lib, name, args):
    """``lib.<name>(*args)`` with ``args`` built for ``lib`` (callables make tensors)."""
    built = [a(lib) if callable(a) else a for a in args]
    return getattr(lib, name)(*built)


def _scalar(value):
    return lambda lib: lib.tensor(value)


_VALUES = [
    ("sym_int", (2.7,)), ("sym_int", (-2.7,)), ("sym_int", (True,)), ("sym_int", ("5",)),
    ("sym_int", (np.float32(2.5),)), ("sym_int", (_scalar(2.7),)), ("sym_int", (_scalar(-3),)),
    ("sym_float", (3,)), ("sym_float", (True,)), ("sym_float", ("1.5",)),
    ("sym_float", (_scalar(2.7),)),
    ("sym_max", (1, 2)), ("sym_max", (1, 2.0)), ("sym_max", (3, 2.0)), ("sym_max", (True, 2)),
    ("sym_max", (True, False)), ("sym_max", (np.int64(3), 2)), ("sym_max", (np.float32(3), 2)),
    ("sym_max", (math.nan, 1.0)), ("sym_max", (1.0, math.nan)),
    ("sym_min", (1, 2.0)), ("sym_min", (5, 2)), ("sym_min", (-1, -1.5)),
    ("sym_min", (math.nan, 1.0)), ("sym_min", (1.0, math.nan)),
    ("sym_not", (True,)), ("sym_not", (0,)), ("sym_not", ([],)), ("sym_not", (_scalar(True),)),
    ("sym_not", (_scalar(0.0),)),
    ("sym_ite", (True, 1, 2)), ("sym_ite", (False, 1, 2)), ("sym_ite", (False, 1.5, 2.5)),
    ("sym_sqrt", (4,)), ("sym_sqrt", (2.0,)), ("sym_sqrt", (True,)), ("sym_sqrt", (_scalar(2.7),)),
    ("sym_sqrt", (math.inf,)),
    ("sym_sum", ([1, 2, 3],)), ("sym_sum", (1, 2, 3)), ("sym_sum", ((1, 2.5),)), ("sym_sum", ()),
    ("sym_sum", ([],)), ("sym_sum", ([True, True],)), ("sym_sum", (5,)),
]


@pytest.mark.parametrize("name,args", _VALUES)
def test_symbolic_utilities_match_pytorch_on_numbers(name, args):
    ours, theirs = _call(nptorch, name, args), _call(torch, name, args)
    assert type(ours) is type(theirs), (ours, theirs)
    if isinstance(theirs, float) and math.isnan(theirs):
        assert math.isnan(ours)
    else:
        assert ours == theirs


def test_sym_ite_passes_tensors_through():
    t, f = nptorch.tensor([1.0, 2.0]), nptorch.tensor(3)
    assert nptorch.sym_ite(True, t, f) is t
    assert nptorch.sym_ite(False, t, f) is f


def test_sym_sum_adds_tensors():
    ours = nptorch.sym_sum([nptorch.tensor(2.7), nptorch.tensor(3)])
    theirs = torch.sym_sum([torch.tensor(2.7), torch.tensor(3)])
    assert isinstance(ours, nptorch.Tensor)
    assert ours.dtype == nptorch.float32 and theirs.dtype == torch.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


_ERRORS = [
    ("sym_int", (None,), TypeError, "int\\(\\) argument must be"),
    ("sym_int", (_scalar([1.0, 2.0]),), ValueError, "only one element tensors"),
    ("sym_float", ("x",), ValueError, "could not convert string to float"),
    ("sym_float", (_scalar([1.0, 2.0]),), ValueError, "only one element tensors"),
    ("sym_max", ("a", 2), AssertionError, "expected .*got <class 'str'>"),
    ("sym_max", (2, "a"), AssertionError, "expected .*got <class 'str'>"),
    ("sym_max", (_scalar(1.0), 1), AssertionError, "expected .*Tensor'>"),
    ("sym_min", (None, 2), AssertionError, "expected .*got <class 'NoneType'>"),
    ("sym_not", (_scalar([1.0, 2.0]),), RuntimeError, "more than one value is ambiguous"),
    ("sym_ite", (1, 1, 2), AssertionError, "expected SymBool or bool, got <class 'int'>"),
    ("sym_ite", (np.bool_(True), 1, 2), AssertionError, "expected SymBool or bool"),
    ("sym_ite", (_scalar(True), 1, 2), AssertionError, "expected SymBool or bool"),
    ("sym_ite", (True, 1, 2.0), AssertionError, "type mismatch: <class 'int'> vs <class 'float'>"),
    ("sym_sqrt", (-1,), ValueError, "math domain error"),
    ("sym_sqrt", ("x",), TypeError, "must be real number, not str"),
    ("sym_sqrt", (_scalar([1.0, 2.0]),), ValueError, "only one element tensors"),
    ("sym_sum", ([[1], [2]],), TypeError, "unsupported operand type"),
    ("sym_sum", ([1, "a"],), TypeError, "unsupported operand type"),
]


@pytest.mark.parametrize("name,args,error,message", _ERRORS)
def test_symbolic_utilities_raise_like_pytorch(name, args, error, message):
    for lib in (torch, nptorch):
        with pytest.raises(error, match=message):
            _call(lib, name, args)


def test_symbolic_utilities_keep_pytorchs_signatures():
    import inspect
    for name in ("sym_int", "sym_float", "sym_max", "sym_min", "sym_not", "sym_ite", "sym_sqrt",
                 "sym_sum"):
        ours = inspect.signature(getattr(nptorch, name))
        theirs = inspect.signature(getattr(torch, name))
        assert list(ours.parameters) == list(theirs.parameters), name
