"""Adafactor compared step by step with PyTorch: parameters and state after every step."""
import copy

import numpy as np
import pytest

import nptorch
from nptorch import optim

SHAPES = [(3, 4), (5,), (2, 3, 4), ()]


def _data(seed=0, steps=6, dtype=np.float32, shapes=SHAPES):
    """Initial values and ``steps`` gradients of parameters of ``shapes``."""
    rng = np.random.default_rng(seed)
    arrays = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps + 1)]
    return arrays[0], arrays[1:]


def _params(lib, init, device="cpu"):
    return [lib.tensor(a.copy(), requires_grad=True, device=device) for a in init]


def _set_grads(lib, params, grads):
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g.copy(), device=p.device)


def _run(lib, opt, grads):
    """Step ``opt`` (of ``lib``) once per entry of ``grads``."""
    for step_grads in grads:
        _set_grads(lib, opt.param_groups[0]["params"], step_grads)
        opt.step()


def _step_both(torch, ref, opt, grads):
    """Step PyTorch's optimizer ``ref`` and ours, ``opt``, with the same gradients, yielding
    after each step."""
    theirs, ours = ref.param_groups[0]["params"], opt.param_groups[0]["params"]
    for step_grads in grads:
        _set_grads(torch, theirs, step_grads)
        _set_grads(nptorch, ours, step_grads)
        ref.step()
        opt.step()
        yield


def _assert_params_close(ours, theirs, rtol=2e-5, atol=2e-5):
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().numpy(), rtol=rtol,
                                   atol=atol)


def _assert_state_close(ours, theirs, tol):
    assert sorted(ours) == sorted(theirs)
    for key, value in theirs.items():
        assert tuple(ours[key].shape) == tuple(value.shape), key
        assert str(ours[key].dtype).split(".")[-1] == str(value.dtype).split(".")[-1], key
        np.testing.assert_allclose(ours[key].cpu().numpy(), value.numpy(), rtol=tol, atol=tol,
                                   err_msg=key)


CASES = [
    dict(),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.3, maximize=True, d=2.0, beta2_decay=-0.5),
    dict(eps=(1e-3, 1e-2), weight_decay=0.5, lr=0.02),
    dict(eps=(0.5, 1e-3)),  # large eps1 clamps the variance estimate
]


@pytest.mark.parametrize("dtype,tol", [(np.float32, 2e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("kwargs", CASES)
def test_steps_match_torch(torch, device, kwargs, dtype, tol):
    init, grads = _data(dtype=dtype)
    theirs = _params(torch, init)
    ours = _params(nptorch, init, device)
    ref = torch.optim.Adafactor(theirs, **kwargs)
    opt = optim.Adafactor(ours, **kwargs)
    for _ in _step_both(torch, ref, opt, grads):
        _assert_params_close(ours, theirs, tol, tol)
        for p, q in zip(ours, theirs):
            assert p.dtype == getattr(nptorch, q.dtype.__str__().split(".")[-1])
            _assert_state_close(opt.state[p], ref.state[q], tol)


def test_state_layout_matches_torch(torch):
    init, grads = _data(steps=1)
    theirs, ours = _params(torch, init), _params(nptorch, init)
    ref = torch.optim.Adafactor(theirs, lr=0.1, foreach=False)
    opt = optim.Adafactor(ours, lr=0.1, foreach=False)
    list(_step_both(torch, ref, opt, grads))
    expected, got = ref.state_dict(), opt.state_dict()
    assert got["param_groups"] == expected["param_groups"]
    assert sorted(got["state"]) == sorted(expected["state"]) == [0, 1, 2, 3]
    assert sorted(got["state"][0]) == ["col_var", "row_var", "step"]
    assert tuple(got["state"][0]["row_var"].shape) == (3, 1)
    assert tuple(got["state"][2]["col_var"].shape) == (2, 1, 4)
    assert sorted(got["state"][1]) == sorted(got["state"][3]) == ["step", "variance"]
    for i in range(4):
        assert got["state"][i]["step"].dtype == nptorch.float32
        assert got["state"][i]["step"].shape == ()
        _assert_state_close(got["state"][i], expected["state"][i], 2e-5)
    assert opt.defaults == ref.defaults


def test_params_without_grad_keep_no_state(torch):
    init, grads = _data(steps=1)
    ours = _params(nptorch, init)
    opt = optim.Adafactor(ours)
    ours[0].grad = nptorch.tensor(grads[0][0])
    opt.step()
    assert ours[1] not in opt.state
    np.testing.assert_array_equal(ours[1].detach().numpy(), init[1])


def test_state_dict_round_trip():
    init, grads = _data(seed=4, steps=8)
    params = _params(nptorch, init)
    full = optim.Adafactor(params, lr=0.05, weight_decay=0.1)
    _run(nptorch, full, grads)
    expected = [p.detach().numpy().copy() for p in params]

    params = _params(nptorch, init)
    first = optim.Adafactor(params, lr=0.05, weight_decay=0.1)
    _run(nptorch, first, grads[:4])
    saved = copy.deepcopy(first.state_dict())
    resumed = optim.Adafactor(params, lr=1.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.05
    assert resumed.state[params[0]]["step"].item() == 4.0
    _run(nptorch, resumed, grads[4:])
    for e, p in zip(expected, params):
        np.testing.assert_array_equal(p.detach().numpy(), e)


def test_loads_a_torch_state_dict(torch):
    init, grads = _data(seed=2, steps=6)
    theirs, ours = _params(torch, init), _params(nptorch, init)
    ref = torch.optim.Adafactor(theirs, lr=0.05)
    _run(torch, ref, grads[:3])
    for p, q in zip(ours, theirs):
        p.data = nptorch.tensor(q.detach().numpy().copy())
    saved = ref.state_dict()
    opt = optim.Adafactor(ours)
    opt.load_state_dict({"state": {k: {n: nptorch.tensor(v.numpy()) for n, v in s.items()}
                                   for k, s in saved["state"].items()},
                         "param_groups": saved["param_groups"]})
    list(_step_both(torch, ref, opt, grads[3:]))
    _assert_params_close(ours, theirs)


def test_foreach_gives_the_same_update(torch):
    init, grads = _data(seed=3)
    theirs, ours = _params(torch, init), _params(nptorch, init)
    ref = torch.optim.Adafactor(theirs, foreach=True, weight_decay=0.1)
    opt = optim.Adafactor(ours, foreach=True, weight_decay=0.1)
    list(_step_both(torch, ref, opt, grads))
    _assert_params_close(ours, theirs)
    assert opt.param_groups[0]["foreach"] is True


def test_lr_tensor_and_closure(torch):
    init, grads = _data(seed=5, steps=3)
    theirs, ours = _params(torch, init), _params(nptorch, init)
    ref = torch.optim.Adafactor(theirs, lr=torch.tensor(0.05, dtype=torch.float64))
    opt = optim.Adafactor(ours, lr=nptorch.tensor(0.05, dtype=nptorch.float64))
    list(_step_both(torch, ref, opt, grads))
    _assert_params_close(ours, theirs)
    assert ref.step(lambda: 3.0) == opt.step(lambda: 3.0) == 3.0


BAD = [
    dict(lr=-0.1),
    dict(beta2_decay=0.5),
    dict(eps=(-1e-3, 1e-3)),
    dict(eps=(None, -1.0)),
    dict(d=0.5),
    dict(weight_decay=-0.01),
]


@pytest.mark.parametrize("kwargs", BAD)
def test_bad_arguments_match_torch(torch, kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        optim.Adafactor([nptorch.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_multi_element_lr_tensor_error(torch):
    with pytest.raises(ValueError, match="Tensor lr must be 1-element") as theirs:
        torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], lr=torch.ones(2))
    with pytest.raises(ValueError) as ours:
        optim.Adafactor([nptorch.zeros(2, requires_grad=True)], lr=nptorch.ones(2))
    assert str(ours.value) == str(theirs.value)


def test_eps1_of_a_mixed_dtype_group_follows_the_first_parameter(torch):
    """With eps1=None PyTorch takes the machine epsilon of the first parameter with a
    gradient for the whole group: a float32 parameter after a float64 one gets float64's."""
    rng = np.random.default_rng(7)
    init = [rng.standard_normal((4,)), rng.standard_normal((2, 3)).astype(np.float32)]
    grads = [np.zeros(4), np.zeros((2, 3), np.float32)]  # zero gradients: only eps1 acts
    grads[1][0, 0] = 1e-5
    theirs, ours = _params(torch, init), _params(nptorch, init)
    ref, opt = torch.optim.Adafactor(theirs), optim.Adafactor(ours)
    list(_step_both(torch, ref, opt, [grads, grads]))
    _assert_params_close(ours, theirs, rtol=1e-6, atol=0)
