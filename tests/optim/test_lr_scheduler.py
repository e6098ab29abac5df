"""LR schedulers compared with PyTorch's epoch by epoch."""
import copy
import math
import warnings

import numpy as np
import pytest
import torch

import nptorch
from nptorch.optim import lr_scheduler as S

EPOCHS = 35


def _optimizer(lib, kind="sgd", groups=2):
    params = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    spec = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)]
    if kind == "adam":
        return lib.optim.Adam(spec, lr=0.1, betas=(0.9, 0.99))
    return lib.optim.SGD(spec, lr=0.1, momentum=0.9)


def _trace(lib, make, kind="sgd", epochs=EPOCHS, metrics=None):
    opt = _optimizer(lib, kind)
    sched = make(lib.optim.lr_scheduler, opt)
    trace = [(sched.get_last_lr(), [g["lr"] for g in opt.param_groups],
              [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups])]
    for epoch in range(epochs):
        opt.step()
        sched.step(metrics[epoch]) if metrics is not None else sched.step()
        trace.append((sched.get_last_lr(), [g["lr"] for g in opt.param_groups],
                      [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]))
    return trace


def _assert_traces_equal(make, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _trace(torch, make, **kwargs)
    got = _trace(nptorch, make, **kwargs)
    assert len(got) == len(expected)
    for (e_last, e_lr, e_mom), (g_last, g_lr, g_mom) in zip(expected, got):
        np.testing.assert_allclose(g_last, e_last, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(g_lr, e_lr, rtol=1e-12, atol=1e-15)
        assert (g_mom[0] is None) == (e_mom[0] is None)
        if e_mom[0] is not None:
            np.testing.assert_allclose(g_mom, e_mom, rtol=1e-12)


class _Halve:
    """A callable object (its attributes are saved in the state dict)."""

    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor ** (epoch // 10)


SCHEDULES = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda m, o: m.StepLR(o, step_size=2, gamma=0.5),
    "StepLR-7": lambda m, o: m.StepLR(o, 7),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=12),
    "LinearLR-default": lambda m, o: m.LinearLR(o),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=20, power=2.0),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-long": lambda m, o: m.CosineAnnealingLR(o, T_max=40),
    "WarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=0.01),
    "WarmRestarts-mult": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR-tri2": lambda m, o: m.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=3,
                                             step_size_down=5, mode="triangular2"),
    "CyclicLR-exp": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range",
                                            gamma=0.95, base_momentum=0.7, max_momentum=0.95),
    "CyclicLR-scale_fn": lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                 scale_fn=lambda x: 0.9 ** x,
                                                 scale_mode="iterations", cycle_momentum=False),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=EPOCHS),
    "OneCycleLR-linear-3phase": lambda m, o: m.OneCycleLR(
        o, max_lr=[0.5, 1.0], epochs=5, steps_per_epoch=7, anneal_strategy="linear",
        three_phase=True, pct_start=0.25),
    "OneCycleLR-nomomentum": lambda m, o: m.OneCycleLR(o, 0.3, total_steps=40,
                                                       cycle_momentum=False, div_factor=10.0),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.2, total_iters=5), m.ExponentialLR(o, gamma=0.9)],
        milestones=[5]),
    "SequentialLR-3": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=4), m.StepLR(o, 3, 0.5),
            m.CosineAnnealingLR(o, T_max=8)], milestones=[4, 15]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=2), m.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler-3": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.5, total_iters=6), m.MultiStepLR(o, [10, 20]),
         m.CosineAnnealingLR(o, T_max=12)], optimizer=o),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence_matches_torch(name):
    _assert_traces_equal(SCHEDULES[name])


@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR", "OneCycleLR-linear-3phase"])
def test_momentum_cycles_adam_beta1(name):
    _assert_traces_equal(SCHEDULES[name], kind="adam")


def test_steplr_sequence():
    opt = nptorch.optim.SGD([nptorch.zeros(1, requires_grad=True)], lr=1.0)
    sched = S.StepLR(opt, 2, 0.5)
    lrs = []
    for _ in range(6):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert lrs == [1, 1, 0.5, 0.5, 0.25, 0.25]
    assert opt.param_groups[0]["initial_lr"] == 1.0 and sched.last_epoch == 6


METRICS = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.92, 0.89, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6,
           0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6,
           0.6, 0.6]


@pytest.mark.parametrize("kwargs", [
    dict(patience=2),
    dict(mode="max", factor=0.5, patience=1, threshold=0.01, threshold_mode="abs"),
    dict(patience=1, cooldown=2, min_lr=[0.02, 0.05], factor=0.5),
    dict(patience=0, threshold=0.05, eps=0.01, min_lr=1e-3),
])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    _assert_traces_equal(lambda m, o: m.ReduceLROnPlateau(o, **kwargs), metrics=METRICS)


def test_reduce_lr_on_plateau_errors():
    opt = _optimizer(nptorch)
    with pytest.raises(ValueError, match=r"Factor should be < 1.0."):
        S.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown!"):
        S.ReduceLROnPlateau(opt, mode="avg")
    with pytest.raises(ValueError, match="threshold mode rule is unknown!"):
        S.ReduceLROnPlateau(opt, threshold_mode="rule")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        S.ReduceLROnPlateau(opt, min_lr=[0.1])
    sched = S.ReduceLROnPlateau(opt, min_lr=[0.0, 0.0], patience=0)
    opt.add_param_group({"params": [nptorch.zeros(1, requires_grad=True)], "lr": 0.1})
    sched.step(1.0)
    with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau` was initialized"):
        sched.step(2.0)


def _resume_trace(lib, make, split=12, total=30, kind="sgd"):
    """LRs of a run interrupted at ``split`` and resumed from state dicts in fresh objects."""
    opt = _optimizer(lib, kind)
    sched = make(lib.optim.lr_scheduler, opt)
    for _ in range(split):
        opt.step()
        sched.step()
    opt_state, sched_state = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    opt2 = _optimizer(lib, kind)
    sched2 = make(lib.optim.lr_scheduler, opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    lrs = []
    for _ in range(total - split):
        opt2.step()
        sched2.step()
        lrs.append(list(sched2.get_last_lr()))
    return lrs


@pytest.mark.parametrize("name", ["StepLR", "LambdaLR", "CosineAnnealingLR", "CyclicLR",
                                  "OneCycleLR", "SequentialLR", "ChainedScheduler-3",
                                  "WarmRestarts-mult", "PolynomialLR"])
def test_state_dict_resume(name):
    make = SCHEDULES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _resume_trace(torch, make)
        uninterrupted = _trace(torch, make, epochs=30)[13:]
    got = _resume_trace(nptorch, make)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got, [t[0] for t in uninterrupted], rtol=1e-12)


def test_lambda_state_dict_keeps_callable_object_attributes():
    fn = _Halve()
    opt = _optimizer(nptorch, groups=1)
    sched = S.LambdaLR(opt, fn)
    fn.factor = 0.25
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"factor": 0.25}] and "optimizer" not in state
    fn2 = _Halve()
    S.LambdaLR(_optimizer(nptorch, groups=1), fn2).load_state_dict(state)
    assert fn2.factor == 0.25
    assert S.LambdaLR(opt, lambda e: 1.0).state_dict()["lr_lambdas"] == [None]


def test_reduce_lr_on_plateau_state_dict():
    opt = _optimizer(nptorch)
    sched = S.ReduceLROnPlateau(opt, mode="max", patience=1)
    for m in [1.0, 0.5, 0.5]:
        sched.step(m)
    state = sched.state_dict()
    other = S.ReduceLROnPlateau(_optimizer(nptorch))
    other.load_state_dict(state)
    assert other.best == 1.0 and other.mode == "max" and other.mode_worse == -math.inf
    assert other.num_bad_epochs == sched.num_bad_epochs


def test_step_with_epoch_uses_closed_form():
    for lib in (torch, nptorch):
        opt = _optimizer(lib, groups=1)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3, 0.5)
        opt.step()
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
            sched.step(7)
        assert sched.get_last_lr() == [0.1 * 0.25]
    opt = _optimizer(nptorch, groups=1)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
    sched.step(5.5)
    assert sched.T_i == 8 and sched.T_cur == 1.5 and sched.last_epoch == 5
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        sched.step(-1)


def test_warnings():
    opt = _optimizer(nptorch, groups=1)
    sched = S.ExponentialLR(opt, 0.9)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    opt = _optimizer(nptorch, groups=1)
    sched = S.ExponentialLR(opt, 0.9, verbose=False)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_resume_requires_initial_lr():
    opt = _optimizer(nptorch)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        S.StepLR(opt, 2, last_epoch=3)


@pytest.mark.parametrize("make,error,message", [
    (lambda o: S.StepLR(object(), 2), TypeError, "object is not an Optimizer"),
    (lambda o: S.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda o: S.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda should be a function, but got float"),
    (lambda o: S.ConstantLR(o, factor=1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda o: S.LinearLR(o, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda o: S.LinearLR(o, end_factor=1.5), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError,
     "Expected integer T_mult >= 1, but got 0"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="x"), ValueError,
     "Expected float or int eta_min, but got x"),
    (lambda o: S.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda o: S.CyclicLR(o, [0.1], 1.0), ValueError,
     "base_lr must have the same length as optimizer.param_groups"),
    (lambda o: S.CyclicLR(nptorch.optim.Adagrad(o.param_groups[0]["params"]), 0.1, 1.0),
     ValueError, "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    (lambda o: S.OneCycleLR(o, 1.0), ValueError,
     r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=0), ValueError,
     "Expected positive integer total_steps, but got 0"),
    (lambda o: S.OneCycleLR(o, 1.0, epochs=-1, steps_per_epoch=2), ValueError,
     "Expected positive integer epochs, but got -1"),
    (lambda o: S.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=0), ValueError,
     "Expected positive integer steps_per_epoch, but got 0"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda o: S.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (lambda o: S.SequentialLR(o, [], []), ValueError,
     "SequentialLR expects at least one scheduler, but got no scheduler."),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], [1, 2]), ValueError,
     "expects number of schedulers provided to be one more than the number of milestone points"),
    (lambda o: S.SequentialLR(o, [S.ReduceLROnPlateau(o)], []), ValueError,
     "does not support `ReduceLROnPlateau` scheduler"),
    (lambda o: S.SequentialLR(o, [S.StepLR(_optimizer(nptorch), 2)], []), ValueError,
     "expects all schedulers to belong to the same optimizer"),
    (lambda o: S.ChainedScheduler([]), ValueError,
     "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler."),
    (lambda o: S.ChainedScheduler([S.StepLR(o, 2), object()], o), TypeError,
     "ChainedScheduler at index 1 should have `optimizer` as its attribute."),
])
def test_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(_optimizer(nptorch))


def test_onecycle_too_many_steps():
    opt = _optimizer(nptorch)
    sched = S.OneCycleLR(opt, 1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total "
                                         "steps is 3"):
        sched.step()
