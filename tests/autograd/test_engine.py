"""The backward engine: graph walk, gradient accumulation, memory, retain_graph, hooks, errors."""
import gc
import weakref

import numpy as np
import pytest

import nptorch
from nptorch.autograd import Function


def leaf(values, dtype=None):
    return nptorch.tensor(values, dtype=dtype, requires_grad=True)


# -- graph walk -------------------------------------------------------------------------------
def test_doubling_chain_accumulates_exact_power_of_two():
    x = leaf([1.0, -2.0])
    y = x
    for _ in range(20):
        y = y + y  # each node's input is used twice: 2**20 paths, but 20 nodes
    y.sum().backward()
    assert x.grad.tolist() == [2.0 ** 20, 2.0 ** 20]
    assert y.tolist() == [2.0 ** 20, -(2.0 ** 21)]


def test_long_chain_backpropagates():
    x = leaf([1.0, 2.0, 3.0])
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0, 1.0])


def test_deep_recurrence_no_recursion_error():
    x = leaf([0.1, 0.2], dtype=nptorch.float64)
    w = leaf([0.5, 0.9], dtype=nptorch.float64)
    h = nptorch.zeros(2, dtype=nptorch.float64)
    for _ in range(10000):
        h = h * w + x
    h.sum().backward()
    # h -> x / (1 - w); dh/dx = 1 / (1 - w); dh/dw = sum_k k w^(k-1) x -> x / (1 - w)^2
    np.testing.assert_allclose(h.detach().numpy(), [0.2, 2.0], rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 10.0], rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), [0.4, 20.0], rtol=1e-10)


@pytest.fixture
def no_gc():
    """Only reference counting may free memory: a reference cycle would make the test fail."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_unused_graph_is_freed_without_gc(no_gc):
    x = leaf([1.0, 2.0])
    y = x.exp()
    z = (y * x).sum()
    node, inner = weakref.ref(z.grad_fn), weakref.ref(y.grad_fn)
    saved = weakref.ref(y)
    del y
    assert inner() is not None  # still referenced by the graph of z
    del z
    assert node() is None
    assert inner() is None
    assert saved() is None


def test_graph_freed_after_backward_without_gc(no_gc):
    x = leaf([1.0, 2.0])
    y = x * x
    ref = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    assert ref() is None


def test_deep_graph_dropped_without_backward(no_gc):
    x = leaf([1.0])
    y = x
    for _ in range(50000):
        y = y * 1.0
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None


def test_saved_output_and_retained_graph_freed_without_gc(no_gc):
    x = leaf([1.0, 2.0])
    y = x.exp()  # saves its own output
    y.retain_grad()
    y.register_hook(lambda g: g)
    z = (y * y).sum()
    z.backward(retain_graph=True)
    refs = [weakref.ref(y.grad_fn), weakref.ref(z.grad_fn)]
    del y, z
    assert all(r() is None for r in refs)


def test_custom_function_ctx_freed_without_gc(no_gc):
    class Keep(Function):
        @staticmethod
        def forward(ctx, a):
            out = a * 2
            ctx.save_for_backward(a, out)
            return out

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = leaf([1.0])
    y = Keep.apply(x)
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None


class CountingMul(Function):
    calls = 0

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, gy):
        CountingMul.calls += 1
        return gy * ctx.k, None


def test_tensor_used_many_times_gets_summed_gradient_and_each_node_runs_once():
    CountingMul.calls = 0
    x = leaf([1.0, 2.0])
    y = CountingMul.apply(x, 3.0)
    total = y + y * 2 + y.exp() + y
    total.sum().backward()
    assert CountingMul.calls == 1
    expected = 3 * (1 + 2 + np.exp([3.0, 6.0]) + 1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_diamond(torch):
    def run(lib, x):
        a = x * 2
        b = a.exp()
        c = a * a
        d = b + c
        e = d * a
        e.sum().backward()
        return x.grad

    x = leaf([0.5, -1.0])
    tx = torch.tensor([0.5, -1.0], requires_grad=True)
    np.testing.assert_allclose(run(nptorch, x).numpy(), run(torch, tx).numpy(), rtol=1e-6)


def test_multiple_roots(torch):
    x = leaf([1.0, 2.0])
    a, b = x * 3, x * x
    nptorch.autograd.backward([a, b], [nptorch.tensor([1.0, 1.0]), nptorch.tensor([2.0, 0.5])])
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2 * 2 * 1, 3 + 0.5 * 2 * 2])

    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.backward([tx * 3, tx * tx], [torch.tensor([1.0, 1.0]), torch.tensor([2.0, 0.5])])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_multiple_roots_sharing_nodes():
    x = leaf([1.0, 2.0])
    y = x * x
    nptorch.autograd.backward([y.sum(), y.sum() * 2])
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_grad_tensors_length_must_match():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="grad_tensors should have the same length"):
        nptorch.autograd.backward([x * 2, x * 3], [nptorch.ones(1)])


def test_grad_output_shape_mismatch():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of"):
        (x * 2).backward(nptorch.ones(2))


# -- retain_graph ----------------------------------------------------------------------------
def test_retain_graph_allows_second_backward_and_accumulates():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_graph_without_saved_tensors_can_be_walked_twice(torch):
    # add saves nothing, so PyTorch allows this too
    x = leaf([1.0])
    y = (x + 1).sum()
    y.backward()
    y.backward()
    tx = torch.tensor([1.0], requires_grad=True)
    ty = (tx + 1).sum()
    ty.backward()
    ty.backward()
    assert x.grad.tolist() == tx.grad.tolist() == [2.0]


# -- errors -----------------------------------------------------------------------------------
def test_backward_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_backward_on_tensor_not_requiring_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not "
                                           "have a grad_fn"):
        nptorch.tensor(1.0).backward()
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="element 1 of tensors does not require grad"):
        nptorch.autograd.backward([x.sum(), nptorch.tensor(1.0)])


def test_backward_with_explicit_gradient_on_non_scalar():
    x = leaf([1.0, 2.0])
    (x * x).backward(nptorch.tensor([1.0, -1.0]))
    assert x.grad.tolist() == [2.0, -4.0]


# -- inputs= ----------------------------------------------------------------------------------
def test_backward_inputs_accumulates_only_into_those(torch):
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None
    assert w.grad.tolist() == [1.0, 2.0]
    (x * w).sum().backward(inputs=[x, w])
    assert x.grad.tolist() == [3.0, 4.0]
    assert w.grad.tolist() == [2.0, 4.0]

    tx, tw = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    (tx * tw).sum().backward(inputs=[tw])
    assert tx.grad is None


def test_backward_inputs_non_leaf(torch):
    x = leaf([1.0, 2.0])
    y = x * 3
    (y * y).sum().backward(inputs=[y])
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad is None

    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    ty = tx * 3
    (ty * ty).sum().backward(inputs=[ty])
    assert ty.grad.tolist() == y.grad.tolist()


# -- retain_grad and hooks ------------------------------------------------------------------------
def test_retain_grad_on_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]
    assert x.grad.tolist() == [8.0, 16.0]


def test_non_leaf_grad_is_none_without_retain_grad():
    x = leaf([1.0])
    y = x * 2
    y.sum().backward()
    assert y.grad is None
    assert x.retain_grad() is None  # a leaf: nothing to do
    assert not x.retains_grad


def test_retain_grad_requires_grad():
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        nptorch.ones(2).retain_grad()


def test_hook_on_leaf_modifies_gradient_and_can_be_removed():
    x = leaf([1.0, 2.0])
    seen = []

    def hook(g):
        seen.append(g.tolist())
        return g * 10

    handle = x.register_hook(hook)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [20.0, 40.0]
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert len(seen) == 1


def test_hook_on_non_leaf_changes_upstream_gradient(torch):
    def run(lib, x):
        y = x * 2
        y.register_hook(lambda g: g * 3)
        z = y.exp()
        z.sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(run(nptorch, leaf([0.1, 0.2])),
                               run(torch, torch.tensor([0.1, 0.2], requires_grad=True)), rtol=1e-6)


def test_hook_returning_none_observes_only():
    x = leaf([1.0])
    y = x * 5
    seen = []
    y.register_hook(lambda g: seen.append(g.item()))
    y.sum().backward()
    assert seen == [1.0]
    assert x.grad.tolist() == [5.0]


def test_hook_and_retain_grad_together(torch):
    def run(x):
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g + 1)
        (y * 3).sum().backward()
        return y.grad.tolist(), x.grad.tolist()

    assert run(leaf([1.0, 2.0])) == run(torch.tensor([1.0, 2.0], requires_grad=True))


def test_register_hook_requires_grad():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        nptorch.ones(2).register_hook(lambda g: g)


# -- grad_fn --------------------------------------------------------------------------------------
def test_grad_fn_names(torch):
    x = leaf([1.0, 2.0])
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    cases = [
        lambda v: v * 2, lambda v: v + 1, lambda v: v.sum(), lambda v: v - 1, lambda v: v / 2,
        lambda v: -v, lambda v: v.exp(), lambda v: v.expand(3, 2), lambda v: v.unsqueeze(0),
        lambda v: v.clone(), lambda v: v.double(),
    ]
    for f in cases:
        assert f(x).grad_fn.name() == f(tx).grad_fn.name()
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert (x + x).grad_fn.name() == "AddBackward0"
    assert x.sum().grad_fn.name() == "SumBackward0"
    assert type((x * 2).grad_fn).__name__ == "MulBackward0"


def test_leaves_have_no_grad_fn():
    x = leaf([1.0])
    assert x.grad_fn is None
    assert nptorch.ones(1).grad_fn is None
    assert (nptorch.ones(1) * 2).grad_fn is None


# -- leaves, requires_grad, detach -------------------------------------------------------------
def test_is_leaf_and_requires_grad_propagation():
    x = leaf([1.0])
    c = nptorch.tensor([2.0])
    assert x.is_leaf and c.is_leaf
    y = x * c
    assert y.requires_grad and not y.is_leaf
    z = c * 3
    assert not z.requires_grad and z.is_leaf
    assert (z + y).requires_grad
    with nptorch.no_grad():
        w = x * 2
    assert not w.requires_grad and w.is_leaf


def test_integer_results_never_require_grad():
    s = nptorch.tensor([1, 2]).sum()
    assert s.dtype == nptorch.int64 and not s.requires_grad


def test_detach_shares_memory_and_version():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    d.add_(1)
    assert y.tolist() == [3.0, 5.0]
    assert y._version == d._version == 1


def test_detach_in_place():
    x = leaf([1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_requires_grad_errors(torch):
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nptorch.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nptorch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        torch.tensor([1, 2]).requires_grad_()
    y = leaf([1.0]) * 2
    msg = "you can only change requires_grad flags of leaf variables"
    with pytest.raises(RuntimeError, match=msg):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match=msg):
        torch.ones(1, requires_grad=True).mul(2).requires_grad_(False)
    assert y.requires_grad_(True) is y  # allowed: it already requires grad


def test_requires_grad_flag_on_leaf():
    x = nptorch.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    assert nptorch.tensor([1, 2]).requires_grad_(False).requires_grad is False


def test_grad_setter_checks(torch):
    x = leaf([1.0, 2.0, 3.0])
    x.grad = nptorch.tensor([1.0, 1.0, 1.0])
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="size"):
        x.grad = nptorch.zeros(2)
    with pytest.raises(RuntimeError, match="size"):
        torch.zeros(3, requires_grad=True).grad = torch.zeros(2)
    with pytest.raises(TypeError, match="Tensor or None"):
        x.grad = [1.0, 2.0, 3.0]
    x.grad = None
    assert x.grad is None


def test_grad_accumulates_across_backwards_and_can_be_zeroed():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_grad_dtype_follows_leaf_dtype():
    x = leaf([1.0, 2.0], dtype=nptorch.float64)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype == nptorch.float64
    assert x.grad.tolist() == [2.0, 2.0]


def test_broadcast_gradient_reduced_to_input_shape(torch):
    a = leaf([[1.0], [2.0]])
    b = leaf([1.0, 2.0, 3.0])
    (a * b).sum().backward()
    ta = torch.tensor([[1.0], [2.0]], requires_grad=True)
    tb = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (ta * tb).sum().backward()
    assert a.grad.shape == (2, 1) and b.grad.shape == (3,)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy())
