"""The compiled direct convolution of images with few channels (forward pass and weight
gradient) agrees with the reference's im2col products, and runs where its rule says."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nptorch._ops import Window
from nptorch._ops.reference import ArrayOps

from kernel_twins import DTYPES

cython_ops = pytest.importorskip("nptorch._ops.cython_ops")
COLUMNS = ArrayOps()


def _ops(**rule):
    """A compiled twin with its direct-convolution rule overridden by ``rule``."""
    try:
        ops = cython_ops.CythonOps()
    except ImportError:
        pytest.skip("compiled twin not built")
    for name, value in rule.items():
        setattr(ops, name, value)
    return ops


def _data(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _close(got, expected, dtype):
    assert got.dtype == dtype and got.shape == expected.shape
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=40, deadline=None)
@given(N=st.integers(0, 3), C=st.integers(1, 4), O=st.integers(1, 8), KH=st.integers(1, 6),
       KW=st.integers(1, 6), PH=st.integers(0, 3), PW=st.integers(0, 3),
       H=st.integers(1, 9), W=st.integers(1, 40), bias=st.booleans())
def test_direct_convolution_matches_columns(dtype, N, C, O, KH, KW, PH, PW, H, W, bias):
    """Any output width (whole vectors, partial ones, blocks of one to four vectors), any output
    count (whole register blocks or not), kernels wider than a block of kernel columns."""
    OH, OW = H + 2 * PH - KH + 1, W + 2 * PW - KW + 1
    if OH < 1 or OW < 1:
        return
    ops, win = _ops(DIRECT_MIN_WIDTH=1), Window(KH, KW, 1, 1, PH, PW)
    x, w = _data((N, C, H, W), dtype, 0), _data((O, C, KH, KW), dtype, 1)
    b = _data((O,), dtype, 2) if bias else None
    gy = _data((N, O, OH, OW), dtype, 3)
    _close(ops.conv2d(x, w, b, OH, OW, win, 1), COLUMNS.conv2d(x, w, b, OH, OW, win, 1), dtype)
    _close(ops.conv2d_weight(x, gy, win, 1), COLUMNS.conv2d_weight(x, gy, win, 1), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_weight_gradient_ignores_what_no_output_reads(dtype):
    """An inf in the last columns of an image reaches only the kernel columns whose windows
    read it: the vector lanes past the output's last column must not multiply it by zero."""
    ops, win = _ops(), Window(5, 5, 1, 1, 0, 0)
    x = _data((2, 1, 8, 19), dtype, 0)
    x[:, :, :, -1] = np.inf
    gy = _data((2, 3, 4, 15), dtype, 1)
    got = ops.conv2d_weight(x, gy, win, 1)
    with np.errstate(invalid="ignore"):  # inf - inf in the reference's sums
        expected = COLUMNS.conv2d_weight(x, gy, win, 1)
    assert np.isfinite(got[..., :4]).all() and not np.isfinite(got[..., 4]).any()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-4)


class _Spy:
    """The direct-convolution extension, counting the calls of its kernels."""

    def __init__(self, extension):
        self.extension, self.calls = extension, []

    def __getattr__(self, name):
        attribute = getattr(self.extension, name)
        if name in ("conv2d", "conv2d_weight"):
            return lambda *args: self.calls.append(name) or attribute(*args)
        return attribute


@pytest.mark.parametrize("C, W, win, groups, direct", [
    (1, 28, Window(5, 5, 1, 1, 2, 2), 1, True),       # LeNet's first layer
    (4, 16, Window(3, 3, 1, 1, 1, 1), 1, True),
    (5, 28, Window(5, 5, 1, 1, 2, 2), 1, False),      # more channels: columns
    (4, 14, Window(5, 5), 1, False),                  # output rows of 10: columns
    (2, 28, Window(3, 3, 2, 2, 1, 1), 1, False),      # strided
    (2, 28, Window(3, 3, 1, 1, 2, 2, 2, 2), 1, False),  # dilated
    (2, 28, Window(3, 3, 1, 1, 1, 1), 2, False),      # grouped
])
def test_direct_route(C, W, win, groups, direct):
    ops = _ops()
    ops._direct = spy = _Spy(ops._direct)
    OH = OW = (W + 2 * win.PH - win.DH * (win.KH - 1) - 1) // win.SH + 1
    x = _data((2, C, W, W), np.float32, 0)
    w = _data((4, C // groups, win.KH, win.KW), np.float32, 1)
    gy = _data((2, 4, OH, OW), np.float32, 2)
    _close(ops.conv2d(x, w, None, OH, OW, win, groups),
           COLUMNS.conv2d(x, w, None, OH, OW, win, groups), np.float32)
    _close(ops.conv2d_weight(x, gy, win, groups), COLUMNS.conv2d_weight(x, gy, win, groups),
           np.float32)
    assert spy.calls == (["conv2d", "conv2d_weight"] if direct else [])


def test_sizes_that_do_not_match_the_window_are_refused():
    ops, win = _ops(), Window(5, 5, 1, 1, 2, 2)
    x, w = np.zeros((2, 1, 28, 28), np.float32), np.zeros((6, 1, 5, 5), np.float32)
    with pytest.raises(ValueError, match="conv2d: output size \\(27, 28\\) does not match"):
        ops.conv2d(x, w, None, 27, 28, win, 1)
    with pytest.raises(ValueError, match="conv2d_weight: output size \\(28, 30\\)"):
        ops.conv2d_weight(x, np.zeros((2, 6, 28, 30), np.float32), win, 1)
    with pytest.raises(ValueError, match="weight"):
        ops.conv2d(x, np.zeros((6, 2, 5, 5), np.float32), None, 28, 28, win, 1)
