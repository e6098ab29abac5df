"""Optimizer state-dict hooks (``register_state_dict_pre_hook`` and friends): call order,
``prepend``, return values and removal, against PyTorch."""
import pickle

import numpy as np
import pytest

import nptorch


def _optimizer(lib, cls="SGD", **kwargs):
    lib.manual_seed(0)
    w = lib.nn.Parameter(lib.tensor([[1.0, -2.0], [0.5, 3.0]]))
    b = lib.nn.Parameter(lib.tensor([0.25, -0.75]))
    kwargs = kwargs or {"lr": 0.1, "momentum": 0.9}
    opt = getattr(lib.optim, cls)([w, b], **kwargs)
    (w.sum() * 2 + (b * b).sum()).backward()
    opt.step()
    return opt


def _plain(value):
    """A state dict with tensors replaced by lists, to compare across libraries."""
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _both(torch, fn):
    ours, theirs = fn(nptorch), fn(torch)
    assert ours == theirs
    return ours


def test_state_dict_hook_order_and_prepend(torch):
    def run(lib):
        opt = _optimizer(lib)
        calls = []
        opt.register_state_dict_pre_hook(lambda o: calls.append(("pre", 1, o is opt)))
        opt.register_state_dict_pre_hook(lambda o: calls.append(("pre", 2, o is opt)),
                                         prepend=True)
        opt.register_state_dict_pre_hook(lambda o: calls.append(("pre", 3, o is opt)))

        def post(tag):
            def hook(o, sd):
                calls.append(("post", tag, o is opt, sorted(sd)))
            return hook

        opt.register_state_dict_post_hook(post(1))
        opt.register_state_dict_post_hook(post(2), prepend=True)
        opt.state_dict()
        return calls

    calls = _both(torch, run)
    assert [c[:2] for c in calls] == [("pre", 2), ("pre", 1), ("pre", 3), ("post", 2),
                                       ("post", 1)]


def test_state_dict_post_hook_results(torch):
    def run(lib):
        opt = _optimizer(lib)

        def add_entry(o, sd):
            sd["extra"] = "in place"

        def replace(o, sd):
            return {"state": {}, "param_groups": sd["param_groups"], "replaced": sorted(sd)}

        def inspect(o, sd):
            seen.append(sorted(sd))

        seen = []
        opt.register_state_dict_post_hook(add_entry)
        opt.register_state_dict_post_hook(replace)
        opt.register_state_dict_post_hook(inspect)
        sd = opt.state_dict()
        return sorted(sd), sd["replaced"], seen, sd["state"]

    keys, replaced, seen, state = _both(torch, run)
    assert keys == ["param_groups", "replaced", "state"]
    assert replaced == ["extra", "param_groups", "state"] and seen == [keys] and state == {}


def test_state_dict_pre_hook_can_change_the_optimizer(torch):
    def run(lib):
        opt = _optimizer(lib)
        opt.register_state_dict_pre_hook(lambda o: o.param_groups[0].update(lr=0.5))
        return _plain(opt.state_dict())

    sd = _both(torch, run)
    assert sd["param_groups"][0]["lr"] == 0.5


def test_load_state_dict_hooks(torch):
    def run(lib):
        source = _optimizer(lib)
        saved = source.state_dict()
        target = _optimizer(lib)
        calls = []

        def pre_in_place(o, sd):
            calls.append(("pre", "in place", o is target, sd is saved))
            sd["param_groups"] = [dict(g, lr=0.25) for g in sd["param_groups"]]

        def pre_replace(o, sd):
            calls.append(("pre", "replace", sd["param_groups"][0]["lr"]))
            new = dict(sd)
            new["param_groups"] = [dict(g, momentum=0.5) for g in sd["param_groups"]]
            return new

        def pre_last(o, sd):
            calls.append(("pre", "last", sd["param_groups"][0]["momentum"]))

        def post(tag):
            def hook(o):
                calls.append(("post", tag, o.param_groups[0]["lr"], o.param_groups[0]["momentum"]))
            return hook

        target.register_load_state_dict_pre_hook(pre_replace)
        target.register_load_state_dict_pre_hook(pre_in_place, prepend=True)
        target.register_load_state_dict_pre_hook(pre_last)
        target.register_load_state_dict_post_hook(post("second"))
        target.register_load_state_dict_post_hook(post("first"), prepend=True)
        target.load_state_dict(saved)
        # the caller's dict is a shallow copy's source: its top level is untouched
        return calls, saved["param_groups"][0]["lr"], _plain(target.state_dict())

    calls, caller_lr, loaded = _both(torch, run)
    assert calls == [("pre", "in place", True, False), ("pre", "replace", 0.25),
                     ("pre", "last", 0.5), ("post", "first", 0.25, 0.5),
                     ("post", "second", 0.25, 0.5)]
    assert caller_lr == 0.1
    assert loaded["param_groups"][0]["lr"] == 0.25
    assert loaded["state"][0]["momentum_buffer"] == [[2.0, 2.0], [2.0, 2.0]]


def test_load_state_dict_pre_hook_adapts_a_foreign_dict(torch):
    """The documented use: a pre-hook that renames what a checkpoint stores."""
    def run(lib):
        saved = _optimizer(lib, "Adam", lr=0.01).state_dict()
        foreign = {"opt_state": saved["state"], "groups": saved["param_groups"]}
        target = _optimizer(lib, "Adam", lr=0.5)
        target.register_load_state_dict_pre_hook(
            lambda o, sd: {"state": sd["opt_state"], "param_groups": sd["groups"]})
        target.load_state_dict(foreign)
        return _plain(target.state_dict())

    sd = _both(torch, run)
    assert sd["param_groups"][0]["lr"] == 0.01
    np.testing.assert_allclose(sd["state"][1]["exp_avg"], [0.05, -0.15], rtol=1e-6)


def test_handles_remove_hooks(torch):
    def run(lib):
        opt = _optimizer(lib)
        calls = []
        handles = [
            opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre")),
            opt.register_state_dict_post_hook(lambda o, sd: calls.append("sd post")),
            opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load pre")),
            opt.register_load_state_dict_post_hook(lambda o: calls.append("load post")),
        ]
        opt.load_state_dict(opt.state_dict())
        for handle in handles:
            handle.remove()
        opt.load_state_dict(opt.state_dict())
        return calls

    assert _both(torch, run) == ["sd pre", "sd post", "load pre", "load post"]


def test_state_dict_without_hooks_is_unchanged(torch):
    ours = _plain(_optimizer(nptorch).state_dict())
    theirs = _plain(_optimizer(torch).state_dict())
    assert ours["state"] == theirs["state"]
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]


def test_hooks_survive_pickling_as_empty_registries():
    opt = _optimizer(nptorch)
    opt.register_state_dict_pre_hook(lambda o: None)
    restored = pickle.loads(pickle.dumps(opt))
    calls = []
    restored.register_state_dict_post_hook(lambda o, sd: calls.append(len(sd["state"])))
    restored.register_load_state_dict_post_hook(lambda o: calls.append("loaded"))
    restored.load_state_dict(restored.state_dict())
    assert calls == [2, "loaded"]


@pytest.mark.parametrize("name", ["register_state_dict_pre_hook",
                                  "register_state_dict_post_hook",
                                  "register_load_state_dict_pre_hook",
                                  "register_load_state_dict_post_hook"])
def test_signatures_match_torch(torch, name):
    import inspect

    ours = inspect.signature(getattr(nptorch.optim.Optimizer, name)).parameters
    theirs = inspect.signature(getattr(torch.optim.Optimizer, name)).parameters
    assert list(ours) == list(theirs)
    assert [p.default for p in ours.values()] == [p.default for p in theirs.values()]
