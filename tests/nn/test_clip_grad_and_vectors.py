"""nn.utils gradient clipping and parameter vectors against PyTorch."""
import numpy as np
import pytest

import nptorch

torch = pytest.importorskip("torch")


def _params(lib, grads):
    ps = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(*g.shape))
        p.grad = lib.tensor(g)
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    grads = [np.random.randn(3, 4).astype(np.float32), np.random.randn(5).astype(np.float32)]
    ours, theirs = _params(nptorch, grads), _params(torch, grads)
    no = nptorch.nn.utils.clip_grad_norm_(ours, max_norm, norm_type, foreach=None)
    nt = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    np.testing.assert_allclose(no.item(), nt.item(), rtol=1e-6)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)
    if max_norm == 100.0:
        np.testing.assert_array_equal(ours[0].grad.numpy(), grads[0])


def test_total_norm_and_clip_with_norm():
    grads = [np.full((2,), 3.0, np.float32), np.full((1,), 4.0, np.float32)]
    ours = _params(nptorch, grads)
    total = nptorch.nn.utils.get_total_norm([p.grad for p in ours])
    assert total.item() == pytest.approx(np.sqrt(34.0))
    nptorch.nn.utils.clip_grads_with_norm_(ours, 1.0, total)
    norm = np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in ours))
    assert norm == pytest.approx(1.0, rel=1e-5)
    assert nptorch.nn.utils.clip_grad_norm_(nptorch.nn.Parameter(nptorch.ones(2)), 1.0).item() == 0
    assert nptorch.nn.utils.clip_grad_norm_([], 1.0).item() == 0
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        nptorch.nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_value():
    grads = [np.random.randn(4, 3).astype(np.float32) * 2]
    ours, theirs = _params(nptorch, grads), _params(torch, grads)
    nptorch.nn.utils.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    np.testing.assert_array_equal(ours[0].grad.numpy(), theirs[0].grad.numpy())
    assert np.abs(ours[0].grad.numpy()).max() == pytest.approx(0.7)


def test_parameters_vector_round_trip():
    m = nptorch.nn.Linear(3, 2)
    vec = nptorch.nn.utils.parameters_to_vector(m.parameters())
    assert tuple(vec.shape) == (8,)
    np.testing.assert_array_equal(vec[:6].detach().numpy(), m.weight.detach().numpy().ravel())
    nptorch.nn.utils.vector_to_parameters(nptorch.arange(8.0), m.parameters())
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(m.bias.detach().numpy(), [6.0, 7.0])


def test_errors():
    p = nptorch.nn.Parameter(nptorch.ones(2))
    p.grad = nptorch.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite, so it cannot be clipped"):
        nptorch.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nptorch.nn.utils.vector_to_parameters([1.0, 2.0], [p])
