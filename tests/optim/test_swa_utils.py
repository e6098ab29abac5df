"""nptorch.optim.swa_utils against torch.optim.swa_utils: averaged weights after several
updates from identical models, SWALR learning rates, update_bn running statistics."""
import math

import numpy as np
import pytest

import nptorch
from nptorch.optim.swa_utils import (SWALR, AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn,
                                     get_swa_avg_fn, get_swa_multi_avg_fn, update_bn)


def _net(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Linear(4, 2))


def _twins(torch):
    """An nptorch net and a PyTorch net with the same weights and buffers."""
    ours, theirs = _net(nptorch), _net(torch)
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy().copy())
                            for k, v in ours.state_dict().items()})
    return ours, theirs


def _assert_state_equal(ours, theirs, rtol=1e-6, atol=1e-7):
    ours, theirs = ours.state_dict(), theirs.state_dict()
    assert list(ours) == list(theirs)
    for key in ours:
        np.testing.assert_allclose(ours[key].detach().numpy(), theirs[key].detach().numpy(),
                                   rtol=rtol, atol=atol, err_msg=key)


def _train_step(lib, net, step):
    """A deterministic change of every parameter and buffer (as training would make)."""
    with lib.no_grad():
        for i, p in enumerate(net.parameters()):
            p.mul_(0.9).add_(0.05 * math.sin(step + i))
        net[1].running_mean.add_(0.1 * step)
        net[1].running_var.mul_(1.1)
        net[1].num_batches_tracked.add_(1)


AVERAGES = {
    "swa": lambda m: {},
    "ema": lambda m: dict(avg_fn=m.get_ema_avg_fn(0.9)),
    "swa_fn": lambda m: dict(avg_fn=m.get_swa_avg_fn()),
    "ema_multi": lambda m: dict(multi_avg_fn=m.get_ema_multi_avg_fn(0.8)),
    "swa_multi": lambda m: dict(multi_avg_fn=m.get_swa_multi_avg_fn()),
}


@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("use_buffers", [False, True])
def test_averaged_model_matches_pytorch(average, use_buffers, torch):
    if use_buffers and average == "swa_multi":
        pytest.skip("PyTorch's swa multi_avg_fn raises on the integer num_batches_tracked")
    ours, theirs = _twins(torch)
    avg_ours = AveragedModel(ours, use_buffers=use_buffers,
                             **AVERAGES[average](nptorch.optim.swa_utils))
    avg_theirs = torch.optim.swa_utils.AveragedModel(theirs, use_buffers=use_buffers,
                                                     **AVERAGES[average](torch.optim.swa_utils))
    for step in range(5):
        _train_step(nptorch, ours, step)
        _train_step(torch, theirs, step)
        avg_ours.update_parameters(ours)
        avg_theirs.update_parameters(theirs)
        _assert_state_equal(avg_ours, avg_theirs)
    assert avg_ours.n_averaged.item() == 5 and avg_ours.n_averaged.dtype is nptorch.int64
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    avg_ours.eval(), avg_theirs.eval()
    np.testing.assert_allclose(avg_ours(nptorch.tensor(x)).detach().numpy(),
                               avg_theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_averaged_model_state_dict_and_copy(torch):
    ours, theirs = _twins(torch)
    avg = AveragedModel(ours, device="cpu")
    keys = list(torch.optim.swa_utils.AveragedModel(theirs).state_dict())
    assert list(avg.state_dict()) == keys
    assert keys[0] == "n_averaged" and keys[1] == "module.0.weight"
    assert avg.module is not ours and avg.module[0].weight is not ours[0].weight
    avg.update_parameters(ours)
    with nptorch.no_grad():
        ours[0].weight.add_(1.0)
    assert not np.allclose(avg.module[0].weight.detach().numpy(), ours[0].weight.detach().numpy())
    assert avg.n_averaged.item() == 1


def test_averaged_model_loads_its_state_dict():
    net = _net(nptorch)
    avg = AveragedModel(net)
    avg.update_parameters(net)
    avg.update_parameters(net)
    other = AveragedModel(_net(nptorch))
    other.load_state_dict(avg.state_dict())
    assert other.n_averaged.item() == 2
    assert nptorch.equal(other.module[3].bias, avg.module[3].bias)


def test_averaged_model_errors():
    with pytest.raises(AssertionError, match="^Only one of avg_fn and multi_avg_fn should be "
                                             "provided$"):
        AveragedModel(_net(nptorch), avg_fn=get_swa_avg_fn(), multi_avg_fn=get_swa_multi_avg_fn())


@pytest.mark.parametrize("make", [get_ema_avg_fn, get_ema_multi_avg_fn])
@pytest.mark.parametrize("decay", [-0.1, 1.5])
def test_ema_decay_checked(make, decay, torch):
    theirs = getattr(torch.optim.swa_utils, make.__name__)
    with pytest.raises(ValueError) as expected:
        theirs(decay)
    with pytest.raises(ValueError) as ours:
        make(decay)
    assert str(ours.value) == str(expected.value)


def test_avg_fn_values():
    a, b = nptorch.tensor([1.0, 2.0]), nptorch.tensor([3.0, 6.0])
    assert get_swa_avg_fn()(a, b, 3).tolist() == [1.5, 3.0]
    assert get_ema_avg_fn(0.75)(a, b, 3).tolist() == [1.5, 3.0]
    avg, cur = [a.clone(), nptorch.tensor([0.0])], [b, nptorch.tensor([4.0])]
    get_swa_multi_avg_fn()(avg, cur, nptorch.tensor(1))
    assert [t.tolist() for t in avg] == [[2.0, 4.0], [2.0]]
    get_ema_multi_avg_fn(0.5)(avg, cur, 0)
    assert [t.tolist() for t in avg] == [[2.5, 5.0], [3.0]]
    counts = [nptorch.tensor(1), nptorch.tensor(7)]
    get_swa_multi_avg_fn()(counts, [nptorch.tensor(4), nptorch.tensor(1)], nptorch.tensor(1))
    assert [t.tolist() for t in counts] == [2, 4]


def _lrs(lib, epochs, lrs, swa_lr, **kwargs):
    params = [lib.nn.Parameter(lib.zeros(1)) for _ in lrs]
    opt = lib.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], momentum=0.9)
    scheduler = lib.optim.swa_utils.SWALR(opt, swa_lr, **kwargs)
    history = [scheduler.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        history.append(scheduler.get_last_lr())
    return history


@pytest.mark.parametrize("lrs, swa_lr, kwargs", [
    ([0.5], 0.05, {}),
    ([0.5], 0.05, dict(anneal_epochs=3, anneal_strategy="linear")),
    ([0.5], 0.05, dict(anneal_epochs=0)),
    ([0.5], 0.05, dict(anneal_epochs=1, anneal_strategy="cos")),
    ([0.1, 1.0], [0.01, 0.2], dict(anneal_epochs=4)),
    ([0.1, 1.0], 0.3, dict(anneal_epochs=5, anneal_strategy="linear")),
])
def test_swalr_matches_pytorch(lrs, swa_lr, kwargs, torch):
    ours = _lrs(nptorch, 14, lrs, swa_lr, **kwargs)
    theirs = _lrs(torch, 14, lrs, swa_lr, **kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours[-1] == pytest.approx(swa_lr if isinstance(swa_lr, list) else [swa_lr] * len(lrs))


def test_swalr_after_another_schedule(torch):
    def run(lib):
        p = lib.nn.Parameter(lib.zeros(1))
        opt = lib.optim.SGD([p], lr=1.0)
        decay = lib.optim.lr_scheduler.StepLR(opt, 2, 0.5)
        lrs = []
        for _ in range(3):
            opt.step()
            decay.step()
        swa = lib.optim.swa_utils.SWALR(opt, 0.1, anneal_epochs=3)
        for _ in range(5):
            opt.step()
            swa.step()
            lrs.append(opt.param_groups[0]["lr"])
        return lrs

    np.testing.assert_allclose(run(nptorch), run(torch), rtol=1e-12)


def test_swalr_state_dict_roundtrip():
    opt = nptorch.optim.SGD([nptorch.nn.Parameter(nptorch.zeros(1))], lr=1.0)
    scheduler = SWALR(opt, 0.1, anneal_epochs=4, anneal_strategy="linear")
    state = scheduler.state_dict()
    assert "optimizer" not in state and "anneal_func" not in state
    assert state["_anneal_strategy"] == "linear" and state["anneal_epochs"] == 4
    restored = SWALR(opt, 0.1)
    restored.load_state_dict(state)
    assert restored.anneal_func is SWALR._linear_anneal
    assert opt.param_groups[0]["swa_lr"] == 0.1


@pytest.mark.parametrize("kwargs", [
    dict(swa_lr=0.1, anneal_strategy="exp"),
    dict(swa_lr=0.1, anneal_epochs=-1),
    dict(swa_lr=0.1, anneal_epochs=2.0),
    dict(swa_lr=[0.1, 0.2]),
])
def test_swalr_errors_match_pytorch(kwargs, torch):
    messages = []
    for lib in (nptorch, torch):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=1.0)
        with pytest.raises(ValueError) as info:
            lib.optim.swa_utils.SWALR(opt, **kwargs)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def _batches(lib, tuples):
    rng = np.random.default_rng(1)
    data = [rng.normal(2.0, 3.0, size=(n, 3)).astype(np.float32) for n in (5, 8, 3)]
    if tuples:
        return [(lib.tensor(x), lib.zeros(len(x))) for x in data]
    return [lib.tensor(x) for x in data]


@pytest.mark.parametrize("tuples", [False, True])
def test_update_bn_matches_pytorch(tuples, torch):
    ours, theirs = _twins(torch)
    for net in (ours, theirs):
        net[1].momentum = 0.3
        net.eval()
    update_bn(_batches(nptorch, tuples), ours, device="cpu")
    torch.optim.swa_utils.update_bn(_batches(torch, tuples), theirs)
    _assert_state_equal(ours, theirs, rtol=1e-5, atol=1e-6)
    assert ours[1].num_batches_tracked.item() == 3
    assert ours[1].momentum == 0.3 and not ours.training and not ours[1].training


def test_update_bn_is_the_mean_of_batch_statistics():
    net = nptorch.nn.BatchNorm1d(3)
    batches = _batches(nptorch, False)
    update_bn(batches, net)
    expected = np.mean([b.numpy().mean(0) for b in batches], axis=0)
    np.testing.assert_allclose(net.running_mean.numpy(), expected, rtol=1e-5)
    assert net.training


def test_update_bn_without_batchnorm_leaves_model():
    net = nptorch.nn.Linear(3, 2)
    net.eval()
    update_bn(iter(()), net)
    assert not net.training


def test_namespace():
    assert nptorch.optim.swa_utils.AveragedModel is AveragedModel
    assert nptorch.optim.swa_utils.SWALR is SWALR
