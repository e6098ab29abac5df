"""The README's autograd example: matmul, transpose, max, indexing, pow, abs and mean together."""
import numpy as np

import nptorch


def run_example(lib):
    a = lib.tensor([[-1., 2], [-3., 4.]], requires_grad=True)
    b = lib.tensor([[4., 3.], [2., 1.]], requires_grad=True)
    c = lib.tensor([[1., 2.], [0., 2.]], requires_grad=True)
    d = lib.tensor([1., -2.], requires_grad=True)
    e = a @ b.T
    f = (c.max(1)[0].exp() + e[:, 0] + b.pow(2) + 2 * d.reshape(2, 1).abs()).mean()
    f.backward()
    return f, a, b, c, d


def test_example_printed_values():
    f, a, b, c, d = run_example(nptorch)
    assert f.grad_fn.name() == "MeanBackward0"
    np.testing.assert_allclose(f.item(), 18.889057, rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [[2, 1.5], [2, 1.5]], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), [[0, 4.5], [1, 0.5]], rtol=1e-6)
    np.testing.assert_allclose(c.grad.numpy(), [[0, 3.694528], [0, 3.694528]], rtol=1e-6)
    np.testing.assert_allclose(d.grad.numpy(), [1, -1], rtol=1e-6)


def test_example_matches_torch(torch):
    ours, theirs = run_example(nptorch), run_example(torch)
    assert repr(ours[0]) == repr(theirs[0]).replace("torch.", "nptorch.")
    for x, tx in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
        assert x.grad.dtype.name == str(tx.grad.dtype).replace("torch.", "")
