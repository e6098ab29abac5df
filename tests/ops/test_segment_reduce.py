"""``segment_reduce`` against PyTorch: every reduction over lengths and offsets, along the
first and inner dims, with and without ``initial``, empty segments, ties, zeros in products,
gradients, float64 gradcheck and errors."""
import math

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

from helpers import check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")

REDUCES = ["sum", "mean", "max", "min", "prod"]
_RNG = np.random.default_rng(0)


def _reduce(reduce, initial=None, axis=0, unsafe=False, by="lengths"):
    def fn(lib, data, segments):
        return lib.segment_reduce(data, reduce, **{by: segments}, axis=axis, unsafe=unsafe,
                                  initial=initial)
    return fn


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("initial", [None, 0.5, -2])
@pytest.mark.parametrize("shape,segments", [
    ((6,), [2, 1, 3]),
    ((7, 3), [3, 4]),
    ((5, 2, 2), [1, 1, 1, 2]),
])
def test_segment_reduce_matches_pytorch(reduce, initial, shape, segments):
    check_op(_reduce(reduce, initial), shape, np.array(segments), low=0.5, high=2.0)


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("initial", [None, 1.5])
def test_segments_along_an_inner_dim_match_pytorch(reduce, initial):
    lengths = np.array([[2, 3, 1], [1, 1, 4]])
    check_op(_reduce(reduce, initial, axis=1), (2, 6, 3), lengths, low=0.5, high=2.0)
    offsets = np.array([[0, 2, 5, 6], [0, 1, 2, 6]])
    check_op(_reduce(reduce, initial, axis=1, by="offsets"), (2, 6, 3), offsets, low=0.5,
             high=2.0)


@pytest.mark.parametrize("reduce", REDUCES)
def test_offsets_match_lengths(reduce):
    data = nptorch.tensor(_RNG.standard_normal((6, 2)).astype(np.float32))
    by_lengths = nptorch.segment_reduce(data, reduce, lengths=nptorch.tensor([2, 0, 3, 1]))
    by_offsets = nptorch.segment_reduce(data, reduce, offsets=nptorch.tensor([0, 2, 2, 5, 6]))
    np.testing.assert_array_equal(by_lengths.numpy(), by_offsets.numpy())


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("offsets", [[1, 3, 4], [0, 2, 2, 3], [2, 2]])
def test_offsets_may_leave_elements_out_as_in_pytorch(reduce, offsets):
    empty = 0 in np.diff(offsets)  # (gradcheck differences the nan or inf of empty ones)
    check_op(_reduce(reduce, by="offsets"), (6, 2), np.array(offsets), low=0.5, high=2.0,
             gradcheck_inputs=not empty or reduce in ("sum", "prod"))


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("initial", [None, 3.0, math.inf, -math.inf])
def test_empty_segments_match_pytorch(reduce, initial):
    """Empty segments give ``initial``, or 0, nan, -inf, inf and 1; no gradient flows."""
    check_op(_reduce(reduce, initial), (5, 2), np.array([2, 0, 3, 0]), gradcheck_inputs=False)


_TIES = np.array([3.0, 3.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0], np.float32)


def _tie_gradient(lib, reduce, initial, seed):
    data = lib.tensor(_TIES, requires_grad=True)
    out = lib.segment_reduce(data, reduce, lengths=lib.tensor([3, 3, 2]), initial=initial)
    out.backward(lib.tensor(seed))
    return out.detach().numpy(), data.grad.numpy()


@pytest.mark.parametrize("reduce", ["max", "min"])
@pytest.mark.parametrize("initial", [None, 3.0, 1.0, 7.0])
def test_ties_share_the_gradient_as_in_pytorch(reduce, initial):
    """Tied extremes share the gradient evenly; an initial value equal to them takes none,
    and one beyond them takes it all (so the data gets none)."""
    seed = np.array([0.5, 2.0, 1.5], np.float32)
    ours, theirs = (_tie_gradient(lib, reduce, initial, seed) for lib in (nptorch, torch))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-6)


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_ties_share_negative_gradients_evenly_too(reduce):
    """PyTorch's CPU kernel divides a tied gradient among the ties only where it is positive
    (a negative one reaches every tie whole); nptorch splits both, as ``amax`` / ``amin`` do."""
    seed = np.array([-0.5, -2.0, -1.5], np.float32)
    out, grad = _tie_gradient(nptorch, reduce, None, seed)
    extremes = np.repeat(out, [3, 3, 2])
    ties = _TIES == extremes
    counts = np.repeat([ties[:3].sum(), ties[3:6].sum(), ties[6:].sum()], [3, 3, 2])
    np.testing.assert_allclose(grad, np.where(ties, np.repeat(seed, [3, 3, 2]) / counts, 0))
    _, theirs = _tie_gradient(torch, reduce, None, seed)
    np.testing.assert_allclose(theirs, np.where(ties, np.repeat(seed, [3, 3, 2]), 0))


def test_all_infinite_segments_share_the_gradient_as_in_pytorch():
    data = np.array([-np.inf, -np.inf, 2.0, np.inf, np.inf], np.float32)
    check_op(_reduce("max"), data, np.array([2, 1, 2]), gradcheck_inputs=False)
    check_op(_reduce("min"), data, np.array([2, 1, 2]), gradcheck_inputs=False)


@pytest.mark.parametrize("initial", [None, 2.0, 0.0])
def test_products_with_zeros_match_pytorch(initial):
    data = np.array([0.0, 5.0, 0.0, 0.0, 3.0, 2.0, 0.0], np.float32)
    check_op(_reduce("prod", initial), data, np.array([2, 2, 2, 1]), noncontiguous=False)


@pytest.mark.parametrize("reduce", REDUCES)
def test_unsafe_lengths_covering_a_prefix_match_pytorch(reduce):
    check_op(_reduce(reduce, unsafe=True), (6, 2), np.array([2, 3]), low=0.5, high=2.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float16])
@pytest.mark.parametrize("reduce", REDUCES)
def test_other_float_dtypes_are_kept(dtype, reduce):
    data = _RNG.uniform(0.5, 2.0, (6, 3)).astype(dtype)
    ours = nptorch.segment_reduce(nptorch.tensor(data), reduce, lengths=nptorch.tensor([2, 4]))
    theirs = torch.segment_reduce(torch.tensor(data), reduce, lengths=torch.tensor([2, 4]))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy().astype(np.float64),
                               theirs.numpy().astype(np.float64), rtol=2e-3)


def test_int32_lengths_and_amax_names():
    data = nptorch.tensor(_RNG.standard_normal((5, 2)).astype(np.float32))
    lengths = nptorch.tensor([3, 2], dtype=nptorch.int32)
    for name, alias in (("max", "amax"), ("min", "amin")):
        np.testing.assert_array_equal(
            nptorch.segment_reduce(data, name, lengths=lengths).numpy(),
            nptorch.segment_reduce(data, alias, lengths=lengths).numpy())


@pytest.mark.parametrize("reduce", REDUCES)
def test_gradcheck(reduce):
    data = nptorch.tensor(_RNG.uniform(0.5, 2.0, (7, 2)), requires_grad=True)
    lengths = nptorch.tensor([3, 1, 3])
    assert gradcheck(lambda d: nptorch.segment_reduce(d, reduce, lengths=lengths), [data])
    assert gradcheck(lambda d: nptorch.segment_reduce(d, reduce, lengths=lengths, initial=1.2),
                     [data])


def _data(lib):
    return lib.arange(6.0)


@pytest.mark.parametrize("call", [
    lambda lib: lib.segment_reduce(_data(lib), "sum"),
    lambda lib: lib.segment_reduce(_data(lib), "sum", indices=lib.tensor([0, 0, 1, 1, 1, 2])),
    lambda lib: lib.segment_reduce(_data(lib), "any", lengths=lib.tensor([6])),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([2, 3])),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([2, -1, 5])),
    lambda lib: lib.segment_reduce(_data(lib).reshape(2, 3), "sum", lengths=lib.tensor([1, 1]),
                                   axis=1),
    lambda lib: lib.segment_reduce(_data(lib).reshape(2, 3), "sum",
                                   offsets=lib.tensor([[0, 3], [0, 3]]), axis=0),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6]), axis=2),
    lambda lib: lib.segment_reduce(_data(lib), 3, lengths=lib.tensor([6])),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=[6]),
    lambda lib: lib.segment_reduce(_data(lib), "sum", offsets=(0, 6)),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6]), axis=0.0),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6]), axis=True),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6]), unsafe=1),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6]), initial="a"),
    lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6]), initial=1 + 2j),
    lambda lib: lib.segment_reduce([1.0], "sum", lengths=lib.tensor([1])),
])
def test_errors_match_pytorch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.segment_reduce(lib.tensor(3.0), "sum", lengths=lib.tensor([1])),
     RuntimeError, "data.dim\\(\\) >= "),
    (lambda lib: lib.segment_reduce(_data(lib), "sum", offsets=lib.tensor([0, 3, 2, 6])),
     RuntimeError, "segment"),
    (lambda lib: lib.segment_reduce(lib.arange(6), "sum", lengths=lib.tensor([6])),
     NotImplementedError, "Long"),
    (lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([6.0])),
     NotImplementedError, "Float"),
    (lambda lib: lib.segment_reduce(_data(lib), "sum", lengths=lib.tensor([], dtype=lib.int64)),
     RuntimeError, ""),
    (lambda lib: lib.segment_reduce(_data(lib), "sum", offsets=lib.tensor([], dtype=lib.int64)),
     RuntimeError, ""),
], ids=["0-d", "decreasing-offsets", "integer-data", "float-lengths", "no-lengths", "no-offsets"])
def test_errors_have_pytorchs_types(call, error, message):
    """(PyTorch's messages here come from its internals; nptorch's say what is wrong.)"""
    for lib in (torch, nptorch):
        with pytest.raises(error, match=message):
            call(lib)


def test_checks_where_pytorch_reads_out_of_bounds():
    data = nptorch.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="within data.size\\(axis\\) = 3"):
        nptorch.segment_reduce(data, "sum", offsets=nptorch.tensor([[0, 4], [0, 3]]), axis=1)
    with pytest.raises(RuntimeError, match="leading dims of lengths to match"):
        nptorch.segment_reduce(data, "sum", lengths=nptorch.tensor([[3], [3], [3]]), axis=1)
