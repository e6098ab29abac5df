"""nptorch.signal.windows against torch.signal.windows: values (float32 and float64, symmetric
and periodic), signatures, dtypes, flags and PyTorch's errors for bad arguments."""
import inspect
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import nptorch
from nptorch.signal import windows

from helpers import check_same_error_as_torch

NAMES = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
         "general_hamming", "hamming", "hann", "kaiser", "nuttall"]
PERIODIC_CENTER = {"center": 2.5, "tau": 0.5}
CASES = [
    ("bartlett", {}), ("blackman", {}), ("cosine", {}), ("hamming", {}), ("hann", {}),
    ("nuttall", {}), ("exponential", {}), ("exponential", {"tau": 0.3}),
    ("exponential", {"tau": 7.5}), ("exponential", PERIODIC_CENTER),
    ("gaussian", {}), ("gaussian", {"std": 0.4}), ("gaussian", {"std": 13.0}),
    ("general_cosine", {"a": [0.46, 0.23, 0.31]}),
    ("general_cosine", {"a": (1.0, 1.93, 1.29, 0.388, 0.028)}),
    ("general_hamming", {}), ("general_hamming", {"alpha": 0.3}),
    ("kaiser", {}), ("kaiser", {"beta": 0.0}), ("kaiser", {"beta": 3.5}),
    ("kaiser", {"beta": 40.0}),
]
LENGTHS = [0, 1, 2, 3, 4, 5, 8, 11, 16, 33, 100, 257, 1000, 4097]


def _tolerance(name, M, sym, kwargs, eps):
    """A few ulp of the largest magnitudes PyTorch's computation goes through: the window's
    amplitude (for sums of cosines, the sum of the coefficients' magnitudes) and, for the
    windows computed from linspace positions, the largest position, whose rounding PyTorch's
    own CPU kernels (portable, AVX2/AVX512) do differently."""
    half = (M if not sym and M > 1 else M - 1) / 2
    amplitude, position = 1.0, 0.0
    if name == "exponential":
        center = kwargs.get("center", half)
        position = max(abs(center), abs(M - 1 - center)) / kwargs.get("tau", 1.0)
    elif name == "gaussian":
        position = half / (kwargs.get("std", 1.0) * math.sqrt(2))
    elif name == "kaiser":
        position = kwargs.get("beta", 12.0)
    elif name == "general_cosine":
        amplitude = sum(abs(a) for a in kwargs["a"])
    elif name == "general_hamming":
        alpha = kwargs.get("alpha", 0.54)
        amplitude = abs(alpha) + abs(1 - alpha)
    return eps * (8 * amplitude + 2 * position)


def _assert_close(ours, theirs, name, M, sym, kwargs):
    assert tuple(ours.shape) == tuple(theirs.shape) == (M,)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    eps = np.finfo(ours.numpy().dtype).eps
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=8 * eps,
                               atol=_tolerance(name, M, sym, kwargs, eps),
                               err_msg=f"{name}({M}, sym={sym}, {kwargs})")


def test_namespace_matches_torch(torch):
    assert sorted(windows.__all__) == sorted(torch.signal.windows.__all__) == NAMES
    assert nptorch.signal.windows is windows
    for name in NAMES:
        assert callable(getattr(nptorch.signal.windows, name))


@pytest.mark.parametrize("name", NAMES)
def test_signatures_match_torch(torch, name):
    ours = inspect.signature(getattr(windows, name)).parameters
    theirs = inspect.signature(getattr(torch.signal.windows, name)).parameters
    assert list(ours) == list(theirs)
    for p, q in zip(ours.values(), theirs.values()):
        assert p.kind == q.kind, p.name
        # the layout default prints as torch.strided in both
        assert str(p.default) == str(q.default), p.name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_values_match_torch(torch, name, kwargs, dtype):
    for sym in (True, False) if "center" not in kwargs else (False,):
        for M in LENGTHS:
            ours = getattr(windows, name)(M, sym=sym, dtype=getattr(nptorch, dtype), **kwargs)
            theirs = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype),
                                                         **kwargs)
            _assert_close(ours, theirs, name, M, sym, kwargs)


_PORTABLE_KERNELS = """
import sys, numpy as np, torch
W = torch.signal.windows
out = {}
for M in (1, 2, 7, 10, 33, 257, 4097):
    for sym in (True, False):
        for dt in ("float32", "float64"):
            d = getattr(torch, dt)
            out[f"exponential {M} {sym} {dt}"] = W.exponential(M, sym=sym, tau=0.3, dtype=d)
            out[f"gaussian {M} {sym} {dt}"] = W.gaussian(M, sym=sym, std=0.7, dtype=d)
            out[f"cosine {M} {sym} {dt}"] = W.cosine(M, sym=sym, dtype=d)
np.savez(sys.argv[1], **{k: v.numpy() for k, v in out.items()})
"""


def test_sampled_windows_equal_torchs_portable_kernels(torch, tmp_path):
    """With its portable (non-vectorized) CPU kernels, PyTorch computes the exponential,
    Gaussian and cosine windows as nptorch does: equal to within an ulp of the final exp/sin.
    Its AVX2/AVX512 kernels round linspace differently (the test above allows for that)."""
    path = tmp_path / "windows.npz"
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    subprocess.run([sys.executable, "-c", _PORTABLE_KERNELS, str(path)], env=env, check=True)
    expected = np.load(path)
    kwargs = {"exponential": {"tau": 0.3}, "gaussian": {"std": 0.7}, "cosine": {}}
    for key in expected.files:
        name, M, sym, dt = key.split()
        ours = getattr(windows, name)(int(M), sym=sym == "True", dtype=getattr(nptorch, dt),
                                      **kwargs[name]).numpy()
        eps = np.finfo(dt).eps
        np.testing.assert_allclose(ours, expected[key], rtol=2 * eps, atol=eps, err_msg=key)


def test_small_windows(torch):
    for name, kwargs in CASES:
        sym = "center" not in kwargs
        for M in (0, 1):
            ours = getattr(windows, name)(M, sym=sym, **kwargs)
            theirs = getattr(torch.signal.windows, name)(M, sym=sym, **kwargs)
            assert ours.tolist() == pytest.approx(theirs.tolist())
    # with an explicit center, a window of one sample is not 1
    assert windows.exponential(1, sym=False, center=2.5, tau=0.5).tolist() == pytest.approx(
        [math.exp(-5.0)])
    assert windows.hann(True).tolist() == [1.0]
    assert windows.hann(np.int64(3)).tolist() == [0.0, 1.0, 0.0]


def test_known_values():
    np.testing.assert_allclose(windows.hann(5, dtype=nptorch.float64).numpy(),
                               [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-15)
    np.testing.assert_allclose(windows.bartlett(10, sym=False, dtype=nptorch.float64).numpy(),
                               [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 0.8, 0.6, 0.4, 0.2], atol=1e-15)
    np.testing.assert_allclose(windows.cosine(3, dtype=nptorch.float64).numpy(),
                               [0.5, 1.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(windows.gaussian(3, std=2.0, dtype=nptorch.float64).numpy(),
                               [math.exp(-1 / 8), 1.0, math.exp(-1 / 8)], rtol=1e-15)
    np.testing.assert_allclose(
        windows.exponential(4, sym=False, center=1.0, dtype=nptorch.float64).numpy(),
        [math.exp(-1), 1.0, math.exp(-1), math.exp(-2)], rtol=1e-15)


def test_dtype_device_and_flags():
    assert windows.hann(4).dtype == nptorch.float32
    previous = nptorch.get_default_dtype()
    nptorch.set_default_dtype(nptorch.float64)
    try:
        for name, kwargs in CASES:
            assert getattr(windows, name)(4, sym=False, **kwargs).dtype == nptorch.float64
    finally:
        nptorch.set_default_dtype(previous)
    w = windows.gaussian(6, device="cpu", requires_grad=True)
    assert w.requires_grad and w.device == nptorch.device("cpu")
    (w * 2).sum().backward()
    assert not windows.kaiser(6).requires_grad
    assert windows.nuttall(0, requires_grad=True).shape == (0,)


def test_coefficients_may_be_any_iterable(torch):
    for make in (lambda: [0.5, 0.5], lambda: (0.3, 0.5, 0.2), lambda: iter([0.5, 0.5]),
                 lambda: np.array([0.5]), lambda: range(1, 3)):
        ours = windows.general_cosine(7, a=make(), dtype=nptorch.float64).numpy()
        theirs = torch.signal.windows.general_cosine(7, a=make(), dtype=torch.float64).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-15, atol=1e-15)


_DTYPE_NAMES = ("float16", "int64", "int32", "uint8", "bool")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("call", [
    lambda lib, f: f(-1),
    lambda lib, f: f(-3, dtype=lib.int64),
    lambda lib, f: f(5, layout=None),
    lambda lib, f: f(5, dtype=lib.float16),
    lambda lib, f: f(5, dtype=lib.int64),
    lambda lib, f: f(0, dtype=lib.uint8),
    lambda lib, f: f(5, dtype=lib.bool),
], ids=["negative", "negative-first", "layout", "float16", "int64", "uint8", "bool"])
def test_bad_arguments_raise_torchs_errors(name, call):
    kwargs = {"a": [0.5, 0.5]} if name == "general_cosine" else {}
    check_same_error_as_torch(
        lambda lib: call(lib, lambda *args, **kw: getattr(lib.signal.windows, name)(
            *args, **kwargs, **kw)), nptorch_names=_DTYPE_NAMES)


@pytest.mark.parametrize("call", [
    lambda lib: lib.signal.windows.gaussian(5, std=0),
    lambda lib: lib.signal.windows.gaussian(5, std=-1.5),
    lambda lib: lib.signal.windows.exponential(5, tau=0),
    lambda lib: lib.signal.windows.exponential(5, tau=-2.0),
    lambda lib: lib.signal.windows.exponential(5, center=1.0),
    lambda lib: lib.signal.windows.exponential(-1, tau=0),
    lambda lib: lib.signal.windows.kaiser(5, beta=-1.0),
    lambda lib: lib.signal.windows.general_cosine(5, a=[]),
    lambda lib: lib.signal.windows.general_cosine(5, a=3),
    lambda lib: lib.signal.windows.general_cosine(5),
    lambda lib: lib.signal.windows.hann(5, True),
    lambda lib: lib.signal.windows.hann(5, alpha=0.5),
])
def test_bad_parameters_raise_torchs_errors(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("name", NAMES)
def test_non_integer_length_is_a_type_error(torch, name):
    kwargs = {"a": [0.5, 0.5]} if name == "general_cosine" else {}
    with pytest.raises(TypeError):
        getattr(torch.signal.windows, name)(5.0, **kwargs)
    with pytest.raises(TypeError, match="argument 'M' must be int, not float"):
        getattr(windows, name)(5.0, **kwargs)
