"""Tensor.register_post_accumulate_grad_hook, compared with PyTorch."""
import pytest

import nptorch


def _record(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
    (w * 3).sum().backward()
    (w * w).sum().backward()
    handle.remove()
    (w * 3).sum().backward()
    return seen, w.grad.tolist()


def test_runs_after_each_accumulation_like_torch(torch):
    assert _record(nptorch) == _record(torch) == ([[3.0, 3.0], [5.0, 7.0]], [8.0, 10.0])


def test_hook_order_and_leaf_not_reached():
    a = nptorch.ones(2, requires_grad=True)
    unused = nptorch.ones(2, requires_grad=True)
    order = []
    a.register_post_accumulate_grad_hook(lambda p: order.append("first"))
    a.register_post_accumulate_grad_hook(lambda p: order.append("second"))
    unused.register_post_accumulate_grad_hook(lambda p: order.append("unused"))
    (a * 2).sum().backward()
    assert order == ["first", "second"]


@pytest.mark.parametrize("make, message", [
    (lambda: nptorch.ones(2), "doesn't require gradient"),
    (lambda: nptorch.ones(2, requires_grad=True) * 2, "non-leaf tensors"),
])
def test_refused(make, message):
    with pytest.raises(RuntimeError, match=message):
        make().register_post_accumulate_grad_hook(lambda p: None)
