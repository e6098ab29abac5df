"""Module backward hooks, state-dict hooks, extra state and set_submodule, against PyTorch."""
import numpy as np
import pytest

import nptorch

torch = pytest.importorskip("torch")


class TwoOutputs:
    """A module class for either library: ``(a * b, a + 1)`` with a non-tensor in between."""

    @staticmethod
    def make(lib):
        class M(lib.nn.Module):
            def forward(self, a, k, b):
                return a * b * k, a + 1
        return M()


def _np(t):
    return None if t is None else t.detach().numpy()


def _record(log):
    def hook(module, grad_input, grad_output):
        log.append(([_np(g) for g in grad_input], [_np(g) for g in grad_output]))
    return hook


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert (o is None) == (t is None)
        if o is not None:
            np.testing.assert_allclose(o, t, rtol=1e-6)


def _run_two_outputs(lib, use_second, b_requires_grad):
    log = []
    m = TwoOutputs.make(lib)
    m.register_full_backward_hook(_record(log))
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, -1.0], requires_grad=b_requires_grad)
    first, second = m(a, 2.0, b)
    loss = first.sum() + (second * second).sum() if use_second else first.sum()
    loss.backward()
    return log, a.grad


@pytest.mark.parametrize("use_second", [False, True])
@pytest.mark.parametrize("b_requires_grad", [False, True])
def test_full_backward_hook_sees_torchs_gradients(use_second, b_requires_grad):
    (ours, ga), (theirs, ta) = (_run_two_outputs(lib, use_second, b_requires_grad)
                                for lib in (nptorch, torch))
    assert len(ours) == len(theirs) == 1
    for side in (0, 1):
        _assert_same(ours[0][side], theirs[0][side])
    np.testing.assert_allclose(ga.numpy(), ta.numpy())


def _replacing(lib):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
    m.register_full_backward_pre_hook(lambda mod, grad_output: (grad_output[0] * 2,))
    m.register_full_backward_hook(lambda mod, grad_input, grad_output: (grad_input[0] + 1,))
    x = lib.ones(4, 3, requires_grad=True)
    m(x).sum().backward()
    return x.grad.numpy(), m.weight.grad.numpy()


def test_hooks_can_replace_gradients():
    for ours, theirs in zip(_replacing(nptorch), _replacing(torch)):
        np.testing.assert_allclose(ours, theirs)


def test_hook_without_input_gradients_fires_with_none_and_warns():
    log = []
    m = nptorch.nn.Linear(3, 2)
    handle = m.register_full_backward_hook(_record(log))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        m(nptorch.ones(4, 3)).sum().backward()
    assert log[0][0] == [None] and log[0][1][0].shape == (4, 2)
    handle.remove()
    m(nptorch.ones(4, 3)).sum().backward()
    assert len(log) == 1


def test_hook_returning_the_wrong_number_of_gradients():
    for lib in (torch, nptorch):
        m = lib.nn.Linear(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of "
                                               "grad_input, got 2, but expected 1"):
            m(lib.ones(1, 3, requires_grad=True)).sum().backward()


def test_no_hooks_run_without_grad_mode():
    log = []
    m = nptorch.nn.Linear(3, 2)
    m.register_full_backward_hook(_record(log))
    with nptorch.no_grad():
        assert m(nptorch.ones(1, 3)).grad_fn is None


class WithExtraState:
    @staticmethod
    def make(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = lib.nn.Linear(1, 1)
                self.counter = 3

            def get_extra_state(self):
                return {"counter": self.counter}

            def set_extra_state(self, state):
                self.counter = state["counter"]
        return M()


def test_extra_state_round_trip_and_keys():
    for lib in (torch, nptorch):
        m = WithExtraState.make(lib)
        state = m.state_dict()
        assert list(state) == ["_extra_state", "linear.weight", "linear.bias"]
        assert state["_extra_state"] == {"counter": 3}
        other = WithExtraState.make(lib)
        other.counter = 0
        other.load_state_dict(state)
        assert other.counter == 3
        del state["_extra_state"]
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "_extra_state"'):
            other.load_state_dict(state)
        with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "_extra_state"'):
            lib.nn.Linear(1, 1).load_state_dict({"weight": lib.ones(1, 1), "bias": lib.ones(1),
                                                 "_extra_state": 1})
    with pytest.raises(RuntimeError, match="Reached a code path in Module.get_extra_state"):
        nptorch.nn.Linear(1, 1).get_extra_state()


def test_extra_state_saved_only_is_unexpected_on_load():
    for lib in (torch, nptorch):
        class SavesOnly(lib.nn.Linear):
            def get_extra_state(self):
                return 1
        m = SavesOnly(1, 1)
        keys = m.load_state_dict(m.state_dict(), strict=False)
        assert keys.missing_keys == [] and keys.unexpected_keys == ["_extra_state"]


def test_lazy_module_loads_a_lazy_state_dict():
    for lib in (torch, nptorch):
        m = lib.nn.LazyLinear(3)
        keys = m.load_state_dict(lib.nn.LazyLinear(3).state_dict())
        assert keys.missing_keys == [] and keys.unexpected_keys == []
        assert m.has_uninitialized_params()


def test_state_dict_hooks():
    for lib in (torch, nptorch):
        calls = []
        m = lib.nn.Sequential(lib.nn.Linear(1, 1))
        m[0].register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append(prefix))

        def drop_bias(mod, state, prefix, metadata):
            del state[prefix + "bias"]
        m[0].register_state_dict_post_hook(drop_bias)
        assert list(m.state_dict()) == ["0.weight"] and calls == ["0."]
        m[0].register_state_dict_post_hook(lambda *args: 5)
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            m.state_dict()


def test_load_state_dict_hooks():
    for lib in (torch, nptorch):
        order = []
        m = lib.nn.Sequential(lib.nn.Linear(1, 1))

        def rename(module, state, prefix, *rest):
            order.append("pre " + prefix)
            state[prefix + "weight"] = state.pop(prefix + "w")

        def forgive(module, keys):
            order.append("post " + type(module).__name__)
            keys.unexpected_keys.clear()
        m[0].register_load_state_dict_pre_hook(rename)
        m[0].register_load_state_dict_post_hook(forgive)
        m.register_load_state_dict_post_hook(forgive)
        m.load_state_dict({"0.w": lib.full((1, 1), 2.0), "0.bias": lib.ones(1), "extra": lib.ones(1)})
        assert m[0].weight.item() == 2.0
        assert order == ["pre 0.", "post Linear", "post Sequential"]


def test_load_state_dict_post_hook_edits_reach_the_strict_check():
    for lib in (torch, nptorch):
        m = lib.nn.Sequential(lib.nn.Linear(1, 1))
        m[0].register_load_state_dict_post_hook(
            lambda module, keys: keys.missing_keys.append("ghost"))
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict(m.state_dict())
        assert str(info.value) == ('Error(s) in loading state_dict for Sequential:\n\t'
                                   'Missing key(s) in state_dict: "ghost". ')
        keys = m.load_state_dict(m.state_dict(), strict=False)
        assert keys.missing_keys == ["ghost"] and keys.unexpected_keys == []
        linear = lib.nn.Linear(1, 1)
        linear.register_load_state_dict_post_hook(lambda module, keys: keys.missing_keys.clear())
        keys = linear.load_state_dict({"bias": lib.ones(1)})
        assert str(keys) == "<All keys matched successfully>"


def test_load_state_dict_post_hook_must_return_none():
    message = ("Hooks registered with ``register_load_state_dict_post_hook`` are not expected to "
               "return new values, if incompatible_keys need to be modified, it should be done "
               "inplace.")
    for lib in (torch, nptorch):
        calls = []
        m = lib.nn.Linear(1, 1)
        m.register_load_state_dict_post_hook(lambda module, keys: keys)
        m.register_load_state_dict_post_hook(lambda module, keys: calls.append("second"))
        for strict in (True, False):
            with pytest.raises(AssertionError) as info:
                m.load_state_dict({"weight": lib.full((1, 1), 3.0), "bias": lib.ones(1)},
                                  strict=strict)
            assert str(info.value) == message
        assert m.weight.item() == 3.0 and calls == []


def test_set_submodule():
    for lib in (torch, nptorch):
        s = lib.nn.Sequential(lib.nn.Sequential(lib.nn.Linear(1, 1)))
        s.set_submodule("0.0", lib.nn.ReLU())
        s.set_submodule("0.1", lib.nn.Tanh())
        assert [type(m).__name__ for m in s[0]] == ["ReLU", "Tanh"]
        with pytest.raises(AttributeError, match="Sequential has no attribute `x`"):
            s.set_submodule("x.y", lib.nn.ReLU())
        with pytest.raises(ValueError, match="`module` is not an nn.Module"):
            s.set_submodule("0", 3)
        s.flag = 3
        for strict in (False, True):
            with pytest.raises(AttributeError, match="`flag` is not an nn.Module"):
                s.set_submodule("flag", lib.nn.ReLU(), strict=strict)
        with pytest.raises(AttributeError, match="Sequential has no attribute `z`"):
            s.set_submodule("z", lib.nn.ReLU(), strict=True)
        with pytest.raises(ValueError, match="without a target name"):
            s.set_submodule("", lib.nn.ReLU())
    m = nptorch.nn.Linear(1, 1)
    assert m.compile() is None and isinstance(m, nptorch.nn.Linear)
