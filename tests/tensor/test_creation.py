"""Creation functions: dtype inference, shapes, values and errors, compared with PyTorch."""
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest

import nptorch

from helpers import check_error_like_torch, check_same_outcome_as_torch


def check(ours, theirs):
    """Same dtype, shape and values."""
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


# -- tensor() ---------------------------------------------------------------------------------------
TENSOR_DATA = [
    1.5, 3, True, [1.0, 2.0], [1, 2], [True, False], [1, 2.5, True], [1, True],
    [[1, 2], [3, 4]], [[[1.0], [2.0]]], [], [[], []], [[]], ([1, 2], (3, 4)), range(4),
    np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int32), np.array([True]),
    np.array(2.5), np.float64(2.5), np.int32(2), np.array([1, 2], dtype=np.int16),
    np.arange(6.0, dtype=np.float16).reshape(2, 3), [np.float64(1.0), 2.0],
    [np.int32(1), np.int32(2)], [np.int32(1), 2], [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
    -2 ** 63,
]


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
@pytest.mark.parametrize("case", range(len(TENSOR_DATA)))
def test_tensor_dtype_inference(torch, case):
    data = TENSOR_DATA[case]
    check(nptorch.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float64", "float16", "int64", "int32", "uint8", "bool"])
def test_tensor_with_dtype(torch, dtype):
    data = [0.1, 1.7, -1.7] if dtype != "uint8" else [0.1, 1.7, 2.2]
    ours = nptorch.tensor(data, dtype=getattr(nptorch, dtype))
    check(ours, torch.tensor(data, dtype=getattr(torch, dtype)))
    if dtype == "float64":
        assert ours.tolist()[0] == 0.1  # no detour through float32


def test_tensor_of_tensors_and_copies(torch):
    x = nptorch.tensor([1.0, 2.0])
    check(nptorch.tensor([nptorch.tensor(1.0), nptorch.tensor(2.0)]),
          torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]))
    y = nptorch.tensor(x)
    y.add_(1)
    assert x.tolist() == [1.0, 2.0] and y.tolist() == [2.0, 3.0]
    assert nptorch.tensor(x, dtype=nptorch.int64).dtype is nptorch.int64
    a = np.array([1.0, 2.0])
    t = nptorch.tensor(a)
    a[0] = 5.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_requires_grad():
    x = nptorch.tensor([1.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("data,error,message", [
    ([[1, 2], [3]], ValueError, r"expected sequence of length 2 at dim 1 \(got 1\)"),
    ([[1, 2], 3], TypeError, "not a sequence"),
    (None, RuntimeError, "Could not infer dtype of NoneType"),
    ([None], RuntimeError, "Could not infer dtype of NoneType"),
    ({1: 2}, RuntimeError, "Could not infer dtype of dict"),
    ("abc", TypeError, "new\\(\\): invalid data type 'str'"),
    (["a"], ValueError, "too many dimensions 'str'"),
    (["a", 1], ValueError, "too many dimensions 'str'"),
    ([1, "a"], TypeError, "new\\(\\): invalid data type 'str'"),
    ([[1], ["a"]], TypeError, "new\\(\\): invalid data type 'str'"),
    (b"ab", TypeError, "new\\(\\): invalid data type 'bytes'"),
    ([1, b"a"], TypeError, "new\\(\\): invalid data type 'bytes'"),
    ([2 ** 63], ValueError, "Overflow when unpacking long long"),
    (np.array(["a"]), TypeError, "can't convert np.ndarray of type numpy.str_"),
])
def test_tensor_bad_data(torch, data, error, message):
    for lib in (nptorch, torch):
        with pytest.raises(error, match=message):
            lib.tensor(data)


def test_tensor_from_bytearray_holds_its_bytes(torch):
    for lib in (nptorch, torch):
        t = lib.tensor(bytearray(b"ab"))
        assert t.tolist() == [97, 98] and t.dtype == lib.int64


def test_unsupported_numpy_dtype():
    for bad in (np.array([1, 2], dtype=np.uint16), np.array([1j]), np.array([1, None])):
        with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.* The only "
                                            "supported types are"):
            nptorch.tensor(bad)
        with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy"):
            nptorch.from_numpy(bad)


# -- as_tensor / from_numpy -------------------------------------------------------------------------
def test_from_numpy_shares_memory(torch):
    a = np.arange(6.0).reshape(2, 3)
    x = nptorch.from_numpy(a)
    assert x.dtype is nptorch.float64 and x.shape == (2, 3)
    a[0, 0] = 100.0
    assert x[0, 0].item() == 100.0
    x.mul_(2)
    assert a[0, 0] == 200.0
    t = nptorch.from_numpy(a.T)
    assert t.stride() == torch.from_numpy(a.T).stride() == (1, 3)
    with pytest.raises(TypeError, match="expected np.ndarray \\(got list\\)"):
        nptorch.from_numpy([1, 2])
    for lib in (nptorch, torch):
        with pytest.raises(ValueError, match="At least one stride in the given numpy array is negative"):
            lib.from_numpy(np.arange(3.0)[::-1])


def test_as_tensor(torch):
    a = np.array([1.0, 2.0])
    x = nptorch.as_tensor(a)
    a[1] = 7.0
    assert x.tolist() == [1.0, 7.0] and x.dtype is nptorch.float64
    converted = nptorch.as_tensor(a, dtype=nptorch.float32)
    a[0] = -1.0
    assert converted.tolist() == [1.0, 7.0]  # a new dtype means a copy
    t = nptorch.tensor([1.0])
    assert nptorch.as_tensor(t) is t
    assert nptorch.as_tensor(t, dtype=nptorch.float64).dtype is nptorch.float64
    check(nptorch.as_tensor([1, 2]), torch.as_tensor([1, 2]))


# -- filled ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("args,kwargs", [
    ((2, 3), {}), (((2, 3),), {}), (([2, 3],), {}), ((), {"size": (2, 3)}), (((),), {}),
    ((4,), {"dtype": "int64"}), ((2, 0), {"dtype": "bool"}), ((1,), {"dtype": "float64"})])
def test_filled(torch, name, args, kwargs):
    def make(lib):
        kw = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        return getattr(lib, name)(*args, **kw)

    ours, theirs = make(nptorch), make(torch)
    if name == "empty":
        assert ours.shape == theirs.shape and ours.dtype.name == str(theirs.dtype)[6:]
    else:
        check(ours, theirs)


def test_filled_requires_grad():
    x = nptorch.zeros(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.ones(-3), RuntimeError, r"Trying to create tensor with negative dimension -3: \[-3\]"),
    (lambda lib: lib.empty(2, -1), RuntimeError, r"negative dimension -1: \[2, -1\]"),
    (lambda lib: lib.randn(2, -1), RuntimeError, r"negative dimension -1: \[2, -1\]"),
    (lambda lib: lib.full((-1,), 2.0), RuntimeError, r"negative dimension -1: \[-1\]"),
    (lambda lib: lib.randperm(-1), RuntimeError, r"negative dimension -1: \[-1\]"),
    (lambda lib: lib.randint(0, 5, (-1,)), RuntimeError, r"negative dimension -1: \[-1\]"),
    (lambda lib: lib.zeros(-1), RuntimeError, "negative"),
    (lambda lib: lib.zeros(2, 2.5), TypeError, "zeros\\(\\): argument 'size' failed to unpack the "
                                               "object at pos 2 with error \"type must be tuple of "
                                               "ints,but got float\""),
    (lambda lib: lib.ones([2, 2.5]), TypeError, "ones\\(\\): argument 'size' failed to unpack"),
    (lambda lib: lib.zeros(2.5), TypeError, "zeros\\(\\): argument 'size' \\(position 1\\) must be "
                                            "tuple of ints, not float"),
    (lambda lib: lib.zeros(None), TypeError, "must be tuple of ints, not NoneType"),
    (lambda lib: lib.zeros(), TypeError, 'zeros\\(\\) missing 1 required positional arguments: "size"'),
    (lambda lib: lib.full(2, 3), TypeError, "full\\(\\): argument 'size' \\(position 1\\) must be "
                                            "tuple of ints, not int"),
    (lambda lib: lib.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
    (lambda lib: lib.eye(2, -1), RuntimeError, "m must be greater or equal to 0, got -1"),
    (lambda lib: lib.arange(0, 5, -1), RuntimeError, "upper bound and lower bound inconsistent with "
                                                     "step sign"),
    (lambda lib: lib.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (lambda lib: lib.arange(0, float("inf")), RuntimeError, "unsupported range: 0 -> inf"),
    (lambda lib: lib.linspace(0, 1, -1), RuntimeError, "number of steps must be non-negative"),
    (lambda lib: lib.rand(2, dtype=lib.int64), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda lib: lib.randn(2, dtype=lib.int64), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.randint(5, 2, (3,)), RuntimeError, "random_ expects 'from' to be less than 'to', "
                                                        "but got from=5 >= to=2"),
    (lambda lib: lib.normal(0.0, -1.0, (2,)), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda lib: lib.bernoulli(lib.tensor([1.5])), RuntimeError, "Expected p_in >= 0 && p_in <= 1 to be true"),
    (lambda lib: lib.tensor([1, 2]).float().requires_grad_().add_(1), RuntimeError, "a leaf Variable"),
    (lambda lib: lib.ones(2, dtype=lib.int64, requires_grad=True), RuntimeError,
     "(?i)only Tensors of floating point"),
])
def test_bad_arguments(torch, call, error, message):
    check_error_like_torch(call, error, message)


def test_full(torch):
    for value, dtype in ((3, None), (3.0, None), (True, None), (3, "float64"), (2.5, "int64")):
        def make(lib):
            return lib.full((2, 2), value, dtype=None if dtype is None else getattr(lib, dtype))
        check(make(nptorch), make(torch))
    check(nptorch.full((2,), nptorch.tensor(3.0)), torch.full((2,), torch.tensor(3.0)))


@pytest.mark.parametrize("dtype", [None, "uint8", "int8", "int32", "int64", "bool", "float16",
                                   "float32"])
@pytest.mark.parametrize("value", [-2.7, -1, -1.0, -0.5, 127.5, 255.5, 300, -129, 2.0 ** 63,
                                   2 ** 63, 2 ** 64, -2 ** 63 - 1, math.inf, math.nan, 1e300,
                                   70000.0, True])
@pytest.mark.parametrize("make", [
    lambda lib, v, dt: lib.full((2,), v, dtype=dt),
    lambda lib, v, dt: lib.ones(1, dtype=dt).new_full((2,), v),
    lambda lib, v, dt: lib.full_like(lib.ones(2, dtype=dt), v),
], ids=["full", "new_full", "full_like"])
def test_full_converts_the_value_as_torch(make, value, dtype):
    check_same_outcome_as_torch(lambda lib: make(lib, value, dtype and getattr(lib, dtype)))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int64", "float16"])
@pytest.mark.parametrize("value", [300, -2.7, math.nan, 1e10])
def test_full_converts_a_tensor_value_as_torch(value, dtype):
    check_same_outcome_as_torch(lambda lib: lib.full((2,), lib.tensor(value),
                                                     dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like(torch, name):
    for src, kwargs in ((lambda lib: lib.ones(2, 3), {}),
                        (lambda lib: lib.ones((), dtype=lib.float64), {}),
                        (lambda lib: lib.ones(2, dtype=lib.int32), {"dtype": "float64"})):
        kw = {k: getattr(nptorch, v) for k, v in kwargs.items()}
        tkw = {k: getattr(torch, v) for k, v in kwargs.items()}
        ours = getattr(nptorch, name)(src(nptorch), **kw)
        theirs = getattr(torch, name)(src(torch), **tkw)
        assert ours.shape == theirs.shape and ours.dtype.name == str(theirs.dtype)[6:]
        if name in ("zeros_like", "ones_like"):
            check(ours, theirs)
    check(nptorch.full_like(nptorch.tensor([1.0, 2.0]), 7), torch.full_like(torch.tensor([1.0, 2.0]), 7))
    check(nptorch.full_like(nptorch.tensor([1, 2]), 7.5), torch.full_like(torch.tensor([1, 2]), 7.5))
    assert nptorch.zeros_like(nptorch.ones(2), requires_grad=True).requires_grad


# -- ranges ---------------------------------------------------------------------------------------
ARANGE_CASES = [
    ((5,), {}), ((2, 7), {}), ((0, 10, 3), {}), ((5, 0, -1), {}), ((10, 0, -3), {}),
    ((0, 1, 0.1), {}), ((1.0, 0.0, -0.3), {}), ((0.5, 3), {}), ((-1, 1, 0.2), {}),
    ((1, 2.5, 0.5), {}), ((0, 5, 2), {"dtype": "float64"}), ((0.5, 3, 1), {"dtype": "int64"}),
    ((0, 0), {}), ((3, 3, -1), {}), ((0, 1, 1 / 3), {}), ((-5.5, 5.5, 0.25), {"dtype": "float64"}),
    ((0, 10), {"dtype": "int32"}), ((0, 1.0, 0.1), {"dtype": "float16"}),
]


@pytest.mark.parametrize("args,kwargs", ARANGE_CASES)
def test_arange(torch, args, kwargs):
    ours = nptorch.arange(*args, **{k: getattr(nptorch, v) for k, v in kwargs.items()})
    theirs = torch.arange(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    assert ours.numel() == theirs.numel()  # the count must match exactly
    check(ours, theirs)


@pytest.mark.parametrize("args,kwargs", [
    ((0, 1, 5), {}), ((0, 1, 1), {}), ((0, 1, 0), {}), ((-2.5, 10, 7), {}),
    ((0, 10, 3), {"dtype": "int64"}), ((1, 0, 4), {"dtype": "float64"})])
def test_linspace(torch, args, kwargs):
    ours = nptorch.linspace(*args, **{k: getattr(nptorch, v) for k, v in kwargs.items()})
    theirs = torch.linspace(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    check(ours, theirs)


def test_logspace(torch):
    check(nptorch.logspace(0, 2, 3), torch.logspace(0, 2, 3))
    check(nptorch.logspace(0, 3, 4, base=2.0), torch.logspace(0, 3, 4, base=2.0))


@pytest.mark.parametrize("args,kwargs", [((3,), {}), ((2, 3), {"dtype": "int64"}),
                                         ((0,), {}), ((3, 1), {"dtype": "bool"})])
def test_eye(torch, args, kwargs):
    ours = nptorch.eye(*args, **{k: getattr(nptorch, v) for k, v in kwargs.items()})
    theirs = torch.eye(*args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    check(ours, theirs)


# -- random: shapes and dtypes ------------------------------------------------------------------------
def test_random_shapes_and_dtypes(torch):
    cases = [
        lambda lib: lib.rand(2, 3), lambda lib: lib.rand((2, 3)), lambda lib: lib.rand(2, dtype=lib.float64),
        lambda lib: lib.randn(4), lambda lib: lib.randn(size=(1, 2)), lambda lib: lib.rand(()),
        lambda lib: lib.randint(5, (3,)), lambda lib: lib.randint(2, 5, (2, 2)),
        lambda lib: lib.randint(0, 5, (3,), dtype=lib.float32), lambda lib: lib.randint(3, size=(2,)),
        lambda lib: lib.randperm(5), lambda lib: lib.randperm(4, dtype=lib.int32),
        lambda lib: lib.normal(0.0, 1.0, (2, 3)), lambda lib: lib.normal(lib.zeros(3), lib.ones(3)),
        lambda lib: lib.normal(lib.zeros(2, 1), 1.0), lambda lib: lib.normal(0.0, lib.ones(3)),
        lambda lib: lib.bernoulli(lib.full((3,), 0.5)),
        lambda lib: lib.bernoulli(lib.zeros(3, dtype=lib.float64), 0.5),
        lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 3, replacement=True),
        lambda lib: lib.multinomial(lib.ones(2, 4), 2),
    ]
    for make in cases:
        ours, theirs = make(nptorch), make(torch)
        assert ours.shape == theirs.shape
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")


def test_random_values_are_in_range():
    u = nptorch.rand(1000)
    assert 0.0 <= u.numpy().min() and u.numpy().max() < 1.0
    assert 0.4 < u.numpy().mean() < 0.6
    n = nptorch.randn(4000, dtype=nptorch.float64).numpy()
    assert abs(n.mean()) < 0.1 and 0.9 < n.std() < 1.1
    r = nptorch.randint(-3, 4, (1000,)).numpy()
    assert set(r.tolist()) == set(range(-3, 4))
    assert sorted(nptorch.randperm(10).tolist()) == list(range(10))
    g = nptorch.normal(5.0, 0.5, (4000,)).numpy()
    assert abs(g.mean() - 5.0) < 0.05
    m = nptorch.normal(nptorch.tensor([0.0, 100.0]), nptorch.tensor([1e-6, 1e-6]))
    np.testing.assert_allclose(m.numpy(), [0.0, 100.0], atol=1e-3)


def test_bernoulli_and_multinomial_values(torch):
    check(nptorch.bernoulli(nptorch.tensor([0.0, 1.0, 1.0, 0.0])),
          torch.bernoulli(torch.tensor([0.0, 1.0, 1.0, 0.0])))
    check(nptorch.bernoulli(nptorch.zeros(3), 1.0), torch.bernoulli(torch.zeros(3), 1.0))
    check(nptorch.multinomial(nptorch.tensor([0.0, 1.0, 0.0]), 2, replacement=True),
          torch.multinomial(torch.tensor([0.0, 1.0, 0.0]), 2, replacement=True))
    check(nptorch.multinomial(nptorch.tensor([[0.0, 1.0], [1.0, 0.0]]), 1),
          torch.multinomial(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), 1))
    draws = nptorch.multinomial(nptorch.tensor([1.0, 3.0]), 4000, replacement=True).numpy()
    assert 0.7 < draws.mean() < 0.8
    rows = nptorch.multinomial(nptorch.ones(3, 5), 5).numpy()
    assert all(sorted(r) == list(range(5)) for r in rows.tolist())  # without replacement: distinct
    x = nptorch.tensor([0.5, 0.5])
    assert x.bernoulli().shape == (2,) and x.multinomial(1).shape == (1,)


def test_multinomial_with_replacement_frequencies():
    weights = np.array([[0.0, 1.0, 0.0, 3.0, 4.0, 0.0], [2.0, 0.0, 0.0, 0.0, 0.0, 6.0]])
    g = nptorch.Generator().manual_seed(0)
    draws = nptorch.multinomial(nptorch.tensor(weights), 40000, True, generator=g).numpy()
    for row, w in zip(draws, weights):
        freq = np.bincount(row, minlength=w.size) / row.size
        assert (freq[w == 0] == 0).all()  # zero weights, first and last included, never drawn
        np.testing.assert_allclose(freq, w / w.sum(), atol=0.01)


def test_multinomial_boundaries_of_the_cumulative_weights():
    # uniform draws of 0, exactly a cumulative boundary, and the largest value below 1
    fixed = SimpleNamespace(random=lambda shape: np.broadcast_to([0.0, 0.5, 1 - 2 ** -53], shape))
    g = SimpleNamespace(xp_generator=lambda xp: fixed)
    w = nptorch.tensor([[0.0, 1.0, 0.0, 1.0, 0.0], [3.0, 0.0, 0.0, 0.0, 0.0]])
    assert nptorch.multinomial(w, 3, True, generator=g).tolist() == [[1, 3, 3], [0, 0, 0]]
    # u * total rounds up to a subnormal total: no draw may run past the only category
    tiny = nptorch.tensor([5e-324, 0.0, 0.0], dtype=nptorch.float64)
    assert nptorch.multinomial(tiny, 1000, True).tolist() == [0] * 1000
    # and without replacement its keys underflow to 0, still ahead of the zero weights
    tiny = nptorch.tensor([[0.0, 5e-324, 0.0]] * 1000, dtype=nptorch.float64)
    assert nptorch.multinomial(tiny, 1).tolist() == [[1]] * 1000


def test_multinomial_without_replacement_draw_frequencies():
    w = np.array([1.0, 0.0, 2.0, 5.0])
    p = w / w.sum()
    g = nptorch.Generator().manual_seed(0)
    draws = nptorch.multinomial(nptorch.tensor(np.tile(w, (40000, 1))), 3, generator=g).numpy()
    assert (draws[:, 0] != draws[:, 1]).all() and (draws[:, 1] != draws[:, 2]).all()
    assert (draws[:, 0] != draws[:, 2]).all() and not (draws == 1).any()
    np.testing.assert_allclose(np.bincount(draws[:, 0], minlength=4) / len(draws), p, atol=0.01)
    # second draw: the first one is removed and the rest renormalised
    second = np.array([sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j)
                       for j in range(4)])
    np.testing.assert_allclose(np.bincount(draws[:, 1], minlength=4) / len(draws), second,
                               atol=0.01)


def test_multinomial_shapes_and_permutations(device):
    w = nptorch.tensor([[3.0, 1.0, 0.5, 2.0], [1.0, 9.0, 4.0, 0.1]], device=device)
    for replacement in (False, True):
        one = nptorch.multinomial(w[0], 3, replacement)
        two = nptorch.multinomial(w, 3, replacement)
        assert one.shape == (3,) and two.shape == (2, 3)
        assert one.dtype == two.dtype == nptorch.int64 and two.device == w.device
    for rows in (nptorch.multinomial(w, 4).tolist(), [nptorch.multinomial(w[1], 4).tolist()]):
        assert all(sorted(r) == [0, 1, 2, 3] for r in rows)


def test_multinomial_runs_out_of_nonzero_categories(torch):
    """Without replacement, zero-weight categories follow the others once those run out."""
    w = [[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]
    for lib in (nptorch, torch):
        draws = lib.multinomial(lib.tensor(w), 3).tolist()
        assert sorted(draws[0][:2]) == [0, 1] and draws[0][2] == 2
        assert draws[1] == [0, 1, 2] and draws[2] == [2, 0, 1]


@pytest.mark.parametrize("call,message", [
    (lambda lib: lib.multinomial(lib.tensor([1.0, 1.0]), 3),
     "cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"),
    (lambda lib: lib.multinomial(lib.tensor([-1.0, 1.0]), 1),
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
     "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
    (lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1), "prob_dist must be 1 or 2 dim"),
    (lambda lib: lib.multinomial(lib.ones(2, 2), 0), "cannot sample n_sample <= 0 samples"),
    (lambda lib: lib.multinomial(lib.tensor([1.0, float("inf")]), 1, True),
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda lib: lib.multinomial(lib.tensor([1.0, float("nan")]), 1),
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda lib: lib.multinomial(lib.tensor([[1.0, 2.0], [0.0, 0.0]]), 3, True),
     "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
    # a zero row wins over a row with too few non-zero categories, as in PyTorch
    (lambda lib: lib.multinomial(lib.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 2),
     "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
])
def test_multinomial_errors(torch, call, message):
    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match=message):
            call(lib)


@pytest.mark.parametrize("data, dtype", [([-1], "uint8"), ([-129, 255], "uint8"), ([256], "uint8"),
                                         ([128], "int8"), ([-129], "int8"),
                                         ([2 ** 31], "int32"), ([2 ** 63], "int64"),
                                         ([-255], "uint8"), ([-256], "uint8"),
                                         ([-1.0], "uint8"), ([255.5], "uint8"), ([-1.5], "int8"),
                                         ([127.5], "int8"), ([float("nan")], "uint8"),
                                         ([1e20], "int64"), ([-1, 3.5], "uint8"),
                                         ([-256, 3.5], "uint8"), (-1.5, "uint8")])
def test_ints_that_overflow_the_dtype(torch, data, dtype):
    """uint8 wraps negative Python ints from -255 (-1 is 255) as PyTorch does; floats are
    truncated but must lie within the dtype's range; the rest overflow."""
    try:
        expected = torch.tensor(data, dtype=getattr(torch, dtype)).tolist()
    except (RuntimeError, ValueError) as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            nptorch.tensor(data, dtype=getattr(nptorch, dtype))
        return
    assert nptorch.tensor(data, dtype=getattr(nptorch, dtype)).tolist() == expected
