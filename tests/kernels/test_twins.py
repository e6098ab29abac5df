"""The compiled autograd core and its pure-Python twin behave identically."""
import sys
import types

import numpy as np
import pytest

import nptorch
from nptorch import _backend
from nptorch.autograd import engine as pure_engine


def _compiled():
    if _backend.PURE_PYTHON:
        pytest.skip("compiled twin not selected (NPTORCH_PURE_PYTHON=1)")
    return _backend.load_extension("engine")


def test_twins_export_the_same_interface():
    compiled = _compiled()
    names = {"Node", "run_backward", "GradState", "grad_state", "TensorBase", "configure",
             "make_tensor", "gradient_edge", "function_apply", "EXTENSION_ABI"}
    for name in names:
        assert hasattr(compiled, name), name
        assert hasattr(pure_engine, name), name
    assert compiled.EXTENSION_ABI == pure_engine.EXTENSION_ABI == _backend.EXTENSION_ABI


def _graph(seed):
    rng = np.random.default_rng(seed)
    x = nptorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = nptorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    h = x
    for _ in range(5):  # shared subexpressions and a reused leaf
        h = h * w + x.exp() / 3 - h
    return x, w, h


@pytest.mark.parametrize("seed", range(3))
def test_run_backward_twins_agree(seed):
    compiled = _compiled()
    results = []
    for run_backward in (compiled.run_backward, pure_engine.run_backward):
        x, w, h = _graph(seed)
        grad = nptorch.ones_like(h)
        with nptorch.no_grad():
            run_backward([nptorch.autograd.gradient_edge(h)], [grad], False)
        results.append((x.grad.numpy().copy(), w.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_capture_twins_agree():
    compiled = _compiled()
    results = []
    for run_backward in (compiled.run_backward, pure_engine.run_backward):
        x, w, h = _graph(7)
        edges = [nptorch.autograd.gradient_edge(t) for t in (x, w)]
        with nptorch.no_grad():
            got = run_backward([nptorch.autograd.gradient_edge(h)], [nptorch.ones_like(h)], False,
                               edges, False)
        assert x.grad is None and w.grad is None  # captured, not accumulated
        results.append([g.numpy().copy() for g in got])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_missing_extension_is_a_readable_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nptorch._C.missing_for_test", None)
    with pytest.raises(ImportError, match=r"nptorch\._C\.missing_for_test is not built.*pip install"):
        _backend.load_extension("missing_for_test")


def test_stale_extension_is_refused(monkeypatch):
    stale = types.ModuleType("nptorch._C.stale_for_test")
    stale.EXTENSION_ABI = _backend.EXTENSION_ABI - 1
    monkeypatch.setitem(sys.modules, "nptorch._C.stale_for_test", stale)
    with pytest.raises(ImportError, match=r"stale .*NPTORCH_PURE_PYTHON=1"):
        _backend.load_extension("stale_for_test")
