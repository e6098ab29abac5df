"""Reductions compared with PyTorch: values, dtypes, named tuples, gradients and errors."""
import math

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradgradcheck

from helpers import check_op, check_error, check_same_outcome_as_torch

torch = pytest.importorskip("torch")

# Distinct values (max / median / mode-like ops), ties, and zeros (prod).
DISTINCT = np.random.default_rng(1).permutation(24).reshape(2, 3, 4).astype(np.float32) - 11.5
DISTINCT2 = np.random.default_rng(2).permutation(12).reshape(3, 4).astype(np.float32) / 4
TIES = np.array([[1., 3., 3., 2.], [5., 5., 5., 0.], [-1., 4., 2., 4.]], np.float32)
ZEROS = np.array([[0., 2., 3.], [0., 0., 1.5], [1., -2., 0.5]], np.float32)

SMOOTH = [
    ("sum", lambda lib, x: x.sum()),
    ("sum_dim", lambda lib, x: lib.sum(x, 1)),
    ("sum_neg_keepdim", lambda lib, x: x.sum(-1, keepdim=True)),
    ("sum_tuple", lambda lib, x: lib.sum(x, (0, 2))),
    ("sum_dtype", lambda lib, x: x.sum(0, dtype=lib.float64)),
    ("mean", lambda lib, x: x.mean()),
    ("mean_dim", lambda lib, x: lib.mean(x, dim=2)),
    ("mean_tuple_keepdim", lambda lib, x: x.mean((0, 1), keepdim=True)),
    ("mean_dtype", lambda lib, x: x.mean(1, dtype=lib.float64)),
    ("prod", lambda lib, x: x.prod()),
    ("prod_dim", lambda lib, x: lib.prod(x, 1)),
    ("prod_keepdim", lambda lib, x: x.prod(-1, keepdim=True)),
    ("var", lambda lib, x: x.var()),
    ("var_positional", lambda lib, x: lib.var(x, 0)),
    ("var_unbiased_false", lambda lib, x: lib.var(x, 1, False)),
    ("var_correction", lambda lib, x: x.var(dim=(0, 2), correction=2, keepdim=True)),
    ("var_keepdim_positional", lambda lib, x: lib.var(x, 2, True, True)),
    ("std", lambda lib, x: x.std()),
    ("std_dim", lambda lib, x: lib.std(x, dim=1, unbiased=False)),
    ("std_tuple", lambda lib, x: x.std((1, 2), keepdim=True)),
    ("var_mean", lambda lib, x: lib.var_mean(x, 1)),
    ("std_mean", lambda lib, x: lib.std_mean(x, dim=(0, 1), correction=0)),
    ("logsumexp", lambda lib, x: lib.logsumexp(x, 1)),
    ("logsumexp_tuple", lambda lib, x: x.logsumexp((0, 2), keepdim=True)),
    ("norm", lambda lib, x: x.norm()),
    ("norm_fro_dim", lambda lib, x: lib.norm(x, "fro", dim=(1, 2))),
    ("norm_2_dim", lambda lib, x: x.norm(2, 1, keepdim=True)),
    ("norm_1", lambda lib, x: x.norm(p=1, dim=2)),
    ("norm_3", lambda lib, x: x.norm(p=3, dim=0)),
    ("norm_1_5", lambda lib, x: lib.norm(x, 1.5)),
    ("norm_nuc", lambda lib, x: x.norm("nuc", dim=(0, 2))),
    ("softmax_method", lambda lib, x: x.softmax(1)),
    ("softmax_fn_dtype", lambda lib, x: lib.softmax(x, -1, dtype=lib.float64)),
    ("log_softmax_method", lambda lib, x: x.log_softmax(dim=0)),
    ("log_softmax_fn", lambda lib, x: lib.log_softmax(x, 2)),
    ("cumsum", lambda lib, x: x.cumsum(1)),
    ("cumsum_neg", lambda lib, x: lib.cumsum(x, dim=-1)),
    ("cumsum_dtype", lambda lib, x: lib.cumsum(x, 0, dtype=lib.float64)),
]


@pytest.mark.parametrize("name,fn", SMOOTH, ids=[c[0] for c in SMOOTH])
def test_smooth_reductions(name, fn):
    check_op(fn, (2, 3, 4), low=0.5, high=2.0)


SELECTING = [
    ("max", lambda lib, x: x.max()),
    ("min", lambda lib, x: lib.min(x)),
    ("max_dim", lambda lib, x: lib.max(x, 1)),
    ("max_keepdim", lambda lib, x: x.max(dim=-1, keepdim=True)),
    ("min_dim", lambda lib, x: x.min(0)),
    ("min_dim_keepdim", lambda lib, x: lib.min(x, 2, True)),
    ("amax", lambda lib, x: lib.amax(x, (0, 2))),
    ("amax_all", lambda lib, x: x.amax()),
    ("amin_keepdim", lambda lib, x: x.amin(1, keepdim=True)),
    ("aminmax", lambda lib, x: lib.aminmax(x, dim=1)),
    ("aminmax_all", lambda lib, x: lib.aminmax(x)),
    ("median", lambda lib, x: x.median()),
    ("median_dim", lambda lib, x: lib.median(x, 1)),
    ("median_keepdim", lambda lib, x: x.median(-1, keepdim=True)),
    ("mode", lambda lib, x: x.mode()),
    ("mode_dim", lambda lib, x: lib.mode(x, 0, keepdim=True)),
    ("norm_inf", lambda lib, x: x.norm(float("inf"), dim=1)),
    ("norm_ninf", lambda lib, x: lib.norm(x, -float("inf"))),
    ("cumprod", lambda lib, x: x.cumprod(1)),
]


@pytest.mark.parametrize("name,fn", SELECTING, ids=[c[0] for c in SELECTING])
def test_selecting_reductions_distinct_values(name, fn):
    check_op(fn, DISTINCT)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.amax(1),
    lambda lib, x: x.amin(0, keepdim=True), lambda lib, x: x.median(),
    lambda lib, x: x.max(1), lambda lib, x: x.median(1), lambda lib, x: x.mode(1),
    lambda lib, x: x.mode(0), lambda lib, x: x.norm(float("inf"), 1),
    lambda lib, x: lib.argmax(x, 1), lambda lib, x: lib.argmin(x, 0),
])
def test_ties_follow_torch(fn):
    # Gradients at ties are shared evenly (or go to torch's chosen index); no gradcheck here.
    check_op(fn, TIES, gradcheck_inputs=False)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.prod(), lambda lib, x: x.prod(0), lambda lib, x: x.prod(1, keepdim=True),
])
def test_prod_gradient_with_zeros(fn):
    check_op(fn, ZEROS)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_gradient_with_zeros(dim):
    x = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 2.0, 1.5], [1.5, 2.0, 0.0, 5.0]], np.float32)
    check_op(lambda lib, v: v.cumprod(dim), x)
    assert gradgradcheck(lambda v: v.cumprod(dim), (nptorch.tensor(x.astype(np.float64),
                                                                     requires_grad=True),))


def test_norm_gradient_is_zero_at_zero_vector():
    check_op(lambda lib, x: x.norm(dim=1), np.zeros((2, 3), np.float32), gradcheck_inputs=False)
    x = nptorch.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_fractional_norm_gradient_is_zero_at_zero_entries():
    check_op(lambda lib, x: x.norm(0.5, dim=1), ZEROS, gradcheck_inputs=False)


def test_softmax_of_a_scalar_and_of_integers():
    for lib in (torch, nptorch):
        assert lib.tensor(3.0).softmax(0).item() == 1.0
        with pytest.raises(NotImplementedError, match="\"softmax_lastdim_kernel_impl\" not "
                                                      "implemented for 'Long'"):
            lib.tensor([1, 2]).softmax(0)
    assert nptorch.tensor([1, 2]).softmax(0, dtype=nptorch.float64).dtype == nptorch.float64


def test_std_gradient_is_zero_for_constant_input():
    check_op(lambda lib, x: x.std(1), np.ones((2, 3), np.float32), gradcheck_inputs=False)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("fn", [
    lambda lib, x: x.var(0), lambda lib, x: lib.var(x, correction=5),
    lambda lib, x: x.std(0), lambda lib, x: x.var(1, correction=3),
])
def test_var_with_no_degrees_of_freedom_gives_nan_or_inf(fn):
    check_op(fn, np.array([[1.5, 2.0, 4.0]], np.float32), grad=False)


def test_logsumexp_is_stable():
    check_op(lambda lib, x: x.logsumexp(0), np.array([1000., 1001., -1000.], np.float32))
    check_op(lambda lib, x: x.logsumexp(0), np.full(3, -np.inf, np.float32), grad=False)


def test_mean_of_a_2d_slice_and_scalar():
    check_op(lambda lib, x: x.mean(0), (4,))
    check_op(lambda lib, x: x.sum(0), np.array(2.5, np.float32))
    check_op(lambda lib, x: x.max(0), np.array(2.5, np.float32))
    check_op(lambda lib, x: x.cumsum(0), np.array(2.5, np.float32))


INT = np.array([[3, 0, 2], [1, 5, 0]], np.int32)
BOOL = np.array([[True, False, True], [False, False, True]])
INTEGER_CASES = [
    lambda lib, x: x.sum(), lambda lib, x: x.sum(1), lambda lib, x: x.prod(0),
    lambda lib, x: x.cumsum(1), lambda lib, x: x.cumprod(0), lambda lib, x: x.max(),
    lambda lib, x: x.max(1), lambda lib, x: x.amin(0), lambda lib, x: x.argmax(),
    lambda lib, x: x.argmin(1, keepdim=True), lambda lib, x: x.argmax(keepdim=True),
    lambda lib, x: x.all(), lambda lib, x: x.any(1), lambda lib, x: lib.all(x, (0, 1)),
    lambda lib, x: x.any(0, keepdim=True), lambda lib, x: lib.count_nonzero(x),
    lambda lib, x: lib.count_nonzero(x, dim=1), lambda lib, x: x.median(),
    lambda lib, x: x.mode(1), lambda lib, x: x.sum(dtype=lib.float32),
    lambda lib, x: x.mean(dtype=lib.float64), lambda lib, x: x.logsumexp(1),
    lambda lib, x: x.sum(dim=[]),
]


@pytest.mark.parametrize("data", [INT, INT.astype(np.int64), BOOL, INT.astype(np.uint8)],
                         ids=["int32", "int64", "bool", "uint8"])
@pytest.mark.parametrize("case", range(len(INTEGER_CASES)))
def test_integer_and_bool_results(data, case):
    fn = INTEGER_CASES[case]
    if data.dtype == bool and case in (8, 9, 10, 17):
        check_error(lambda: fn(nptorch, nptorch.from_numpy(data)), RuntimeError,
                    "does not support bool input|not implemented for 'Bool'")
    else:
        check_op(fn, data, grad=False)


def test_result_dtypes():
    x = nptorch.tensor([[1, 2], [3, 4]])
    assert x.sum().dtype == nptorch.int64
    assert nptorch.tensor([True, True]).sum().item() == 2
    assert x.argmax().dtype == nptorch.int64 and x.argmax().item() == 3
    assert x.all().dtype == nptorch.bool and x.any(0).dtype == nptorch.bool
    assert x.count_nonzero().dtype == nptorch.int64
    assert nptorch.tensor([1, 2], dtype=nptorch.int32).cumsum(0).dtype == nptorch.int64


def test_named_tuples():
    x = nptorch.tensor([[1., 7., 3.], [9., 2., 4.]])
    out = x.max(1)
    assert type(out).__name__ == "max" and type(out).__module__ == "nptorch.return_types"
    assert out.values.tolist() == [7., 9.] and out.indices.tolist() == [1, 0]
    values, indices = nptorch.min(x, dim=0)
    assert values.tolist() == [1., 2., 3.] and indices.tolist() == [0, 1, 0]
    assert out[0] is out.values and len(out) == 2
    assert repr(out).startswith("nptorch.return_types.max(\nvalues=tensor(")
    mm = nptorch.aminmax(x)
    assert (mm.min.item(), mm.max.item()) == (1., 9.)
    med = x.median(1)
    assert med.values.tolist() == [3., 4.] and med.indices.tolist() == [2, 2]


def test_max_with_tensor_is_maximum():
    a = nptorch.tensor([1., 5., 3.])
    b = nptorch.tensor([4., 2., 3.])
    assert nptorch.max(a, b).tolist() == [4., 5., 3.]
    assert a.min(b).tolist() == [1., 2., 3.]


def test_numpy_aliases():
    x = nptorch.tensor([[1., 2.], [3., 4.]])
    assert x.sum(axis=0).tolist() == [4., 6.]
    assert x.mean(axis=1, keepdims=True).tolist() == [[1.5], [3.5]]


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(), lambda x: x.mean(1), lambda x: x.logsumexp(1),
    lambda x: x.prod(1), lambda x: x.var(0), lambda x: x.std(1), lambda x: x.norm(dim=1),
    lambda x: x.norm(3, dim=1), lambda x: x.cumsum(1), lambda x: x.cumprod(0),
    lambda x: x.amax(1), lambda x: x.max(1).values,
])
def test_double_backward(fn):
    x = nptorch.tensor(DISTINCT2.astype(np.float64) + 0.5, requires_grad=True)
    assert gradgradcheck(fn, (x,))


def test_gradient_through_gradient_of_mean():
    x = nptorch.tensor([1., 2., 3.], requires_grad=True)
    (g,) = nptorch.autograd.grad((x * x).mean(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 / 3] * 3)


ERRORS = [
    (lambda: nptorch.tensor([1, 2]).mean(), RuntimeError,
     "mean\\(\\): could not infer output dtype. Input dtype must be either a floating point or "
     "complex dtype. Got: Long"),
    (lambda: nptorch.tensor([True]).mean(), RuntimeError, "Got: Bool"),
    (lambda: nptorch.tensor([1, 2]).var(), RuntimeError,
     "std and var only support floating point and complex dtypes"),
    (lambda: nptorch.tensor([1., 2.]).var(0, True, correction=1), TypeError,
     "var\\(\\) received an invalid combination of arguments"),
    (lambda: nptorch.ones(0).max(), RuntimeError,
     "max\\(\\): Expected reduction dim to be specified for input.numel\\(\\) == 0"),
    (lambda: nptorch.ones(0, 2).min(0), IndexError,
     "min\\(\\): Expected reduction dim 0 to have non-zero size."),
    (lambda: nptorch.ones(0).amax(), RuntimeError, "amax\\(\\): Expected reduction dim"),
    (lambda: nptorch.ones(0).argmax(), RuntimeError, "argmax\\(\\): Expected reduction dim"),
    (lambda: nptorch.ones(0, 2).median(0), IndexError, "median\\(\\): Expected reduction dim 0"),
    (lambda: nptorch.ones(0).mode(), IndexError, "mode\\(\\): Expected reduction dim 0"),
    (lambda: nptorch.ones(2, 3).sum(2), IndexError,
     "Dimension out of range \\(expected to be in range of \\[-2, 1\\], but got 2\\)"),
    (lambda: nptorch.ones(2, 3).cumsum(2), IndexError, "Dimension out of range"),
    (lambda: nptorch.ones(2).prod((0,)), TypeError, "prod\\(\\): argument 'dim' must be int"),
    (lambda: nptorch.tensor([1, 2]).norm(), RuntimeError,
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: nptorch.ones(2).norm("nuc"), RuntimeError,
     "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    (lambda: nptorch.ones(2).norm("abc"), RuntimeError, "unsupported norm type"),
    (lambda: nptorch.logsumexp(nptorch.ones(2)), TypeError, "dim"),
    (lambda: nptorch.cumsum(nptorch.ones(2)), TypeError, "dim"),
]


@pytest.mark.parametrize("fn,exc,match", ERRORS)
def test_errors(fn, exc, match):
    check_error(fn, exc, match)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (2, 0, 3)])
@pytest.mark.parametrize("p", [math.inf, -math.inf, 0, 1, 2, -1, -2.5, 0.5])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1), [1, 0], (-1, 0), (0, 5)])
@pytest.mark.parametrize("norm", [
    lambda lib, x, p, dim: lib.norm(x, p, dim),
    lambda lib, x, p, dim: x.norm(p, dim, keepdim=True),
    lambda lib, x, p, dim: lib.linalg.vector_norm(x, p, dim),
    lambda lib, x, p, dim: lib.linalg.vector_norm(x, p, dim, True, dtype=lib.float64),
], ids=["norm", "method", "vector_norm", "vector_norm_keepdim_dtype"])
def test_norms_of_empty_tensors_match_torch(norm, dim, p, shape):
    # inf and negative orders have no identity: PyTorch refuses empty reductions with them
    check_same_outcome_as_torch(lambda lib: norm(lib, lib.ones(shape), p, dim))


def test_errors_match_torch_wording():
    for ours, theirs in [
        (lambda: nptorch.tensor([1, 2]).mean(), lambda: torch.tensor([1, 2]).mean()),
        (lambda: nptorch.ones(0).max(), lambda: torch.ones(0).max()),
        (lambda: nptorch.ones(0, 2).min(0), lambda: torch.ones(0, 2).min(0)),
        (lambda: nptorch.tensor([1, 2]).norm(), lambda: torch.tensor([1, 2]).norm()),
    ]:
        with pytest.raises(Exception) as ref:
            theirs()
        with pytest.raises(type(ref.value)) as got:
            ours()
        assert str(got.value) == str(ref.value).splitlines()[0]
