"""``autograd.grad``, higher-order derivatives, ``gradcheck`` and ``gradgradcheck``."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import Function, gradcheck, gradgradcheck


def leaf(values, dtype=nptorch.float64):
    return nptorch.tensor(values, dtype=dtype, requires_grad=True)


def both(torch, values, dtype="float64"):
    return (nptorch.tensor(values, dtype=getattr(nptorch, dtype), requires_grad=True),
            torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True))


# -- autograd.grad ------------------------------------------------------------------------------
def test_grad_returns_tuple_and_leaves_grad_untouched():
    x = leaf([1.0, 2.0])
    g = nptorch.autograd.grad((x * x).sum(), x)
    assert isinstance(g, tuple) and len(g) == 1
    assert g[0].tolist() == [2.0, 4.0]
    assert x.grad is None


def test_grad_lists_of_outputs_and_inputs(torch):
    x, tx = both(torch, [1.0, 2.0])
    w, tw = both(torch, [3.0, -1.0])

    def run(lib, x, w):
        a = x * w
        b = (x * x).sum()
        return lib.autograd.grad([a, b], [x, w], grad_outputs=[lib.ones_like(a) * 2, None])

    for g, tg in zip(run(nptorch, x, w), run(torch, tx, tw)):
        np.testing.assert_allclose(g.numpy(), tg.numpy())


def test_grad_outputs_weighting(torch):
    x, tx = both(torch, [1.0, 2.0, 3.0])
    v = [0.5, -1.0, 2.0]
    g, = nptorch.autograd.grad(x * x, x, grad_outputs=nptorch.tensor(v, dtype=nptorch.float64))
    tg, = torch.autograd.grad(tx * tx, tx, grad_outputs=torch.tensor(v, dtype=torch.float64))
    np.testing.assert_allclose(g.numpy(), tg.numpy())


def test_grad_of_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 3
    g, = nptorch.autograd.grad((y * y).sum(), y)
    assert g.tolist() == [6.0, 12.0]


def test_grad_unused_input(torch):
    x, tx = both(torch, [1.0])
    u, tu = both(torch, [2.0])
    for lib, a, b in ((nptorch, x, u), (torch, tx, tu)):
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            lib.autograd.grad((a * 2).sum(), [a, b])
        ga, gb = lib.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
        assert ga.tolist() == [2.0] and gb is None
        ga, gb = lib.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
        assert gb.tolist() == [0.0]


def test_grad_input_not_requiring_grad(torch):
    for lib in (nptorch, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
            lib.autograd.grad((x * 2).sum(), [x, lib.ones(2)])


def test_grad_output_not_requiring_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        nptorch.autograd.grad(nptorch.ones(1).sum(), nptorch.ones(1, requires_grad=True))


def test_grad_frees_graph_unless_retained():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    nptorch.autograd.grad(y, x, retain_graph=True)
    g, = nptorch.autograd.grad(y, x)
    assert g.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        nptorch.autograd.grad(y, x)


def test_grad_does_not_run_leaf_hooks_of_other_leaves():
    x, w = leaf([1.0]), leaf([2.0])
    nptorch.autograd.grad((x * w).sum(), x)
    assert x.grad is None and w.grad is None


# -- higher order ------------------------------------------------------------------------------
def test_third_power_derivatives(torch):
    x, tx = both(torch, [0.5, -1.5, 2.0])
    results = []
    for lib, v in ((nptorch, x), (torch, tx)):
        y = (v * v * v).sum()
        g1, = lib.autograd.grad(y, v, create_graph=True)
        g2, = lib.autograd.grad(g1.sum(), v, create_graph=True)
        g3, = lib.autograd.grad(g2.sum(), v)
        results.append([g.detach().numpy() for g in (g1, g2, g3)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(results[0][1], [3.0, -9.0, 12.0])
    np.testing.assert_allclose(results[0][2], [6.0, 6.0, 6.0])


def test_first_gradient_has_graph_only_with_create_graph():
    x = leaf([1.0])
    g, = nptorch.autograd.grad((x * x).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    g, = nptorch.autograd.grad((x * x).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_gives_differentiable_grad(torch):
    x, tx = both(torch, [1.0, 2.0])
    for v in (x, tx):
        (v * v * v).sum().backward(create_graph=True)
        assert v.grad.requires_grad
    gx = x.grad
    x.grad = None
    gx.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_hessian_vector_product(torch):
    vals, vec = [0.3, -0.7, 1.1], [1.0, 2.0, -0.5]
    x, tx = both(torch, vals)
    outs = []
    for lib, v in ((nptorch, x), (torch, tx)):
        y = (v.exp() * v * v).sum() + (v * v).sum() * v.sum()
        g, = lib.autograd.grad(y, v, create_graph=True)
        hv, = lib.autograd.grad(g, v, grad_outputs=lib.tensor(vec, dtype=lib.float64))
        outs.append(hv.numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)


def test_gradient_penalty(torch):
    xv, wv = [[0.5, -1.0], [2.0, 0.1]], [0.3, -0.2]
    x, tx = both(torch, xv)
    w, tw = both(torch, wv)
    grads = []
    for lib, xx, ww in ((nptorch, x, w), (torch, tx, tw)):
        out = ((xx * ww).exp() * ww).sum()
        g, = lib.autograd.grad(out, xx, create_graph=True)
        penalty = (g * g).sum()
        penalty.backward()
        grads.append((penalty.item(), ww.grad.numpy(), xx.grad.numpy()))
    assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)
    np.testing.assert_allclose(grads[0][2], grads[1][2], rtol=1e-12)


def test_double_backward_through_broadcast(torch):
    a, ta = both(torch, [[1.0], [2.0]])
    b, tb = both(torch, [0.5, -1.0, 3.0])
    res = []
    for lib, p, q in ((nptorch, a, b), (torch, ta, tb)):
        y = (p * q * q).sum()
        gp, = lib.autograd.grad(y, p, create_graph=True)
        gq2, = lib.autograd.grad(gp.sum(), q)
        res.append(gq2.numpy())
    np.testing.assert_allclose(res[0], res[1])


# -- gradcheck ---------------------------------------------------------------------------------
class BadSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, gy):
        x, = ctx.saved_tensors
        return gy * 3 * x  # wrong: should be 2 * x


class GoodSquareBadSecond(Function):
    """First derivative right, second wrong (its backward is not built from differentiable ops)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, gy):
        x, = ctx.saved_tensors
        return gy * 2 * x.detach() + (x - x.detach()) * 5 * gy


def test_gradcheck_passes_on_correct_functions():
    x = leaf([[0.5, -0.3], [1.2, 2.0]])
    w = leaf([0.7, -1.1])
    assert gradcheck(lambda a, b: (a * b).exp() / (b * b + 1), (x, w))
    assert gradcheck(lambda a: (a * a * a).sum(), (x,))
    assert gradcheck(lambda a, b: (a + b, a * b), (x, w))  # several outputs


def test_gradcheck_fails_on_wrong_backward():
    x = leaf([0.5, -0.3, 1.5])
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(BadSquare.apply, (x,))
    assert gradcheck(BadSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (nptorch.ones(2, dtype=nptorch.float64),))


def test_gradcheck_ignores_non_tensor_inputs():
    x = leaf([1.0, 2.0])
    assert gradcheck(lambda a, k: a * k, (x, 3.0))


def test_gradgradcheck_passes_on_correct_functions():
    x = leaf([0.5, -0.3, 1.5])
    w = leaf([0.2, 0.4, -0.6])
    assert gradgradcheck(lambda a, b: (a * b).exp() * a, (x, w))
    assert gradgradcheck(lambda a: a * a * a, (x,))


def test_gradgradcheck_fails_on_wrong_second_derivative():
    x = leaf([0.5, -0.3, 1.5])
    assert gradcheck(GoodSquareBadSecond.apply, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradgradcheck(GoodSquareBadSecond.apply, (x,))
    assert gradgradcheck(GoodSquareBadSecond.apply, (x,), raise_exception=False) is False


def test_gradcheck_agrees_with_torch_on_bad_function(torch):
    class TBad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, gy):
            x, = ctx.saved_tensors
            return gy * 3 * x

    tx = torch.tensor([0.5, -0.3, 1.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(TBad.apply, (tx,), raise_exception=False) is False
    assert gradcheck(BadSquare.apply, (leaf([0.5, -0.3, 1.5]),), raise_exception=False) is False
