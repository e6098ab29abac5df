"""``torch.backends`` shims for the CPU libraries: ``mkldnn``, ``mkl``, ``openmp``, ``cpu`` and
``opt_einsum``, and for Metal (``mps``, absent), checked against PyTorch's documented behaviour and errors."""
import importlib
import inspect
import subprocess
import sys

import numpy as np
import pytest

import nptorch
from helpers import check_same_error_as_torch

mkldnn = nptorch.backends.mkldnn


@pytest.fixture(autouse=True)
def _restore_mkldnn_flags():
    saved = mkldnn.set_flags()
    mkldnn.matmul.fp32_precision = mkldnn.conv.fp32_precision = "none"
    yield
    mkldnn.set_flags(*saved)
    mkldnn.matmul.fp32_precision = mkldnn.conv.fp32_precision = "none"


def test_modules_are_importable():
    for name in ("cpu", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"):
        module = importlib.import_module(f"nptorch.backends.{name}")
        assert getattr(nptorch.backends, name) is module


# -- mkldnn -------------------------------------------------------------------------------------
def test_mkldnn_is_not_available():
    assert mkldnn.is_available() is False and mkldnn.is_acl_available() is False


def test_mkldnn_default_flags(torch):
    assert mkldnn.enabled is True and mkldnn.deterministic is False
    assert mkldnn.allow_tf32 is False and mkldnn.fp32_precision == "none"
    assert torch.backends.mkldnn.enabled is True and torch.backends.mkldnn.deterministic is False
    assert torch.backends.mkldnn.fp32_precision == "none"


def test_mkldnn_enabled_is_assignable(torch):
    for lib in (nptorch, torch):
        lib.backends.mkldnn.enabled = False
        try:
            assert lib.backends.mkldnn.enabled is False
            tf32 = lib.backends.mkldnn.allow_tf32
            assert lib.backends.mkldnn.set_flags() == (False, False, tf32, "none")
        finally:
            lib.backends.mkldnn.enabled = True
        assert lib.backends.mkldnn.enabled is True


def test_mkldnn_flags_context_manager(torch):
    for lib in (nptorch, torch):
        m = lib.backends.mkldnn
        with m.flags(enabled=False):
            assert m.enabled is False and m.deterministic is False
        assert m.enabled is True
        with m.flags(enabled=True, deterministic=True, fp32_precision="bf16"):
            assert m.enabled is True and m.deterministic is True
            assert m.fp32_precision == "bf16" and m.matmul.fp32_precision == "bf16"
        assert m.deterministic is False and m.fp32_precision == "none"
        with m.flags():  # PyTorch's defaults: enabled=False
            assert m.enabled is False
        assert m.enabled is True
        with pytest.raises(ValueError, match="inside"):
            with m.flags(enabled=False):
                raise ValueError("inside")
        assert m.enabled is True


def test_mkldnn_flags_signatures(torch):
    for name in ("flags", "set_flags"):
        ours = inspect.signature(getattr(mkldnn, name)).parameters
        theirs = inspect.signature(getattr(torch.backends.mkldnn, name)).parameters
        assert ours == theirs


def test_mkldnn_op_precisions(torch):
    for lib in (nptorch, torch):
        m = lib.backends.mkldnn
        try:
            m.conv.fp32_precision = "ieee"
            m.fp32_precision = "tf32"
            assert (m.conv.fp32_precision, m.matmul.fp32_precision,
                    m.rnn.fp32_precision) == ("ieee", "tf32", "tf32")
            m.fp32_precision = "none"
            assert (m.conv.fp32_precision, m.matmul.fp32_precision) == ("ieee", "none")
            assert (m.matmul.backend, m.matmul.op) == ("mkldnn", "matmul")
        finally:
            m.fp32_precision = "none"
            m.conv.fp32_precision = "none"


@pytest.mark.parametrize("case", ["enabled", "deterministic", "allow_tf32", "precision",
                                  "op_precision", "op_attribute", "op_get_attribute",
                                  "flags_enabled"])
def test_mkldnn_errors(torch, case):
    def call(lib):
        m = lib.backends.mkldnn
        if case in ("enabled", "deterministic", "allow_tf32"):
            setattr(m, case, 1)
        elif case == "precision":
            m.fp32_precision = "fp32"
        elif case == "op_precision":
            m.conv.fp32_precision = "highest"
        elif case == "op_attribute":
            m.matmul.allow = True
        elif case == "op_get_attribute":
            return m.rnn.allow
        else:
            with m.flags(enabled="yes"):
                pass

    try:
        check_same_error_as_torch(call)
    finally:
        torch.backends.mkldnn.enabled = True
    assert mkldnn.enabled is True and mkldnn.fp32_precision == "none"


def test_mkldnn_verbose():
    with mkldnn.verbose(mkldnn.VERBOSE_OFF):
        pass
    with pytest.raises(AssertionError, match="Failed to set MKLDNN into verbose mode. Please "
                                             "consider to disable this verbose scope."):
        with mkldnn.verbose(mkldnn.VERBOSE_ON):
            pass
    assert (mkldnn.VERBOSE_OFF, mkldnn.VERBOSE_ON, mkldnn.VERBOSE_ON_CREATION) == (0, 1, 2)


# -- mkl, openmp, cpu ----------------------------------------------------------------------------
def test_mkl_reports_numpys_blas():
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    assert nptorch.backends.mkl.is_available() is ("mkl" in blas.lower())


def test_mkl_verbose():
    mkl = nptorch.backends.mkl
    with mkl.verbose(mkl.VERBOSE_OFF):
        pass
    with pytest.raises(AssertionError, match="Failed to set MKL into verbose mode"):
        with mkl.verbose(mkl.VERBOSE_ON):
            pass


def _run(code, **env):
    import os

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_openmp_follows_the_compiled_kernels():
    code = "import nptorch; print(nptorch.backends.openmp.is_available())"
    assert _run(code, NPTORCH_PURE_PYTHON="1") == "False"
    if sys.platform.startswith("linux"):  # built with -fopenmp there
        assert _run(code, NPTORCH_PURE_PYTHON="0") == "True"
    assert isinstance(nptorch.backends.openmp.is_available(), bool)


def test_cpu_capability(torch):
    capability = nptorch.backends.cpu.get_cpu_capability()
    assert capability in ("DEFAULT", "VSX", "Z VECTOR", "NO AVX", "AVX2", "AVX512", "SVE256")
    assert nptorch.backends.cpu.__all__ == ["get_cpu_capability"]
    import os

    if "ATEN_CPU_CAPABILITY" not in os.environ and capability != "DEFAULT":
        assert capability == torch.backends.cpu.get_cpu_capability()


# -- opt_einsum ----------------------------------------------------------------------------------
oe = nptorch.backends.opt_einsum


def test_opt_einsum_is_not_used():
    assert oe.is_available() is False and oe.get_opt_einsum() is None
    assert oe.enabled is False and oe.strategy is None
    a = nptorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert nptorch.einsum("ij,jk->ik", a, a).tolist() == [[7.0, 10.0], [15.0, 22.0]]


def test_opt_einsum_flags(torch):
    assert inspect.signature(oe.flags).parameters == inspect.signature(
        torch.backends.opt_einsum.flags).parameters
    with oe.flags(enabled=False):
        assert oe.enabled is False
    assert oe.set_flags() == (False, None)
    oe.enabled = False  # a plain assignment, as in PyTorch
    assert oe.enabled is False


@pytest.mark.skipif(importlib.util.find_spec("opt_einsum") is not None,
                    reason="PyTorch uses opt_einsum when it is installed")
@pytest.mark.parametrize("kwargs", [{"enabled": True}, {"strategy": "auto"},
                                    {"strategy": "greedy", "enabled": False}])
def test_opt_einsum_flag_errors_match_torch(torch, kwargs):
    def call(lib):
        with lib.backends.opt_einsum.flags(**kwargs):
            pass

    check_same_error_as_torch(call)
    assert oe.enabled is False and oe.strategy is None


def test_mps_is_neither_built_nor_available_and_macos_queries_raise():
    mps = nptorch.backends.mps
    assert mps.is_built() is False and mps.is_available() is False
    device = "mps" if mps.is_available() else "cpu"  # a script's usual device choice
    assert nptorch.zeros(1, device=device).device.type == "cpu"
    check_same_error_as_torch(lambda lib: lib.backends.mps.is_macos13_or_newer())
    check_same_error_as_torch(lambda lib: lib.backends.mps.is_macos_or_newer(14, 0))
