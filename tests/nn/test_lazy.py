"""Lazy modules and uninitialized parameters against PyTorch: reprs and state_dict keys before
and after the first forward, values with copied weights, loading state_dicts, optimizers made
before the parameters have shapes."""
import copy

import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
from nptorch.nn.modules.lazy import LazyModuleMixin
from nptorch.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy

from helpers import load_torch_state

CASES = [
    ("LazyLinear", (4,), {}, (2, 3)),
    ("LazyLinear", (4,), {"bias": False}, (2, 5, 3)),
    ("LazyConv1d", (4, 3), {"stride": 2, "padding": 1}, (2, 3, 8)),
    ("LazyConv1d", (4, 3), {"groups": 2, "bias": False}, (4, 7)),
    ("LazyConv2d", (4, 3), {"padding": "same", "padding_mode": "reflect"}, (2, 3, 5, 6)),
    ("LazyConv2d", (6, (2, 3)), {"groups": 3, "dilation": 2}, (1, 3, 7, 8)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2, "output_padding": 1}, (2, 3, 5)),
    ("LazyConvTranspose2d", (4, (2, 3)), {"bias": False}, (3, 4, 5)),
    ("LazyConvTranspose2d", (4, 3), {"stride": 2, "groups": 2}, (2, 4, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm1d", (), {"affine": False, "momentum": None}, (4, 3, 5)),
    ("LazyBatchNorm2d", (), {"bias": False}, (2, 3, 4, 4)),
    ("LazyBatchNorm2d", (), {"track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), {}, (2, 3, 2, 3, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 6)),
    ("LazyInstanceNorm1d", (), {"affine": True, "track_running_stats": True}, (2, 3, 6)),
    ("LazyInstanceNorm2d", (), {"affine": True}, (2, 3, 4, 5)),
    ("LazyInstanceNorm3d", (), {"track_running_stats": True}, (2, 3, 2, 3, 4)),
]


def _pair(torch, name, args, kwargs):
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def _state(module):
    return {k: str(v) if type(v).__name__.startswith("Uninitialized") else v.detach().numpy()
            for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name, args, kwargs, shape", CASES)
def test_before_first_forward(torch, name, args, kwargs, shape):
    ours, theirs = _pair(torch, name, args, kwargs)
    assert repr(ours) == repr(theirs)
    assert ours.has_uninitialized_params()
    ours_state, their_state = _state(ours), _state(theirs)
    assert list(ours_state) == list(their_state)
    for key, value in their_state.items():
        if isinstance(value, str):
            assert ours_state[key] == value  # '<UninitializedParameter>' / '<UninitializedBuffer>'
        else:
            np.testing.assert_array_equal(ours_state[key], value)


@pytest.mark.parametrize("name, args, kwargs, shape", CASES)
def test_first_forward_materializes(torch, name, args, kwargs, shape):
    ours, theirs = _pair(torch, name, args, kwargs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    theirs(torch.tensor(x))
    ours(nptorch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ == name[len("Lazy"):]
    assert type(ours) is getattr(nn, name[len("Lazy"):])
    assert repr(ours) == repr(theirs)
    assert not hasattr(ours, "_initialize_hook")
    shapes = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    assert all(type(b) is nptorch.Tensor for b in ours.buffers())


@pytest.mark.parametrize("name, args, kwargs, shape", CASES)
def test_load_state_dict_materializes_and_values_match(torch, name, args, kwargs, shape):
    """PyTorch's weights (after its first forward) loaded into an uninitialized module, then
    the same forward and backward on both."""
    ours, theirs = _pair(torch, name, args, kwargs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    theirs(torch.tensor(x))
    if name.startswith("LazyInstanceNorm"):  # loading leaves num_features 0 (as in PyTorch)
        ours(nptorch.tensor(x))
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    result = load_torch_state(ours, theirs)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert not any(is_lazy(t) for t in ours.state_dict().values())
    ours_x, their_x = nptorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ref = ours(ours_x), theirs(their_x)
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    seed = rng.standard_normal(tuple(ref.shape)).astype(np.float32)
    (y * nptorch.tensor(seed)).sum().backward()
    (ref * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), their_x.grad.numpy(), rtol=1e-4, atol=1e-5)
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-4,
                                   err_msg=k)
    ours_state, their_state = _state(ours), _state(theirs)
    for key, value in their_state.items():  # running statistics after the second batch
        np.testing.assert_allclose(ours_state[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
    assert type(ours).__name__ == name[len("Lazy"):]


def test_linear_initialization_bounds():
    m = nn.LazyLinear(50)
    m(nptorch.ones(2, 16))
    bound = 1 / np.sqrt(16)
    for p in (m.weight, m.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound and values.std() > bound / 4


def test_batchnorm_initial_values():
    m = nn.LazyBatchNorm2d()
    m(nptorch.zeros(2, 5, 3, 3))
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones(5, np.float32))
    np.testing.assert_array_equal(m.bias.detach().numpy(), np.zeros(5, np.float32))
    np.testing.assert_array_equal(m.running_mean.numpy(), np.zeros(5, np.float32))
    np.testing.assert_allclose(m.running_var.numpy(), np.full(5, 0.9, np.float32))
    assert int(m.num_batches_tracked) == 1


@pytest.mark.parametrize("optimizer, kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                               ("Adam", {"lr": 0.01})])
def test_optimizer_made_before_first_forward(torch, optimizer, kwargs):
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    ours = nn.Sequential(nn.LazyLinear(5), nn.Tanh(), nn.LazyLinear(2))
    theirs = torch.nn.Sequential(torch.nn.LazyLinear(5), torch.nn.Tanh(), torch.nn.LazyLinear(2))
    params = list(ours.parameters())
    ours_opt = getattr(nptorch.optim, optimizer)(ours.parameters(), **kwargs)
    their_opt = getattr(torch.optim, optimizer)(theirs.parameters(), **kwargs)
    ours(nptorch.tensor(x)), theirs(torch.tensor(x))
    assert all(a is b for a, b in zip(params, ours.parameters()))
    assert all(type(p) is nn.Parameter for p in ours_opt.param_groups[0]["params"])
    load_torch_state(ours, theirs)
    for _ in range(3):
        for model, opt, lib in ((ours, ours_opt, nptorch), (theirs, their_opt, torch)):
            opt.zero_grad()
            (model(lib.tensor(x)) ** 2).sum().backward()
            opt.step()
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=k)


def test_uninitialized_state_dict_loads_into_uninitialized_module(torch):
    for lib in (nptorch, torch):
        m = lib.nn.LazyLinear(4)
        assert str(m.load_state_dict(lib.nn.LazyLinear(4).state_dict())) == \
            "<All keys matched successfully>"
        assert m.has_uninitialized_params()


def test_uninitialized_state_dict_into_initialized_module_fails(torch):
    messages = []
    for lib in (nptorch, torch):
        with pytest.raises(RuntimeError) as info:
            lib.nn.Linear(3, 4).load_state_dict(lib.nn.LazyLinear(4).state_dict())
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("Can't access the shape of an uninitialized parameter")


def test_linear_loaded_then_called_takes_in_features(torch):
    for lib in (nptorch, torch):
        m = lib.nn.LazyLinear(4)
        m.load_state_dict(lib.nn.Linear(3, 4).state_dict())
        assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
        m(lib.ones(2, 3))
        assert repr(m) == "Linear(in_features=3, out_features=4, bias=True)"


def test_dtype_conversion_before_materializing():
    m = nn.LazyConv1d(2, 3).double()
    m(nptorch.ones(1, 4, 5, dtype=nptorch.float64))
    assert m.weight.dtype == nptorch.float64 and m.weight.shape == (2, 4, 3)
    m = nn.LazyLinear(3, dtype=nptorch.float64)
    assert m.weight.dtype == nptorch.float64


def test_unbatched_conv_input(torch):
    shapes = [tuple(lib.nn.LazyConv2d(4, 3)(lib.ones(2, 3, 4)).shape) for lib in (nptorch, torch)]
    assert shapes[0] == shapes[1] == (4, 1, 2)


@pytest.mark.parametrize("name, args, kwargs, shape, exc", [
    ("LazyConv1d", (4, 3), {}, (2, 3, 4, 5), RuntimeError),
    ("LazyConvTranspose2d", (4, 3), {"groups": 2}, (1, 3, 4, 4), ValueError),
    ("LazyBatchNorm2d", (), {}, (2, 3, 4), ValueError),
])
def test_errors(torch, name, args, kwargs, shape, exc):
    messages = []
    for lib in (nptorch, torch):
        with pytest.raises(exc) as info:
            getattr(lib.nn, name)(*args, **kwargs)(lib.ones(*shape))
        messages.append(str(info.value).replace(lib.__name__ + ".", ""))
    assert messages[0] == messages[1]


def test_instance_norm_loaded_before_first_forward(torch):
    """Loading keeps num_features at 0, so the first forward fails, as in PyTorch."""
    messages = []
    for lib in (nptorch, torch):
        m = lib.nn.LazyInstanceNorm1d()
        m.load_state_dict(lib.nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
                          .state_dict())
        with pytest.raises(ValueError) as info:
            m(lib.ones(2, 3, 4))
        messages.append(str(info.value))
    assert messages[0] == messages[1] == ("expected input's size at dim=1 to match num_features "
                                          "(0), but got: 3.")


def test_uninitialized_parameter():
    p = UninitializedParameter()
    assert repr(p) == str(p) == "<UninitializedParameter>"
    assert p.requires_grad and p.dtype == nptorch.float32 and is_lazy(p)
    assert isinstance(p, nn.Parameter) and not UninitializedParameter(False).requires_grad
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        p.shape
    with pytest.raises(RuntimeError, match="Can't share memory on an uninitialized"):
        p.share_memory_()
    q = copy.deepcopy(p)
    assert type(q) is UninitializedParameter and q is not p
    p.materialize((2, 3), dtype=nptorch.float64)
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == nptorch.float64
    assert p.requires_grad and not is_lazy(p)


def test_uninitialized_buffer():
    b = UninitializedBuffer(persistent=False)
    assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad and not b.persistent
    assert nn.UninitializedBuffer is UninitializedBuffer
    assert nn.UninitializedParameter is UninitializedParameter
    b.materialize(4)
    assert type(b) is nptorch.Tensor and b.shape == (4,)


class _LazyScale(LazyModuleMixin, nn.Module):
    """A user-defined lazy module with no class to become."""

    def __init__(self):
        super().__init__()
        self.scale = UninitializedParameter()
        self.register_buffer("count", UninitializedBuffer())

    def initialize_parameters(self, x):
        if self.has_uninitialized_params():
            self.scale.materialize(x.shape[-1:])
            self.count.materialize(())
            with nptorch.no_grad():
                self.scale.fill_(2.0)
                self.count.zero_()

    def forward(self, x):
        return x * self.scale


def test_custom_lazy_module():
    m = _LazyScale()
    assert m.has_uninitialized_params()
    assert [str(v) for v in m.state_dict().values()] == ["<UninitializedParameter>",
                                                         "<UninitializedBuffer>"]
    y = m(nptorch.ones(2, 3))
    np.testing.assert_array_equal(y.detach().numpy(), np.full((2, 3), 2, np.float32))
    assert type(m) is _LazyScale and not m.has_uninitialized_params()
    assert m.state_dict()["count"].shape == ()


def test_initialize_parameters_is_required():
    class Incomplete(LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.w = UninitializedParameter()

    with pytest.raises(NotImplementedError,
                       match="initialize_parameters is not implemented for Incomplete"):
        Incomplete()(nptorch.ones(1))


def test_not_fully_initialized():
    class Half(LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = UninitializedParameter(), UninitializedParameter()

        def initialize_parameters(self, x):
            self.a.materialize((1,))

    with pytest.raises(RuntimeError, match="module Half has not been fully initialized"):
        Half()(nptorch.ones(1))


def test_lazy_module_keeps_extra_state_in_its_state_dict():
    class Counted(nptorch.nn.LazyLinear):
        def get_extra_state(self):
            return {"calls": 3}

        def set_extra_state(self, state):
            self.calls = state["calls"]
    state = Counted(2).state_dict()
    assert list(state) == ["weight", "bias", "_extra_state"] and state["_extra_state"] == {"calls": 3}
