"""The top-level layer functions whose signatures differ from nn.functional's (int
reductions, weight-first embeddings, ``convolution``, ``batch_norm``, the dropouts with a
positional ``train``, ...) compared with PyTorch: values, gradients, float64 gradcheck and
errors."""
import math

import numpy as np
import pytest

import nptorch

from helpers import (check_equal_to_torch, check_op, check_same_error_as_torch,
                     check_same_outcome_as_torch)

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
_SIGNS = np.array([1.0, -1.0, 1.0, -1.0], np.float32)
_PROBS = _RNG.uniform(0.1, 0.9, (4, 3)).astype(np.float32)
_COUNTS = _RNG.integers(0, 4, (4, 3)).astype(np.float32)
_EMBED_IDX = np.array([[0, 2], [4, 2], [1, 3]])


@pytest.mark.parametrize("reduction", [0, 1, 2, 3])
@pytest.mark.parametrize("fn,specs", [
    (lambda lib, r, x, y: lib.binary_cross_entropy_with_logits(x, y, None, None, r),
     [(4, 3), _PROBS]),
    # (PyTorch differentiates neither weight: they come in as integers)
    (lambda lib, r, x, y, w, pw: lib.binary_cross_entropy_with_logits(
        x, y, w.to(x.dtype), pw.to(x.dtype), r), [(4, 3), _PROBS, _COUNTS.astype(np.int64),
                                                   np.array([1, 3, 2])]),
    (lambda lib, r, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1, r),
     [(4, 3), (4, 3), _SIGNS]),
    (lambda lib, r, x, t: lib.hinge_embedding_loss(x, t.unsqueeze(1), 0.5, r),
     [(4, 3), _SIGNS]),
    (lambda lib, r, x, y: lib.kl_div(x, y, r), [(4, 3), _PROBS]),
    (lambda lib, r, x, y: lib.kl_div(x, y.log(), r, log_target=True), [(4, 3), _PROBS]),
    (lambda lib, r, a, b, t: lib.margin_ranking_loss(a, b, t, 0.2, r),
     [(4,), (4,), _SIGNS]),
    # (integer targets: PyTorch's gradient for them is nan where Stirling's term is cut off)
    (lambda lib, r, x, y: lib.poisson_nll_loss(x, y.to(x.dtype), True, True, 1e-8, r),
     [(4, 3), _COUNTS.astype(np.int64)]),
    (lambda lib, r, x, y: lib.poisson_nll_loss(x.exp(), y, False, False, 1e-6, r),
     [(4, 3), _COUNTS]),
    (lambda lib, r, a, p, n: lib.triplet_margin_loss(a, p, n, 1.5, 2.0, 1e-6, True, r),
     [(4, 3), (4, 3), (4, 3)]),
    (lambda lib, r, a, p, n: lib.triplet_margin_loss(a, p, n, 0.5, 1.0, 1e-6, False, r),
     [(4, 3), (4, 3), (4, 3)]),
])
def test_losses_with_int_reductions_match_torch(reduction, fn, specs):
    check_op(lambda lib, *xs: fn(lib, reduction, *xs), *specs)


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_ctc_loss_matches_torch(reduction):
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((6, 2, 5)).astype(np.float32)
    targets = np.array([[1, 2, 2], [3, 1, 0]])
    check_op(lambda lib, x, t: lib.ctc_loss(x.log_softmax(2), t, [6, 5], [3, 2], 0, reduction,
                                            False), logits, targets)
    check_op(lambda lib, x, t: lib.ctc_loss(x.log_softmax(2), t, lib.tensor([6, 5]),
                                            lib.tensor([3, 2]), 4, reduction, True),
             logits, targets)


def test_kl_div_mean_does_not_warn():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nptorch.kl_div(nptorch.zeros(2), nptorch.ones(2))


@pytest.mark.parametrize("call", [
    lambda lib: lib.binary_cross_entropy_with_logits(lib.ones(2), lib.ones(2), reduction="mean"),
    lambda lib: lib.kl_div(lib.ones(2), lib.ones(2), reduction=1.0),
])
def test_loss_argument_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.poisson_nll_loss(lib.ones(2), lib.ones(2)),
    lambda lib: lib.feature_dropout(lib.ones(2, 3), 0.5),
])
def test_required_arguments_are_required(call):
    for lib in (torch, nptorch):
        with pytest.raises(TypeError, match="missing 4 required positional|missing 1 required "
                                            "positional"):
            call(lib)


# -- embeddings ------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(), (-1,), (2,), (-2,), (7,), (2, True), (-1, True)])
def test_embedding_matches_torch(args):
    # the padding row gets no gradient: finite differences see it, as with PyTorch
    # and scaling by frequency is no true gradient either
    padded = bool(args) and 0 <= args[0] < 5
    check_op(lambda lib, w, i: lib.embedding(w, i, *args), (5, 3), _EMBED_IDX,
             gradcheck_inputs=not padded and len(args) < 2)


_BAG_IDX = np.array([0, 2, 4, 2, 1, 3])
_BAG_OFFSETS = np.array([0, 2, 2, 5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode,extra", [
    (0, ()), (1, ()), (2, ()),
    (0, (False, None, False, 2)), (1, (False, None, False, -1)), (2, (False, None, False, 2)),
    (1, (False, None, True)), (2, (False, None, True)), (0, (False, None, True)),
    (0, (False, "weights")), (0, (False, "weights", False, 4)),
])
def test_embedding_bag_matches_torch_with_its_bookkeeping(dtype, mode, extra):
    rng = np.random.default_rng(2)
    weights = rng.uniform(0.1, 1.0, 6).astype(dtype)
    offsets = np.array([0, 2, 2, 6]) if len(extra) > 2 and extra[2] else _BAG_OFFSETS

    def fn(lib, w, idx, off, psw):
        args = tuple(psw if a == "weights" else a for a in extra)
        return lib.embedding_bag(w, idx, off, False, mode, *args)
    check_op(fn, rng.standard_normal((5, 3)).astype(dtype), _BAG_IDX, offsets, weights,
             dtype=dtype)


def test_embedding_bag_of_other_bags():
    idx = np.array([0, 2, 2, 4, 1, 1])
    check_op(lambda lib, w, i, off: lib.embedding_bag(w, i, off, False, 1), (5, 3), idx,
             np.array([0, 3]))
    check_op(lambda lib, w, i, off: lib.embedding_bag(w, i, off, False, 0), (5, 3), idx,
             np.array([0, 1, 4]))


@pytest.mark.parametrize("call", [
    lambda lib: lib.embedding(lib.ones(5, 3), lib.tensor([1.0])),
    lambda lib: lib.embedding(lib.ones(5, 3), lib.tensor([5])),
    lambda lib: lib.embedding(lib.ones(5), lib.tensor([1])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1]), lib.tensor([0]), False, 3),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1]), lib.tensor([0]), False, "sum"),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1]), None),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1]), lib.tensor([0]), False, 1,
                                  False, None, False, 5),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1]), lib.tensor([0]), False, 1,
                                  False, None, False, -6),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1]), lib.tensor([0]), False, 1,
                                  False, lib.ones(1)),
    lambda lib: lib.embedding_bag(lib.ones(5), lib.tensor([1]), lib.tensor([0])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1.0]), lib.tensor([0])),
])
def test_embedding_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("indices,max_norm,norm_type", [
    ([0, 2, 2], 1.0, 2.0), ([[1, 4], [0, 4]], 0.5, 1.0), ([3], 10.0, 2.0), ([], 1.0, 2.0),
])
def test_embedding_renorm_matches_torch(indices, max_norm, norm_type):
    weight = np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32)

    def call(lib):
        w = lib.tensor(weight)
        out = lib.embedding_renorm_(w, lib.tensor(indices, dtype=lib.int64), max_norm,
                                    norm_type)
        assert out is w
        return w
    ours, theirs = call(nptorch), call(torch)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib: lib.embedding_renorm_(lib.ones(5, 3), lib.tensor([0, 2.0]), 1.0, 2.0),
    lambda lib: lib.embedding_renorm_(lib.ones(5, 3), lib.tensor([9]), 1.0, 2.0),
    lambda lib: lib.embedding_renorm_(lib.ones(5, 3, requires_grad=True), lib.tensor([1]), 1.0,
                                      2.0),
    lambda lib: lib.embedding_renorm_(lib.ones(5), lib.tensor([1]), 1.0, 2.0),
])
def test_embedding_renorm_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- normalization ---------------------------------------------------------------------------
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2)])
def test_batch_norm_matches_torch(training, shape):
    def fn(lib, x, w, b):
        mean, var = lib.full((3,), 0.2), lib.full((3,), 1.5)
        return lib.batch_norm(x, w, b, mean.to(x.dtype), var.to(x.dtype), training, 0.3, 1e-4,
                              False)
    check_op(fn, shape, (3,), (3,))
    check_op(lambda lib, x: lib.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, True),
             shape)


def test_normalizing_one_value_per_channel_gives_the_bias_and_a_nan_running_variance():
    x = np.random.default_rng(5).standard_normal((1, 3, 1)).astype(np.float32)
    for norm, args in (("batch_norm", (x[:, :, 0],)), ("instance_norm", (x,))):
        results = []
        for lib in (torch, nptorch):
            mean, var, bias = lib.zeros(3), lib.ones(3), lib.tensor([0.5, -1.0, 2.0])
            out = getattr(lib, norm)(lib.tensor(args[0]), None, bias, mean, var, True, 0.1,
                                     1e-5, False)
            results.append((out.numpy().reshape(-1), mean.numpy(), var.numpy()))
        for ours, theirs in zip(*results[::-1]):
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
        assert np.isnan(results[1][2]).all()


def test_batch_norm_running_stats_follow_torch():
    x = np.random.default_rng(4).standard_normal((5, 3, 2)).astype(np.float32)
    results = []
    for lib in (torch, nptorch):
        mean, var = lib.zeros(3), lib.ones(3)
        lib.batch_norm(lib.tensor(x), None, None, mean, var, True, 0.25, 1e-5, False)
        running = [mean.numpy().copy(), var.numpy().copy()]
        mean, var = lib.zeros(6), lib.ones(6)
        lib.instance_norm(lib.tensor(x).reshape(5, 6, 1).expand(5, 6, 2) * 1, None, None,
                          mean[:6], var[:6], True, 0.25, 1e-5, False)
        results.append(running + [mean.numpy().copy(), var.numpy().copy()])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("use_input_stats", [True, False])
@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 2, 2), (2, 3, 1)])
def test_instance_norm_matches_torch(use_input_stats, shape):
    def fn(lib, x, w, b):
        mean, var = lib.full((3,), 0.2), lib.full((3,), 1.5)
        return lib.instance_norm(x, w, b, mean, var, use_input_stats, 0.1, 1e-4, False)
    check_op(fn, shape, (3,), (3,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.batch_norm(lib.ones(4, 3), None, None, None, None, False, 0.1, 1e-5, False),
    lambda lib: lib.batch_norm(lib.ones(4, 3), lib.ones(2), None, None, None, True, 0.1, 1e-5,
                               False),
    lambda lib: lib.batch_norm(lib.ones(4, 3), None, None, lib.zeros(3), None, True, 0.1, 1e-5,
                               False),
    lambda lib: lib.batch_norm(lib.ones(4), None, None, None, None, True, 0.1, 1e-5, False),
    lambda lib: lib.instance_norm(lib.ones(2, 3, 4), None, None, None, None, False, 0.1, 1e-5,
                                  False),
    lambda lib: lib.instance_norm(lib.ones(2, 3, 4), lib.ones(2), None, None, None, True, 0.1,
                                  1e-5, False),
])
def test_normalization_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- padding and convolution -----------------------------------------------------------------
@pytest.mark.parametrize("pad,value", [
    ([1, 2], 0), ([1, 2, 0, 1], 1.5), ([-1, 0], 3.5), ([2, -1, 1, 1], -2), ([], 0),
])
def test_constant_pad_nd_matches_torch(pad, value):
    check_op(lambda lib, x: lib.constant_pad_nd(x, pad, value), (2, 3))


def test_constant_pad_nd_casts_the_value_to_the_dtype():
    check_equal_to_torch(lambda lib: lib.constant_pad_nd(lib.arange(3), [1, 0], 3.5))
    check_equal_to_torch(lambda lib: lib.constant_pad_nd(lib.arange(3), (1, 1), value=2))


@pytest.mark.parametrize("call", [
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1, 2, 1]),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1, 2, 1, 1, 1, 1]),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [-2, -2]),
])
def test_constant_pad_nd_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("fn,specs", [
    (lambda lib, x, w, b: lib.convolution(x, w, b, [1, 1], [1, 1], [1, 1], False, [0, 0], 2),
     [(2, 4, 5, 5), (6, 2, 3, 3), (6,)]),
    (lambda lib, x, w, b: lib.convolution(x, w, None, [2], [1], [2], False, [0], 1),
     [(2, 4, 9), (3, 4, 3), (1,)]),
    (lambda lib, x, w, b: lib.convolution(x, w, b, (2, 1), (1, 0), (1, 1), True, (1, 0), 1),
     [(2, 4, 3, 4), (4, 3, 3, 2), (3,)]),
    (lambda lib, x, w, b: lib.convolution(x, w, b, [1], [0], [1], False, [0], 1),
     [(1, 2, 3, 4, 4), (2, 2, 2, 2, 2), (2,)]),
])
def test_convolution_matches_torch(fn, specs):
    check_op(fn, *specs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda lib: lib.convolution(lib.ones(2, 4, 5, 5), lib.ones(6, 2, 3, 3), None, 1, [1, 1],
                                [1, 1], False, [0, 0], 2),
    lambda lib: lib.convolution(lib.ones(4, 5, 5), lib.ones(6, 2, 3, 3), None, [1, 1], [1, 1],
                                [1, 1], False, [0, 0], 2),
    lambda lib: lib.convolution(lib.ones(2, 4, 5, 5), lib.ones(6, 2, 3, 3), None, [1, 1],
                                [1, 1], [1, 1], False, [0, 0], 3),
    lambda lib: lib.convolution(lib.ones(2, 4, 5, 5), lib.ones(6, 2, 3, 3), None, [1, 1],
                                [1, 1], [1, 1], True, [0, 0], 1),
])
def test_convolution_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- dropout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["feature_dropout", "feature_alpha_dropout"])
def test_feature_dropouts_drop_whole_channels(name):
    nptorch.manual_seed(5)
    x = nptorch.ones(200, 8, 3, 2)
    y = getattr(nptorch, name)(x, 0.5, True)
    values = y.numpy()
    assert y.shape == x.shape and y.dtype == x.dtype
    # one value per (sample, channel)
    assert (values == values[:, :, :1, :1]).all()
    kept = values[:, :, 0, 0]
    if name == "feature_dropout":
        assert set(np.unique(kept)) == {0.0, 2.0}
        assert 0.45 < (kept == 0).mean() < 0.55
    else:  # alpha dropout keeps the mean and variance of SELU activations
        assert len(np.unique(kept)) == 2
        theirs = torch.feature_alpha_dropout(torch.ones(4, 4, 1), 0.5, True).unique()
        np.testing.assert_allclose(np.unique(kept), theirs.numpy(), rtol=1e-6)
    nptorch.manual_seed(5)
    assert np.array_equal(getattr(nptorch, name)(x, 0.5, True).numpy(), values)


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_dropout",
                                  "feature_alpha_dropout"])
@pytest.mark.parametrize("p,train", [(0.5, False), (0.0, True), (1.0, True)])
@pytest.mark.parametrize("shape", [(2, 3, 4), (3,)])
def test_dropouts_match_torch_when_deterministic(name, p, train, shape):
    check_op(lambda lib, x: getattr(lib, name)(x, p, train), shape)


_DROPOUTS = ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout",
             "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_"]


@pytest.mark.parametrize("name", _DROPOUTS)
def test_dropouts_take_only_tensors(name):
    check_same_error_as_torch(lambda lib: getattr(lib, name)([1.0], 0.5, True))


def test_dropout_gradients_follow_the_mask():
    nptorch.manual_seed(0)
    x = nptorch.ones(6, 4, 3, requires_grad=True)
    y = nptorch.feature_dropout(x, 0.5, True)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


@pytest.mark.parametrize("name", ["dropout_", "alpha_dropout_", "feature_dropout_",
                                  "feature_alpha_dropout_"])
def test_inplace_dropouts_write_into_their_input(name):
    nptorch.manual_seed(1)
    x = nptorch.ones(50, 4, 3)
    assert getattr(nptorch, name)(x, 0.5, True) is x
    nptorch.manual_seed(1)
    expected = getattr(nptorch, name.rstrip("_"))(nptorch.ones(50, 4, 3), 0.5, True)
    np.testing.assert_array_equal(x.numpy(), expected.numpy())
    assert len(np.unique(x.numpy())) == 2
    y = nptorch.ones(3, 2)
    assert getattr(nptorch, name)(y, 0.5, False) is y and y.tolist() == [[1.0, 1.0]] * 3


@pytest.mark.parametrize("call", [
    lambda lib: lib.feature_dropout(lib.ones(2, 3), 1.5, True),
    lambda lib: lib.feature_alpha_dropout_(lib.ones(2, 3), -0.5, True),
    lambda lib: lib.alpha_dropout_(lib.ones(2, 3), 1.5, True),
    lambda lib: lib.feature_dropout(lib.ones(3), 0.5, True),
    lambda lib: lib.feature_alpha_dropout_(lib.ones(3), 0.5, True),
])
def test_dropout_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- behaviours of the top-level forms that differ from nn.functional's ------------------------
@pytest.mark.parametrize("fn,specs", [
    (lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y), [(4, 3), _PROBS]),
    (lambda lib, a, b, t: lib.cosine_embedding_loss(a, b, t), [(4, 3), (4, 3), _SIGNS]),
    (lambda lib, x, t: lib.hinge_embedding_loss(x, t.unsqueeze(1)), [(4, 3), _SIGNS]),
    (lambda lib, x, y: lib.kl_div(x, y), [(4, 3), _PROBS]),
    (lambda lib, a, b, t: lib.margin_ranking_loss(a, b, t), [(4,), (4,), _SIGNS]),
    (lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n), [(4, 3), (4, 3), (4, 3)]),
])
def test_loss_default_reduction_is_none_as_in_torch(fn, specs):
    # PyTorch's bindings read the ``Mean`` default of these int reductions as 0
    check_op(fn, *specs)


def test_ctc_loss_default_reduction_is_none_as_in_torch():
    logits = np.random.default_rng(1).standard_normal((6, 2, 5)).astype(np.float32)
    check_op(lambda lib, x, t: lib.ctc_loss(x.log_softmax(2), t, [6, 5], [3, 2]), logits,
             np.array([[1, 2, 2], [3, 1, 0]]))


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_top_level_losses_skip_the_functional_checks(reduction):
    weights = np.array([[1, 2, 3]] * 4)
    # a target broadcast over the input (PyTorch cannot differentiate this one)
    check_op(lambda lib, x, y, w: lib.binary_cross_entropy_with_logits(
        x, y, w[0].to(x.dtype), None, reduction), (3,), _PROBS, weights, grad=False)
    # the output takes the target's dtype
    check_op(lambda lib, x, y: lib.binary_cross_entropy_with_logits(
        x.double(), y, None, None, reduction), (4, 3), _PROBS)
    check_op(lambda lib, x, y, pw: lib.binary_cross_entropy_with_logits(
        x, y, None, pw.to(x.dtype), reduction), (4, 3), _PROBS, weights[0])
    # no check of the dims, nor of the margin's sign
    check_op(lambda lib, a, b, t: lib.margin_ranking_loss(a, b, t, 0.2, reduction),
             (4, 3), (4, 3), (3,))
    check_op(lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n, -0.5, 2.0, 1e-6, True,
                                                          reduction), (4, 3), (4, 3), (4, 3))
    check_op(lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n, 0.0, 1.0, 1e-6, False,
                                                          reduction), (3,), (3,), (3,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.binary_cross_entropy_with_logits(lib.zeros(4, 3), lib.zeros(3)),
    lambda lib: lib.binary_cross_entropy_with_logits(lib.zeros(4, 3), lib.zeros(4, 3,
                                                                                dtype=lib.long)),
    lambda lib: lib.binary_cross_entropy_with_logits(lib.zeros(3), lib.zeros(3), None,
                                                     lib.ones(4, 3)),
    lambda lib: lib.binary_cross_entropy_with_logits(lib.zeros(3), lib.zeros(3), lib.ones(4, 3)),
    lambda lib: lib.kl_div(lib.zeros(3), lib.ones(3, dtype=lib.long)),
    lambda lib: lib.kl_div(lib.zeros(3, dtype=lib.long), lib.ones(3)),
    lambda lib: lib.kl_div(lib.zeros(3), lib.ones(3, dtype=lib.bool)),
    lambda lib: lib.triplet_margin_loss(lib.zeros(2, 3), lib.zeros(3), lib.zeros(2, 3)),
])
def test_top_level_loss_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.embedding(lib.ones(5, 3), lib.tensor([1]), True),
    lambda lib: lib.embedding(lib.ones(5, 3), lib.tensor([1]), 1.0),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1, 2]), lib.tensor([0]), False, 0,
                                  False, None, False, 1.0),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1, 2]), lib.tensor([[0]])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor(1), lib.tensor([0])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1, 2]), lib.tensor([0.0])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3, dtype=lib.long), lib.tensor([1, 2]),
                                  lib.tensor([0])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1, 2]), lib.tensor([0]), False, 0,
                                  False, lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.embedding_bag(lib.ones(5, 3, dtype=lib.float64), lib.tensor([1, 5]),
                                  lib.tensor([0])),
    lambda lib: lib.embedding_bag(lib.ones(5, 3), lib.tensor([1, 2]),
                                  lib.tensor([], dtype=lib.long), False, 0, False, None, True),
    lambda lib: lib.embedding_renorm_(lib.ones(5, 3, dtype=lib.long), lib.tensor([1]), 1.0,
                                      2.0),
    lambda lib: lib.embedding_renorm_(lib.ones(5, 3), lib.tensor([-6]), 1.0, 2.0),
])
def test_embedding_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("psw", [np.ones((2, 3), np.float32), np.ones(5, np.float32)])
def test_embedding_bag_refuses_misshapen_per_sample_weights(psw):
    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match="per_sample_weights"):
            lib.embedding_bag(lib.ones(5, 3), lib.tensor(_BAG_IDX), lib.tensor(_BAG_OFFSETS),
                              False, 0, False, lib.tensor(psw))


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("types", [(np.int32, np.int32), (np.int32, np.int64)])
def test_embedding_bag_bookkeeping_shapes_and_types_match_torch(requires_grad, types):
    weight = np.random.default_rng(6).standard_normal((5, 3)).astype(np.float32)
    offsets = np.array([0, 2, 2, 6])
    for mode in (0, 1, 2):
        check_equal_to_torch(lambda lib: [t.detach() for t in lib.embedding_bag(
            lib.tensor(weight, requires_grad=requires_grad), lib.tensor(_BAG_IDX.astype(types[0])),
            lib.tensor(offsets.astype(types[1])), False, mode, False, None, True)])


def test_embedding_bag_max_mode_ignores_scale_grad_by_freq():
    check_op(lambda lib, w, i, o: lib.embedding_bag(w, i, o, True, 2), (5, 3), _BAG_IDX,
             _BAG_OFFSETS)


def test_embedding_renorm_counts_negative_indices_from_the_end():
    weight = np.random.default_rng(7).standard_normal((5, 3)).astype(np.float32) * 3
    check_equal_to_torch(lambda lib: lib.embedding_renorm_(lib.tensor(weight),
                                                           lib.tensor([-1, 0, -5, 4]), 1.0, 2.0))


_NORM_DTYPES = [(np.float64, np.float32, np.float32), (np.float32, np.float32, np.float64),
                (np.float32, np.float64, np.float32), (np.float16, np.float16, np.float32),
                (np.float16, np.float32, np.float16), (np.float32, np.float64, np.float64),
                (np.float64, np.float64, np.float32)]


def _norm_call(name, dtypes, training, affine):
    x, params, stats = dtypes
    rng = np.random.default_rng(8)
    values = rng.standard_normal((4, 3, 5)), rng.standard_normal(3), rng.uniform(0.5, 2, 3)

    def call(lib):
        mean, var = lib.tensor(values[1].astype(stats)), lib.tensor(values[2].astype(stats))
        w = lib.tensor(values[2].astype(params)) if affine else None
        b = lib.tensor(values[1].astype(params)) if affine else None
        out = getattr(lib, name)(lib.tensor(values[0].astype(x)), w, b, mean, var, training,
                                 0.1, 1e-5, False)
        return out, mean, var
    return call


@pytest.mark.parametrize("name", ["batch_norm", "instance_norm"])
@pytest.mark.parametrize("dtypes", _NORM_DTYPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_normalization_dtypes_match_torch(name, dtypes, training, affine):
    call = _norm_call(name, dtypes, training, affine)
    try:
        theirs = call(torch)
    except RuntimeError:
        check_same_error_as_torch(call)
        return
    ours = call(nptorch)
    tol = 2e-3 if np.float16 in dtypes else 1e-5
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.numpy().astype(np.float64), t.numpy().astype(np.float64),
                                   rtol=tol, atol=tol)


@pytest.mark.parametrize("call", [
    lambda lib: lib.batch_norm(lib.ones(4, 3, 5, dtype=lib.long), None, None, None, None, True,
                               0.1, 1e-5, False),
    lambda lib: lib.batch_norm(lib.ones(4, 2, 5), lib.ones(1), lib.ones(2), lib.ones(3),
                               lib.ones(2), True, 0.1, 1e-5, False),
    lambda lib: lib.instance_norm(lib.ones(4, 2, 5), lib.ones(1), lib.ones(2), lib.ones(3),
                                  lib.ones(2), True, 0.1, 1e-5, False),
    lambda lib: lib.instance_norm(lib.ones(4, 3, 5), None, None, lib.zeros(3), None, True, 0.1,
                                  1e-5, False),
    lambda lib: lib.instance_norm(lib.ones(4, 3, 5), lib.ones(3, 1), None, None, None, True,
                                  0.1, 1e-5, False),
])
def test_more_normalization_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_of_an_empty_input_matches_torch(affine):
    def call(lib):
        mean, var = lib.zeros(3), lib.ones(3)
        w, b = (lib.tensor([2.0, 3.0, 4.0]), lib.tensor([1.0, 0.0, 0.0])) if affine else (None,
                                                                                          None)
        return lib.batch_norm(lib.ones(0, 3, 5), w, b, mean, var, True, 0.1, 1e-5, False), mean, var
    check_equal_to_torch(call)


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_gradients_of_its_affine_parameters_match_torch(use_input_stats):
    stats = [np.zeros(3, np.float32), np.ones(3, np.float32)] if not use_input_stats else []

    def fn(lib, x, w, b):
        running = [lib.tensor(s) for s in stats] or [None, None]
        return lib.instance_norm(x, w, b, *running, use_input_stats, 0.1, 1e-5, False)
    check_op(fn, (2, 3, 4), (3,), (3,))


@pytest.mark.parametrize("value", [-1, 255, 7])
def test_constant_pad_nd_wraps_negative_values_into_uint8(value):
    check_equal_to_torch(lambda lib: lib.constant_pad_nd(lib.ones(3, dtype=lib.uint8), [1, 1],
                                                         value))


@pytest.mark.parametrize("call", [
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1.5, 1]),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [True, 1]),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), lib.tensor([1, 1])),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), 1),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1, 1], None),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), [1, 1], 1j),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3, dtype=lib.long), [1, 1], math.inf),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3, dtype=lib.int32), [1, 1], math.nan),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3, dtype=lib.int8), [1, 1], 300),
    lambda lib: lib.convolution(lib.ones(2, 4, 7), lib.ones(6, 2, 3), None, [1.0], [0], [1],
                                False, [0], 2),
    lambda lib: lib.convolution(lib.ones(2, 4, 7), lib.ones(2, 3), None, [1], [0], [1], False,
                                [0], 1),
])
def test_padding_and_convolution_argument_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("name", _DROPOUTS)
@pytest.mark.parametrize("args", [(None, True), (0.5, 1), (0.5, None), ("a", True),
                                  (math.nan, True), (math.nan, False), (1.5, True), (-0.1, True),
                                  (1.5, False)])
def test_dropout_argument_errors_match_torch(name, args):
    check_same_error_as_torch(lambda lib: getattr(lib, name)(lib.ones(2, 3), *args))


@pytest.mark.parametrize("name", _DROPOUTS)
@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool"])
@pytest.mark.parametrize("p,train", [(0.5, True), (1.0, True), (0.0, True), (0.5, False)])
def test_dropouts_of_integer_tensors_match_torch(name, dtype, p, train):
    check_same_outcome_as_torch(
        lambda lib: getattr(lib, name)(lib.ones(2, 3, dtype=getattr(lib, dtype)), p, train))
