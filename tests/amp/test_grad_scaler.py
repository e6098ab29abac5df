"""GradScaler against PyTorch's CPU GradScaler: scales over a run with injected infs, skipped
steps, parameters after each step with every optimizer, clipping after unscale_, state_dict,
errors and warnings."""
import pickle
import warnings

import numpy as np
import pytest

import nptorch

X = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
W = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
INF_STEPS = {1, 4, 5}

OPTIMIZERS = [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.01}),
              ("AdamW", {"lr": 0.01}), ("RMSprop", {"lr": 0.01}), ("Adagrad", {"lr": 0.1}),
              ("Adadelta", {}), ("Adamax", {"lr": 0.01}), ("NAdam", {"lr": 0.01}),
              ("RAdam", {"lr": 0.01}), ("ASGD", {"lr": 0.01}), ("Rprop", {"lr": 0.01})]


def _train(lib, opt_name, opt_kwargs, steps=8, clip=None):
    """Scales, the parameter after each step, and step return values."""
    w = lib.nn.Parameter(lib.tensor(W))
    opt = getattr(lib.optim, opt_name)([w], **opt_kwargs)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
    scales, params = [], []
    x = lib.tensor(X)
    for step in range(steps):
        opt.zero_grad()
        loss = (x @ w.t()).pow(2).mean()
        scaler.scale(loss).backward()
        if step in INF_STEPS:
            with lib.no_grad():
                w.grad[0, step % 4] = float("inf") if step % 2 else float("nan")
        if clip is not None:
            scaler.unscale_(opt)
            lib.nn.utils.clip_grad_norm_([w], clip)
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
        params.append(w.detach().numpy().copy())
    return scales, params, scaler


@pytest.mark.parametrize("opt_name, opt_kwargs", OPTIMIZERS)
def test_steps_and_scales_match_pytorch(torch, opt_name, opt_kwargs):
    scales, params, _ = _train(nptorch, opt_name, opt_kwargs)
    t_scales, t_params, _ = _train(torch, opt_name, opt_kwargs)
    assert scales == t_scales
    for p, t_p in zip(params, t_params):
        np.testing.assert_allclose(p, t_p, rtol=1e-5, atol=1e-6)


def test_scale_sequence_and_skipped_steps():
    scales, params, scaler = _train(nptorch, "SGD", {"lr": 0.1})
    # 1024: step 0 clean; 1 inf: halve; 2, 3 clean: double; 4, 5 inf: halve twice; 6, 7 clean
    assert scales == [1024.0, 512.0, 512.0, 1024.0, 512.0, 256.0, 256.0, 512.0]
    for step in INF_STEPS:
        np.testing.assert_array_equal(params[step], params[step - 1])
    assert not np.array_equal(params[2], params[1])
    assert scaler.state_dict() == {"scale": 512.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                                   "growth_interval": 2, "_growth_tracker": 0}


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_clipping_between_unscale_and_step_matches_pytorch(torch):
    scales, params, _ = _train(nptorch, "SGD", {"lr": 0.1}, clip=0.5)
    t_scales, t_params, _ = _train(torch, "SGD", {"lr": 0.1}, clip=0.5)
    assert scales == t_scales
    for p, t_p in zip(params, t_params):
        np.testing.assert_allclose(p, t_p, rtol=1e-5, atol=1e-6)


def test_unscale_divides_gradients_and_step_returns_optimizer_result():
    w = nptorch.nn.Parameter(nptorch.tensor(W))
    opt = nptorch.optim.SGD([w], lr=0.1)
    scaler = nptorch.amp.GradScaler("cpu", init_scale=4.0)
    loss = (w * 3).sum()
    scaled = scaler.scale(loss)
    assert scaled.item() == pytest.approx(loss.item() * 4, rel=1e-6)
    scaled.backward()
    np.testing.assert_allclose(w.grad.numpy(), np.full_like(W, 12.0))
    scaler.unscale_(opt)
    np.testing.assert_allclose(w.grad.numpy(), np.full_like(W, 3.0))
    assert scaler.step(opt) is None
    np.testing.assert_allclose(w.detach().numpy(), W - 0.3, rtol=1e-6)


def test_scale_of_lists_and_tuples():
    scaler = nptorch.amp.GradScaler("cpu", init_scale=8.0)
    a, b = nptorch.ones(2), nptorch.ones(3)
    out = scaler.scale([a, (b,)])
    assert isinstance(out, list) and isinstance(out[1], tuple)
    np.testing.assert_array_equal(out[1][0].numpy(), np.full(3, 8.0, np.float32))
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale([1.0])


def _scaled_backward(scaler, opt, w):
    opt.zero_grad()
    scaler.scale((w * w).sum()).backward()


def test_errors_match_pytorch(torch):
    for lib in (nptorch, torch):
        w = lib.nn.Parameter(lib.tensor(W))
        opt = lib.optim.SGD([w], lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match=r"^Attempted unscale_ but _scale is None.  This "
                                                 r"may indicate your script did not use "
                                                 r"scaler.scale\(loss or outputs\) earlier in "
                                                 "the iteration.$"):
            scaler.unscale_(opt)
        _scaled_backward(scaler, opt, w)
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match=r"^unscale_\(\) has already been called on this "
                                               r"optimizer since the last update\(\).$"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match=r"^unscale_\(\) is being called after step\(\).$"):
            scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match=r"^step\(\) has already been called since the "
                                               r"last update\(\).$"):
            scaler.step(opt)
        scaler.update()
        with pytest.raises(AssertionError, match=r"^No inf checks were recorded prior to "
                                                 r"update.$"):
            scaler.update()
        with pytest.raises(RuntimeError, match="^Closure use is not currently supported if "
                                               "GradScaler is enabled.$"):
            scaler.step(opt, closure=lambda: 0)
        w.grad = w.grad.half().float()
        opt16 = lib.optim.SGD([lib.nn.Parameter(lib.ones(2).half())], lr=0.1)
        opt16.param_groups[0]["params"][0].grad = lib.ones(2).half()
        with pytest.raises(ValueError, match="^Attempting to unscale FP16 gradients.$"):
            scaler.unscale_(opt16)
        with pytest.raises(AssertionError, match=r"^The growth factor must be > 1.0.$"):
            lib.amp.GradScaler("cpu", growth_factor=1.0)
        with pytest.raises(AssertionError, match=r"^The backoff factor must be < 1.0.$"):
            lib.amp.GradScaler("cpu", backoff_factor=1.0)
        with pytest.raises(RuntimeError, match="^The source state dict is empty, possibly "
                                               "because it was saved from a disabled instance "
                                               "of GradScaler.$"):
            scaler.load_state_dict({})


def test_update_with_new_scale():
    w = nptorch.nn.Parameter(nptorch.tensor(W))
    opt = nptorch.optim.SGD([w], lr=0.1)
    scaler = nptorch.amp.GradScaler("cpu")
    _scaled_backward(scaler, opt, w)
    scaler.step(opt)
    scaler.update(128.0)
    assert scaler.get_scale() == 128.0
    scaler.update(nptorch.tensor([32.0]))
    assert scaler.get_scale() == 32.0
    reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
              "torch.FloatTensor with requires_grad=False.")
    with pytest.raises(AssertionError, match=r"^new_scale should be a float or a 1-element"):
        scaler.update(nptorch.tensor([1.0, 2.0]))
    with pytest.raises(AssertionError) as info:
        scaler.update(nptorch.tensor(4.0, requires_grad=True))
    assert str(info.value) == reason


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_growth_to_inf_is_dropped():
    w = nptorch.nn.Parameter(nptorch.tensor(W))
    opt = nptorch.optim.SGD([w], lr=0.0)
    scaler = nptorch.amp.GradScaler("cpu", init_scale=2.0 ** 127, growth_interval=1)
    _scaled_backward(scaler, opt, w)
    w.grad.zero_()
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 127
    assert scaler._get_growth_tracker() == 0


def test_state_dict_round_trip_and_pickle():
    scales, _, scaler = _train(nptorch, "SGD", {"lr": 0.1}, steps=3)
    state = scaler.state_dict()
    fresh = nptorch.amp.GradScaler("cpu", growth_factor=3.0)
    fresh.load_state_dict(state)
    assert fresh.state_dict() == state
    assert fresh.get_scale() == scales[-1] and fresh.get_growth_factor() == 2.0
    assert fresh.get_growth_interval() == 2 and fresh.get_backoff_factor() == 0.5
    restored = pickle.loads(pickle.dumps(scaler))
    assert restored.state_dict() == state
    fresh.set_growth_factor(4.0)
    fresh.set_backoff_factor(0.25)
    fresh.set_growth_interval(7)
    assert (fresh.get_growth_factor(), fresh.get_backoff_factor(),
            fresh.get_growth_interval()) == (4.0, 0.25, 7)


def test_disabled_scaler_passes_through():
    w = nptorch.nn.Parameter(nptorch.tensor(W))
    opt = nptorch.optim.SGD([w], lr=0.1)
    scaler = nptorch.amp.GradScaler("cpu", enabled=False)
    loss = (w * w).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert not scaler.is_enabled()
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    np.testing.assert_allclose(w.detach().numpy(), W - 0.2 * W, rtol=1e-6)


@pytest.mark.skipif(nptorch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_scaler_without_cuda_warns_and_disables(torch):
    with pytest.warns(UserWarning) as record:
        scaler = nptorch.amp.GradScaler()
    assert str(record[0].message) == ("torch.cuda.amp.GradScaler is enabled, but CUDA is not "
                                      "available.  Disabling.")
    assert not scaler.is_enabled()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        scaler = nptorch.cuda.amp.GradScaler(init_scale=8.0)
    assert [str(r.message) for r in record] == [
        "`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
        "`torch.amp.GradScaler('cuda', args...)` instead.",
        "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."]
    assert record[0].category is FutureWarning


def test_deprecated_cpu_scaler():
    with pytest.warns(FutureWarning, match=r"^`torch.cpu.amp.GradScaler\(args...\)` is "
                                           r"deprecated. Please use `torch.amp.GradScaler\('cpu', "
                                           r"args...\)` instead.$"):
        scaler = nptorch.cpu.amp.GradScaler(init_scale=8.0)
    assert scaler.is_enabled() and scaler.get_scale() == 8.0


def test_autocast_with_scaler_training_matches_pytorch(torch):
    """autocast + GradScaler: the usual mixed-precision loop, compared with PyTorch's."""
    results = []
    for lib in (nptorch, torch):
        lib.manual_seed(0)
        lin = lib.nn.Linear(4, 3)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(W))
            lin.bias.zero_()
        opt = lib.optim.Adam(lin.parameters(), lr=0.01)
        scaler = lib.amp.GradScaler("cpu")
        for _ in range(3):
            opt.zero_grad()
            with lib.autocast("cpu", dtype=lib.float16):
                loss = lib.nn.functional.mse_loss(lin(lib.tensor(X)), lib.zeros(8, 3))
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        results.append((lin.weight.detach().numpy(), scaler.get_scale()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-3, atol=1e-4)
    assert results[0][1] == results[1][1]
