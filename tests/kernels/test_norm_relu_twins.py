"""The ReLU, scaled-add and normalization kernels agree with the reference ``Ops``; the reference
agrees with the textbook formulas."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers import host_array
from kernel_twins import ACCELERATED, DTYPES, REF, TWINS


def _close(a, b, dtype, scale=1.0):
    tol = (2e-5 if dtype == np.float32 else 1e-12) * scale
    np.testing.assert_allclose(host_array(a), host_array(b), rtol=tol, atol=tol)


# -- ReLU ---------------------------------------------------------------------------------
SPECIAL = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 2.5, -2.5]


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu(ops, dtype):
    x = np.array(SPECIAL * 7, dtype).reshape(7, 10)
    y = ops.relu(ops.xp.asarray(x))
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_array_equal(host_array(y), REF.relu(x))
    np.testing.assert_array_equal(REF.relu(x)[0], np.array(
        [np.nan, np.nan, np.inf, 0, 0, 0, 1e-30, 0, 2.5, 0], dtype))
    strided = x.T  # kept as a view's layout by the reference
    np.testing.assert_array_equal(host_array(ops.relu(ops.xp.asarray(strided))), REF.relu(strided))


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward(ops, dtype):
    y = REF.relu(np.array(SPECIAL * 3, dtype).reshape(3, 10))
    g = np.random.default_rng(0).standard_normal(y.shape).astype(dtype)
    g[0, :2] = np.nan
    xp = ops.xp
    cases = [g,                                          # contiguous
             np.broadcast_to(dtype(1.5), y.shape),       # a sum's gradient: one value
             np.broadcast_to(g[:1], y.shape),            # broadcast rows: made contiguous
             np.asfortranarray(g)]
    for gy in cases:
        got = ops.relu_backward(xp.asarray(gy), xp.asarray(y))
        assert got.dtype == dtype and got.shape == y.shape
        np.testing.assert_array_equal(host_array(got), REF.relu_backward(gy, y))
    assert (REF.relu_backward(g, y)[:, [4, 5]] == 0).all()  # relu'(0) = 0
    # a NaN or infinite gradient where y is 0 gives 0, as in PyTorch (not NaN from 0 * inf)
    special = np.full(y.shape, np.inf, dtype)
    special[1] = np.nan
    got = host_array(ops.relu_backward(xp.asarray(special), xp.asarray(y)))
    np.testing.assert_array_equal(got, np.where(y > 0, special, 0))
    empty = np.zeros((0, 3), dtype)
    assert ops.relu_backward(xp.asarray(empty), xp.asarray(empty)).shape == (0, 3)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 33), (0,), (1,)])
def test_add_scaled(ops, dtype, shape):
    rng = np.random.default_rng(0)
    dst, src = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    expected = dst + dtype(-0.3) * src
    out = ops.xp.asarray(dst)
    ops.add_scaled(out, ops.xp.asarray(src), -0.3)
    _close(out, expected, dtype)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
def test_add_scaled_of_overlapping_or_strided_arrays(ops):
    """Overlapping operands (read before written) and strided ones give the reference's sums."""
    for views in [lambda a: (a[1:], a[:-1]), lambda a: (a[::2], a[1::2]),
                  lambda a: (a.reshape(3, 4).T, a.reshape(3, 4).T[::-1])]:
        dst, src = views(ops.xp.arange(12.0))  # views of one buffer
        expected = host_array(dst) + 2 * host_array(src)
        ops.add_scaled(dst, src, 2.0)
        np.testing.assert_array_equal(host_array(dst), expected)


def _adam_expected(arrays, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """Adam's update in float64 by its definition: (param, exp_avg, exp_avg_sq, max)."""
    p, g, m, v, mx = (None if a is None else a.astype(np.float64) for a in arrays)
    m = m + (1 - beta1) * (g - m)
    v = beta2 * v + (1 - beta2) * g * g
    second = v if mx is None else np.maximum(mx, v)
    p = p - step_size * m / (np.sqrt(second) / bias_correction2_sqrt + eps)
    return p, m, v, None if mx is None else second


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 33), (0,), (1,)])
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("beta1", [0.9, 0.3])  # lerp from the moment, or back from the gradient
def test_adam_update(ops, dtype, shape, amsgrad, beta1):
    rng = np.random.default_rng(0)
    p, g, m = (rng.standard_normal(shape).astype(dtype) for _ in range(3))
    v, mx = (rng.random(shape).astype(dtype) for _ in range(2))
    arrays = [p, g, m, v, mx if amsgrad else None]
    numbers = (beta1, 0.999, 0.01, 0.05, 1e-8)
    expected = _adam_expected(arrays, *numbers)
    on_device = [None if a is None else ops.xp.asarray(a) for a in arrays]
    ops.adam_update(*on_device, *numbers)
    for got, want in zip([on_device[0], *on_device[2:]], expected):
        if want is not None:
            _close(got, want.astype(dtype), dtype)


@pytest.mark.parametrize("ops", ACCELERATED, ids=lambda o: type(o).__name__)
def test_adam_update_agrees_with_the_reference_on_any_layout(ops):
    """Strided and overlapping arrays go to the reference, whose per-op numbers the compiled
    pass matches to the last bits (fused multiply-adds may round differently)."""
    rng = np.random.default_rng(1)
    base = rng.random((5, 24)) + 0.1  # second moments are positive
    for layout in [lambda a: a, lambda a: a[:, ::2], lambda a: a.T]:
        got, expected = ([ops.xp.asarray(layout(base.copy())) for _ in range(5)]
                         for _ in range(2))
        ops.adam_update(*got, 0.9, 0.999, 0.01, 0.05, 1e-8)
        REF.adam_update(*(host_array(a) for a in expected), 0.9, 0.999, 0.01, 0.05, 1e-8)
        for a, b in zip(got, expected):
            np.testing.assert_allclose(host_array(a), host_array(b), rtol=1e-14)
    shared = ops.xp.asarray(base.copy())  # a gradient that is the parameter itself
    twin = host_array(shared).copy()
    ops.adam_update(shared, shared, *(ops.xp.zeros_like(shared) for _ in range(2)), None, 0.9,
                    0.999, 0.01, 0.05, 1e-8)
    REF.adam_update(twin, twin, np.zeros_like(twin), np.zeros_like(twin), None, 0.9, 0.999,
                    0.01, 0.05, 1e-8)
    np.testing.assert_allclose(host_array(shared), twin, rtol=1e-14)


def test_relu_of_integers_uses_the_reference():
    x = np.array([-2, 0, 3], np.int64)
    for ops in TWINS:
        if ops.xp is np:
            np.testing.assert_array_equal(ops.relu(x), [0, 0, 3])
            np.testing.assert_array_equal(ops.relu_backward(np.ones(3, np.int64), ops.relu(x)),
                                          [0, 0, 1])


# -- normalization ------------------------------------------------------------------------
@st.composite
def batch_cases(draw):
    # one value per channel is refused by batch_norm, and its output is all cancellation
    N, C, S = draw(st.integers(1, 3)), draw(st.integers(1, 20)), draw(st.integers(2, 70))
    w, b = draw(st.booleans()), draw(st.booleans())
    needs = (draw(st.booleans()), w and draw(st.booleans()), b and draw(st.booleans()))
    return ((N, C, S), w, b,
            draw(st.sampled_from([0.0, 3.0, 1e3])),  # offset of the mean: cancellation
            needs)


def _inputs(shape, dtype, offset, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) + offset).astype(dtype)
    return x, rng.standard_normal(shape).astype(dtype)


def _every_row(ops):
    """``ops`` with its batch-norm kernels on rows of any length (CythonOps leaves short ones
    to the reference)."""
    if not hasattr(ops, "MIN_ROW"):
        return ops
    ops = type(ops)()
    ops.MIN_ROW = 1
    return ops


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=25, deadline=None)
@given(case=batch_cases())
def test_batch_norm(ops, dtype, case):
    """Statistics over (N, S) with a per-channel affine: the compiled twin's case."""
    ops = _every_row(ops)
    shape, affine_w, affine_b, offset, needs = case
    C = shape[1]
    x, gy = _inputs(shape, dtype, offset)
    rng = np.random.default_rng(1)
    w = rng.standard_normal((1, C, 1)).astype(dtype) if affine_w else None
    b = rng.standard_normal((1, C, 1)).astype(dtype) if affine_b else None
    xp = ops.xp
    to = (lambda a: None if a is None else xp.asarray(a))
    got = ops.normalize(to(x), to(w), to(b), (0, 2), 1e-5)
    ref = REF.normalize(x, w, b, (0, 2), 1e-5)
    # float32 statistics of values near 1e3 keep 1e3 * 2^-24 of absolute error
    scale = 1 + offset
    for a, r in zip(got, ref):
        assert a.dtype == dtype and a.shape == r.shape
        _close(a, r, dtype, scale)
    mean, invstd = got[1], got[3]
    grads = ops.normalize_backward(to(gy), to(x), to(w), None if b is None else b.shape, mean,
                                   invstd, (0, 2), needs)
    expected = REF.normalize_backward(gy, x, w, None if b is None else b.shape, ref[1], ref[3],
                                      (0, 2), needs)
    for need, a, r in zip(needs, grads, expected):
        if not need:
            assert a is None and r is None
            continue
        assert a.dtype == dtype and a.shape == r.shape
        _close(a, r, dtype, 10 * scale)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
def test_batch_norm_short_rows(ops):
    """BatchNorm1d's (N, C, 1) view: the same results, through the reference on CPU."""
    x, gy = _inputs((6, 5, 1), np.float32, 1.0)
    got = ops.normalize(ops.xp.asarray(x), None, None, (0, 2), 1e-5)
    ref = REF.normalize(x, None, None, (0, 2), 1e-5)
    for a, r in zip(got, ref):
        _close(a, r, np.float32)
    grads = ops.normalize_backward(ops.xp.asarray(gy), ops.xp.asarray(x), None, None, got[1],
                                   got[3], (0, 2), (True, False, False))
    _close(grads[0], REF.normalize_backward(gy, x, None, None, ref[1], ref[3], (0, 2),
                                            (True, False, False))[0], np.float32)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_far_first_value(ops, dtype):
    """The compiled statistics are moments around each channel's first value; one far from the
    rest takes them around the mean instead, with no loss of precision."""
    x, gy = _inputs((4, 3, 40), dtype, 0.0)
    x[0, :, 0] = [1e4, -3e3, 50.0]
    got = ops.normalize(ops.xp.asarray(x), None, None, (0, 2), 1e-5)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(host_array(got[1]).ravel(), x64.mean((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(host_array(got[2]).ravel(), x64.var((0, 2)), rtol=1e-5)
    for a, r in zip(got, REF.normalize(x, None, None, (0, 2), 1e-5)):
        _close(a, r, dtype)


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("axes, wshape", [((1,), (1, 6)),                 # layer norm
                                          ((2,), (1, 3, 1)),              # instance norm
                                          ((2, 3), (1, 2, 3, 1)),         # group norm
                                          ((0, 2), (1, 3, 5))])          # an affine over S
def test_other_normalizations_agree(ops, axes, wshape):
    """Layouts the compiled twin does not take go to the reference."""
    shape = {1: (4, 6), 2: (2, 3, 5)}.get(len(wshape) - 1, (2, 2, 3, 5))
    if len(wshape) == 3 and axes == (0, 2):
        shape = (2, 3, 5)
    x, gy = _inputs(shape, np.float64, 2.0)
    w = np.random.default_rng(2).standard_normal(wshape)
    xp = ops.xp
    got = ops.normalize(xp.asarray(x), xp.asarray(w), xp.asarray(w), axes, 1e-5)
    ref = REF.normalize(x, w, w, axes, 1e-5)
    for a, r in zip(got, ref):
        _close(a, r, np.float64)
    grads = ops.normalize_backward(xp.asarray(gy), xp.asarray(x), xp.asarray(w), w.shape,
                                   got[1], got[3], axes, (True, True, True))
    for a, r in zip(grads, REF.normalize_backward(gy, x, w, w.shape, ref[1], ref[3], axes,
                                                  (True, True, True))):
        _close(a, r, np.float64)


@pytest.mark.parametrize("offset", [0.0, 1e4])
def test_reference_normalize_matches_the_formula(offset):
    x, gy = _inputs((3, 4, 5), np.float64, offset)
    w = np.arange(1.0, 5.0).reshape(1, 4, 1)
    b = np.arange(4.0).reshape(1, 4, 1)
    y, mean, var, invstd = REF.normalize(x, w, b, (0, 2), 1e-5)
    np.testing.assert_allclose(mean, x.mean((0, 2), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(var, x.var((0, 2), keepdims=True), rtol=1e-9)
    xhat = (x - x.mean((0, 2), keepdims=True)) / np.sqrt(x.var((0, 2), keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, xhat * w + b, rtol=1e-9, atol=1e-9)
    gx, gw, gb = REF.normalize_backward(gy, x, w, b.shape, mean, invstd, (0, 2),
                                        (True, True, True))
    np.testing.assert_allclose(gb, gy.sum((0, 2), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(gw, (gy * xhat).sum((0, 2), keepdims=True), rtol=1e-8, atol=1e-8)
    # the gradient of sum(gy * y) by central differences
    eps, (i, j, k) = 1e-6, (1, 2, 3)
    bumped = [x.copy(), x.copy()]
    bumped[0][i, j, k] += eps
    bumped[1][i, j, k] -= eps
    up, down = ((gy * REF.normalize(a, w, b, (0, 2), 1e-5)[0]).sum() for a in bumped)
    np.testing.assert_allclose(gx[i, j, k], (up - down) / (2 * eps), rtol=1e-5, atol=1e-6)
