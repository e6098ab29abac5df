"""Floating-point special cases (division by zero, overflow, invalid operations) give inf and
NaN silently, as in PyTorch, without NumPy's RuntimeWarnings, and leave NumPy's own error
settings as they were; the warnings PyTorch does give (variance without degrees of freedom)
are given alike."""
import math
import warnings

import numpy as np
import pytest

import nptorch

NAN, INF = math.nan, math.inf


def _adam_step_on_inf_grad(lib):
    p = lib.nn.Parameter(lib.tensor([1.0]))
    p.grad = lib.tensor([INF])
    lib.optim.Adam([p]).step()
    return p


def _set_float16_item_out_of_range(lib):
    x = lib.zeros(2, dtype=lib.float16)
    x[0] = 1e6  # inf, unlike fill_, which raises
    return x


# name -> fn(lib) computing a special case; the result is compared with PyTorch's
CASES = {
    "divide by zero": lambda lib: lib.tensor([0.0, 1.0, -1.0]) / lib.tensor([0.0, 0.0, 0.0]),
    "divide by the number 0": lambda lib: lib.tensor([1.0]) / 0,
    "integer over 0": lambda lib: lib.tensor([1]) / 0,
    "log of 0": lambda lib: lib.log(lib.tensor([0.0, -1.0])),
    "sqrt of -1": lambda lib: lib.sqrt(lib.tensor([-1.0])),
    "exp overflow": lambda lib: lib.exp(lib.tensor([1000.0])),
    "pow 0 to -1": lambda lib: lib.pow(lib.tensor([0.0]), -1),
    "acos out of range": lambda lib: lib.acos(lib.tensor([2.0])),
    "log1p of -1": lambda lib: lib.log1p(lib.tensor([-1.0])),
    "reciprocal of 0": lambda lib: lib.tensor([0.0]).reciprocal(),
    "rsqrt of 0": lambda lib: lib.tensor([0.0]).rsqrt(),
    "inf - inf": lambda lib: lib.tensor([INF]) - INF,
    "floor division by 0": lambda lib: lib.tensor([1.0]) // 0,
    "fmod by 0": lambda lib: lib.fmod(lib.tensor([1.0]), 0.0),
    "remainder by 0": lambda lib: lib.remainder(lib.tensor([1.0]), 0.0),
    "atanh of 1": lambda lib: lib.atanh(lib.tensor([1.0])),
    "xlogy of 0, 0": lambda lib: lib.xlogy(lib.tensor([0.0]), lib.tensor([0.0])),
    "NaN to int": lambda lib: lib.tensor([NAN]).int(),
    "float64 overflow to float32": lambda lib: lib.tensor([1e40], dtype=lib.float64).float(),
    "overflow to float16": lambda lib: lib.tensor([1e5]).to(lib.float16),
    "in-place division by 0": lambda lib: lib.tensor([1.0]).div_(0),
    "in-place inf * 0": lambda lib: lib.tensor([INF]).mul_(0),
    "copy of NaN into int": lambda lib: lib.zeros(1, dtype=lib.int64).copy_(lib.tensor([NAN])),
    "float16 item set out of range": _set_float16_item_out_of_range,
    "mean of nothing": lambda lib: lib.tensor([]).mean(),
    "mean over an empty dim": lambda lib: lib.zeros(0, 3).mean(0),
    "corrcoef of constant rows": lambda lib: lib.corrcoef(lib.ones(2, 3)),
    "matmul with inf": lambda lib: lib.tensor([[INF, 0.0]]) @ lib.tensor([[0.0], [1.0]]),
    "softmax of -inf": lambda lib: lib.softmax(lib.tensor([-INF, -INF]), 0),
    "logsumexp of -inf": lambda lib: lib.logsumexp(lib.tensor([-INF, -INF]), 0),
    "normalize zeros": lambda lib: lib.nn.functional.normalize(lib.zeros(2, 3)),
    "cosine similarity of zeros": lambda lib: lib.nn.functional.cosine_similarity(
        lib.zeros(2, 3), lib.zeros(2, 3)),
    "binary cross entropy at 0 and 1": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([0.0, 1.0]), lib.tensor([1.0, 0.0])),
    "Adam step on an inf gradient": _adam_step_on_inf_grad,
    "LU factors of a singular matrix": lambda lib: lib.linalg.lu_factor_ex(
        lib.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=lib.float64)),
}


def _result_arrays(result):
    items = result if isinstance(result, (tuple, list)) else (result,)
    return [np.asarray(t.detach().tolist()) for t in items]


def _runtime_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [w for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("name", list(CASES))
def test_special_values_come_without_runtime_warnings(name):
    result, caught = _runtime_warnings(lambda: CASES[name](nptorch))
    assert caught == [], [str(w.message) for w in caught]
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_result_arrays(result), _result_arrays(CASES[name](torch))):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["log", "sqrt", "reciprocal", "acos"])
def test_backward_through_special_values_comes_without_runtime_warnings(name):
    x = nptorch.tensor([0.0, 2.0, -1.0], requires_grad=True)
    _, caught = _runtime_warnings(lambda: getattr(nptorch, name)(x).sum().backward())
    assert caught == [], [str(w.message) for w in caught]
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.0, 2.0, -1.0], requires_grad=True)
    getattr(torch, name)(t).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_numpy_error_settings_are_left_as_they_were():
    before = np.geterr()
    x = nptorch.tensor([0.0, 1.0], requires_grad=True)
    (nptorch.log(x) / 0).sum().backward()
    with pytest.raises(RuntimeError):
        nptorch.tensor([1.0, 2.0]) + nptorch.tensor([1.0, 2.0, 3.0])
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        np.array([1.0]) / 0  # the user's own NumPy code still warns


@pytest.mark.parametrize("call,message", [
    (lambda lib: lib.tensor([1.0]).var(), "var(): degrees of freedom is <= 0"),
    (lambda lib: lib.tensor([1.0, 2.0]).std(correction=2), "std(): degrees of freedom is <= 0"),
    (lambda lib: lib.var_mean(lib.tensor([1.0])), "var_mean(): degrees of freedom is <= 0"),
    (lambda lib: lib.std_mean(lib.ones(3, 1), 1), "std_mean(): degrees of freedom is <= 0"),
    (lambda lib: lib.zeros(3, 0).var(1), "var(): degrees of freedom is <= 0"),
    (lambda lib: lib.tensor(1.0).var(), "var(): degrees of freedom is <= 0"),
    (lambda lib: lib.cov(lib.tensor([[1.0]])), "cov(): degrees of freedom is <= 0"),
    (lambda lib: lib.cov(lib.tensor([[1.0, 2.0]]), correction=2), "cov(): degrees of freedom"),
    (lambda lib: lib.cov(lib.tensor([[1.0, 2.0]]), fweights=lib.tensor([1, 0])),
     "cov(): degrees of freedom is <= 0"),
])
def test_variance_without_degrees_of_freedom_warns_as_pytorch(call, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(nptorch)
    assert [(w.category, str(w.message)[:len(message)]) for w in caught] == [
        (UserWarning, message)]
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = call(torch)
    for ours, theirs in zip(_result_arrays(result), _result_arrays(expected)):
        np.testing.assert_array_equal(ours, theirs)


def test_variance_with_degrees_of_freedom_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nptorch.tensor([1.0, 2.0]).var()
        nptorch.ones(3, 2).std(1)
        nptorch.var_mean(nptorch.ones(2, 2), 0, correction=0)
        nptorch.cov(nptorch.ones(2, 3))
        nptorch.cov(nptorch.ones(2, 3), aweights=nptorch.tensor([1.0, 0.5, 1.0]))
