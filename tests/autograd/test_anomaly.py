"""Anomaly detection: backward names the first function that returns NaN gradients."""
import warnings

import pytest

import nptorch

torch = pytest.importorskip("torch")


def _nan_backward(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    (x / x).sum().backward()


def test_detect_anomaly_names_the_function_that_returned_nan():
    for lib in (torch, nptorch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                assert lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
                with pytest.raises(RuntimeError, match="Function 'DivBackward0' returned nan "
                                                       "values in its 1th output."):
                    _nan_backward(lib)
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        _nan_backward(lib)  # off again: NaN gradients pass silently


def test_custom_functions_are_checked_too():
    class Bad(nptorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")
    x = nptorch.ones(2, requires_grad=True)
    with nptorch.autograd.set_detect_anomaly(True):
        with pytest.raises(RuntimeError, match="Function 'BadBackward' returned nan values in "
                                               "its 0th output."):
            Bad.apply(x).sum().backward()
    Bad.apply(x).sum().backward()
    assert x.grad.isnan().all()


def test_warning_check_nan_off_decorator_and_global_switch():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = nptorch.autograd.detect_anomaly(check_nan=False)
    with mode:
        assert nptorch.is_anomaly_enabled() and not nptorch.is_anomaly_check_nan_enabled()
        _nan_backward(nptorch)
    with pytest.warns(UserWarning):
        @nptorch.autograd.detect_anomaly()
        def run():
            _nan_backward(nptorch)
    with pytest.raises(RuntimeError, match="returned nan values"):
        run()
    nptorch.autograd.set_detect_anomaly(True)
    try:
        assert nptorch.is_anomaly_enabled()
    finally:
        nptorch.autograd.set_detect_anomaly(False)
    assert not nptorch.is_anomaly_enabled()
