"""``Module.register_backward_hook`` (the deprecated, non-full hook), ``to_empty`` and
``share_memory``, against PyTorch."""
import multiprocessing
import warnings

import numpy as np
import pytest

import nptorch
from helpers import check_same_error_as_torch, load_torch_state


def _np(t):
    return None if t is None else t.detach().numpy()


def _record(log):
    """A hook that logs ``(module, grad_input, grad_output)`` as arrays."""
    return lambda *call: log.append((call[0],) + tuple([_np(g) for g in grads]
                                                       for grads in call[1:]))


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert (o is None) == (t is None)
        if o is not None:
            np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-6)


def _modules(lib):
    class Affine(lib.nn.Module):
        """Two operations: the hook sees the last one's inputs (x * 2 and the scalar)."""

        def forward(self, x):
            return x * 2 + 1

    class Mul(lib.nn.Module):
        def forward(self, x, y):
            return x * y

    class Pair(lib.nn.Module):
        """Outputs made by different nodes."""

        def forward(self, x, y):
            return x * y, x + y

    class Nested(lib.nn.Module):
        def forward(self, x):
            return [x * 3]

    class Keyed(lib.nn.Module):
        def forward(self, x):
            return {"out": x.exp()}

    class Scaled(lib.nn.Module):
        def forward(self, x, k):
            return x * k

    return {"affine": Affine, "mul": Mul, "pair": Pair, "nested": Nested, "keyed": Keyed,
            "scaled": Scaled, "relu": lib.nn.ReLU, "sigmoid": lib.nn.Sigmoid}


def _inputs(lib, name):
    x = lib.tensor([[0.5, -1.0, 2.0], [1.5, -0.25, 0.75]], requires_grad=True)
    y = lib.tensor([[2.0, 1.0, -1.0], [0.5, 3.0, -2.0]], requires_grad=True)
    if name in ("mul", "pair"):
        return x, y
    if name == "scaled":
        return x, 3.0
    return (x,)


def _run(lib, name, weights=None, non_leaf=False):
    log = []
    module = _modules(lib)[name]()
    module.register_backward_hook(_record(log))
    inputs = _inputs(lib, name)
    call_inputs = tuple(i * 1 if non_leaf and isinstance(i, lib.Tensor) else i for i in inputs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = module(*call_inputs)
    first = out if isinstance(out, lib.Tensor) else (
        out["out"] if isinstance(out, dict) else out[0])
    weights = lib.tensor(weights if weights is not None else np.ones(first.shape, np.float32))
    (first * weights).sum().backward()
    messages = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    return module, log, [i.grad for i in inputs if isinstance(i, lib.Tensor)], messages


@pytest.mark.parametrize("name", ["affine", "mul", "pair", "nested", "keyed", "scaled", "relu",
                                  "sigmoid"])
def test_hook_sees_the_last_nodes_gradients(torch, name):
    weights = [[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]]
    (m1, ours, our_grads, our_warnings), (m2, theirs, their_grads, their_warnings) = (
        _run(lib, name, weights) for lib in (nptorch, torch))
    assert len(ours) == len(theirs) == 1
    assert ours[0][0] is m1 and theirs[0][0] is m2
    _assert_same(ours[0][1], theirs[0][1])  # grad_input
    _assert_same(ours[0][2], theirs[0][2])  # grad_output
    _assert_same([_np(g) for g in our_grads], [_np(g) for g in their_grads])
    assert our_warnings == their_warnings and len(their_warnings) == 1


def test_affine_reports_the_last_operation(torch):
    _, log, _, messages = _run(nptorch, "affine")
    grad_input, grad_output = log[0][1], log[0][2]
    assert len(grad_input) == 2 and grad_input[1] is None  # (x * 2) and the constant 1
    np.testing.assert_array_equal(grad_input[0], np.ones((2, 3)))
    np.testing.assert_array_equal(grad_output[0], np.ones((2, 3)))
    assert messages[0].startswith("Using a non-full backward hook when the forward contains "
                                  "multiple autograd Nodes")


def test_single_node_on_non_leaf_inputs_does_not_warn(torch):
    for lib in (nptorch, torch):
        _, log, _, messages = _run(lib, "mul", non_leaf=True)
        assert len(log) == 1 and messages == []


def test_hook_result_replaces_grad_input(torch):
    grads = []
    for lib in (nptorch, torch):
        m = _modules(lib)["mul"]()
        m.register_backward_hook(lambda mod, gi, go: (gi[0] * 10, gi[1]))
        x, y = _inputs(lib, "mul")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            m(x, y).sum().backward()
        grads.append((x.grad.numpy(), y.grad.numpy()))
    _assert_same(grads[0], grads[1])
    np.testing.assert_allclose(grads[0][0], 10 * _inputs(nptorch, "mul")[1].detach().numpy())


def test_hooks_run_in_order_and_remove(torch):
    for lib in (nptorch, torch):
        calls = []
        m = lib.nn.Sigmoid()
        h1 = m.register_backward_hook(lambda *a: calls.append(1))
        m.register_backward_hook(lambda *a: calls.append(2))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            m(x).sum().backward()
            h1.remove()
            m(x).sum().backward()
        assert calls == [1, 2, 2]


def test_not_attached_without_a_graph(torch):
    for lib in (nptorch, torch):
        calls = []
        m = lib.nn.Sigmoid()
        m.register_backward_hook(lambda *a: calls.append(1))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.no_grad():
                m(lib.tensor([1.0], requires_grad=True))
            m(lib.tensor([1.0]))
        assert calls == [] and not caught


def test_sequential_hook_sees_its_last_layer(torch):
    logs = []
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    for lib in (nptorch, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh())
        if lib is nptorch:
            load_torch_state(model, reference)
        else:
            model = reference
        log = []
        model.register_backward_hook(_record(log))
        x = lib.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            (model(x) * lib.tensor([[2.0, -3.0]])).sum().backward()
        logs.append(log)
    ours, theirs = logs
    _assert_same(ours[0][1], theirs[0][1])
    _assert_same(ours[0][2], theirs[0][2])


def test_wrong_hook_result_is_an_error(torch):
    def call(lib):
        def bad_hook(module, grad_input, grad_output):
            return (grad_input[0],)

        m = _modules(lib)["mul"]()
        m.register_backward_hook(bad_hook)
        x, y = _inputs(lib, "mul")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            m(x, y).sum().backward()

    check_same_error_as_torch(call)


def test_mixing_with_full_backward_hooks_is_an_error(torch):
    def full_then_regular(lib):
        m = lib.nn.ReLU()
        m.register_full_backward_hook(lambda *a: None)
        m.register_backward_hook(lambda *a: None)

    def regular_then_full(lib):
        m = lib.nn.ReLU()
        handle = m.register_backward_hook(lambda *a: None)
        handle.remove()  # the module stays committed to regular hooks
        m.register_full_backward_hook(lambda *a: None)

    check_same_error_as_torch(full_then_regular)
    check_same_error_as_torch(regular_then_full)


def test_full_backward_hooks_are_unaffected(torch):
    for lib in (nptorch, torch):
        calls = []
        m = lib.nn.ReLU()
        m.register_full_backward_hook(lambda mod, gi, go: calls.append(len(gi)))
        m(lib.tensor([1.0, -1.0], requires_grad=True)).sum().backward()
        assert calls == [1]


# -- to_empty -------------------------------------------------------------------------------------
def _model(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4))
    model[0].weight.grad = lib.ones(4, 3)
    return model


def test_to_empty_keeps_parameters_and_shapes(torch):
    summaries = []
    for lib in (nptorch, torch):
        model = _model(lib)
        params = list(model.parameters())
        assert model.to_empty(device="cpu") is model
        assert list(model.parameters()) == params  # the same Parameter objects
        summaries.append([(name, tuple(t.shape), str(t.dtype).split(".")[-1], t.device.type,
                           type(t).__name__, t.requires_grad)
                          for name, t in model.state_dict(keep_vars=True).items()])
        assert tuple(model[0].weight.grad.shape) == (4, 3)
        # the values are uninitialized: re-initialize and run
        for m in model:
            m.reset_parameters()
        model(lib.ones(2, 3)).sum().backward()
    assert summaries[0] == summaries[1]


def test_to_empty_without_recursion(torch):
    results = []
    for lib in (nptorch, torch):
        model = _model(lib)
        model.register_buffer("scale", lib.full((2,), 7.0))
        before = model[0].weight.detach().clone()
        model.to_empty(device=lib.device("cpu"), recurse=False)
        # only the container's own buffer was replaced; the children keep their values
        results.append(np.array_equal(model[0].weight.detach().numpy(), before.numpy()))
        assert tuple(model.scale.shape) == (2,)
    assert results == [True, True]


def test_to_empty_requires_device_keyword(torch):
    check_same_error_as_torch(lambda lib: _model(lib).to_empty("cpu"))
    check_same_error_as_torch(lambda lib: _model(lib).to_empty())


# -- share_memory -----------------------------------------------------------------------------------
def test_share_memory_keeps_objects_and_values(torch):
    for lib in (nptorch, torch):
        model = _model(lib)
        params = list(model.parameters())
        values = [p.detach().numpy().copy() for p in params]
        assert model.share_memory() is model
        assert list(model.parameters()) == params
        for p, v in zip(params, values):
            np.testing.assert_array_equal(p.detach().numpy(), v)
        assert model[0].weight.grad.tolist() == [[1.0] * 3] * 4
        model.share_memory()  # twice is fine
        model(lib.ones(2, 3)).sum().backward()


def _train_step_in_child(model, lib):
    with lib.no_grad():
        for p in model.parameters():
            p.add_(1.0)


def _step_in_forked_child(model, lib):
    """Run ``_train_step_in_child`` in a forked process; the parameters before it."""
    before = [p.detach().numpy().copy() for p in model.parameters()]
    process = multiprocessing.get_context("fork").Process(target=_train_step_in_child,
                                                          args=(model, lib))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    return before


_needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                 reason="needs the fork start method")


@_needs_fork
def test_forked_process_updates_shared_parameters(torch):
    for lib in (nptorch, torch):
        model = _model(lib).share_memory()
        before = _step_in_forked_child(model, lib)
        for p, b in zip(model.parameters(), before):
            np.testing.assert_allclose(p.detach().numpy(), b + 1.0)


@_needs_fork
def test_unshared_parameters_are_copied_on_fork(torch):
    model = _model(nptorch)
    before = _step_in_forked_child(model, nptorch)
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), b)


def test_share_memory_of_an_uninitialized_parameter(torch):
    check_same_error_as_torch(lambda lib: lib.nn.LazyLinear(3).share_memory())
