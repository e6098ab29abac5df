"""Losses (nn.functional and Modules) and one_hot against PyTorch."""
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F
from nptorch.autograd import gradcheck, gradgradcheck
from helpers import check_op, check_same_error_as_torch

REDUCTIONS = ["none", "mean", "sum"]
rng = np.random.default_rng(0)


def _f(lib):
    return lib.nn.functional


def _t(lib, a):
    return lib.tensor(a) if lib is nptorch else lib.from_numpy(np.array(a))


def _labels(shape, n_classes, seed=0):
    return np.random.default_rng(seed).integers(0, n_classes, shape).astype(np.int64)


def _probs(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.05, 0.95, shape).astype(np.float32)


def _signs(shape, seed=0):
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


W5 = np.array([0.5, 1.0, 2.0, 1.5, 0.3], np.float32)

# name -> (fn(lib, *inputs, reduction), input specs, check_op keywords)
LOSSES = {
    "l1": (lambda lib, x, t, r: _f(lib).l1_loss(x, t, reduction=r), [(3, 4), (3, 4)], {}),
    "l1_weight": (lambda lib, x, t, r: _f(lib).l1_loss(x, t, reduction=r, weight=_t(lib, _probs((3, 4)))),
                  [(3, 4), (3, 4)], {}),
    "mse": (lambda lib, x, t, r: _f(lib).mse_loss(x, t, reduction=r), [(2, 3, 2), (2, 3, 2)], {}),
    "mse_weight": (lambda lib, x, t, r: _f(lib).mse_loss(x, t, reduction=r, weight=_t(lib, _probs((5,)))),
                   [(5,), (5,)], {}),
    "huber": (lambda lib, x, t, r: _f(lib).huber_loss(x, t, reduction=r, delta=0.7),
              [(4, 3), (4, 3)], {}),
    "huber_weight": (lambda lib, x, t, r: _f(lib).huber_loss(x, t, reduction=r,
                                                             weight=_t(lib, _probs((4, 3)))),
                     [(4, 3), (4, 3)], {}),
    "smooth_l1": (lambda lib, x, t, r: _f(lib).smooth_l1_loss(x, t, reduction=r, beta=0.5),
                  [(4, 3), (4, 3)], {}),
    "smooth_l1_beta0": (lambda lib, x, t, r: _f(lib).smooth_l1_loss(x, t, reduction=r, beta=0.0),
                        [(4, 3), (4, 3)], {}),
    "nll": (lambda lib, x, t, r: _f(lib).nll_loss(x, t, reduction=r), [(4, 5), _labels(4, 5)], {}),
    "nll_unbatched": (lambda lib, x, t, r: _f(lib).nll_loss(x, t, reduction=r),
                      [(5,), np.array(3)], {}),
    "nll_weight_ignore": (lambda lib, x, t, r: _f(lib).nll_loss(
        x, t, weight=_t(lib, W5), ignore_index=2, reduction=r),
        [(6, 5), np.array([0, 2, 4, 1, 2, 3])], {}),
    "nll_extra_dims": (lambda lib, x, t, r: _f(lib).nll_loss(x, t, weight=_t(lib, W5), reduction=r),
                       # PyTorch's 4-D backward rejects non-contiguous gradients
                       [(2, 5, 3, 2), _labels((2, 3, 2), 5)], {"noncontiguous": False}),
    "nll_3d": (lambda lib, x, t, r: _f(lib).nll_loss(x, t, reduction=r), [(2, 5, 3), _labels((2, 3), 5)], {}),
    "cross_entropy": (lambda lib, x, t, r: _f(lib).cross_entropy(x, t, reduction=r),
                      [(4, 5), _labels(4, 5)], {}),
    "cross_entropy_options": (lambda lib, x, t, r: _f(lib).cross_entropy(
        x, t, weight=_t(lib, W5), ignore_index=1, label_smoothing=0.15, reduction=r),
        [(6, 5), np.array([0, 1, 4, 1, 2, 3])], {}),
    "cross_entropy_smoothing": (lambda lib, x, t, r: _f(lib).cross_entropy(
        x, t, label_smoothing=0.3, reduction=r), [(2, 5, 3), _labels((2, 3), 5)], {}),
    "cross_entropy_unbatched": (lambda lib, x, t, r: _f(lib).cross_entropy(x, t, reduction=r),
                                [(5,), np.array(1)], {}),
    "cross_entropy_probs": (lambda lib, x, t, r: _f(lib).cross_entropy(x, t, reduction=r),
                            [(3, 5), _probs((3, 5))], {}),
    "cross_entropy_probs_options": (lambda lib, x, t, r: _f(lib).cross_entropy(
        x, t, weight=_t(lib, W5), label_smoothing=0.2, reduction=r),
        [(2, 5, 3), _probs((2, 5, 3))], {}),
    "bce": (lambda lib, x, t, r: _f(lib).binary_cross_entropy(x, t, reduction=r),
            [_probs((3, 4), 1), _probs((3, 4), 2)], {}),
    "bce_weight": (lambda lib, x, t, r: _f(lib).binary_cross_entropy(
        x, t, weight=_t(lib, _probs((4,), 3)), reduction=r),
        [_probs((3, 4), 1), _probs((3, 4), 2)], {}),
    "bce_logits": (lambda lib, x, t, r: _f(lib).binary_cross_entropy_with_logits(x, t, reduction=r),
                   [(3, 4), _probs((3, 4), 2)], {}),
    "bce_logits_weights": (lambda lib, x, t, r: _f(lib).binary_cross_entropy_with_logits(
        x, t, weight=_t(lib, _probs((3, 1), 4)), pos_weight=_t(lib, _probs((4,), 5) * 3), reduction=r),
        [(3, 4), _probs((3, 4), 2)], {}),
    "kl_div": (lambda lib, x, t, r: _f(lib).kl_div(x, t, reduction=r),
               [(3, 4), _probs((3, 4), 2)], {}),
    "kl_div_log_target": (lambda lib, x, t, r: _f(lib).kl_div(x, t, reduction=r, log_target=True),
                          [(3, 4), (3, 4)], {}),
    "margin_ranking": (lambda lib, a, b, y, r: _f(lib).margin_ranking_loss(a, b, y, 0.3, reduction=r),
                       [(6,), (6,), _signs(6)], {}),
    "hinge_embedding": (lambda lib, x, y, r: _f(lib).hinge_embedding_loss(x, y, 0.8, reduction=r),
                        [(3, 4), _signs((3, 4))], {}),
    "cosine_embedding": (lambda lib, a, b, y, r: _f(lib).cosine_embedding_loss(
        a, b, y, 0.1, reduction=r), [(4, 3), (4, 3), _signs(4, 3)], {}),
    "cosine_embedding_unbatched": (lambda lib, a, b, y, r: _f(lib).cosine_embedding_loss(
        a, b, y, reduction=r), [(3,), (3,), np.array(-1.0, np.float32)], {}),
    "triplet": (lambda lib, a, p, n, r: _f(lib).triplet_margin_loss(a, p, n, margin=2.0, reduction=r),
                [(4, 3), (4, 3), (4, 3)], {}),
    "triplet_p1_swap": (lambda lib, a, p, n, r: _f(lib).triplet_margin_loss(
        a, p, n, margin=3.0, p=1, swap=True, reduction=r), [(4, 3), (4, 3), (4, 3)], {}),
    "poisson": (lambda lib, x, t, r: _f(lib).poisson_nll_loss(x, t, reduction=r),
                [(3, 4), _probs((3, 4)) * 3], {}),
    "poisson_full": (lambda lib, x, t, r: _f(lib).poisson_nll_loss(
        x, t, log_input=False, full=True, reduction=r), [_probs((3, 4), 1) + 0.5, _probs((3, 4)) * 3], {}),
    "gaussian": (lambda lib, x, t, v, r: _f(lib).gaussian_nll_loss(x, t, v, reduction=r),
                 [(3, 4), (3, 4), _probs((3, 4), 3)], {}),
    "gaussian_homoscedastic": (lambda lib, x, t, v, r: _f(lib).gaussian_nll_loss(
        x, t, v, full=True, reduction=r), [(3, 4), (3, 4), _probs((3,), 3)], {}),
    "gaussian_one_dim": (lambda lib, x, t, v, r: _f(lib).gaussian_nll_loss(x, t, v, reduction=r),
                         [(3, 4), (3, 4), _probs((3, 1), 3)], {}),
    "gaussian_float_var": (lambda lib, x, t, r: _f(lib).gaussian_nll_loss(x, t, 0.5, reduction=r),
                           [(3, 4), (3, 4)], {}),
    "soft_margin": (lambda lib, x, y, r: _f(lib).soft_margin_loss(x, y, reduction=r),
                    [(3, 4), _signs((3, 4)).astype(np.int64)], {}),
    "multilabel_soft_margin": (lambda lib, x, t, r: _f(lib).multilabel_soft_margin_loss(
        x, t, reduction=r), [(3, 4), (_probs((3, 4)) > 0.5).astype(np.float32)], {}),
    "multilabel_soft_margin_weight": (lambda lib, x, t, r: _f(lib).multilabel_soft_margin_loss(
        x, t, weight=_t(lib, _probs((4,), 3)), reduction=r), [(3, 4), _probs((3, 4))], {}),
    "multilabel_soft_margin_unbatched": (lambda lib, x, t, r: _f(lib).multilabel_soft_margin_loss(
        x, t, reduction=r), [(4,), _probs((4,))], {}),
    "multi_margin": (lambda lib, x, t, r: _f(lib).multi_margin_loss(x, t, reduction=r),
                     [(4, 5), _labels(4, 5)], {}),
    "multi_margin_p2_weight": (lambda lib, x, t, r: _f(lib).multi_margin_loss(
        x, t, p=2, margin=0.7, weight=_t(lib, W5), reduction=r), [(6, 5), _labels(6, 5, 1)], {}),
    "multi_margin_unbatched": (lambda lib, x, t, r: _f(lib).multi_margin_loss(x, t, reduction=r),
                               [(5,), np.array(2)], {}),
    # targets end at the first -1; a class listed twice counts twice
    "multilabel_margin": (lambda lib, x, t, r: _f(lib).multilabel_margin_loss(x, t, reduction=r),
                          [(3, 4), np.array([[3, 0, -1, 1], [1, 1, 2, -1], [0, 1, 2, 3]])], {}),
    "multilabel_margin_unbatched": (lambda lib, x, t, r: _f(lib).multilabel_margin_loss(
        x, t, reduction=r), [(4,), np.array([2, -1, 0, 0])], {}),
    "triplet_distance": (lambda lib, a, p, n, r: _f(lib).triplet_margin_with_distance_loss(
        a, p, n, margin=2.0, reduction=r), [(4, 3), (4, 3), (4, 3)], {}),
    "triplet_distance_custom_swap": (lambda lib, a, p, n, r: _f(lib).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda u, v: (u - v).abs().sum(-1), margin=3.0, swap=True,
        reduction=r), [(4, 3), (4, 3), (4, 3)], {}),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_matches_torch(name, reduction):
    fn, specs, kwargs = LOSSES[name]
    check_op(lambda lib, *xs: fn(lib, *xs, reduction), *specs, **kwargs)


def test_kl_div_batchmean_and_mean_warning(torch):
    x, t = rng.standard_normal((3, 4)).astype(np.float32), _probs((3, 4))
    ours = F.kl_div(nptorch.tensor(x), nptorch.tensor(t), reduction="batchmean")
    theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t), reduction="batchmean")
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(nptorch.tensor(x), nptorch.tensor(t))


def test_legacy_reduction_arguments(torch):
    x, t = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    for size_average, reduce, expected in [(None, False, "none"), (False, None, "sum"),
                                           (True, True, "mean")]:
        with pytest.warns(UserWarning, match=f"please use reduction='{expected}' instead"):
            ours = F.mse_loss(nptorch.tensor(x), nptorch.tensor(t), size_average, reduce)
        np.testing.assert_allclose(ours.numpy(), F.mse_loss(nptorch.tensor(x), nptorch.tensor(t),
                                                            reduction=expected).numpy())
        with pytest.warns(UserWarning):
            assert nn.L1Loss(size_average, reduce).reduction == expected


def test_mse_broadcast_warning():
    with pytest.warns(UserWarning, match=r"Using a target size \(nptorch.Size\(\[3, 1\]\)\) that is "
                                         r"different to the input size \(nptorch.Size\(\[3, 4\]\)\)"):
        out = F.mse_loss(nptorch.zeros(3, 4), nptorch.ones(3, 1), reduction="none")
    assert out.shape == (3, 4) and out.sum().item() == 12


def test_bce_clamps_log():
    out = F.binary_cross_entropy(nptorch.tensor([0.0, 1.0]), nptorch.tensor([1.0, 0.0]),
                                 reduction="none")
    np.testing.assert_allclose(out.numpy(), [100.0, 100.0])


def test_bce_with_logits_is_stable():
    out = F.binary_cross_entropy_with_logits(nptorch.tensor([200.0, -200.0]),
                                             nptorch.tensor([0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [200.0, 200.0])


def test_nll_mean_divides_by_weights_of_kept_targets(torch):
    x = rng.standard_normal((4, 3)).astype(np.float32)
    t = np.array([0, 2, 1, 2])
    w = np.array([1.0, 2.0, 4.0], np.float32)
    ours = F.nll_loss(nptorch.tensor(x), nptorch.tensor(t), weight=nptorch.tensor(w), ignore_index=1)
    expected = -(x[0, 0] * 1 + x[1, 2] * 4 + x[3, 2] * 4) / 9
    np.testing.assert_allclose(ours.item(), expected, rtol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
def test_every_target_ignored_matches_torch(torch, loss, reduction):
    """The mean over no kept target is 0 / 0 (NaN), and the gradient is 0 everywhere."""
    x = rng.standard_normal((3, 4)).astype(np.float32)
    results = []
    for lib in (nptorch, torch):
        xt = lib.tensor(x, requires_grad=True)
        out = getattr(lib.nn.functional, loss)(xt, lib.tensor([-100, -100, -100]),
                                               reduction=reduction)
        out.sum().backward()
        results.append((out.detach().numpy(), xt.grad.numpy()))
    (ours, ours_grad), (theirs, theirs_grad) = results
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ours_grad, theirs_grad)
    assert not ours_grad.any()


@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("weight, target", [([0.0, 1.0, 1.0], [0, 0, -100]),
                                            ([1.0, -1.0, 0.0], [0, 1, 2])])
def test_mean_over_zero_total_weight_gradient_matches_torch(torch, loss, weight, target):
    """A kept target's gradient is -w[t] / 0 (NaN or infinite), an ignored one's 0."""
    x = rng.standard_normal((3, 3))
    grads = []
    for lib in (nptorch, torch):
        xt = lib.tensor(x, requires_grad=True)
        out = getattr(lib.nn.functional, loss)(xt, lib.tensor(target),
                                               weight=lib.tensor(weight, dtype=lib.float64))
        out.backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_array_equal(*grads)


def _ctc_case(seed=0):
    r = np.random.default_rng(seed)
    T, N, C = 7, 3, 5
    logits = r.standard_normal((T, N, C))
    targets = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 1]])
    return logits, targets, [7, 5, 6], [3, 2, 1]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("concatenated", [False, True])
def test_ctc_loss_matches_torch(torch, reduction, concatenated):
    logits, targets, il, tl = _ctc_case()
    if concatenated:
        targets = np.concatenate([row[:n] for row, n in zip(targets, tl)])
    results = []
    for lib in (nptorch, torch):
        z = lib.tensor(logits, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(lib.nn.functional.log_softmax(z, 2), lib.tensor(targets),
                                          lib.tensor(il), lib.tensor(tl), reduction=reduction)
        g = np.random.default_rng(2).standard_normal(tuple(loss.shape))
        loss.backward(lib.tensor(g))
        results.append((loss.detach().numpy(), z.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-8, atol=1e-12)


def test_ctc_gradient_on_log_probs_and_gradcheck(torch):
    logits, targets, il, tl = _ctc_case(1)
    lp = torch.log_softmax(torch.tensor(logits), 2)
    theirs = lp.clone().requires_grad_()
    torch.nn.functional.ctc_loss(theirs, torch.tensor(targets), torch.tensor(il), torch.tensor(tl),
                                 reduction="sum").backward()
    ours = nptorch.tensor(lp.numpy(), requires_grad=True)
    F.ctc_loss(ours, nptorch.tensor(targets), il, tl, reduction="sum").backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-8, atol=1e-12)
    z = nptorch.tensor(logits, requires_grad=True)
    assert gradcheck(lambda z: F.ctc_loss(F.log_softmax(z, 2), nptorch.tensor(targets), il, tl), (z,))


def test_ctc_unbatched_and_zero_infinity(torch):
    logits, targets, _, _ = _ctc_case()
    lp = np.log(np.exp(logits[:, 0]) / np.exp(logits[:, 0]).sum(-1, keepdims=True))
    ours = F.ctc_loss(nptorch.tensor(lp), nptorch.tensor(targets[0]), 7, 3, reduction="none")
    theirs = torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor(targets[0]),
                                          torch.tensor(7), torch.tensor(3), reduction="none")
    assert ours.shape == () and np.isclose(ours.item(), theirs.item())
    # 3 labels with a repeat need 4 frames: 2 frames are impossible
    x = nptorch.tensor(lp[:2, None], requires_grad=True)
    inf = F.ctc_loss(x, nptorch.tensor(targets[:1]), [2], [3], reduction="sum")
    assert inf.item() == float("inf")
    zero = F.ctc_loss(x, nptorch.tensor(targets[:1]), [2], [3], reduction="sum", zero_infinity=True)
    zero.backward()
    assert zero.item() == 0 and not x.grad.numpy().any()


def test_one_hot(torch):
    t = np.array([[0, 3], [1, 1]])
    ours = F.one_hot(nptorch.tensor(t))
    assert ours.dtype == nptorch.int64 and ours.shape == (2, 2, 4)
    np.testing.assert_array_equal(ours.numpy(), torch.nn.functional.one_hot(torch.tensor(t)).numpy())
    np.testing.assert_array_equal(F.one_hot(nptorch.tensor([2]), 5).numpy(), [[0, 0, 1, 0, 0]])


@pytest.mark.parametrize("fn", [
    lambda x: F.cross_entropy(x, nptorch.tensor([1, 0, 3])),
    lambda x: F.cross_entropy(x, nptorch.tensor([1, 0, 3]), label_smoothing=0.1,
                              weight=nptorch.tensor(W5[:4].astype(np.float64))),
    lambda x: F.mse_loss(x, nptorch.ones(3, 4, dtype=nptorch.float64)),
    lambda x: F.binary_cross_entropy(x.sigmoid(), nptorch.full((3, 4), 0.3, dtype=nptorch.float64)),
    lambda x: F.binary_cross_entropy_with_logits(x, nptorch.full((3, 4), 0.3,
                                                                 dtype=nptorch.float64)),
    lambda x: F.kl_div(F.log_softmax(x, 1), nptorch.full((3, 4), 0.25, dtype=nptorch.float64),
                       reduction="batchmean"),
])
def test_double_backward(fn):
    x = nptorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradgradcheck(fn, (x,))


MODULES = [
    ("L1Loss", {}, "l1_loss", {}), ("MSELoss", {"reduction": "sum"}, "mse_loss", {"reduction": "sum"}),
    ("HuberLoss", {"delta": 0.5}, "huber_loss", {"delta": 0.5}),
    ("SmoothL1Loss", {"beta": 0.5}, "smooth_l1_loss", {"beta": 0.5}),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, "kl_div",
     {"reduction": "batchmean", "log_target": True}),
    ("PoissonNLLLoss", {"full": True}, "poisson_nll_loss", {"full": True}),
]


@pytest.mark.parametrize("cls, kwargs, fn, fkwargs", MODULES)
def test_regression_modules(torch, cls, kwargs, fn, fkwargs):
    x, t = rng.standard_normal((3, 4)).astype(np.float32), _probs((3, 4)) * 2
    module = getattr(nn, cls)(**kwargs)
    assert repr(module) == repr(getattr(torch.nn, cls)(**kwargs))
    ours = module(nptorch.tensor(x), nptorch.tensor(t))
    np.testing.assert_allclose(ours.numpy(), getattr(F, fn)(nptorch.tensor(x), nptorch.tensor(t),
                                                            **fkwargs).numpy())
    theirs = getattr(torch.nn, cls)(**kwargs)(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)


def test_weighted_modules_register_buffers(torch):
    w = nptorch.tensor(W5)
    for cls, kwargs in [("NLLLoss", {"ignore_index": 1}),
                        ("CrossEntropyLoss", {"ignore_index": 1, "label_smoothing": 0.1}),
                        ("BCELoss", {})]:
        module = getattr(nn, cls)(w, **kwargs)
        assert repr(module) == repr(getattr(torch.nn, cls)(torch.tensor(W5), **kwargs))
        assert list(module.state_dict()) == ["weight"] and module.weight is w
    x = rng.standard_normal((4, 5)).astype(np.float32)
    t = np.array([1, 0, 4, 2])
    ce = nn.CrossEntropyLoss(w, ignore_index=1, label_smoothing=0.1, reduction="sum")
    tce = torch.nn.CrossEntropyLoss(torch.tensor(W5), ignore_index=1, label_smoothing=0.1,
                                    reduction="sum")
    np.testing.assert_allclose(ce(nptorch.tensor(x), nptorch.tensor(t)).item(),
                               tce(torch.tensor(x), torch.tensor(t)).item(), rtol=1e-5)
    nll = nn.NLLLoss(w, ignore_index=1)
    np.testing.assert_allclose(nll(nptorch.tensor(x), nptorch.tensor(t)).item(),
                               torch.nn.NLLLoss(torch.tensor(W5), ignore_index=1)(
                                   torch.tensor(x), torch.tensor(t)).item(), rtol=1e-5)
    pw = nptorch.tensor([2.0, 3.0])
    bce = nn.BCEWithLogitsLoss(pos_weight=pw)
    assert list(bce.state_dict()) == ["pos_weight"] and bce.pos_weight is pw
    z, y = rng.standard_normal((3, 2)).astype(np.float32), _probs((3, 2))
    np.testing.assert_allclose(
        bce(nptorch.tensor(z), nptorch.tensor(y)).item(),
        torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 3.0]))(torch.tensor(z),
                                                                       torch.tensor(y)).item(),
        rtol=1e-6)
    p = _probs((2, 5), 3)
    np.testing.assert_allclose(nn.BCELoss(w)(nptorch.tensor(p), nptorch.tensor(p[::-1].copy())).item(),
                               torch.nn.BCELoss(torch.tensor(W5))(
                                   torch.tensor(p), torch.tensor(p[::-1].copy())).item(), rtol=1e-6)


def test_embedding_and_ranking_modules(torch):
    a, b = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((4, 3)).astype(np.float32)
    c, y = rng.standard_normal((4, 3)).astype(np.float32), _signs(4)
    cases = [("MarginRankingLoss", {"margin": 0.2}, (a[:, 0], b[:, 0], y)),
             ("HingeEmbeddingLoss", {"margin": 0.5}, (a, _signs((4, 3)))),
             ("CosineEmbeddingLoss", {"margin": 0.1}, (a, b, y)),
             ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True}, (a, b, c)),
             ("GaussianNLLLoss", {"full": True}, (a, b, _probs((4, 3)))),
             ("SoftMarginLoss", {"reduction": "sum"}, (a, _signs((4, 3)))),
             ("MultiLabelSoftMarginLoss", {}, (a, _probs((4, 3)))),
             ("MultiMarginLoss", {"p": 2, "margin": 0.5}, (a, _labels(4, 3))),
             ("MultiLabelMarginLoss", {}, (a, np.array([[2, -1, 0]] * 4))),
             ("TripletMarginWithDistanceLoss", {"margin": 0.5, "swap": True}, (a, b, c)),
             ("CTCLoss", {"blank": 4, "reduction": "sum"}, None)]
    for cls, kwargs, inputs in cases:
        module, tmodule = getattr(nn, cls)(**kwargs), getattr(torch.nn, cls)(**kwargs)
        assert repr(module) == repr(tmodule)
        if inputs is not None:
            np.testing.assert_allclose(module(*map(nptorch.tensor, inputs)).item(),
                                       tmodule(*map(torch.tensor, inputs)).item(), rtol=1e-5)
    logits, targets, il, tl = _ctc_case()
    lp = torch.log_softmax(torch.tensor(logits), 2)
    np.testing.assert_allclose(
        nn.CTCLoss(blank=4)(nptorch.tensor(lp.numpy()), nptorch.tensor(targets % 4),
                            nptorch.tensor(il), nptorch.tensor(tl)).item(),
        torch.nn.CTCLoss(blank=4)(lp, torch.tensor(targets % 4), torch.tensor(il),
                                  torch.tensor(tl)).item(), rtol=1e-10)


X = nptorch.ones(3, 5)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: F.nll_loss(X, nptorch.tensor([1, 2, 3, 4])), ValueError,
     r"Expected input batch_size \(3\) to match target batch_size \(4\)."),
    (lambda: F.cross_entropy(X, nptorch.tensor([1, 2, 5])), IndexError, "Target 5 is out of bounds."),
    (lambda: F.nll_loss(X, nptorch.tensor([1, -1, 2])), IndexError, "Target -1 is out of bounds."),
    (lambda: F.nll_loss(X, nptorch.tensor([1.0, 2.0, 3.0])), RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    (lambda: F.cross_entropy(X, nptorch.ones(3, 4)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    (lambda: F.cross_entropy(X, nptorch.ones(3, 5, dtype=nptorch.int64)), RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    (lambda: F.cross_entropy(X, nptorch.ones(3, 5), ignore_index=1), RuntimeError,
     "ignore_index is not supported for floating point target"),
    (lambda: F.cross_entropy(X, nptorch.tensor([1, 2, 3]), reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    (lambda: F.kl_div(X, X, reduction="batch"), ValueError, "batch is not a valid value for reduction"),
    (lambda: F.cross_entropy(X, nptorch.tensor([1, 2, 3]), label_smoothing=1.5), RuntimeError,
     "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    (lambda: F.nll_loss(X, nptorch.tensor([1, 2, 3]), weight=nptorch.ones(4)), RuntimeError,
     r"weight tensor should be defined either for all 5 classes or no classes but got weight "
     r"tensor of shape: \[4\]"),
    (lambda: F.nll_loss(nptorch.tensor(1.0), nptorch.tensor(1)), ValueError,
     r"Expected 1 or more dimensions \(got 0\)"),
    (lambda: F.nll_loss(nptorch.ones(2, 3, 4), nptorch.zeros(2, 5, dtype=nptorch.int64)),
     RuntimeError, r"Expected target size \[2, 4\], got \[2, 5\]"),
    (lambda: F.nll_loss(nptorch.ones(2, 3, 4, 5), nptorch.zeros(2, 4, dtype=nptorch.int64)),
     RuntimeError, "only batches of spatial targets supported \\(3D tensors\\) but got targets of "
                   "dimension: 2"),
    (lambda: F.nll_loss(nptorch.ones(2, 3, 4, 5), nptorch.zeros(2, 4, 6, dtype=nptorch.int64)),
     RuntimeError, r"size mismatch \(got input: \[2, 3, 4, 5\] , target: \[2, 4, 6\]"),
    (lambda: F.binary_cross_entropy(nptorch.ones(3) / 2, nptorch.ones(4)), ValueError,
     r"Using a target size \(nptorch.Size\(\[4\]\)\) that is different to the input size "
     r"\(nptorch.Size\(\[3\]\)\) is deprecated. Please ensure they have the same size."),
    (lambda: F.binary_cross_entropy(nptorch.ones(3) * 2, nptorch.ones(3)), RuntimeError,
     "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy_with_logits(nptorch.ones(3), nptorch.ones(4)), ValueError,
     r"Target size \(nptorch.Size\(\[4\]\)\) must be the same as input size"),
    (lambda: F.mse_loss(X, X, reduction="foo"), ValueError, "foo is not a valid value for reduction"),
    (lambda: F.l1_loss(X, X, weight=nptorch.ones(3)), ValueError,
     "Weights and input must have the same size."),
    (lambda: F.huber_loss(X, X, delta=0.0), RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    (lambda: F.smooth_l1_loss(X, X, beta=-1.0), RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    (lambda: F.margin_ranking_loss(nptorch.ones(3), nptorch.ones(3), nptorch.ones(3, 1)),
     RuntimeError, "margin_ranking_loss : All input tensors should have same dimension but got "
                   r"sizes: input1: nptorch.Size\(\[3\]\)"),
    (lambda: F.cosine_embedding_loss(X, X, nptorch.ones(3, 1)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    (lambda: F.cosine_embedding_loss(X, X, nptorch.tensor(1.0)), RuntimeError,
     r"0D target tensor expects 1D input tensors, but found inputs with sizes \[3, 5\] and \[3, 5\]."),
    (lambda: F.triplet_margin_loss(X, X, nptorch.ones(5)), RuntimeError,
     "anchor 2D, positive 2D, and negative 1D inputs"),
    (lambda: F.triplet_margin_loss(X, X, X, margin=0), ValueError,
     "margin must be greater than 0, got 0"),
    (lambda: nn.TripletMarginLoss(margin=-1.0), ValueError,
     "TripletMarginLoss: expected margin to be greater than 0, got -1.0 instead"),
    (lambda: F.multi_margin_loss(X, nptorch.tensor([0, 1, 2]), p=3), ValueError,
     "only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(X, nptorch.tensor([0, 1, 5])), RuntimeError, "target out of range"),
    (lambda: F.multi_margin_loss(X, nptorch.tensor([0.0, 1.0, 2.0])), RuntimeError,
     "expected scalar type Long but found Float"),
    (lambda: F.multi_margin_loss(X, nptorch.tensor([[0], [1], [2]])), RuntimeError,
     r"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
     r"samples \(batch size\). Expected target size \[3\], but got \[3, 1\]. Input has shape "
     r"\[3, 5\]."),
    (lambda: F.multi_margin_loss(X, nptorch.tensor([0, 1, 2]), weight=nptorch.ones(4)),
     RuntimeError, r"inconsistent weight size, expected 5 but got \[4\]"),
    (lambda: F.multi_margin_loss(nptorch.ones(2, 3, 4), nptorch.tensor([0, 1])), RuntimeError,
     r"Expected non-empty vector or matrix with optional 0-dim batch size, but got: \[2, 3, 4\]"),
    (lambda: nn.MultiMarginLoss(weight=nptorch.ones(2, 2)), ValueError,
     "MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead"),
    (lambda: F.multilabel_margin_loss(X, nptorch.tensor([0, 1, 2])), RuntimeError,
     r"inconsistent target size: \[3\] for input of size: \[3, 5\]"),
    (lambda: F.multilabel_margin_loss(X, nptorch.full((3, 5), 5, dtype=nptorch.int64)),
     RuntimeError, "argument #2 'target' is out of range"),
    (lambda: F.soft_margin_loss(X, X.clone().requires_grad_()), RuntimeError,
     "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'."),
    (lambda: F.triplet_margin_with_distance_loss(X, X, X, margin=0), ValueError,
     "margin must be greater than 0, got 0"),
    (lambda: nn.TripletMarginWithDistanceLoss(margin=-1.0), ValueError,
     "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got -1.0 instead"),
    (lambda: F.gaussian_nll_loss(X, X, nptorch.ones(2)), ValueError, "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(X, X, -X), ValueError, "var has negative entry/entries"),
    (lambda: F.gaussian_nll_loss(X, X, -1.0), ValueError, "var has negative entry/entries"),
    (lambda: F.gaussian_nll_loss(X, X, X, reduction="foo"), ValueError, "foo is not valid"),
    (lambda: F.poisson_nll_loss(X, X, reduction="foo"), ValueError,
     "foo is not a valid value for reduction"),
    (lambda: F.one_hot(nptorch.tensor([1, -1])), RuntimeError, "Class values must be non-negative."),
    (lambda: F.one_hot(nptorch.tensor([1, 5]), 3), RuntimeError,
     "Class values must be smaller than num_classes."),
    (lambda: F.one_hot(nptorch.tensor([1.0])), RuntimeError,
     "one_hot is only applicable to index tensor of type LongTensor."),
    (lambda: F.one_hot(nptorch.tensor([], dtype=nptorch.int64)), RuntimeError,
     "Can not infer total number of classes from empty tensor."),
    (lambda: F.ctc_loss(nptorch.ones(4, 2, 3), nptorch.ones(2, 2, dtype=nptorch.int64), [5, 4],
                        [2, 2]), RuntimeError, "Expected input_lengths to have value at most 4, "
                                               "but got value 5"),
    (lambda: F.ctc_loss(nptorch.ones(4, 2, 3), nptorch.ones(2, 2, dtype=nptorch.int64), [4, 4],
                        [3, 2]), RuntimeError, "Expected tensor to have size at least 3 at "
                                               "dimension 1, but got size 2"),
    (lambda: F.ctc_loss(nptorch.ones(4, 2, 3), nptorch.ones(2, 2, dtype=nptorch.int64), [4], [2]),
     RuntimeError, "input_lengths must be of size batch_size, 2"),
    (lambda: F.ctc_loss(nptorch.ones(4, 2, 3), nptorch.ones(2, 2, dtype=nptorch.int64), [4, 4],
                        [2, 2], blank=3), RuntimeError, "blank must be in label range"),
])
def test_errors(call, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=match):
            call()


@pytest.mark.parametrize("dtypes", [("int64", "float32"), ("float32", "int64"), ("int32", "int32"),
                                    ("bool", "float32"), ("float32", "bool"), ("uint8", "uint8")])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_refuses_integral_inputs(dtypes, log_target):
    check_same_error_as_torch(lambda lib: lib.nn.functional.kl_div(
        lib.ones(2, 3, dtype=getattr(lib, dtypes[0])), lib.ones(2, 3, dtype=getattr(lib, dtypes[1])),
        reduction="sum", log_target=log_target))


# (input, target, weight, pos_weight) dtypes: the loss has the target's dtype
@pytest.mark.parametrize("dtypes", [
    ("float32", "float32", None, None), ("float16", "float16", None, None),
    ("float64", "float32", None, None), ("float32", "float16", None, None),
    ("float16", "float32", None, None), ("float32", "float64", None, None),
    ("float32", "float32", "float64", "float64"), ("float16", "float16", "float32", "float32"),
    ("float64", "float32", "float16", "float64")])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_dtypes_match_torch(torch, dtypes, reduction):
    x = rng.standard_normal((4, 3)) * 3
    arrays = (x, _probs((4, 3)), _probs((3,), seed=1) + 0.5, _probs((3,), seed=2) * 3)
    results = []
    for lib in (nptorch, torch):
        x, t, w, pw = (None if d is None else lib.tensor(a.astype(d))
                       for a, d in zip(arrays, dtypes))
        x.requires_grad_()
        loss = lib.nn.functional.binary_cross_entropy_with_logits(
            x, t, weight=w, pos_weight=pw, reduction=reduction)
        loss.sum().backward()
        results.append((loss, x.grad))
    tol = 2e-3 if "float16" in dtypes else 1e-6
    for ours, theirs in zip(*results):
        assert str(ours.dtype) == str(theirs.dtype).replace("torch", "nptorch")
        np.testing.assert_allclose(ours.detach().double().numpy(),
                                   theirs.detach().double().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("kwargs", [{"weight": (1, 2, 3)}, {"pos_weight": (2, 1, 3)},
                                    {"weight": (5, 2, 3)}, {"pos_weight": (4,)},
                                    {"weight": (3, 1)}])
def test_bce_with_logits_weights_must_broadcast_to_the_loss(kwargs):
    check_same_error_as_torch(lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(2, 3), lib.ones(2, 3), reduction="none",
        **{k: lib.ones(shape) for k, shape in kwargs.items()}))


@pytest.mark.parametrize("name", ["weight", "pos_weight"])
def test_bce_with_logits_weights_are_not_differentiable(torch, name):
    def call(lib):
        return lib.nn.functional.binary_cross_entropy_with_logits(
            lib.zeros(2, 3), lib.ones(2, 3), **{name: lib.full((3,), 2.0, requires_grad=True)})
    check_same_error_as_torch(call)
    with nptorch.no_grad(), torch.no_grad():
        np.testing.assert_allclose(call(nptorch).numpy(), call(torch).numpy(), rtol=1e-6)


def test_bce_with_logits_target_size_matches_torch():
    check_same_error_as_torch(lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(2, 3), lib.ones(3)), nptorch_names=("Size",))
