"""Whole training steps on the GPU agree with the same steps on the CPU (float32, losses within
1e-4 over 10 steps); tensors moved between devices keep their gradients; mixing devices in one
op raises PyTorch's error. Every test needs a GPU and skips without one."""
import copy

import numpy as np
import pytest

import nptorch
from nptorch import nn
from nptorch.nn import functional as F
from nptorch.utils.data import DataLoader, TensorDataset

pytestmark = pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")

STEPS = 10


def _lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
        nn.Linear(32 * 2 * 2, 32), nn.ReLU(), nn.Linear(32, 10))


class _Recurrent(nn.Module):
    """A two-layer LSTM or GRU over (B, T, 8) sequences, classifying from the last step."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn(8, 24, num_layers=2, batch_first=True)
        self.head = nn.Linear(24, 5)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1])


def _batches(shape, classes, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((STEPS * 16,) + shape).astype(np.float32)
    t = rng.integers(0, classes, STEPS * 16)
    return DataLoader(TensorDataset(nptorch.tensor(x), nptorch.tensor(t)), batch_size=16,
                      pin_memory=True)


def _train(model, optimizer, batches, device):
    """Losses of STEPS steps of a copy of ``model`` on ``device``, and the trained copy."""
    model = copy.deepcopy(model).to(device)
    opt = optimizer(model.parameters())
    losses = []
    for x, t in batches:
        x, t = x.to(device, non_blocking=True), t.to(device, non_blocking=True)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), model


def _agree(model, optimizer, batches):
    cpu_losses, cpu_model = _train(model, optimizer, batches, "cpu")
    gpu_losses, gpu_model = _train(model, optimizer, batches, "cuda")
    assert len(cpu_losses) == STEPS and np.all(np.isfinite(cpu_losses))
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-4, atol=1e-4)
    for (name, p), q in zip(cpu_model.state_dict().items(), gpu_model.state_dict().values()):
        assert q.device.type == "cuda", name
        np.testing.assert_allclose(q.cpu().numpy(), p.numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=name)
    return cpu_losses


def test_lenet_with_batchnorm_trains_alike():
    nptorch.manual_seed(0)
    losses = _agree(_lenet(), lambda ps: nptorch.optim.SGD(ps, lr=0.05, momentum=0.9),
                    _batches((1, 28, 28), 10))
    assert losses[-1] != losses[0]


@pytest.mark.parametrize("rnn", [nn.LSTM, nn.GRU], ids=["lstm", "gru"])
def test_recurrent_model_trains_alike(rnn):
    nptorch.manual_seed(0)
    _agree(_Recurrent(rnn), lambda ps: nptorch.optim.Adam(ps, lr=1e-2), _batches((7, 8), 5))


def test_moving_between_devices_is_differentiable():
    x = nptorch.randn(3, 4, requires_grad=True)
    w = nptorch.randn(4, 2, device="cuda", requires_grad=True)
    y = (x.to("cuda:0", non_blocking=True) @ w).cpu()
    assert y.device.type == "cpu"
    (y * y).sum().backward()
    xn, wn = x.detach().numpy(), w.detach().cpu().numpy()
    gy = 2 * (xn @ wn)
    assert x.grad.device.type == "cpu" and w.grad.device.type == "cuda"
    np.testing.assert_allclose(x.grad.numpy(), gy @ wn.T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w.grad.cpu().numpy(), xn.T @ gy, rtol=1e-5, atol=1e-6)


def test_module_and_optimizer_state_follow_the_device():
    model = nn.Linear(3, 2).cuda()
    opt = nptorch.optim.Adam(model.parameters(), lr=0.1)
    model(nptorch.randn(4, 3, device="cuda")).sum().backward()
    opt.step()
    for p in model.parameters():
        assert p.device.type == "cuda" and p.grad.device.type == "cuda"
        assert all(s.device.type == "cuda" for s in opt.state[p].values()
                   if isinstance(s, nptorch.Tensor) and s.dim() > 0)
    model.to("cpu")
    assert model.weight.device.type == "cpu" and model.weight.grad.device.type == "cpu"


def test_mixing_devices_raises():
    a, b = nptorch.ones(3), nptorch.ones(3, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but "
                                           "found at least two devices"):
        a + b
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        nn.Linear(3, 2).cuda()(a)


def test_inplace_writes_on_the_gpu():
    """In-place arithmetic on CUDA tensors (an optimizer's updates), through both the direct
    ufunc path and the general one, and PyTorch's error for an expanded tensor."""
    p = nptorch.tensor([3.0, 1.0, -1.0], device="cuda")
    with nptorch.no_grad():
        p.add_(nptorch.full((3,), 2.0, device="cuda"), alpha=-0.5).mul_(4)
        p.clamp_(max=1.5)
    assert p.cpu().tolist() == [1.5, 0.0, -8.0] and p._version == 3
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        nptorch.ones(3, device="cuda").expand(2, 3).add_(1)


@pytest.mark.parametrize("groups", [1, 2])
def test_float32_convolutions_use_tf32_unless_turned_off(groups):
    """As in PyTorch, float32 convolutions without groups run their products in TF32 by
    default (a 10-bit mantissa: relative error near 1e-3) in the forward pass and both
    gradients; ``backends.cudnn.allow_tf32 = False`` gives full float32, matching the CPU."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 64, 12, 12)).astype(np.float32)
    w = rng.standard_normal((32, 64 // groups, 3, 3)).astype(np.float32)
    gy = rng.standard_normal((4, 32, 10, 10)).astype(np.float32)

    def run(device, dtype, allow):
        nptorch.backends.cudnn.allow_tf32 = allow
        xt = nptorch.tensor(x, dtype=dtype, device=device, requires_grad=True)
        wt = nptorch.tensor(w, dtype=dtype, device=device, requires_grad=True)
        y = F.conv2d(xt, wt, groups=groups)
        y.backward(nptorch.tensor(gy, dtype=dtype, device=device))
        return [t.detach().cpu().numpy() for t in (y, xt.grad, wt.grad)]

    expected = run("cpu", nptorch.float64, False)
    for allow in (True, False):
        for got, want in zip(run("cuda", nptorch.float32, allow), expected):
            error = np.abs(got - want).max() / np.abs(want).max()
            if allow and groups == 1:
                assert 1e-5 < error < 1e-2
            else:
                assert error < 1e-6
