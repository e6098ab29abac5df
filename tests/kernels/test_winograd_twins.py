"""Winograd's tile transforms agree between the twins and with their matrix definition, and
3x3 convolutions by Winograd agree with the im2col products they replace."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nptorch._ops import Window, winograd
from nptorch._ops.reference import ArrayOps

from kernel_twins import DTYPES, REF, TWINS

# the Winograd twins: the reference and the compiled CPU kernels (CUDA convolves by im2col)
WINOGRAD_TWINS = [ops for ops in TWINS if isinstance(ops, winograd.WinogradConvolution)]
BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]])
AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]])


def _data(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _close(a, b, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@st.composite
def planes(draw):
    """``(N, C, H, W, PH, PW)``: planes of any size, including ones whose padding exceeds them."""
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 9)),
            draw(st.integers(1, 9)), draw(st.integers(0, 3)), draw(st.integers(0, 3)))


def _transforms(ops, dtype, N, C, H, W, PH, PW):
    """The three transforms of ``ops`` on data of these sizes (output size that of a 3x3
    convolution, at least 1x1)."""
    OH, OW = max(1, H + 2 * PH - 2), max(1, W + 2 * PW - 2)
    TH, TW = winograd.tiles(OH, OW)
    x = _data((N, C, H, W), dtype)
    v = np.full((16, C, N * TH * TW), np.nan, dtype)
    ops.winograd_input(x, v, PH, PW, TH, TW)
    m, bias = _data((16, C, N * TH * TW), dtype, 1), _data((C,), dtype, 2)
    y = np.full((N, C, OH, OW), np.nan, dtype)
    ops.winograd_output(m, y, bias, TH, TW)
    g = _data((N, C, OH, OW), dtype, 3)
    e = np.full((16, C, N * TH * TW), np.nan, dtype)
    ops.winograd_output_adjoint(g, e, TH, TW)
    return v, y, e


@pytest.mark.parametrize("ops", WINOGRAD_TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=25, deadline=None)
@given(case=planes())
def test_transforms_agree_with_the_reference(ops, dtype, case):
    for got, expected in zip(_transforms(ops, dtype, *case), _transforms(REF, dtype, *case)):
        _close(got, expected, dtype)  # and every place written: NaN would fail


@pytest.mark.parametrize("ops", WINOGRAD_TWINS, ids=lambda o: type(o).__name__)
def test_transforms_of_wide_planes(ops):
    """Tile rows longer than the compiled kernels' block of tiles are split in segments; short
    ones share a block."""
    for case in [(1, 2, 5, 700, 1, 2), (2, 1, 40, 7, 2, 0)]:
        for got, expected in zip(_transforms(ops, np.float64, *case),
                                 _transforms(REF, np.float64, *case)):
            _close(got, expected, np.float64)


def test_reference_transforms_match_the_matrices():
    N, C, H, W, PH, PW = 2, 3, 5, 6, 1, 2
    v, y, e = _transforms(REF, np.float64, N, C, H, W, PH, PW)
    OH, OW = H + 2 * PH - 2, W + 2 * PW - 2
    TH, TW = winograd.tiles(OH, OW)
    x = np.pad(_data((N, C, H, W), np.float64),
               [(0, 0), (0, 0), (PH, 2 * TH + 2), (PW, 2 * TW + 2)])
    m, bias = _data((16, C, N * TH * TW), np.float64, 1), _data((C,), np.float64, 2)
    g = np.pad(_data((N, C, OH, OW), np.float64, 3), [(0, 0), (0, 0), (0, 1), (0, 1)])
    for n, c, th, tw in np.ndindex(N, C, TH, TW):
        t = (n * TH + th) * TW + tw
        d = x[n, c, 2 * th:2 * th + 4, 2 * tw:2 * tw + 4]
        np.testing.assert_allclose(v[:, c, t], (BT @ d @ BT.T).ravel())
        block = AT @ m[:, c, t].reshape(4, 4) @ AT.T + bias[c]
        rows, cols = min(2, OH - 2 * th), min(2, OW - 2 * tw)
        np.testing.assert_allclose(y[n, c, 2 * th:2 * th + rows, 2 * tw:2 * tw + cols],
                                   block[:rows, :cols])
        np.testing.assert_allclose(e[:, c, t], (AT.T @ g[n, c, 2 * th:2 * th + 2,
                                                         2 * tw:2 * tw + 2] @ AT).ravel())


def _any_size(ops):
    """A new instance of ``ops``' class that runs Winograd for any channel count."""
    ops = type(ops)()
    ops.WINOGRAD_MIN_CHANNELS = 0
    return ops


@pytest.mark.parametrize("ops", WINOGRAD_TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(N=st.integers(0, 2), C=st.integers(1, 3), O=st.integers(1, 3), H=st.integers(1, 8),
       W=st.integers(1, 8), PH=st.integers(0, 2), PW=st.integers(0, 2), bias=st.booleans())
def test_convolution_by_winograd_matches_columns(ops, dtype, N, C, O, H, W, PH, PW, bias):
    """The forward pass, input gradient and weight gradient by Winograd equal the im2col
    products (``ArrayOps``), for every padding the input gradient takes this way."""
    OH, OW = H + 2 * PH - 2, W + 2 * PW - 2
    if OH < 1 or OW < 1:
        return
    ops, win, columns = _any_size(ops), Window(3, 3, 1, 1, PH, PW), ArrayOps()
    x, w, gy = _data((N, C, H, W), dtype), _data((O, C, 3, 3), dtype, 1), _data((N, O, OH, OW),
                                                                               dtype, 2)
    b = _data((O,), dtype, 3) if bias else None
    for got, expected in [
        (ops.conv2d(x, w, b, OH, OW, win, 1), columns.conv2d(x, w, b, OH, OW, win, 1)),
        (ops.conv2d_input(gy, w, H, W, win, 1), columns.conv2d_input(gy, w, H, W, win, 1)),
        (ops.conv2d_weight(x, gy, win, 1), columns.conv2d_weight(x, gy, win, 1)),
    ]:
        assert got.dtype == dtype and got.shape == expected.shape
        _close(got, expected, dtype)


@pytest.mark.parametrize("ops", WINOGRAD_TWINS, ids=lambda o: type(o).__name__)
def test_convolution_in_chunks(ops, monkeypatch):
    """A batch transformed a few images at a time gives what one pass gives."""
    ops = _any_size(ops)
    x, w, gy = _data((5, 2, 6, 7), np.float64), _data((3, 2, 3, 3), np.float64, 1), \
        _data((5, 3, 6, 7), np.float64, 2)
    win = Window(3, 3, 1, 1, 1, 1)
    whole = [ops.conv2d(x, w, None, 6, 7, win, 1), ops.conv2d_weight(x, gy, win, 1)]
    monkeypatch.setattr(winograd, "CHUNK_BYTES", 1)  # one image per chunk
    for got, expected in zip([ops.conv2d(x, w, None, 6, 7, win, 1),
                              ops.conv2d_weight(x, gy, win, 1)], whole):
        _close(got, expected, np.float64)


def test_which_convolutions_take_winograd():
    ops = REF
    x, w = np.zeros((1, 16, 16, 16), np.float32), np.zeros((16, 16, 3, 3), np.float32)
    same = Window(3, 3, 1, 1, 1, 1)
    assert ops._winograd_fits(x, w, same, 1, w.shape[:2])
    assert not ops._winograd_fits(x, w, same, 2, w.shape[:2])                 # groups
    assert not ops._winograd_fits(x, w, Window(3, 3, 2, 2, 1, 1), 1, w.shape[:2])  # stride
    assert not ops._winograd_fits(x, w, Window(3, 3, 1, 1, 2, 2, 2, 2), 1, w.shape[:2])
    assert not ops._winograd_fits(x, w[..., :2], Window(3, 2, 1, 1, 1, 1), 1, (16, 16))
    assert not ops._winograd_fits(x, w.astype(np.float64), same, 1, w.shape[:2])  # dtypes
    assert not ops._winograd_fits(x.astype(np.int64), w.astype(np.int64), same, 1, (16, 16))
    assert not ops._winograd_fits(x, w, same, 1, (15, 16))                    # few channels
    small = x[:, :, :8, :8]                         # small planes need twice the channels
    assert not ops._winograd_fits(small, w, same, 1, (16, 16))
    assert ops._winograd_fits(small, w, same, 1, (32, 32))
    assert not ops._winograd_fits(x[0], w, same, 1, w.shape[:2])              # ranks


@pytest.mark.parametrize("call, message", [
    (lambda ops: ops.winograd_input(np.zeros((1, 2, 4, 4)), np.zeros((16, 2, 3)), 1, 1, 2, 2),
     r"winograd_input: expected tiles \(16, 2, 4\) of float64 for planes \(1, 2, 4, 4\) and "
     r"2x2 tiles, got \(16, 2, 3\) of float64"),
    (lambda ops: ops.winograd_input(np.zeros((1, 2, 4, 4)), np.zeros((16, 2, 4), np.float32), 1,
                                    1, 2, 2), "got \\(16, 2, 4\\) of float32"),
    (lambda ops: ops.winograd_input(np.zeros((2, 4, 4)), np.zeros((16, 2, 4)), 1, 1, 2, 2),
     "winograd_input: expected a 4-D array"),
    (lambda ops: ops.winograd_output(np.zeros((16, 2, 4)), np.zeros((1, 2, 5, 4)), np.zeros(2),
                                     2, 2), r"winograd_output: 2x2 tiles of 2x2 do not cover "
                                            r"a 5x4 plane"),
    (lambda ops: ops.winograd_output(np.zeros((16, 2, 4)), np.zeros((1, 2, 4, 4)), np.zeros(3),
                                     2, 2), r"expected a bias \(2,\) of float64, got \(3,\)"),
    (lambda ops: ops.winograd_output_adjoint(np.zeros((1, 2, 4, 4)), np.zeros((16, 2, 4)), 1, 4),
     "winograd_output_adjoint: 1x4 tiles of 2x2 do not cover a 4x4 plane"),
])
def test_compiled_transforms_check_their_arguments(call, message):
    compiled = [ops for ops in WINOGRAD_TWINS if ops is not REF]
    if not compiled:
        pytest.skip("compiled twin not built")
    with pytest.raises(ValueError, match=message):
        call(compiled[0])
