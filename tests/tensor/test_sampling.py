"""In-place random fills: their distributions, dtypes, generators and PyTorch's errors."""
import math

import numpy as np
import pytest

import nptorch

from helpers import check_error_like_torch

N = 20000


def fill(name, *args, dtype=nptorch.float64, **kwargs):
    x = nptorch.empty(N, dtype=dtype)
    out = getattr(x, name)(*args, **kwargs)
    assert out is x
    return x.numpy()


def within(value, expected, sigma):
    """``value`` within five standard errors of ``expected``."""
    assert abs(value - expected) < 5 * sigma / math.sqrt(N), (value, expected)


@pytest.mark.parametrize("name,args,mean,std", [
    ("uniform_", (2.0, 5.0), 3.5, 3 / math.sqrt(12)),
    ("normal_", (-1.0, 2.0), -1.0, 2.0),
    ("bernoulli_", (0.3,), 0.3, math.sqrt(0.21)),
    ("exponential_", (4.0,), 0.25, 0.25),
    ("geometric_", (0.25,), 4.0, math.sqrt(0.75) / 0.25),
    ("log_normal_", (0.5, 0.25), math.exp(0.5 + 0.25 ** 2 / 2),
     math.sqrt((math.exp(0.25 ** 2) - 1) * math.exp(1 + 0.25 ** 2))),
])
def test_fill_has_the_distributions_mean_and_spread(name, args, mean, std):
    x = fill(name, *args)
    within(x.mean(), mean, std)
    assert abs(x.std() - std) < 0.05 * std


def test_fill_supports():
    assert ((fill("uniform_", 2.0, 5.0) >= 2) & (fill("uniform_", 2.0, 5.0) < 5)).all()
    assert set(np.unique(fill("bernoulli_", 0.5))) == {0.0, 1.0}
    assert (fill("exponential_") > 0).all()
    geometric = fill("geometric_", 0.5)
    assert geometric.min() == 1 and (geometric == np.round(geometric)).all()
    assert (fill("log_normal_") > 0).all()


def test_cauchy_median_and_quartiles():
    x = fill("cauchy_", 1.0, 2.0)
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    assert abs(median - 1.0) < 0.1 and abs(q1 + 1.0) < 0.15 and abs(q3 - 3.0) < 0.15


def test_bernoulli_with_a_tensor_of_probabilities_and_on_any_dtype():
    p = nptorch.tensor([0.0, 1.0, 0.0, 1.0])
    assert nptorch.empty(4).bernoulli_(p).tolist() == [0.0, 1.0, 0.0, 1.0]
    assert nptorch.empty(4, dtype=nptorch.int64).bernoulli_(p).tolist() == [0, 1, 0, 1]
    assert nptorch.empty(4, dtype=nptorch.bool).bernoulli_(1.0).tolist() == [True] * 4


@pytest.mark.parametrize("dtype,low,high", [
    (nptorch.uint8, 0, 256), (nptorch.int8, 0, 128), (nptorch.int16, 0, 2 ** 15),
    (nptorch.float16, 0, 2 ** 11 + 1), (nptorch.bool, 0, 2),
])
def test_random_default_range_is_every_integer_the_dtype_holds(dtype, low, high):
    x = fill("random_", dtype=dtype).astype(np.int64)
    assert x.min() == low and x.max() < high
    if high <= 256:
        assert x.max() == high - 1


def test_random_ranges():
    x = fill("random_", 10)
    assert set(np.unique(x)) == set(range(10))
    x = fill("random_", -3, 4, dtype=nptorch.int32)
    assert set(np.unique(x)) == set(range(-3, 4)) and x.dtype == np.int32
    x = nptorch.empty(N, dtype=nptorch.int64).random_(**{"from": 5, "to": 7})
    assert set(np.unique(x.numpy())) == {5, 6}


@pytest.mark.parametrize("name,args", [
    ("uniform_", ()), ("normal_", ()), ("bernoulli_", ()), ("exponential_", ()),
    ("geometric_", (0.5,)), ("log_normal_", ()), ("cauchy_", ()), ("random_", (100,)),
])
def test_fills_repeat_with_a_seeded_generator(name, args):
    g = nptorch.Generator().manual_seed(3)
    first = getattr(nptorch.empty(8), name)(*args, generator=g).tolist()
    g.manual_seed(3)
    assert getattr(nptorch.empty(8), name)(*args, generator=g).tolist() == first
    nptorch.manual_seed(3)
    second = getattr(nptorch.empty(8), name)(*args).tolist()
    nptorch.manual_seed(3)
    assert getattr(nptorch.empty(8), name)(*args).tolist() == second


def test_uniform_and_normal_fills_draw_what_rand_and_randn_draw():
    for fill_name, create in (("uniform_", nptorch.rand), ("normal_", nptorch.randn)):
        nptorch.manual_seed(5)
        expected = create(5).tolist()
        nptorch.manual_seed(5)
        x = getattr(nptorch.empty(5), fill_name)()
        assert x.tolist() == expected and x._version == 1


def test_fill_keeps_dtype_and_records_nothing():
    x = nptorch.zeros(4, dtype=nptorch.float32, requires_grad=True)
    with nptorch.no_grad():
        x.normal_()
    assert x.dtype == nptorch.float32 and x.grad_fn is None
    y = x * 1
    y.exponential_()
    assert y.grad_fn is not None  # an in-place write on a non-leaf is recorded
    y.sum().backward()
    assert x.grad.tolist() == [0.0] * 4  # the fill replaced every value


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.empty(2).uniform_(3, 1), RuntimeError,
     "uniform_ expects to return a \\[from, to\\) range, but found from=3 > to=1"),
    (lambda lib: lib.empty(2, dtype=lib.int64).uniform_(), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda lib: lib.empty(2, dtype=lib.int64).normal_(), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.empty(2).normal_(0, -1), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda lib: lib.empty(2).bernoulli_(1.5), RuntimeError,
     "bernoulli_ expects p to be in \\[0, 1\\], but got p=1.5"),
    (lambda lib: lib.empty(2).exponential_(0), RuntimeError,
     "exponential_ expects lambda > 0.0, but found lambda=0"),
    (lambda lib: lib.empty(2, dtype=lib.int64).exponential_(), RuntimeError,
     "Exponential distribution is a continuous probability distribution. dtype must be a floating "
     "point but you specified Long"),
    (lambda lib: lib.empty(2).geometric_(1.5), RuntimeError,
     "geometric_ expects p to be in \\(0, 1\\), but got p=1.5"),
    (lambda lib: lib.empty(2).log_normal_(0, 0), RuntimeError,
     "log_normal_ expects std > 0.0, but found std=0"),
    (lambda lib: lib.empty(2, dtype=lib.int32).log_normal_(), NotImplementedError,
     "\"log_normal_cpu\" not implemented for 'Int'"),
    (lambda lib: lib.empty(2).cauchy_(0, -1), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=-1"),
    (lambda lib: lib.empty(2, dtype=lib.int64).cauchy_(), RuntimeError,
     "Cauchy distribution is a continuous probability distribution. dtype must be a floating "
     "point but you specified long"),
    (lambda lib: lib.empty(2).random_(5, 2), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    (lambda lib: lib.empty(2, dtype=lib.uint8).random_(0, 300), RuntimeError,
     "to - 1 is out of bounds for unsigned char"),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)
