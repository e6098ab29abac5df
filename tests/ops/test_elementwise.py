"""Elementwise ops against PyTorch: values, gradients, promotion, in-place forms and errors."""
import math

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_same_outcome_as_torch

torch = pytest.importorskip("torch")

MASK = np.array([[True, False, True, False]] * 3)


def _mask(lib):
    return lib.tensor(MASK)


def _fresh(lib, x):
    """A non-leaf copy of ``x`` that in-place ops may modify."""
    return x * 1


S, R, C = (3, 4), (4,), (3, 1)
POS = dict(low=0.5, high=2.0)
UNIT = dict(low=-0.9, high=0.9)

# (name, fn, input shapes, value range)
CASES = [
    ("abs", lambda lib, x: lib.abs(x), [S], {}),
    ("neg", lambda lib, x: -x, [S], {}),
    ("exp", lambda lib, x: x.exp(), [S], {}),
    ("expm1", lambda lib, x: lib.expm1(x), [S], {}),
    ("log", lambda lib, x: lib.log(x), [S], POS),
    ("log1p", lambda lib, x: x.log1p(), [S], UNIT),
    ("log2", lambda lib, x: lib.log2(x), [S], POS),
    ("log10", lambda lib, x: x.log10(), [S], POS),
    ("sqrt", lambda lib, x: lib.sqrt(x), [S], POS),
    ("rsqrt", lambda lib, x: x.rsqrt(), [S], POS),
    ("square", lambda lib, x: lib.square(x), [S], {}),
    ("reciprocal", lambda lib, x: x.reciprocal(), [S], POS),
    ("sin", lambda lib, x: lib.sin(x), [S], {}),
    ("cos", lambda lib, x: x.cos(), [S], {}),
    ("tan", lambda lib, x: lib.tan(x), [S], UNIT),
    ("asin", lambda lib, x: lib.asin(x), [S], UNIT),
    ("acos", lambda lib, x: x.acos(), [S], UNIT),
    ("atan", lambda lib, x: lib.atan(x), [S], {}),
    ("sinh", lambda lib, x: lib.sinh(x), [S], {}),
    ("cosh", lambda lib, x: x.cosh(), [S], {}),
    ("tanh", lambda lib, x: lib.tanh(x), [S], {}),
    ("sigmoid", lambda lib, x: x.sigmoid(), [S], {}),
    ("relu", lambda lib, x: lib.relu(x), [S], {}),
    ("erf", lambda lib, x: lib.erf(x), [S], {}),
    ("erfinv", lambda lib, x: x.erfinv(), [S], UNIT),
    ("sign", lambda lib, x: lib.sign(x), [S], {}),
    ("floor", lambda lib, x: x.floor(), [S], {}),
    ("ceil", lambda lib, x: lib.ceil(x), [S], {}),
    ("round", lambda lib, x: lib.round(x), [S], {}),
    ("round_decimals", lambda lib, x: x.round(decimals=1), [S], {}),
    ("trunc", lambda lib, x: lib.trunc(x), [S], {}),
    ("frac", lambda lib, x: x.frac(), [S], {}),
    ("nan_to_num", lambda lib, x: lib.nan_to_num(x, nan=1.0), [S], {}),
    ("add", lambda lib, x, y: x + y, [S, R], {}),
    ("add_alpha", lambda lib, x, y: lib.add(x, y, alpha=-2.5), [C, R], {}),
    ("sub", lambda lib, x, y: x - y, [C, R], {}),
    ("sub_alpha", lambda lib, x, y: lib.sub(x, y, alpha=3), [S, S], {}),
    ("mul", lambda lib, x, y: x * y, [(2, 3, 4), C], {}),
    ("mul_self", lambda lib, x: x * x, [S], {}),
    ("div", lambda lib, x, y: x / y, [S, R], POS),
    ("pow_tensors", lambda lib, x, y: x ** y, [S, R], POS),
    ("pow_scalar", lambda lib, x: x ** 2.5, [S], POS),
    ("pow_negative", lambda lib, x: x.pow(-1.5), [S], POS),
    ("pow_int", lambda lib, x: lib.pow(x, 3), [S], {}),
    ("rpow", lambda lib, x: 2 ** x, [S], {}),
    ("rsub", lambda lib, x: 2.5 - x, [S], {}),
    ("rsub_fn", lambda lib, x, y: lib.rsub(x, y, alpha=2), [S, R], {}),
    ("radd", lambda lib, x: 3 + x, [S], {}),
    ("rmul", lambda lib, x: 3 * x, [S], {}),
    ("rdiv", lambda lib, x: 2 / x, [S], POS),
    ("div_scalar", lambda lib, x: x / 4, [S], {}),
    ("div_floor", lambda lib, x, y: lib.div(x, y, rounding_mode="floor"), [S, R], POS),
    ("div_trunc", lambda lib, x: lib.div(x, 0.7, rounding_mode="trunc"), [S], {}),
    ("atan2", lambda lib, x, y: lib.atan2(x, y + 3), [S, R], {}),
    ("hypot", lambda lib, x, y: lib.hypot(x, y), [C, R], POS),
    ("maximum", lambda lib, x, y: lib.maximum(x, y), [S, R], {}),
    ("minimum", lambda lib, x, y: x.minimum(y), [C, R], {}),
    ("fmod", lambda lib, x, y: lib.fmod(x, y + 3), [S, R], {}),
    ("fmod_scalar", lambda lib, x: x.fmod(0.7), [S], {}),
    ("remainder", lambda lib, x, y: lib.remainder(x, -(y + 3)), [S, R], {}),
    ("mod", lambda lib, x: x % 0.7, [S], {}),
    ("where", lambda lib, x, y: lib.where(x > 0, x, y), [S, R], {}),
    ("where_scalar", lambda lib, x: lib.where(x > 0, x, 2.0), [S], {}),
    ("where_scalar_first", lambda lib, x, y: lib.where(x > 0, -1.0, y), [S, S], {}),
    ("where_method", lambda lib, x, y: x.where(x > 0, y), [S, C], {}),
    ("lerp", lambda lib, x, y: lib.lerp(x, y, 0.3), [S, R], {}),
    ("lerp_tensor", lambda lib, x, y, w: x.lerp(y, w), [S, R, C], {}),
    ("clamp", lambda lib, x: lib.clamp(x, -0.5, 0.5), [S], {}),
    ("clamp_min", lambda lib, x: x.clamp(min=-0.5), [S], {}),
    ("clamp_max", lambda lib, x: lib.clamp_max(x, 0.5), [S], {}),
    ("clip", lambda lib, x: lib.clip(x, -1, 1), [S], {}),
    ("clamp_tensors", lambda lib, x, lo, hi: x.clamp(lo - 1, hi + 1), [S, R, C], {}),
    ("clamp_min_tensor", lambda lib, x, lo: lib.clamp(x, min=lo), [S, R], {}),
    ("addcmul", lambda lib, x, y, z: lib.addcmul(x, y, z, value=0.5), [S, R, C], {}),
    ("addcdiv", lambda lib, x, y, z: x.addcdiv(y, z + 3, value=2), [S, R, C], {}),
    ("masked_fill", lambda lib, x: x.masked_fill(_mask(lib), 2.0), [S], {}),
    ("masked_fill_tensor", lambda lib, x, v: lib.masked_fill(x, _mask(lib), v), [S, ()], {}),
    ("masked_fill_", lambda lib, x, v: _fresh(lib, x).masked_fill_(_mask(lib), v), [S, ()], {}),
    ("copy_", lambda lib, x, s: _fresh(lib, x).copy_(s), [S, R], {}),
    ("fill_", lambda lib, x, v: _fresh(lib, x).fill_(v), [S, ()], {}),
    ("zero_", lambda lib, x: _fresh(lib, x).zero_() + x, [S], {}),
    ("inplace_chain", lambda lib, x, y: _fresh(lib, x).mul_(y).add_(y, alpha=2).exp_(), [S, R], {}),
    ("inplace_ops", lambda lib, x: _fresh(lib, x).clamp_(0.3, 0.6).pow_(2).sigmoid_(), [S], {}),
    ("inplace_operators", lambda lib, x, y: _inplace_operators(_fresh(lib, x), y), [S, R], POS),
]


def _inplace_operators(x, y):
    x += y
    x -= 0.5
    x *= y
    x /= 2
    x **= 1.5
    x %= 3.0
    return x


@pytest.mark.parametrize("name, fn, shapes, bounds", CASES, ids=[c[0] for c in CASES])
def test_op_against_torch(name, fn, shapes, bounds):
    check_op(fn, *shapes, **bounds)


KINKS = [
    lambda lib, x, y: lib.maximum(x, y), lambda lib, x, y: lib.minimum(x, y),
    lambda lib, x, y: x.clamp(0.0, 1.0) * y, lambda lib, x, y: x.clamp(y - 1, y),
    lambda lib, x, y: x.relu() + x.abs() * y, lambda lib, x, y: x ** y,
    lambda lib, x, y: 0.0 ** y + x.sign() + x.sqrt(),
    lambda lib, x, y: lib.fmod(x, y + 1) + lib.remainder(x, y + 1),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log(0), sqrt(-1): NumPy warns
@pytest.mark.parametrize("i", range(len(KINKS)))
def test_gradients_at_kinks_match_torch(i):
    """PyTorch's conventions where the derivative is undefined (ties, bounds, 0)."""
    a, b = np.array([0.0, 1.0, 2.0, -1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0, 2.0])
    grads = []
    for lib in (nptorch, torch):
        x, y = (lib.tensor(v, requires_grad=True) for v in (a, b))
        KINKS[i](lib, x, y).sum().backward()
        grads.append(np.concatenate([x.grad.numpy(), y.grad.numpy()]))
    np.testing.assert_array_equal(grads[0], grads[1])


SECOND_ORDER = [
    ("tanh", lambda x, y: x.tanh() * y, {}),
    ("sigmoid", lambda x, y: nptorch.sigmoid(x * y), {}),
    ("pow", lambda x, y: x ** y, POS),
    ("div", lambda x, y: x / y, POS),
    ("atan2", lambda x, y: nptorch.atan2(x, y), POS),
    ("erf", lambda x, y: nptorch.erf(x) * y, {}),
    ("sqrt_log", lambda x, y: x.sqrt() + y.log(), POS),
    ("lerp", lambda x, y: nptorch.lerp(x, y, y), {}),
    ("maximum", lambda x, y: nptorch.maximum(x * x, y), {}),
    ("trig", lambda x, y: x.sin() * y.cos() + x.tan() + y.atan() + x.asin(), UNIT),
    ("hyperbolic", lambda x, y: x.sinh() * y.cosh() + x.rsqrt().reciprocal(), POS),
    ("exp_family", lambda x, y: x.expm1() + y.log1p() + x.log2() * y.log10() + x.erfinv(), UNIT | {"low": 0.1}),
]


@pytest.mark.parametrize("name, fn, bounds", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_second_derivatives(name, fn, bounds):
    rng = np.random.default_rng(1)
    xs = [nptorch.tensor(rng.uniform(bounds.get("low", -2), bounds.get("high", 2), (2, 3)),
                         requires_grad=True) for _ in range(2)]
    assert gradgradcheck(fn, xs)


def test_second_derivative_matches_torch():
    a = np.array([0.3, 1.2, 2.0])
    x, tx = nptorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for lib, t in ((nptorch, x), (torch, tx)):
        g, = lib.autograd.grad((t ** 3 * t.sigmoid()).sum(), t, create_graph=True)
        g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


# -- type promotion ------------------------------------------------------------------------
def _pair(lib, spec):
    kind, value = spec
    if kind == "n":
        return value
    return lib.tensor(value, dtype=getattr(lib, kind))


PROMOTION = [
    ("int64", [1, 2]), ("int32", [1, 2]), ("uint8", [1, 2]), ("int8", [1, -2]),
    ("bool", [True, False]), ("float16", [1.5, 2.0]), ("float32", [1.5, 2.0]),
    ("float64", [1.5, 2.0]), ("n", 2), ("n", 2.5), ("n", True),
]
OPERATORS = [("add", lambda a, b: a + b), ("mul", lambda a, b: a * b),
             ("div", lambda a, b: a / b), ("floordiv", lambda a, b: a // b),
             ("mod", lambda a, b: a % b), ("eq", lambda a, b: a == b), ("lt", lambda a, b: a < b),
             ("maximum", None), ("where", None)]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns on 1 / 0, PyTorch does not
@pytest.mark.parametrize("op", [o[0] for o in OPERATORS])
def test_type_promotion(op):
    fn = dict(OPERATORS)[op]
    for i, a in enumerate(PROMOTION):
        for b in PROMOTION[:i + 1] if op not in ("floordiv", "mod") else PROMOTION:
            if a[0] == "n" and b[0] == "n":
                continue
            results = []
            for lib in (nptorch, torch):
                x, y = _pair(lib, a), _pair(lib, b)
                if op == "maximum":
                    if a[0] == "n" or b[0] == "n":
                        continue
                    f = lib.maximum
                elif op == "where":
                    f = lambda p, q, lib=lib: lib.where(lib.tensor([True, False]), p, q)
                else:
                    f = fn
                try:
                    r = f(x, y) if a[0] != "n" else f(y, x)
                    results.append((str(r.dtype).split(".")[-1], repr(r.tolist())))
                except Exception as e:  # both libraries must reject the same combinations
                    results.append(type(e).__name__)
            if results:
                assert results[0] == results[1], (op, a, b, results)


@pytest.mark.parametrize("expr, dtype", [
    ("lib.tensor([1, 2]) + 2.5", "float32"), ("lib.tensor([1, 2]) / lib.tensor([2, 4])", "float32"),
    ("lib.tensor([7, -7]) // lib.tensor([2, 2])", "int64"), ("lib.tensor([True]) + lib.tensor([True])", "bool"),
    ("lib.tensor([1, 2]) ** 2", "int64"), ("2 ** lib.tensor([1, 2])", "int64"),
    ("lib.tensor([1, 2]) ** 0.5", "float32"), ("lib.exp(lib.tensor([1, 2]))", "float32"),
    ("lib.sqrt(lib.tensor([True]))", "float32"), ("lib.tensor([1., 2.]) * lib.tensor(2., dtype=lib.float64)", "float32"),
    ("lib.tensor([1, 2], dtype=lib.int32) * lib.tensor(2)", "int32"), ("lib.square(lib.tensor([True]))", "int64"),
    ("lib.clamp(lib.tensor([1, 2]), min=1.5)", "float32"), ("lib.clamp(lib.tensor([1, 5]), 0, 2)", "int64"),
    ("lib.floor(lib.tensor([3, -7]))", "int64"), ("lib.relu(lib.tensor([3, -7]))", "int64"),
    ("lib.sigmoid(lib.tensor([3, -7]))", "float32"), ("lib.atan2(lib.tensor([3]), lib.tensor([-7]))", "float32"),
    ("lib.remainder(-7, lib.tensor([3, 2]))", "int64"), ("lib.fmod(lib.tensor([3, -7]), 2.5)", "float32"),
    ("lib.div(lib.tensor([-7, 7]), 2, rounding_mode='trunc')", "int64"),
    ("lib.erfinv(lib.tensor([0.5], dtype=lib.float16))", "float16"),
    ("lib.nan_to_num(lib.tensor([float('nan'), float('inf'), -float('inf')]))", "float32"),
    ("lib.round(lib.tensor([0.5, 1.5, 2.5, -0.5, 0.25, 1234.5678]), decimals=1)", "float32"),
    ("lib.tensor([1, 2], dtype=lib.uint8) + lib.tensor([1, 2], dtype=lib.int8)", "int16"),
])
def test_result_values_and_dtypes(expr, dtype):
    ours, theirs = eval(expr, {"lib": nptorch}), eval(expr, {"lib": torch})
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1] == dtype
    np.testing.assert_allclose(np.array(ours.tolist(), dtype=np.float64),
                               np.array(theirs.tolist(), dtype=np.float64), rtol=1e-6)


# -- comparisons and logic -----------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "a == b", "a != b", "a < b", "a <= b", "a > b", "a >= b", "a == 2", "2 < a", "a >= 2.5",
    "lib.eq(a, b)", "lib.ne(a, 2)", "lib.lt(a, b)", "lib.le(a, b)", "lib.gt(a, b)", "lib.ge(a, b)",
    "i == a", "i < b", "m & n", "m | n", "m ^ n", "~m", "~i", "i & 6", "3 | i", "True ^ m",
    "m ^ True", "lib.bitwise_and(i, j)", "lib.bitwise_or(i, j)", "lib.bitwise_xor(i, j)",
    "lib.bitwise_not(i)", "lib.logical_and(a, i)", "lib.logical_or(m, a)", "lib.logical_xor(a, b)",
    "lib.logical_not(a)", "lib.isnan(c)", "lib.isinf(c)", "lib.isfinite(c)", "lib.isnan(i)",
    "lib.isclose(a, b + 1e-7)", "lib.isclose(c, c, equal_nan=True)", "lib.isclose(c, c)",
    "a.eq(b)", "a.lt(2)", "m.logical_not()", "lib.where(m)[0]",
])
def test_comparisons_and_logic(expr):
    results = []
    for lib in (nptorch, torch):
        env = {"lib": lib, "a": lib.tensor([1.0, 2.0, 3.0, 2.5]), "b": lib.tensor([2.0, 2.0, 1.0, 2.5]),
               "i": lib.tensor([1, 2, 3, 4]), "j": lib.tensor([3, 6, 5, -1]),
               "m": lib.tensor([True, False, True, False]), "n": lib.tensor([True, True, False, False]),
               "c": lib.tensor([1.0, float("nan"), float("inf"), -float("inf")])}
        r = eval(expr, env)
        results.append((str(r.dtype).split(".")[-1], r.tolist(), r.requires_grad))
    assert results[0] == results[1]


def test_comparison_of_grad_tensors_is_not_differentiable():
    x = nptorch.tensor([1.0, -1.0], requires_grad=True)
    assert not (x > 0).requires_grad and (x > 0).grad_fn is None


def test_equal_allclose_and_hashing():
    a, b = nptorch.tensor([1.0, 2.0]), nptorch.tensor([1.0, 2.0 + 1e-6])
    assert nptorch.equal(a, nptorch.tensor([1, 2])) is True
    assert a.equal(b) is False and nptorch.equal(a, nptorch.tensor([1.0, 2.0, 3.0])) is False
    assert nptorch.allclose(a, b) is True and a.allclose(b * 2) is False
    assert {a: 1, b: 2}[a] == 1 and hash(a) == id(a)
    assert (a == None) is False and (a != "x") is True  # noqa: E711


# -- in-place ops --------------------------------------------------------------------------
def test_inplace_values_and_versions():
    x = nptorch.tensor([1.0, 2.0, 3.0])
    tx = torch.tensor([1.0, 2.0, 3.0])
    for lib_x in (x, tx):
        lib_x.add_(1).mul_(2).sub_(0.5).div_(3).pow_(2).neg_().abs_().sqrt_().clamp_(1.0, 2.0)
        lib_x.clamp_min_(1.2).clamp_max_(1.9).exp_().log_()
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-6)
    assert x._version == tx._version == 13
    i, ti = nptorch.tensor([7, -7, 5]), torch.tensor([7, -7, 5])
    for t in (i, ti):
        t //= 2
        t %= 3
        t += 1
        t *= 3
        t &= 6
        t |= 1
        t ^= 2
    assert i.tolist() == ti.tolist() and i.dtype == nptorch.int64 and i._version == 7
    y = nptorch.ones(2)
    y.fill_(3.5)
    assert y.tolist() == [3.5, 3.5] and y._version == 1
    y.zero_()
    assert y.tolist() == [0.0, 0.0] and y._version == 2
    y.copy_(nptorch.tensor([1, 2]))
    assert y.tolist() == [1.0, 2.0] and y.dtype == nptorch.float32
    y.masked_fill_(nptorch.tensor([True, False]), nptorch.tensor(-1.0))
    assert y.tolist() == [-1.0, 2.0] and y._version == 4
    k = nptorch.tensor([0, 0])
    k.copy_(nptorch.tensor([1.7, -2.7]))
    assert k.tolist() == [1, -2] and k.dtype == nptorch.int64


def test_inplace_method_forms_and_out():
    results = []
    for lib in (nptorch, torch):
        x = lib.tensor([0.5, -1.5, 2.0])
        x.lerp_(lib.tensor([1.0, 1.0, 1.0]), 0.25).addcmul_(x, x, value=0.5).addcdiv_(x, x + 3)
        x.clamp_(min=lib.tensor([0.0, 0.5, 1.0])).atan2_(lib.tensor(2.0)).remainder_(0.3)
        x.masked_fill_(x > 0.2, 0.0).eq_(0.0).logical_not_()
        out = lib.empty(3)
        lib.add(x, lib.tensor([1.0, 2.0, 3.0]), alpha=2, out=out)
        results.append((x.tolist(), out.tolist(), x._version))
    assert results[0] == results[1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_arithmetic_written_directly_matches_out_of_place(dtype):
    """Outside autograd, add_/sub_/mul_/div_ with a same-dtype tensor or a number, and
    addcmul_/addcdiv_/lerp_ with same-dtype tensors and numbers (optimizers' updates), write
    into the tensor directly: the same numbers as the out-of-place ops (and PyTorch's), one
    version."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 5, 3)).astype(dtype)
    steps = [("add_", (b,), {"alpha": 0.3}), ("sub_", (b,), {"alpha": -2}), ("mul_", (b,), {}),
             ("div_", (b + 4,), {}), ("add_", (0.7,), {"alpha": 3}), ("mul_", (0.9,), {}),
             ("sub_", (2,), {}), ("div_", (3.5,), {}),
             ("addcmul_", (b, b + 1), {"value": 0.3}), ("addcmul_", (b, b), {}),
             ("addcdiv_", (b, b + 4), {"value": -0.01}), ("addcdiv_", (b, b + 4), {}),
             ("lerp_", (b, 0.1), {}), ("lerp_", (b, 0.9), {}), ("lerp_", (b, 2), {})]
    for name, args, kwargs in steps:
        results = []
        for lib, grad in ((nptorch, False), (nptorch, True), (torch, False)):
            p = lib.tensor(a, requires_grad=grad)  # a parameter under no_grad, as optimizers
            operands = [lib.tensor(v) if isinstance(v, np.ndarray) else v for v in args]
            expected = getattr(lib, name[:-1])(p.detach(), *operands, **kwargs)
            with lib.no_grad():
                out = getattr(p, name)(*operands, **kwargs)
            assert out is p and p._version == 1 and p.dtype == getattr(lib, dtype)
            assert np.array_equal(p.detach().numpy(), expected.numpy()), name
            results.append(p.detach().numpy())
        np.testing.assert_allclose(results[0], results[2], rtol=1e-6, err_msg=name)
    x = nptorch.arange(4.0)
    x.add_(x.flip(0))  # an operand overlapping the output
    assert x.tolist() == [3.0] * 4
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpha'"):
        x.mul_(x, alpha=2)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        nptorch.ones(3).expand(2, 3).add_(1)
    base = nptorch.zeros(2, 3)
    base[1].mul_(2).add_(nptorch.ones(3), alpha=2)
    assert base.tolist() == [[0.0] * 3, [2.0] * 3] and base._version == 2


def test_inplace_on_views_writes_base():
    base = nptorch.zeros(2, 3)
    row = base.reshape(6)
    row.add_(1)
    assert base.tolist() == [[1.0] * 3] * 2 and base._version == 1


def test_inplace_autograd_matches_torch():
    grads = []
    for lib in (nptorch, torch):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * 1
        y.mul_(2)
        y.clamp_(-1.0, 1.5)
        y.exp_()
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads.append(x.grad.tolist())
        assert y.requires_grad and not y.is_leaf
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_fill_and_copy_keep_graph():
    y = nptorch.ones(2, requires_grad=True) * 1
    y.fill_(2.0)
    assert y.requires_grad
    y.sum().backward()
    v = nptorch.tensor(2.0, requires_grad=True)
    z = nptorch.zeros(3)
    z.fill_(v)
    z.sum().backward()
    assert v.grad.item() == 3.0
    s = nptorch.tensor([1.0, 2.0], requires_grad=True)
    w = nptorch.zeros(3, 2, dtype=nptorch.float64)
    w.copy_(s)
    (w * nptorch.arange(6.0).reshape(3, 2)).sum().backward()
    assert s.grad.tolist() == [6.0, 9.0] and s.grad.dtype == nptorch.float32


@pytest.mark.parametrize("dtype", ["uint8", "int32", "float16", "float32", "bool"])
def test_copy_of_a_number_casts_it_as_pytorch(dtype):
    """copy_ takes a number as a 0-d tensor: cast (wrapping), not range-checked as fill_."""
    for value in (300, -1, math.nan, 1e10, 2.7, True, -2 ** 40):
        ours = nptorch.zeros(2, dtype=getattr(nptorch, dtype)).copy_(value)
        theirs = torch.zeros(2, dtype=getattr(torch, dtype)).copy_(value)
        np.testing.assert_array_equal(np.array(ours.tolist()), np.array(theirs.tolist()))
    with pytest.raises(TypeError, match=r"copy_\(\): argument 'other' \(position 1\) must be "
                                        "Tensor, not list"):
        nptorch.zeros(2).copy_([1, 2])


def test_inplace_errors():
    leaf = nptorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        leaf.mul_(2)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf += 1
    with nptorch.no_grad():
        leaf.uniform_(-1, 1)
    y = leaf.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    i = nptorch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        i.exp_()
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        i /= 2
    with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match the broadcast shape \[2, 2\]"):
        nptorch.ones(2).add_(nptorch.ones(2, 2))
    with pytest.raises(RuntimeError, match=r"output with shape \[\] doesn't match the broadcast shape \[2\]"):
        nptorch.tensor(2.0).copy_(nptorch.ones(2))
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"):
        nptorch.ones(2).copy_(nptorch.ones(3))
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions."):
        nptorch.ones(2).fill_(nptorch.ones(2))


# -- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, exc, match", [
    ("lib.add(f, 'a')", TypeError, r"add\(\): argument 'other' \(position 2\) must be Tensor, not str"),
    ("f + 'a'", TypeError, r"unsupported operand type\(s\) for \+: 'Tensor' and 'str'"),
    ("f < 'a'", TypeError, "'<' not supported between instances of 'Tensor' and 'str'"),
    ("lib.exp(2.0)", TypeError, r"exp\(\): argument 'input' \(position 1\) must be Tensor, not float"),
    ("lib.clamp(f)", RuntimeError, "At least one of 'min' or 'max' must not be None"),
    ("f.masked_fill(f, 2.0)", RuntimeError, "masked_fill_ only supports boolean masks, but got mask with dtype float"),
    ("f.masked_fill(i, 2.0)", RuntimeError, "but got mask with dtype long int"),
    ("f.masked_fill(f > 1, lib.ones(2))", RuntimeError, r"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension\(s\)."),
    ("f.masked_fill(lib.tensor([True, False, True]), 1.0)", RuntimeError, r"The size of tensor a \(3\) must match the size of tensor b \(2\)"),
    ("lib.ones(2, 1, 3) + lib.ones(4, 2)", RuntimeError, r"The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 2"),
    ("i // 0", RuntimeError, "ZeroDivisionError"),
    ("i % 0", RuntimeError, "ZeroDivisionError"),
    ("lib.fmod(i, lib.tensor([1, 0]))", RuntimeError, "ZeroDivisionError"),
    ("lib.div(f, 2, rounding_mode='x')", RuntimeError, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'x'"),
    ("f & f", NotImplementedError, "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("lib.bitwise_not(f.double())", NotImplementedError, "\"bitwise_not_cpu\" not implemented for 'Double'"),
    ("~f", TypeError, r"~ \(operator.invert\) is only implemented on integer and Boolean-type tensors"),
    ("i ** -1", RuntimeError, "Integers to negative integer powers are not allowed."),
    ("-b", RuntimeError, "Negation, the `-` operator, on a bool tensor is not supported."),
    ("b - b", RuntimeError, "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `\\^`"),
    ("f - b", RuntimeError, "Subtraction, the `-` operator, with a bool tensor is not supported."),
    ("2 - b", RuntimeError, "with a bool tensor is not supported"),
    ("lib.where(f, f, f)", RuntimeError, "where expected condition to be a boolean tensor, but got a tensor with dtype Float"),
    ("lib.lerp(f, f.double(), 0.5)", RuntimeError, "expected dtype float for `end` but got dtype double"),
    ("lib.lerp(f, f, lib.tensor([0.5, 0.5], dtype=lib.float64))", RuntimeError, "expected dtype float for `weight` but got dtype double"),
    ("lib.lerp(i, i, 0.5)", NotImplementedError, "not implemented for 'Long'"),
    ("lib.addcdiv(i, i, i)", RuntimeError, "Integer division with addcdiv is no longer supported"),
    ("lib.add(i, i, alpha=1.5)", RuntimeError, "For integral input tensors, argument alpha must not be a floating point number."),
    ("b // b", NotImplementedError, "\"div_floor_cpu\" not implemented for 'Bool'"),
    ("lib.remainder(b, b)", NotImplementedError, "not implemented for 'Bool'"),
    ("lib.abs(b)", NotImplementedError, "\"abs_cpu\" not implemented for 'Bool'"),
    ("lib.frac(i)", NotImplementedError, "\"frac_cpu\" not implemented for 'Long'"),
    ("lib.hypot(i, i)", NotImplementedError, "\"hypot_cpu\" not implemented for 'Long'"),
    ("lib.maximum(f, 2)", TypeError, r"maximum\(\): argument 'other' \(position 2\) must be Tensor, not int"),
    ("lib.isclose(f, i)", RuntimeError, "Float did not match Long"),
    ("lib.allclose(f, f.double())", RuntimeError, "Float did not match Double"),
])
def test_errors_match_torch(expr, exc, match):
    for lib in (nptorch, torch):
        env = {"lib": lib, "f": lib.tensor([1.0, 2.0]), "i": lib.tensor([3, -7]),
               "b": lib.tensor([True, False])}
        with pytest.raises(exc, match=match):
            eval(expr, env)


@pytest.mark.parametrize("shapes", [
    ((3,), (3,), (4,)), ((3,), (4,), (4,)), ((3,), (4,), (3,)), ((3,), (1,), (2, 4)),
    ((2, 3), (3, 1), (5, 1, 4)), ((2, 4), (3,), ()), ((3, 1), (2, 3), (3, 4)),
])
@pytest.mark.parametrize("where", [
    lambda lib, c, a, b: lib.where(c, a, b),
    lambda lib, c, a, b: a.where(c, b),
    lambda lib, c, a, b: lib.where(c, a, 0.5),
    lambda lib, c, a, b: lib.where(c, 2, b),
], ids=["tensors", "method", "scalar_other", "scalar_input"])
def test_where_broadcast_errors_match_torch(where, shapes):
    # shapes are broadcast left to right: condition, input, other
    c, a, b = shapes
    check_same_outcome_as_torch(lambda lib: where(
        lib, lib.ones(c, dtype=lib.bool), lib.ones(a), lib.zeros(b, dtype=lib.int64)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "same tensor"])
@pytest.mark.parametrize("name,alpha", [("add_", 2.5), ("sub_", 0.75), ("add_", -1)])
def test_scaled_inplace_add_matches_torch(dtype, layout, name, alpha):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 4, 3)).astype(dtype), rng.standard_normal((2, 4, 3)).astype(dtype)
    results = []
    for lib in (nptorch, torch):
        x, y = lib.tensor(a), lib.tensor(b)
        if layout == "transposed":
            x, y = x.transpose(0, 2), y.transpose(0, 2)
        if layout == "same tensor":
            y = x
        version = x._version
        assert getattr(x, name)(y, alpha=alpha) is x and x._version == version + 1
        results.append(x.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-3 if dtype == np.float16 else 1e-6)
