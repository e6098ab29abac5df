"""Optimizers compared step by step with PyTorch's single-tensor implementations."""
import copy
import warnings

import numpy as np
import pytest
import torch

import nptorch
from nptorch import optim

SHAPES = [(3, 4), (5,)]
STEPS = 20


def _data(seed=0, steps=STEPS, dtype=np.float32):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    return init, grads


def _params(lib, init, device="cpu"):
    return [lib.tensor(a.copy(), requires_grad=True, device=device) for a in init]


def _run(opt, params, grads, lib):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g.copy(), device=p.device)
        opt.step()
    return [p.detach().cpu().numpy().copy() for p in params]


def _reference(name, kwargs, init, grads, groups=None):
    params = _params(torch, init)
    spec = params if groups is None else [dict(g, params=[params[i]]) for i, g in enumerate(groups)]
    opt = getattr(torch.optim, name)(spec, foreach=False, **kwargs)
    return _run(opt, params, grads, torch), opt


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.1, maximize=True, eps=1e-6)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=5, weight_decay=0.1, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch(device, name, kwargs):
    init, grads = _data()
    expected, _ = _reference(name, kwargs, init, grads)
    params = _params(nptorch, init, device)
    got = _run(getattr(optim, name)(params, **kwargs), params, grads, nptorch)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)
        assert g.dtype == np.float32


@pytest.mark.parametrize("kwargs", [dict(lr=0.01), dict(lr=0.01, amsgrad=True)])
def test_adam_with_non_finite_gradients_matches_torch(kwargs):
    """inf and NaN in the gradients spread as in PyTorch, without NumPy's warnings."""
    init, grads = _data(steps=4)
    grads[1][0][0, 0], grads[2][1][3] = np.inf, np.nan
    expected, _ = _reference("Adam", kwargs, init, grads)
    params = _params(nptorch, init)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _run(optim.Adam(params, **kwargs), params, grads, nptorch)
    for e, g in zip(expected, got):
        assert not np.isfinite(g).all()
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Rprop", "ASGD"])
def test_float64_params(device, name):
    init, grads = _data(seed=3, steps=5, dtype=np.float64)
    kwargs = dict(lr=0.05)
    expected, _ = _reference(name, kwargs, init, grads)
    params = _params(nptorch, init, device)
    got = _run(getattr(optim, name)(params, **kwargs), params, grads, nptorch)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)


def test_param_groups_with_different_options():
    init, grads = _data(seed=1)
    groups = [dict(lr=0.1, momentum=0.9), dict(lr=0.01, weight_decay=0.5)]
    expected, _ = _reference("SGD", dict(lr=0.5), init, grads, groups)
    params = _params(nptorch, init)
    opt = optim.SGD([dict(g, params=[params[i]]) for i, g in enumerate(groups)], lr=0.5)
    assert opt.param_groups[1]["momentum"] == 0 and opt.param_groups[0]["lr"] == 0.1
    got = _run(opt, params, grads, nptorch)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)


def test_lr_changed_between_steps():
    init, grads = _data(seed=2)
    params = {lib: _params(lib, init) for lib in (torch, nptorch)}
    opts = {torch: torch.optim.Adam(params[torch], lr=0.1, foreach=False),
            nptorch: optim.Adam(params[nptorch], lr=0.1)}
    for i, step_grads in enumerate(grads):
        for lib in (torch, nptorch):
            opts[lib].param_groups[0]["lr"] = 0.1 / (i + 1)
            for p, g in zip(params[lib], step_grads):
                p.grad = lib.tensor(g.copy())
            opts[lib].step()
    for a, b in zip(params[torch], params[nptorch]):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_skips_params_without_grad_and_state_layout():
    init, grads = _data()
    params = _params(nptorch, init)
    opt = optim.Adam(params, lr=0.1, amsgrad=True)
    params[0].grad = nptorch.tensor(grads[0][0])
    opt.step()
    np.testing.assert_array_equal(params[1].detach().numpy(), init[1])
    assert params[1] not in opt.state
    state = opt.state[params[0]]
    assert sorted(state) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert state["step"].shape == () and state["step"].item() == 1.0
    assert state["step"].dtype == nptorch.float32
    assert state["exp_avg"].dtype == nptorch.float32 and state["exp_avg"].shape == (3, 4)
    sgd = optim.SGD(params, lr=0.1)
    sgd.step()
    assert len(sgd.state) == 0  # plain SGD keeps no state
    assert sorted(optim.Adagrad(params).state_dict()["state"]) == [0, 1]


def test_step_does_not_record_graph():
    p = nptorch.tensor([1.0, 2.0], requires_grad=True)
    p.grad = nptorch.tensor([0.5, 0.5])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    assert p.grad_fn is None and p.requires_grad and p.is_leaf
    assert opt.state[p]["momentum_buffer"].grad_fn is None
    np.testing.assert_allclose(p.detach().numpy(), [0.95, 1.95], rtol=1e-6)


def test_closure_is_called_with_grad_and_its_loss_returned():
    p = nptorch.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with nptorch.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(p.detach().numpy(), [0.5, -1.0])


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("NAdam", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1)),
    ("Adadelta", dict(lr=0.5)),
    ("Rprop", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=3)),
])
def test_state_dict_resume_matches_uninterrupted_run(name, kwargs):
    init, grads = _data(seed=4, steps=10)
    params = _params(nptorch, init)
    full = _run(getattr(optim, name)(params, **kwargs), params, grads, nptorch)

    params = _params(nptorch, init)
    first = getattr(optim, name)(params, **kwargs)
    _run(first, params, grads[:5], nptorch)
    saved = copy.deepcopy(first.state_dict())
    assert sorted(saved["state"]) == [0, 1]
    assert saved["param_groups"][0]["params"] == [0, 1]
    resumed = getattr(optim, name)(params, lr=123.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == kwargs.get("lr", 1.0)
    assert resumed.param_groups[0]["params"][0] is params[0]
    got = _run(resumed, params, grads[5:], nptorch)
    for f, g in zip(full, got):
        np.testing.assert_array_equal(g, f)


def test_state_dict_format_matches_torch():
    init, grads = _data(steps=2)
    _, ref = _reference("SGD", dict(lr=0.1, momentum=0.9), init, grads,
                        [dict(lr=0.1), dict(lr=0.2)])
    params = _params(nptorch, init)
    opt = optim.SGD([dict(params=[params[0]], lr=0.1), dict(params=[params[1]], lr=0.2)],
                    lr=0.1, momentum=0.9)
    _run(opt, params, grads, nptorch)
    ours, theirs = opt.state_dict(), ref.state_dict()
    assert [g["params"] for g in ours["param_groups"]] == [[0], [1]]
    assert sorted(ours["state"]) == sorted(theirs["state"]) == [0, 1]
    for i in (0, 1):
        np.testing.assert_allclose(ours["state"][i]["momentum_buffer"].numpy(),
                                   theirs["state"][i]["momentum_buffer"].numpy(), rtol=1e-6)
    # a state dict saved by PyTorch (moved to arrays) loads and continues identically
    converted = {"state": {k: {n: nptorch.tensor(v.numpy()) for n, v in s.items()}
                           for k, s in theirs["state"].items()},
                 "param_groups": theirs["param_groups"]}
    opt.load_state_dict(converted)
    assert opt.param_groups[1]["lr"] == 0.2


def test_load_state_dict_errors():
    params = _params(nptorch, _data()[0])
    opt = optim.SGD(params, lr=0.1)
    two_groups = optim.SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(two_groups.state_dict())
    one = optim.SGD([params[0]], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(one.state_dict())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    params = _params(nptorch, _data()[0])
    params[0].grad = nptorch.ones(3, 4)
    opt = optim.SGD(params, lr=0.1)
    opt.zero_grad(set_to_none=set_to_none)
    assert params[1].grad is None
    if set_to_none:
        assert params[0].grad is None
    else:
        np.testing.assert_array_equal(params[0].grad.numpy(), np.zeros((3, 4)))
    opt.zero_grad()
    assert params[0].grad is None


def test_add_param_group_and_duplicates():
    a, b = _params(nptorch, _data()[0])
    opt = optim.Adam([a], lr=0.1, betas=(0.5, 0.6))
    opt.add_param_group({"params": b, "lr": 0.2})
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["lr"] == 0.2 and opt.param_groups[1]["betas"] == (0.5, 0.6)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a, b]}], lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)


def test_named_params():
    a, b = _params(nptorch, _data()[0])
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_constructor_errors():
    a, b = _params(nptorch, _data()[0])
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([a * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        optim.SGD([{"params": {a}}], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optim.SGD([a], lr=0.1).add_param_group([b])
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([("w", a), b], lr=0.1)
    with pytest.raises(ValueError, match="cannot add param group with names to the optimizer"):
        optim.SGD([a], lr=0.1).add_param_group({"params": [("b", b)]})
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])


P = [nptorch.zeros(2, requires_grad=True)]
VALIDATION = [
    (optim.SGD, dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (optim.SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (optim.SGD, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.SGD, dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1),
     "Nesterov momentum requires a momentum and zero dampening"),
    (optim.Adam, dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (optim.Adam, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (optim.Adam, dict(betas=(1.5, 0.9)), r"Invalid beta parameter at index 0: 1.5"),
    (optim.Adam, dict(betas=(0.9, 1.0)), r"Invalid beta parameter at index 1: 1.0"),
    (optim.Adam, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (optim.AdamW, dict(betas=(-0.1, 0.9)), r"Invalid beta parameter at index 0: -0.1"),
    (optim.Adamax, dict(eps=-1e-3), "Invalid epsilon value: -0.001"),
    (optim.Adamax, dict(betas=(0.9, 2.0)), "Invalid beta parameter at index 1: 2.0"),
    (optim.NAdam, dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    (optim.NAdam, dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    (optim.RAdam, dict(lr=-0.5), "Invalid learning rate: -0.5"),
    (optim.RMSprop, dict(alpha=-0.9), "Invalid alpha value: -0.9"),
    (optim.RMSprop, dict(momentum=-0.9), "Invalid momentum value: -0.9"),
    (optim.Adagrad, dict(lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value: -1.0"),
    (optim.Adadelta, dict(rho=1.5), "Invalid rho value: 1.5"),
    (optim.Adadelta, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (optim.LBFGS, dict(lr=-1.0), "Invalid learning rate: -1.0"),
]


@pytest.mark.parametrize("cls,kwargs,message", VALIDATION)
def test_validation_errors_match_torch(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(P, **kwargs)
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, cls.__name__)([torch.zeros(2, requires_grad=True)], **kwargs)


def test_step_hooks():
    p = nptorch.tensor([1.0], requires_grad=True)
    p.grad = nptorch.tensor([1.0])
    opt = optim.SGD([p], lr=0.5)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o.param_groups[0]["lr"])))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", p.item())))
    opt.step()
    assert calls == [("pre", 0.5), ("post", 0.5)]
    pre.remove()
    post.remove()
    opt.step()
    assert len(calls) == 2
    # a pre-hook may replace the arguments
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": lambda: 7}))
    assert opt.step() == 7
    bad = optim.SGD([p], lr=0.5)
    bad.register_step_pre_hook(lambda o, args, kwargs: 3)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\)"):
        bad.step()


def test_custom_optimizer_subclass_gets_hooks():
    class Plain(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @nptorch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.add_(p.grad, alpha=-group["lr"])

    p = nptorch.tensor([1.0], requires_grad=True)
    p.grad = nptorch.tensor([2.0])
    opt = Plain([p])
    seen = []
    opt.register_step_post_hook(lambda *a: seen.append(True))
    opt.step()
    assert seen == [True] and abs(p.item() - 0.8) < 1e-7


# -- foreach, fused, capturable, differentiable ------------------------------------------------
FUSED = ["SGD", "Adam", "AdamW", "Adagrad"]
OPTIONS = [(name, option) for name in sorted({n for n, _ in CASES})
           for option in (["foreach", "fused"] if name in FUSED else ["foreach"])]


def _groups_without_params(opt):
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


@pytest.mark.parametrize("name,option", OPTIONS)
def test_implementation_options_keep_the_update(device, name, option):
    """foreach and fused choose PyTorch's implementations; the update and the groups are
    PyTorch's with the same option (fused keeps float32 step counts on the parameters'
    device)."""
    init, grads = _data(seed=5, steps=4)
    kwargs = dict(lr=0.01) if name == "Rprop" else dict(lr=0.01, weight_decay=0.1)
    params = _params(torch, init)
    ref = getattr(torch.optim, name)(params, **{option: True}, **kwargs)
    expected = _run(ref, params, grads, torch)
    params = _params(nptorch, init, device)
    opt = getattr(optim, name)(params, **{option: True}, **kwargs)
    got = _run(opt, params, grads, nptorch)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    assert _groups_without_params(opt) == _groups_without_params(ref)
    step = opt.state[params[0]].get("step")
    ref_step = ref.state[ref.param_groups[0]["params"][0]].get("step")
    if ref_step is not None:
        assert step.item() == ref_step.item()
        assert str(step.dtype) == str(ref_step.dtype).replace("torch", "nptorch")
        assert step.device.type == (device if option == "fused" else "cpu")


@pytest.mark.parametrize("name", FUSED)
def test_fused_conflicts_raise_as_torch(name):
    for lib in (torch, nptorch):
        p = [lib.zeros(2, requires_grad=True)]
        with pytest.raises(RuntimeError, match="^`fused` does not support `differentiable`$"):
            getattr(lib.optim, name)(p, fused=True, differentiable=True)
        with pytest.raises(RuntimeError,
                           match="^`fused` and `foreach` cannot be `True` together.$"):
            getattr(lib.optim, name)(p, fused=True, foreach=True)


CAPTURED = {"NAdam": "params, mu_products and state_steps",
            "ASGD": "params, mus, etas, and state_steps"}


@pytest.mark.parametrize("name", ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
                                  "Adadelta", "Rprop", "ASGD"])
def test_capturable_needs_gpu_params(device, name):
    init, grads = _data(seed=6, steps=3)
    params = _params(nptorch, init, device)
    opt = getattr(optim, name)(params, lr=0.01, capturable=True)
    captured = CAPTURED.get(name, "params and state_steps")
    if device == "cpu":
        with pytest.raises(AssertionError, match=rf"^If capturable=True, {captured} must be on "
                                                 r"supported devices: \['cuda'\]\.$"):
            _run(opt, params, grads, nptorch)
        torch_params = _params(torch, init)
        with pytest.raises(AssertionError, match=rf"^If capturable=True, {captured} must be on "):
            _run(getattr(torch.optim, name)(torch_params, lr=0.01, capturable=True), torch_params,
                 grads, torch)
        return
    expected, _ = _reference(name, dict(lr=0.01), init, grads)
    for e, g in zip(expected, _run(opt, params, grads, nptorch)):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)
    assert opt.state[params[0]]["step"].device.type == "cuda"


# PyTorch's own implementation raises on these (its in-place updates break its backward pass)
NOT_DIFFERENTIABLE_IN_TORCH = {("Adam", 5), ("Adamax", 10), ("Adamax", 11)}


@pytest.mark.parametrize("name,kwargs", [c for i, c in enumerate(CASES)
                                         if (c[0], i) not in NOT_DIFFERENTIABLE_IN_TORCH],
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)
                              if (n, i) not in NOT_DIFFERENTIABLE_IN_TORCH])
def test_differentiable_steps_match_torch(name, kwargs):
    """differentiable=True records the steps: the gradient of a loss on the updated
    (non-leaf) parameters with respect to what they were made from is PyTorch's. (Adam's and
    NAdam's recorded path in PyTorch computes its bias corrections from float32 step counts,
    hence the tolerance.)"""
    def meta_gradient(lib):
        init, grads = _data(seed=4, steps=3, dtype=np.float64)
        leaves = [lib.tensor(a, requires_grad=True) for a in init]
        params = [w * 1 for w in leaves]
        extra = dict(foreach=False) if lib is torch else {}
        opt = getattr(lib.optim, name)(params, differentiable=True, **extra, **kwargs)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = lib.tensor(g)
            opt.step()
        loss = sum((p * p).sum() for p in params)
        return [g.numpy() for g in lib.autograd.grad(loss, leaves)]

    for ours, theirs in zip(meta_gradient(nptorch), meta_gradient(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_differentiable_step_on_a_leaf_raises_as_torch():
    for lib in (torch, nptorch):
        p = lib.ones(2, requires_grad=True)
        p.grad = lib.ones(2)
        opt = lib.optim.SGD([p], lr=0.1, differentiable=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation."):
            opt.step()
        with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
            lib.optim.SGD([p * 1], lr=0.1)


def test_older_state_dicts_get_the_implementation_options():
    params = _params(nptorch, _data()[0])
    opt = optim.Adam(params, lr=0.1, capturable=False)
    saved = opt.state_dict()
    for option in ("foreach", "capturable", "differentiable", "fused"):
        del saved["param_groups"][0][option]
    opt.load_state_dict(saved)
    assert _groups_without_params(opt) == _groups_without_params(optim.Adam(params, lr=0.1))


def test_fused_groups_load_float32_steps_onto_the_params_device(device):
    """As PyTorch: loading into a fused group casts the saved step counts to float32 on the
    parameters' device."""
    init, grads = _data(steps=2)
    params = _params(nptorch, init)
    plain = optim.Adam(params, lr=0.1)
    _run(plain, params, grads, nptorch)
    saved = plain.state_dict()
    saved["state"][0]["step"] = saved["state"][0]["step"].double()
    saved["param_groups"][0]["fused"] = True
    params = _params(nptorch, init, device)
    fused = optim.Adam(params, lr=0.1, fused=True)
    fused.load_state_dict(saved)
    step = fused.state[params[0]]["step"]
    assert (step.item(), step.dtype, step.device.type) == (2.0, nptorch.float32, device)


def test_repr_like_torch():
    p = nptorch.zeros(2, requires_grad=True)
    text = repr(optim.SGD([p], lr=0.1, momentum=0.9))
    assert text == ("SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
                    "    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n"
                    "    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)")


def _rosenbrock(lib, line_search_fn, steps=4):
    x = lib.tensor(np.array([-1.5, 2.0, 0.5, -0.7]), dtype=lib.float64, requires_grad=True)
    opt = lib.optim.LBFGS([x], lr=1, max_iter=10, history_size=5, line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    losses = [float(opt.step(closure)) for _ in range(steps)]
    state = opt.state[x]
    return x.detach().numpy().copy(), losses, state["func_evals"], state["n_iter"]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_rosenbrock_matches_torch(line_search_fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x_ref, losses_ref, evals_ref, iters_ref = _rosenbrock(torch, line_search_fn)
    x, losses, evals, iters = _rosenbrock(nptorch, line_search_fn)
    np.testing.assert_allclose(x, x_ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(losses, losses_ref, rtol=1e-9)
    assert (evals, iters) == (evals_ref, iters_ref)
    assert losses[-1] < losses[0]


def test_lbfgs_errors_and_converged_exit():
    x = nptorch.tensor([0.0], requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    y = nptorch.tensor([1.0], requires_grad=True)
    opt = optim.LBFGS([y])

    def flat():
        opt.zero_grad()
        loss = ((y - 1) ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(flat).item() == 0.0  # gradient already below tolerance_grad
    assert opt.state[y]["n_iter"] == 0 and y.item() == 1.0
