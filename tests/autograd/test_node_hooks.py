"""Graph nodes' Python API: ``grad_fn.register_hook`` (post hooks) and ``next_functions``,
compared with PyTorch (in both engines: CI reruns tests/autograd with the pure one)."""
import numpy as np
import pytest

import nptorch
from helpers import check_same_error_as_torch


def test_next_functions(torch):
    for lib in (nptorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0])
        y = x * 2
        (acc, nr), (none, none_nr) = y.grad_fn.next_functions
        assert type(acc).__name__ == "AccumulateGrad" and nr == 0
        assert none is None and none_nr == 0
        z = y * w
        assert z.grad_fn.next_functions[0][0] is y.grad_fn
        assert z.grad_fn.next_functions[1] == (None, 0)
        assert acc.next_functions == ()


def test_post_hook_sees_and_replaces_gradients(torch):
    results = []
    for lib in (nptorch, torch):
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        w = lib.tensor([3.0, 0.5], requires_grad=True)
        y = x * w
        seen = []

        def hook(grad_inputs, grad_outputs):
            seen.append(([g.tolist() for g in grad_inputs], [g.tolist() for g in grad_outputs]))
            return grad_inputs[0] * 10, None

        handle = y.grad_fn.register_hook(hook)
        (y * lib.tensor([1.0, 2.0])).sum().backward(retain_graph=True)
        results.append((seen, x.grad.tolist(), w.grad))
        handle.remove()
        x.grad = None
        y.sum().backward()
        results.append(x.grad.tolist())
    assert results[:2] == results[2:]
    assert results[0][0] == [([[3.0, 1.0], [1.0, -4.0]], [[1.0, 2.0]])]
    assert results[0][1] == [30.0, 10.0] and results[0][2] is None


def test_post_hooks_run_in_order(torch):
    for lib in (nptorch, torch):
        x = lib.tensor([1.0], requires_grad=True)
        y = x.exp()
        calls = []
        y.grad_fn.register_hook(lambda gi, go: calls.append(1))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + 5,))
        y.grad_fn.register_hook(lambda gi, go: calls.append(gi[0].tolist()))
        y.backward()
        assert calls == [1, [5.0]] and x.grad.tolist() == [5.0]


def test_grad_outputs_of_unused_outputs_are_none():
    class Halves(nptorch.autograd.Function):
        @staticmethod
        def forward(x):
            return x[:1] * 1, x[1:] * 1

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, first, second):
            return nptorch.cat([first, second * 3])

    x = nptorch.tensor([1.0, 1.0], requires_grad=True)
    a, b = Halves.apply(x)
    seen = []
    a.grad_fn.register_hook(lambda gi, go: seen.append(go))
    b.sum().backward()
    assert seen[0][0] is None and seen[0][1].tolist() == [1.0]
    assert x.grad.tolist() == [0.0, 3.0]  # backward itself still got materialized zeros


def test_post_hook_with_create_graph(torch):
    results = []
    for lib in (nptorch, torch):
        x = lib.tensor([1.5], dtype=lib.float64, requires_grad=True)
        y = x.sin()
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 2,))
        g, = lib.autograd.grad(y, x, create_graph=True)
        g2, = lib.autograd.grad(g, x)
        results.append((g.item(), g2.item()))
    np.testing.assert_allclose(results[0], results[1])


@pytest.mark.parametrize("result", ["list", "tensor", "short", "long", "int"])
def test_bad_hook_results(result):
    def call(lib):
        def named_hook(grad_inputs, grad_outputs):
            g = grad_inputs[0]
            return {"list": [g, None], "tensor": g, "short": (g,), "long": (g, None, None),
                    "int": (g, 5)}[result]

        x = lib.tensor([1.0], requires_grad=True)
        y = x * lib.tensor([2.0], requires_grad=True)
        y.grad_fn.register_hook(named_hook)
        y.backward()

    check_same_error_as_torch(call)
