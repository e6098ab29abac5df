"""Muon compared step by step with PyTorch: parameters and momentum buffers after every step.

PyTorch orthogonalizes in bfloat16; nptorch rounds every step of the iteration the same way,
so the updates agree to within a bfloat16 rounding (2**-8 relative) of the orthogonalized
matrix, and exactly on small matrices.
"""
import copy

import numpy as np
import pytest

import nptorch
from nptorch import optim
from nptorch.optim.muon import _round_to_bfloat16, _zeropower_via_newtonschulz

from test_adafactor import _data as _adafactor_data, _params, _run, _step_both

SHAPES = [(4, 6), (7, 3), (5, 5)]


def _data(seed=0, steps=5, dtype=np.float32):
    return _adafactor_data(seed, steps, dtype, SHAPES)


def _bf16_tol(lr, steps=1):
    # a bfloat16 unit in the last place near 1 (orthogonalized entries are below 2), per step
    return 2 ** -7 * lr * steps * 2


CASES = [
    dict(),
    dict(lr=0.02, nesterov=False),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01, adjust_lr_fn="match_rms_adamw"),
    dict(lr=0.01, ns_coefficients=(2.0, -1.5, 0.5), ns_steps=3, adjust_lr_fn="original"),
    dict(lr=0.01, eps=1e-3, weight_decay=0.0, momentum=0.0),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES)
def test_steps_match_torch(torch, device, kwargs, dtype):
    init, grads = _data(dtype=dtype)
    theirs = _params(torch, init)
    ours = _params(nptorch, init, device)
    ref, opt = torch.optim.Muon(theirs, **kwargs), optim.Muon(ours, **kwargs)
    lr = 2 * kwargs.get("lr", 1e-3)  # the adjusted learning rates for SHAPES are below 2 * lr
    for n, _ in enumerate(_step_both(torch, ref, opt, grads), 1):
        for p, q in zip(ours, theirs):
            assert p.dtype == getattr(nptorch, str(q.dtype).split(".")[-1])
            np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().numpy(), rtol=0,
                                       atol=_bf16_tol(lr, n))
            assert sorted(opt.state[p]) == ["momentum_buffer"]
            np.testing.assert_allclose(opt.state[p]["momentum_buffer"].cpu().numpy(),
                                       ref.state[q]["momentum_buffer"].numpy(), rtol=1e-6,
                                       atol=1e-6)


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (16, 32), (40, 9)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_newton_schulz_matches_torch(torch, shape, dtype):
    from torch.optim._muon import _zeropower_via_newtonschulz as reference

    grad = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    expected = reference(torch.tensor(grad), (3.4445, -4.7750, 2.0315), 5, 1e-7)
    got = _zeropower_via_newtonschulz(nptorch.tensor(grad), (3.4445, -4.7750, 2.0315), 5, 1e-7)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected.float().numpy(), rtol=0, atol=2 ** -7)
    # every entry is a bfloat16 value
    np.testing.assert_array_equal(_round_to_bfloat16(got).numpy(), got.numpy())


def test_bfloat16_rounding_matches_torch(torch):
    values = np.random.default_rng(2).standard_normal(10000).astype(np.float32) * 100
    values[:6] = [np.inf, -np.inf, 3.3895e38, 1e-40, -1e-40, 1.0 + 2 ** -8]
    expected = torch.tensor(values).bfloat16().float().numpy()
    np.testing.assert_array_equal(_round_to_bfloat16(nptorch.tensor(values)).numpy(), expected)
    assert np.isnan(_round_to_bfloat16(nptorch.tensor([np.nan])).numpy()).all()
    doubles = np.random.default_rng(3).standard_normal(1000)
    np.testing.assert_array_equal(_round_to_bfloat16(nptorch.tensor(doubles)).numpy(),
                                  torch.tensor(doubles).bfloat16().float().numpy())


def test_state_dict_layout_and_round_trip(torch):
    init, grads = _data(seed=4, steps=6)
    theirs, ours = _params(torch, init), _params(nptorch, init)
    ref = torch.optim.Muon(theirs, lr=0.02)
    opt = optim.Muon(ours, lr=0.02)
    list(_step_both(torch, ref, opt, grads[:1]))
    expected, got = ref.state_dict(), opt.state_dict()
    assert got["param_groups"] == expected["param_groups"]
    assert opt.defaults == ref.defaults
    assert sorted(got["state"]) == sorted(expected["state"]) == [0, 1, 2]
    assert all(sorted(s) == ["momentum_buffer"] for s in got["state"].values())

    saved = copy.deepcopy(got)
    params = _params(nptorch, [p.detach().numpy() for p in ours])
    resumed = optim.Muon(params, lr=1.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.02
    _run(nptorch, opt, grads[1:])
    _run(nptorch, resumed, grads[1:])
    for a, b in zip(ours, params):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_params_without_grad_keep_no_state():
    init, grads = _data(steps=1)
    params = _params(nptorch, init)
    opt = optim.Muon(params, lr=0.1)
    params[0].grad = nptorch.tensor(grads[0][0])
    opt.step()
    assert params[1] not in opt.state
    np.testing.assert_array_equal(params[1].detach().numpy(), init[1])


BAD = [
    dict(lr=-0.1),
    dict(momentum=-0.5),
    dict(weight_decay=-1.0),
    dict(adjust_lr_fn="spectral"),
]


@pytest.mark.parametrize("kwargs", BAD)
def test_bad_arguments_match_torch(torch, kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        optim.Muon([nptorch.zeros(2, 2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_only_2d_parameters(torch, shape):
    with pytest.raises(ValueError) as theirs:
        torch.optim.Muon([torch.zeros(shape, requires_grad=True)])
    with pytest.raises(ValueError) as ours:
        optim.Muon([nptorch.zeros(shape, requires_grad=True)])
    assert str(ours.value) == str(theirs.value).replace("torch.Size", "nptorch.Size")


@pytest.mark.parametrize("kwargs", [dict(ns_steps=100), dict(ns_coefficients=(1.0, 2.0))])
def test_iteration_errors_at_step_match_torch(torch, kwargs):
    errors = []
    for lib, opt_cls in ((torch, torch.optim.Muon), (nptorch, optim.Muon)):
        p = lib.ones(3, 2, requires_grad=True)
        opt = opt_cls([p], **kwargs)
        p.grad = lib.ones(3, 2)
        with pytest.raises(ValueError) as error:
            opt.step()
        errors.append(str(error.value))
    assert errors[0] == errors[1]
