"""Every convolution and pooling kernel agrees with the reference ``Ops``; the reference agrees
with explicit index loops."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import nptorch
from nptorch import _backend
from nptorch._ops import Window, ops_for, use
from nptorch._ops.reference import adaptive_bounds

from helpers import host_array
from kernel_twins import ACCELERATED, DTYPES, REF, TWINS


def _to(ops, a):
    return ops.xp.asarray(a)


@st.composite
def cases(draw, dilated=True, ceil=False):
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    KH, KW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    SH, SW = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    DH, DW = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    PH = draw(st.integers(0, ((KH - 1) * DH + 1) // 2))
    PW = draw(st.integers(0, ((KW - 1) * DW + 1) // 2))
    H = draw(st.integers(max(1, (KH - 1) * DH + 1 - 2 * PH), 7))
    W = draw(st.integers(max(1, (KW - 1) * DW + 1 - 2 * PW), 7))
    win = Window(KH, KW, SH, SW, PH, PW, DH, DW)
    ceil_mode = ceil and draw(st.booleans())

    def out(size, k, s, p, d):
        o = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
        return o - 1 if ceil_mode and (o - 1) * s >= size + p else o

    OH, OW = out(H, KH, SH, PH, DH), out(W, KW, SW, PW, DW)
    # dilation lets a window lie on padding only, where the twins may pick different indices
    assume(all(any(_places(oh, ow, win, H, W)) for oh in range(OH) for ow in range(OW)))
    return (N, C, H, W), win, OH, OW


def _data(shape, dtype, seed=0):
    # distinct values: argmax places are unambiguous
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape).astype(dtype) / 7 - 3


def _close(a, b, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(host_array(a), host_array(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(case=cases())
def test_im2col_col2im(ops, dtype, case):
    shape, win, OH, OW = case
    x = _data(shape, dtype)
    col = ops.im2col(_to(ops, x), OH, OW, win)
    _close(col, REF.im2col(x, OH, OW, win), dtype)
    assert col.dtype == dtype and col.shape == shape[:2] + (win.KH, win.KW, OH, OW)
    c = _data(col.shape, dtype, 1)
    expected = REF.col2im(c, *shape[2:], win)
    _close(ops.col2im(_to(ops, c), *shape[2:], win), expected, dtype)
    if ops is not REF:  # the kernel itself writes every place, whatever the buffer held
        out = _to(ops, np.full(shape, np.nan, dtype))
        ops._col2im(_to(ops, c), out, win)
        _close(out, expected, dtype)


def _out(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


@pytest.mark.parametrize("ops", ACCELERATED, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("H, W, win", [
    (14, 14, Window(5, 5)),                    # rows of 10: one or two vectors
    (9, 40, Window(3, 3, 1, 1, 1, 0)),         # rows of 38: several vectors and a tail
    (9, 21, Window(3, 4, 1, 1, 0, 1)),         # rows of 20, zero edges
    (12, 19, Window(3, 3, 2, 1, 1, 1)),        # vertical stride: no row reuse
    (12, 19, Window(3, 3, 1, 2, 1, 1)),        # horizontal stride: element by element
    (11, 26, Window(4, 3, 1, 1, 2, 0, 2, 1)),  # dilated rows, reused DH rows down
    (5, 30, Window(3, 3, 1, 1, 3, 1, 3, 1)),   # dilation past the output: no reuse
    (8, 3, Window(2, 2, 1, 1, 0, 0)),          # rows shorter than a vector
])
def test_im2col_col2im_long_rows(ops, dtype, H, W, win):
    """The row loops of the compiled im2col / col2im on rows of up to several vectors, into
    buffers holding NaN: every place written, the reference's values."""
    OH, OW = _out(H, win.KH, win.SH, win.PH, win.DH), _out(W, win.KW, win.SW, win.PW, win.DW)
    x = _data((2, 3, H, W), dtype)
    col = _to(ops, np.full((2, 3, win.KH, win.KW, OH, OW), np.nan, dtype))
    ops._im2col(_to(ops, x), col, win)
    _close(col, REF.im2col(x, OH, OW, win), dtype)
    c = _data(col.shape, dtype, 1)
    out = _to(ops, np.full(x.shape, np.nan, dtype))
    ops._col2im(_to(ops, c), out, win)
    _close(out, REF.col2im(c, H, W, win), dtype)


def _dot(a, b):
    return float((host_array(a).astype(np.float64) * host_array(b)).sum())


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(case=cases(), groups=st.integers(1, 2), Og=st.integers(1, 3), bias=st.booleans(),
       extra=st.integers(0, 1))
def test_conv2d_products(ops, dtype, case, groups, Og, bias, extra):
    """conv2d, its input gradient (transposed convolution) and weight gradient agree with the
    reference, and are the three partial derivatives of <gy, conv2d(x, w)>."""
    (N, Cg, H, W), win, OH, OW = case
    # a transposed convolution's output may exceed the convolution's input (output_padding)
    H += extra * (max(win.SH, win.DH) > 1)
    W += extra * (max(win.SW, win.DW) > 1)
    x = _data((N, Cg * groups, H, W), dtype)
    w = _data((Og * groups, Cg, win.KH, win.KW), dtype, 1)
    b = _data((Og * groups,), dtype, 2) if bias else None
    y = ops.conv2d(_to(ops, x), _to(ops, w), None if b is None else _to(ops, b), OH, OW, win,
                   groups)
    assert y.dtype == dtype and y.shape == (N, Og * groups, OH, OW)
    _close(y, REF.conv2d(x, w, b, OH, OW, win, groups), dtype)
    gy = _data(y.shape, dtype, 3) / 50
    gx = ops.conv2d_input(_to(ops, gy), _to(ops, w), H, W, win, groups)
    gw = ops.conv2d_weight(_to(ops, x), _to(ops, gy), win, groups)
    assert gx.shape == x.shape and gw.shape == w.shape and gx.dtype == gw.dtype == dtype
    _close(gx, REF.conv2d_input(gy, w, H, W, win, groups), dtype)
    _close(gw, REF.conv2d_weight(x, gy, win, groups), dtype)
    form = _dot(gy, REF.conv2d(x, w, None, OH, OW, win, groups))
    np.testing.assert_allclose([_dot(gx, x), _dot(gw, w)], [form, form], rtol=1e-4, atol=1e-3)


def test_reference_conv2d_matches_loops():
    x, w, b = _data((2, 4, 5, 6), np.float64), _data((6, 2, 2, 3), np.float64, 1), np.arange(6.)
    win = Window(2, 3, 2, 1, 1, 1, 1, 2)
    y = REF.conv2d(x, w, b, 3, 4, win, 2)
    for n, o, oh, ow in np.ndindex(y.shape):
        g = o // 3
        expected = b[o] + sum(w[o, c, kh, kw] * x[n, 2 * g + c, ih, iw] for c in range(2)
                              for kh, kw, ih, iw in _places(oh, ow, win, 5, 6))
        np.testing.assert_allclose(y[n, o, oh, ow], expected)


@pytest.mark.parametrize("shape, win", [
    ((5, 3, 6, 7), Window(3, 3, 1, 1, 1, 1)),          # same padding: the shifted-copy im2col
    ((5, 3, 6, 7), Window(3, 2, 1, 1, 2, 0, 2, 1)),    # dilated, same width
    ((5, 3, 6, 7), Window(1, 1)),                       # direct: no columns
    ((5, 3, 6, 7), Window(3, 3, 2, 2, 1, 1)),          # strided: col2im for the input gradient
])
@pytest.mark.parametrize("chunk", [1, 700, 1 << 22])
def test_conv2d_chunks(shape, win, chunk):
    """The compiled products give the same result one image or several images at a time."""
    cython_ops = [o for o in TWINS if type(o).__name__ == "CythonOps"]
    if not cython_ops:
        pytest.skip("compiled twin not built")
    ops = type(cython_ops[0])()
    ops.CHUNK_BYTES = chunk
    N, C, H, W = shape
    OH = (H + 2 * win.PH - win.DH * (win.KH - 1) - 1) // win.SH + 1
    OW = (W + 2 * win.PW - win.DW * (win.KW - 1) - 1) // win.SW + 1
    x, w = _data(shape, np.float64), _data((4, C, win.KH, win.KW), np.float64, 1)
    b = np.arange(4.0)
    _close(ops.conv2d(x, w, b, OH, OW, win, 1), REF.conv2d(x, w, b, OH, OW, win, 1), np.float64)
    gy = _data((N, 4, OH, OW), np.float64, 2)
    _close(ops.conv2d_input(gy, w, H, W, win, 1), REF.conv2d_input(gy, w, H, W, win, 1),
           np.float64)
    _close(ops.conv2d_weight(x, gy, win, 1), REF.conv2d_weight(x, gy, win, 1), np.float64)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(case=cases(ceil=True))
def test_max_pool2d(ops, dtype, case):
    shape, win, OH, OW = case
    x = _data(shape, dtype)
    y, idx = ops.max_pool2d(_to(ops, x), OH, OW, win)
    ry, ridx = REF.max_pool2d(x, OH, OW, win)
    _close(y, ry, dtype)
    np.testing.assert_array_equal(host_array(idx), ridx)
    assert idx.dtype == np.int64
    g = _data(y.shape, dtype, 2)
    _close(ops.max_pool2d_backward(_to(ops, g), idx, *shape[2:]),
           REF.max_pool2d_backward(g, ridx, *shape[2:]), dtype)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, OH, OW", [((2, 3, 6, 8), 3, 4), ((1, 2, 5, 7), 2, 3),
                                          ((1, 2, 5, 7), 3, 4), ((1, 1, 2, 600), 1, 300)])
def test_max_pool2d_2x2(ops, dtype, shape, OH, OW):
    """The 2x2 stride-2 window (its own compiled loop; ceil_mode sizes take the general one):
    first maximum on ties, last NaN."""
    x = np.round(_data(shape, dtype, 5) / 3)  # many ties
    x.reshape(-1)[::7] = np.nan
    x.reshape(-1)[1::11] = np.nan
    win = Window(2, 2, 2, 2)
    y, idx = ops.max_pool2d(_to(ops, x), OH, OW, win)
    ry, ridx = REF.max_pool2d(x, OH, OW, win)
    np.testing.assert_array_equal(host_array(y), ry)
    np.testing.assert_array_equal(host_array(idx), ridx)
    assert np.isnan(ry).any()


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(case=cases(dilated=False, ceil=True), count_include_pad=st.booleans(),
       divisor_override=st.sampled_from([None, 3]))
def test_avg_pool2d(ops, dtype, case, count_include_pad, divisor_override):
    shape, win, OH, OW = case
    x = _data(shape, dtype)
    args = (win, count_include_pad, divisor_override)
    _close(ops.avg_pool2d(_to(ops, x), OH, OW, *args), REF.avg_pool2d(x, OH, OW, *args), dtype)
    g = _data((shape[0], shape[1], OH, OW), dtype, 3)
    _close(ops.avg_pool2d_backward(_to(ops, g), *shape[2:], *args),
           REF.avg_pool2d_backward(g, *shape[2:], *args), dtype)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=15, deadline=None)
@given(H=st.integers(1, 8), W=st.integers(1, 8), OH=st.integers(1, 8), OW=st.integers(1, 8))
def test_adaptive_pool2d(ops, dtype, H, W, OH, OW):
    x = _data((2, 3, H, W), dtype)
    _close(ops.adaptive_avg_pool2d(_to(ops, x), OH, OW), REF.adaptive_avg_pool2d(x, OH, OW), dtype)
    y, idx = ops.adaptive_max_pool2d(_to(ops, x), OH, OW)
    ry, ridx = REF.adaptive_max_pool2d(x, OH, OW)
    _close(y, ry, dtype)
    np.testing.assert_array_equal(host_array(idx), ridx)
    g = _data((2, 3, OH, OW), dtype, 4)
    _close(ops.adaptive_avg_pool2d_backward(_to(ops, g), H, W),
           REF.adaptive_avg_pool2d_backward(g, H, W), dtype)


# -- the reference against explicit loops ---------------------------------------------------
def _places(oh, ow, win, H, W):
    """(kh, kw, ih, iw) of every kernel place of output (oh, ow) inside the input."""
    for kh in range(win.KH):
        for kw in range(win.KW):
            ih, iw = oh * win.SH - win.PH + kh * win.DH, ow * win.SW - win.PW + kw * win.DW
            if 0 <= ih < H and 0 <= iw < W:
                yield kh, kw, ih, iw


@settings(max_examples=15, deadline=None)
@given(case=cases(ceil=True))
def test_reference_matches_loops(case):
    (N, C, H, W), win, OH, OW = case
    x = _data((N, C, H, W), np.float64)
    col = np.zeros((N, C, win.KH, win.KW, OH, OW))
    ymax = np.full((N, C, OH, OW), -np.inf)
    imax = np.zeros((N, C, OH, OW), np.int64)
    for n in range(N):
        for c in range(C):
            for oh in range(OH):
                for ow in range(OW):
                    for kh, kw, ih, iw in _places(oh, ow, win, H, W):
                        col[n, c, kh, kw, oh, ow] = x[n, c, ih, iw]
                        if x[n, c, ih, iw] > ymax[n, c, oh, ow]:
                            ymax[n, c, oh, ow], imax[n, c, oh, ow] = x[n, c, ih, iw], ih * W + iw
    if all(o == (s + 2 * p - d * (k - 1) - 1) // st_ + 1 for o, s, p, d, k, st_ in
           ((OH, H, win.PH, win.DH, win.KH, win.SH), (OW, W, win.PW, win.DW, win.KW, win.SW))):
        np.testing.assert_array_equal(REF.im2col(x, OH, OW, win), col)
        back = np.zeros_like(x)
        for kh, kw, oh, ow in np.ndindex(win.KH, win.KW, OH, OW):
            for k2, w2, ih, iw in _places(oh, ow, win, H, W):
                if (k2, w2) == (kh, kw):
                    back[:, :, ih, iw] += col[:, :, kh, kw, oh, ow]
        np.testing.assert_allclose(REF.col2im(col, H, W, win), back)
    y, idx = REF.max_pool2d(x, OH, OW, win)
    np.testing.assert_array_equal(y, ymax)
    np.testing.assert_array_equal(idx, imax)


def test_reference_avg_and_adaptive_match_loops():
    x = _data((1, 2, 5, 6), np.float64)
    win = Window(3, 2, 2, 2, 1, 1)
    for include in (True, False):
        y = REF.avg_pool2d(x, 3, 4, win, include, None)
        for oh, ow in np.ndindex(3, 4):
            vals = [x[:, :, ih, iw] for _, _, ih, iw in _places(oh, ow, win, 5, 6)]
            hs, ws = oh * 2 - 1, ow * 2 - 1
            full = (min(hs + 3, 6) - hs) * (min(ws + 2, 7) - ws)
            np.testing.assert_allclose(y[:, :, oh, ow], sum(vals) / (full if include else len(vals)))
    hs, he = adaptive_bounds(5, 3)
    ws, we = adaptive_bounds(6, 4)
    np.testing.assert_array_equal(hs, [0, 1, 3])
    np.testing.assert_array_equal(he, [2, 4, 5])
    y = REF.adaptive_avg_pool2d(x, 3, 4)
    m, _ = REF.adaptive_max_pool2d(x, 3, 4)
    for oh, ow in np.ndindex(3, 4):
        patch = x[:, :, hs[oh]:he[oh], ws[ow]:we[ow]]
        np.testing.assert_allclose(y[:, :, oh, ow], patch.mean(axis=(2, 3)))
        np.testing.assert_array_equal(m[:, :, oh, ow], patch.max(axis=(2, 3)))


def test_integer_inputs_use_the_reference():
    x = np.arange(16, dtype=np.int64).reshape(1, 1, 4, 4)
    for ops in TWINS[:2]:
        if type(ops.xp) is not type(np):
            continue
        y, idx = ops.max_pool2d(x, 2, 2, Window(2, 2, 2, 2))
        np.testing.assert_array_equal(y, [[[[5, 7], [13, 15]]]])
        np.testing.assert_array_equal(idx, [[[[5, 7], [13, 15]]]])


def test_cython_ops_reject_bad_arguments():
    cython_ops = [o for o in TWINS if type(o).__name__ == "CythonOps"]
    if not cython_ops:
        pytest.skip("compiled twin not built")
    ops = cython_ops[0]
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(ValueError, match="expected a 4-D array"):
        ops.im2col(x[0], 2, 2, Window(2, 2))
    with pytest.raises(ValueError, match="invalid window"):
        ops.max_pool2d(x, 2, 2, Window(2, 2, 0, 1))
    with pytest.raises(ValueError, match="outside the"):
        ops.max_pool2d_backward(np.ones((1, 1, 1, 1), np.float32), np.full((1, 1, 1, 1), 16), 4, 4)
    with pytest.raises(ValueError, match="expected columns"):
        ops.col2im(np.zeros((1, 1, 3, 3, 2, 2), np.float32), 4, 4, Window(2, 2))
    w = np.zeros((2, 1, 2, 2), np.float32)
    with pytest.raises(ValueError, match=r"conv2d: weight \(2, 1, 2, 2\) does not match 1 "
                                         "channels with 2 groups"):
        ops.conv2d(x, w, None, 3, 3, Window(2, 2), 2)
    with pytest.raises(ValueError, match="conv2d_input: invalid sizes"):
        ops.conv2d_input(np.zeros((1, 3, 3, 3), np.float32), w, 4, 4, Window(2, 2), 1)
    with pytest.raises(ValueError, match="conv2d_weight: input"):
        ops.conv2d_weight(x, np.zeros((2, 2, 3, 3), np.float32), Window(2, 2), 1)


def test_ops_for_and_use():
    cpu = nptorch.device("cpu")
    expected = "Ops" if _backend.PURE_PYTHON else "CythonOps"
    assert type(ops_for(cpu)).__name__ == expected
    with use(REF):
        assert ops_for(cpu) is REF
    assert type(ops_for(cpu)).__name__ == expected
