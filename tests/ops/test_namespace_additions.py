"""Top-level functions compared with PyTorch: the deprecated norms, ``nonzero_static``,
``as_strided_`` / ``as_strided_scatter``, ``resize_as_``, ``poisson`` / ``binomial``, the
process flags and ``svd_lowrank`` / ``pca_lowrank``."""
import warnings

import numpy as np
import pytest

import nptorch
from nptorch._api import flags
from nptorch.autograd import gradcheck

from helpers import check_equal_to_torch, check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _quiet_deprecations():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="at::")
        yield


# -- norms -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,shape", [
    (lambda lib, x: lib.frobenius_norm(x, [1, 2]), (2, 3, 4)),
    (lambda lib, x: lib.frobenius_norm(x, (1,)), (2, 3, 4)),
    (lambda lib, x: lib.frobenius_norm(x, 1), (2, 3, 4)),
    (lambda lib, x: lib.frobenius_norm(x, [1, 2], True), (2, 3, 4)),
    (lambda lib, x: lib.frobenius_norm(x, []), (2, 3, 4)),
    (lambda lib, x: lib.frobenius_norm(x, dim=[0], keepdim=True), (2, 3)),
    (lambda lib, x: lib.nuclear_norm(x), (3, 2)),
    (lambda lib, x: lib.nuclear_norm(x, True), (3, 2)),
    (lambda lib, x: lib.nuclear_norm(x, keepdim=True), (3, 2)),
    (lambda lib, x: lib.nuclear_norm(x, [1, 2]), (2, 3, 4)),
    (lambda lib, x: lib.nuclear_norm(x, [0, 2], True), (2, 3, 4)),
    (lambda lib, x: lib.nuclear_norm(x), (2, 3, 4)),
    (lambda lib, x: lib.norm_except_dim(x), (2, 3, 4)),
    (lambda lib, x: lib.norm_except_dim(x, 2, 1), (2, 3, 4)),
    (lambda lib, x: lib.norm_except_dim(x, 3, 2), (2, 3, 4)),
    (lambda lib, x: lib.norm_except_dim(x, 1, -1), (2, 3, 4)),
    (lambda lib, x: lib.norm_except_dim(x, 2, -2), (2, 3, 4)),
    (lambda lib, x: lib.norm_except_dim(x, 2, 0), (4,)),
    (lambda lib, x: lib.norm_except_dim(x, pow=4, dim=1), (3, 5)),
])
def test_norms_match_torch(fn, shape):
    check_op(fn, shape, rtol=1e-4, atol=1e-5)


def test_deprecated_norms_warn_once_like_torch():
    flags._state["warned"].difference_update({"frobenius_norm", "nuclear_norm"})
    x = nptorch.ones(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            nptorch.frobenius_norm(x, [0])
            nptorch.nuclear_norm(x)
    messages = [str(w.message) for w in caught]
    assert messages == [
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead",
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead"]
    nptorch.set_warn_always(True)
    try:
        with pytest.warns(UserWarning, match="at::frobenius_norm is deprecated"):
            nptorch.frobenius_norm(x, [0])
    finally:
        nptorch.set_warn_always(False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.frobenius_norm(lib.ones(2, 3, 4), [0, 1, 2]),
    lambda lib: lib.frobenius_norm(lib.arange(4), [0]),
    lambda lib: lib.nuclear_norm(lib.ones(2, 3, 4), [1]),
    lambda lib: lib.nuclear_norm(lib.arange(4).reshape(2, 2)),
    lambda lib: lib.norm_except_dim(lib.ones(2, 3, 4), 2, 5),
    lambda lib: lib.norm_except_dim(lib.arange(4), 2, 0),
    lambda lib: lib.norm_except_dim(lib.ones(2, 3), 2.5, 0),
])
def test_norm_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- nonzero_static --------------------------------------------------------------------------
_SPARSE = [[0, 1.5, 0], [2, 0, 3]]


@pytest.mark.parametrize("make", [
    lambda lib: lib.nonzero_static(lib.tensor(_SPARSE), size=2),
    lambda lib: lib.nonzero_static(lib.tensor(_SPARSE), size=5, fill_value=-7),
    lambda lib: lib.nonzero_static(lib.tensor(_SPARSE), size=0),
    lambda lib: lib.nonzero_static(lib.tensor(3.0), size=2),
    lambda lib: lib.nonzero_static(lib.tensor(0.0), size=2),
    lambda lib: lib.nonzero_static(lib.tensor([True, False, True]), size=4),
    lambda lib: lib.tensor(_SPARSE).nonzero_static(size=1),
    lambda lib: lib.nonzero_static(lib.tensor(_SPARSE, requires_grad=True), size=3),
])
def test_nonzero_static_matches_torch(make):
    check_equal_to_torch(make)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nonzero_static(lib.ones(2), size=-1),
    lambda lib: lib.nonzero_static(lib.ones(2), size=2.5),
])
def test_nonzero_static_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- as_strided_, as_strided_scatter, resize_as_ ---------------------------------------------
def test_as_strided_inplace_matches_torch():
    results = []
    for lib in (torch, nptorch):
        x = lib.arange(12.0)
        out = lib.as_strided_(x, (2, 2), (1, 3), 2)
        assert out is x
        y = lib.arange(12.0)
        y.as_strided_((3,), (4,))
        results.append((x.tolist(), x.stride(), y.tolist()))
    assert results[0] == results[1]


def test_as_strided_inplace_is_differentiable():
    check_op(lambda lib, x: (x * 1).as_strided_((2, 2), (1, 3), 1), (12,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.as_strided_(lib.arange(12.0, requires_grad=True), (2, 2), (1, 3)),
    lambda lib: lib.arange(12.0).as_strided_((2, 2), (1, 3), 20),
    lambda lib: lib.arange(12.0).as_strided_((2, 2), (1,)),
])
def test_as_strided_inplace_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("size,stride,offset,shape", [
    ((2, 2), (1, 3), 2, (12,)), ((2, 2), (1, 3), None, (3, 4)), ((3,), (4,), 1, (3, 4)),
])
def test_as_strided_scatter_matches_torch(size, stride, offset, shape):
    src = np.random.default_rng(0).standard_normal(size).astype(np.float32)
    # PyTorch's gradient for ``input`` is wrong (it fails its own gradcheck), so only the
    # forward values and the gradient of ``src`` are compared with it
    for lib in (torch, nptorch):
        x = lib.arange(float(np.prod(shape))).reshape(shape)
        s = lib.tensor(src, requires_grad=True)
        out = lib.as_strided_scatter(x, s, size, stride, offset)
        (out * lib.arange(float(np.prod(shape))).reshape(shape)).sum().backward()
        if lib is torch:
            expected = out.detach().numpy(), s.grad.numpy()
    np.testing.assert_array_equal(out.detach().numpy(), expected[0])
    np.testing.assert_array_equal(s.grad.numpy(), expected[1])
    doubles = [nptorch.tensor(np.random.default_rng(1).standard_normal(s), requires_grad=True)
               for s in (shape, size)]
    assert gradcheck(lambda x, s: nptorch.as_strided_scatter(x, s, size, stride, offset),
                     doubles)
    x = nptorch.arange(float(np.prod(shape)), requires_grad=True)
    nptorch.as_strided_scatter(x.reshape(shape) * 1, nptorch.tensor(src), size, stride,
                               offset).sum().backward()
    # the scattered region gets no gradient, the rest gets it all
    expected_grad = np.ones(x.shape, np.float32)
    region = np.lib.stride_tricks.as_strided(
        expected_grad[offset or 0:], size, [s * 4 for s in stride])
    region[...] = 0
    np.testing.assert_array_equal(x.grad.numpy(), expected_grad)


@pytest.mark.parametrize("call", [
    lambda lib: lib.as_strided_scatter(lib.arange(12.0), lib.ones(3), (2, 2), (1, 3)),
    lambda lib: lib.as_strided_scatter(lib.arange(12.0), lib.ones(2, 2), (2, 2), (1, 3), 20),
])
def test_as_strided_scatter_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_resize_as_function_matches_torch():
    results = []
    for lib in (torch, nptorch):
        x = lib.arange(6.0)
        assert lib.resize_as_(x, lib.ones(2, 2)) is x
        results.append(x.tolist())
    assert results[0] == results[1]
    check_same_error_as_torch(
        lambda lib: lib.resize_as_(lib.arange(3.0, requires_grad=True), lib.ones(2, 2)))


# -- poisson and binomial --------------------------------------------------------------------
def test_poisson_draws_have_the_rates_as_means():
    nptorch.manual_seed(0)
    rates = nptorch.tensor([0.0, 0.5, 3.0, 40.0]).repeat(20000, 1)
    draws = nptorch.poisson(rates)
    assert draws.dtype == nptorch.float32 and draws.shape == rates.shape
    values = draws.numpy()
    assert (values >= 0).all() and (values == np.round(values)).all()
    np.testing.assert_allclose(values.mean(0), [0.0, 0.5, 3.0, 40.0], rtol=0.03, atol=0.01)
    np.testing.assert_allclose(values.var(0), [0.0, 0.5, 3.0, 40.0], rtol=0.06, atol=0.01)
    assert nptorch.poisson(rates.double()).dtype == nptorch.float64


def test_poisson_is_reproducible_and_has_zero_gradient():
    rates = nptorch.tensor([1.0, 5.0, 20.0], requires_grad=True)
    nptorch.manual_seed(3)
    first = nptorch.poisson(rates)
    nptorch.manual_seed(3)
    assert nptorch.poisson(rates).tolist() == first.tolist()
    g = nptorch.Generator().manual_seed(7)
    second = nptorch.poisson(rates, nptorch.Generator().manual_seed(7))
    assert nptorch.poisson(rates, generator=g).tolist() == second.tolist()
    first.sum().backward()
    assert first.requires_grad and rates.grad.tolist() == [0.0, 0.0, 0.0]


def test_binomial_draws_have_the_binomial_moments():
    nptorch.manual_seed(1)
    count = nptorch.tensor([0.0, 10.0, 10.0, 25.0]).repeat(20000, 1)
    prob = nptorch.tensor([0.5, 0.0, 0.3, 0.9])
    draws = nptorch.binomial(count, prob)
    assert draws.dtype == nptorch.float32 and draws.shape == count.shape
    values = draws.numpy()
    assert (values >= 0).all() and (values <= count.numpy()).all()
    mean = np.array([0.0, 0.0, 3.0, 22.5])
    np.testing.assert_allclose(values.mean(0), mean, rtol=0.02, atol=0.01)
    np.testing.assert_allclose(values.var(0), mean * (1 - np.array([0.5, 0, 0.3, 0.9])),
                               rtol=0.06, atol=0.01)
    nptorch.manual_seed(1)
    assert np.array_equal(nptorch.binomial(count, prob).numpy(), values)
    assert nptorch.binomial(count.double(), prob.double()).dtype == nptorch.float64
    assert nptorch.binomial(nptorch.tensor([5.0]), nptorch.tensor([1.0])).tolist() == [5.0]


def test_binomial_out_of_range_parameters_match_torch(torch):
    """Negative counts draw 0, probabilities are clamped to [0, 1], a certain success gives the
    (even fractional) count, and a fractional count runs its whole trials."""
    count, prob = [-1.0, 3.0, 3.0, 2.7, 2.7], [0.5, 1.5, -0.5, 1.0, 0.0]
    ours = nptorch.binomial(nptorch.tensor(count), nptorch.tensor(prob))
    theirs = torch.binomial(torch.tensor(count), torch.tensor(prob))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    draws = nptorch.binomial(nptorch.full((2000,), 2.7), nptorch.full((2000,), 0.5)).numpy()
    assert set(np.unique(draws)) == {0.0, 1.0, 2.0}


@pytest.mark.parametrize("call", [
    lambda lib: lib.poisson(lib.tensor([1, 5])),
    lambda lib: lib.poisson(lib.tensor([-1.0, 5.0])),
    lambda lib: lib.binomial(lib.tensor([10, 5]), lib.tensor([0.5, 0.1])),
    lambda lib: lib.binomial(lib.tensor([10.0, 5.0]), lib.tensor([0.5, 0.1], dtype=lib.float64)),
    lambda lib: lib.binomial(lib.tensor([10.0, 5.0]), 0.5),
])
def test_sampling_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- process flags ---------------------------------------------------------------------------
def test_warn_always_flag():
    assert not nptorch.is_warn_always_enabled()
    nptorch.set_warn_always(True)
    try:
        assert nptorch.is_warn_always_enabled()
    finally:
        nptorch.set_warn_always(False)
    assert not nptorch.is_warn_always_enabled()
    check_same_error_as_torch(lambda lib: lib.set_warn_always(1))


@pytest.mark.parametrize("mode,expected", [
    ("default", 0), ("warn", 1), ("error", 2), (0, 0), (1, 1), (2, 2)])
def test_deterministic_debug_mode_matches_torch(mode, expected):
    results = []
    for lib in (torch, nptorch):
        try:
            lib.set_deterministic_debug_mode(mode)
            results.append((lib.get_deterministic_debug_mode(),
                            lib.are_deterministic_algorithms_enabled(),
                            lib.is_deterministic_algorithms_warn_only_enabled()))
        finally:
            lib.set_deterministic_debug_mode(0)
    assert results[0] == results[1] and results[1][0] == expected


@pytest.mark.parametrize("call", [
    lambda lib: lib.set_deterministic_debug_mode("x"),
    lambda lib: lib.set_deterministic_debug_mode(3),
    lambda lib: lib.set_deterministic_debug_mode(1.5),
    lambda lib: lib.set_deterministic_debug_mode(None),
    lambda lib: lib.set_flush_denormal(1),
])
def test_flag_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_flush_denormal_is_reported_unsupported():
    assert nptorch.set_flush_denormal(True) is False
    assert nptorch.set_flush_denormal(False) is False


# -- low-rank approximations ----------------------------------------------------------------
def _low_rank(shape, rank, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    left = rng.standard_normal(shape[:-1] + (rank,))
    right = rng.standard_normal(shape[:-2] + (rank, shape[-1]))
    return (left @ right).astype(dtype)


@pytest.mark.parametrize("shape,rank,q", [((8, 5), 3, 4), ((4, 9), 2, 6), ((2, 6, 5), 3, 3)])
def test_svd_lowrank_recovers_low_rank_matrices_like_torch(shape, rank, q):
    a = _low_rank(shape, rank)
    U, S, V = nptorch.svd_lowrank(nptorch.tensor(a), q=q)
    tU, tS, tV = torch.svd_lowrank(torch.tensor(a), q=q)
    assert U.shape == tuple(tU.shape) and S.shape == tuple(tS.shape)
    assert V.shape == tuple(tV.shape) and U.dtype == nptorch.float64
    np.testing.assert_allclose(S.numpy(), tS.numpy(), atol=1e-8)
    rebuilt = U @ nptorch.diag_embed(S) @ V.mT
    np.testing.assert_allclose(rebuilt.numpy(), a, atol=1e-8)
    k = U.shape[-1]
    np.testing.assert_allclose((U.mT @ U).numpy(), np.broadcast_to(np.eye(k), U.shape[:-2]
                                                                   + (k, k)), atol=1e-8)


def test_svd_lowrank_with_M_approximates_the_difference():
    a, m = _low_rank((7, 5), 2, seed=1), _low_rank((1, 5), 1, seed=2)
    U, S, V = nptorch.svd_lowrank(nptorch.tensor(a + m), q=3, M=nptorch.tensor(m))
    np.testing.assert_allclose((U @ nptorch.diag(S) @ V.t()).numpy(), a, atol=1e-8)
    _, tS, _ = torch.svd_lowrank(torch.tensor(a + m), q=3, M=torch.tensor(m))
    np.testing.assert_allclose(S.numpy(), tS.numpy(), atol=1e-8)


@pytest.mark.parametrize("shape,m_shape,dtype", [((5, 8), (5, 1), np.float64),
                                                 ((2, 8, 5), (1, 5), np.float32)])
def test_svd_lowrank_of_wide_batched_and_float32_with_M(shape, m_shape, dtype):
    a, m = _low_rank(shape, 2, seed=4, dtype=dtype), _low_rank(m_shape, 1, seed=5, dtype=dtype)
    U, S, V = nptorch.svd_lowrank(nptorch.tensor(a + m), q=3, niter=None, M=nptorch.tensor(m))
    tU, tS, tV = torch.svd_lowrank(torch.tensor(a + m), q=3, niter=None, M=torch.tensor(m))
    for ours, theirs in ((U, tU), (S, tS), (V, tV)):
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == f"nptorch.{dtype.__name__}"
    tol = 1e-8 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(S.numpy(), tS.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose((U @ nptorch.diag_embed(S) @ V.mT).numpy(), a, atol=tol * 10)


@pytest.mark.parametrize("call", [
    lambda lib: lib.svd_lowrank(lib.ones(4, 3, dtype=lib.int64), q=2),
    lambda lib: lib.svd_lowrank(lib.ones(4, 3), q=2, M=lib.ones(3, 1)),
    lambda lib: lib.svd_lowrank(lib.ones(4, 3), q=2, M=lib.ones(4, 3, dtype=lib.float64)),
    lambda lib: lib.svd_lowrank(lib.ones(4), q=2),
    lambda lib: lib.pca_lowrank(lib.ones(4, 3, dtype=lib.int64), q=2),
])
def test_svd_lowrank_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("kwargs", [{}, {"q": 2}, {"center": False, "q": 3}, {"niter": 0}])
def test_pca_lowrank_matches_torch(kwargs):
    a = _low_rank((10, 4), 2, seed=3) + 5.0
    U, S, V = nptorch.pca_lowrank(nptorch.tensor(a), **kwargs)
    tU, tS, tV = torch.pca_lowrank(torch.tensor(a), **kwargs)
    assert (U.shape, S.shape, V.shape) == (tuple(tU.shape), tuple(tS.shape), tuple(tV.shape))
    k = min(S.shape[0], 2 if kwargs.get("center", True) else 3)
    np.testing.assert_allclose(S.numpy()[:k], tS.numpy()[:k], rtol=1e-6)
    # the principal directions agree up to sign
    np.testing.assert_allclose(np.abs(V.numpy()[:, :k].T @ tV.numpy()[:, :k]), np.eye(k),
                               atol=1e-6)


def test_svd_lowrank_is_reproducible_and_differentiable():
    a = nptorch.tensor(_low_rank((6, 4), 2), requires_grad=True)
    nptorch.manual_seed(2)
    S = nptorch.svd_lowrank(a, q=2)[1]
    nptorch.manual_seed(2)
    assert nptorch.svd_lowrank(a, q=2)[1].tolist() == S.tolist()
    S.sum().backward()
    # the gradient of the sum of the singular values of a rank-2 matrix: U V^T
    U, _, V = torch.linalg.svd(torch.tensor(a.detach().numpy()), full_matrices=False)
    np.testing.assert_allclose(a.grad.numpy(), (U[:, :2] @ V[:2]).numpy(), atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib: lib.pca_lowrank(lib.ones(4, 3), q=4),
    lambda lib: lib.pca_lowrank(lib.ones(4, 3), q=-1),
    lambda lib: lib.pca_lowrank(lib.ones(4, 3), niter=-1),
])
def test_pca_lowrank_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_every_added_name_is_a_torch_name():
    from nptorch._api import (copies, factories, interop, layers, linalg_compat, lowrank,
                              memory, strided)
    modules = (copies, factories, interop, layers, linalg_compat, lowrank, memory, strided,
               flags)
    for module in modules:
        for name, fn in getattr(module, "FUNCTIONS", {}).items():
            assert hasattr(torch, name) and getattr(nptorch, name) is fn, name
        for name in getattr(module, "METHODS", {}):
            assert hasattr(torch.Tensor, name) and hasattr(nptorch.Tensor, name), name
