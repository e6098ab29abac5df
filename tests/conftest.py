"""Shared fixtures: ``device`` (cpu, plus cuda when a GPU is there), seeding, and ``torch``
(PyTorch as an optional oracle). Hypothesis runs with few examples so the suite stays fast;
set HYPOTHESIS_PROFILE to use another registered profile."""
import functools
import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=15, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@functools.cache
def _devices():
    import nptorch

    return ("cpu", "cuda") if nptorch.cuda.is_available() else ("cpu",)


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", _devices(), indirect=True)


@pytest.fixture
def device(request):
    """Each available device name in turn."""
    return request.param


@pytest.fixture(autouse=True)
def _seed():
    import nptorch

    np.random.seed(0)
    nptorch.manual_seed(0)


@pytest.fixture(autouse=True)
def _full_precision_convolutions():
    """Float32 convolutions on CUDA in full precision, as the CPU references compute them
    (TF32 is the default, as in PyTorch; its own test turns it back on)."""
    import nptorch

    nptorch.backends.cudnn.allow_tf32 = False
    yield
    nptorch.backends.cudnn.allow_tf32 = True


@pytest.fixture
def torch():
    """PyTorch, the oracle; tests that use it skip when it is not installed."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return torch
