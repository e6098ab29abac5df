"""utils.checkpoint: gradients equal to the plain run (dropout masks included), RNG and
autocast state replayed, PyTorch's warnings and errors."""
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.utils.checkpoint import checkpoint, checkpoint_sequential

X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


def _model():
    nptorch.manual_seed(0)
    return nptorch.nn.Sequential(nptorch.nn.Linear(4, 8), nptorch.nn.Tanh(),
                                 nptorch.nn.Dropout(0.5), nptorch.nn.Linear(8, 3),
                                 nptorch.nn.Dropout(0.3), nptorch.nn.Linear(3, 2))


def _grads(run, x_requires_grad=True):
    """Output, input gradient, parameter gradients and the RNG state after the forward and
    after the backward of ``run(model, x)``."""
    model = _model()
    x = nptorch.tensor(X, requires_grad=x_requires_grad)
    nptorch.manual_seed(7)
    y = run(model, x)
    after_forward = nptorch.get_rng_state().numpy().copy()
    (y * nptorch.arange(2.0)).sum().backward()
    after_backward = nptorch.get_rng_state().numpy().copy()
    return (y.detach().numpy(), None if x.grad is None else x.grad.numpy(),
            [p.grad.numpy() for p in model.parameters()], after_forward, after_backward)


def _assert_same(a, b):
    np.testing.assert_array_equal(a[0], b[0])
    if a[1] is not None or b[1] is not None:
        np.testing.assert_allclose(a[1], b[1], rtol=1e-6, atol=1e-7)
    for g, h in zip(a[2], b[2]):
        np.testing.assert_allclose(g, h, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(a[3], b[3])
    np.testing.assert_array_equal(a[4], b[4])


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_gradients_equal_plain_run_with_dropout(use_reentrant):
    plain = _grads(lambda m, x: m(x))
    checked = _grads(lambda m, x: checkpoint(m, x, use_reentrant=use_reentrant))
    assert checked[1] is not None
    _assert_same(plain, checked)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_sequential_equals_plain_run(use_reentrant):
    plain = _grads(lambda m, x: m(x))
    for segments in (1, 2, 3, 6):
        _assert_same(plain, _grads(lambda m, x: checkpoint_sequential(
            m, segments, x, use_reentrant=use_reentrant)))
    listed = _grads(lambda m, x: checkpoint_sequential(list(m), 2, x,
                                                       use_reentrant=use_reentrant))
    _assert_same(plain, listed)


def test_without_preserved_rng_the_recomputed_masks_differ():
    plain = _grads(lambda m, x: m(x))
    loose = _grads(lambda m, x: checkpoint(m, x, use_reentrant=True, preserve_rng_state=False))
    np.testing.assert_array_equal(plain[0], loose[0])
    assert not np.allclose(plain[2][0], loose[2][0])


def test_non_reentrant_reaches_parameters_when_no_input_requires_grad():
    plain = _grads(lambda m, x: m(x), x_requires_grad=False)
    checked = _grads(lambda m, x: checkpoint(m, x, use_reentrant=False), x_requires_grad=False)
    _assert_same(plain, checked)


def test_reentrant_without_inputs_requiring_grad_warns(torch):
    for lib in (nptorch, torch):
        lin = lib.nn.Linear(4, 2)
        with pytest.warns(UserWarning) as record:
            y = lib.utils.checkpoint.checkpoint(lin, lib.tensor(X), use_reentrant=True)
        assert [str(r.message) for r in record] == [
            "None of the inputs have requires_grad=True. Gradients will be None"]
        assert not y.requires_grad


def test_multiple_outputs_keyword_and_non_tensor_arguments():
    a = nptorch.tensor(X, requires_grad=True)
    b = nptorch.tensor(X[::-1].copy(), requires_grad=True)

    def f(x, scale, y, *, shift=0.0):
        return (x * y * scale + shift).tanh(), x.exp()

    def loss(out):
        return out[0].sum() + (out[1] * 2).sum()

    loss(f(a, 3.0, b, shift=1.0)).backward()
    expected = a.grad.numpy().copy(), b.grad.numpy().copy()
    a.grad = b.grad = None
    out = checkpoint(f, a, 3.0, b, shift=1.0, use_reentrant=False)
    loss(out).backward()
    np.testing.assert_allclose(a.grad.numpy(), expected[0], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), expected[1], rtol=1e-6)
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: shift$"):
        checkpoint(f, a, 3.0, b, shift=1.0, use_reentrant=True)


def test_autocast_state_is_replayed_in_the_recomputation():
    lin = nptorch.nn.Linear(4, 3)
    x = nptorch.tensor(X, requires_grad=True)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        y = lin(x)
    y.float().sum().backward()
    expected = x.grad.numpy().copy(), lin.weight.grad.numpy().copy()
    x.grad = lin.weight.grad = lin.bias.grad = None
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        y = checkpoint(lin, x, use_reentrant=True)
    assert y.dtype == nptorch.float16
    y.float().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), expected[0])
    np.testing.assert_array_equal(lin.weight.grad.numpy(), expected[1])


def _warning_of(fn):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fn()
    return [(r.category, str(r.message)) for r in record]


def test_use_reentrant_warnings_match_pytorch(torch):
    for name, call in (("checkpoint", lambda lib, m, x: lib.utils.checkpoint.checkpoint(m, x)),
                       ("checkpoint_sequential", lambda lib, m, x:
                        lib.utils.checkpoint.checkpoint_sequential(m, 1, x))):
        got, expected = [
            _warning_of(lambda: call(lib, lib.nn.Sequential(lib.nn.Linear(4, 2)),
                                     lib.tensor(X, requires_grad=True)))
            for lib in (nptorch, torch)]
        assert got == expected and len(got) == 1, name


def test_errors_match_pytorch(torch):
    for lib in (nptorch, torch):
        x = lib.tensor(X, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint(lambda t: t.detach() * 2, x, use_reentrant=True)
        with pytest.raises(RuntimeError, match="^none of output has requires_grad=True, this "
                                               r"checkpoint\(\) is not necessary$"):
            y.sum().backward()
        with pytest.raises(ValueError, match="^Passing `context_fn` or `debug` is only "
                                             "supported when use_reentrant=False.$"):
            lib.utils.checkpoint.checkpoint(lambda t: t, x, use_reentrant=True, debug=True)
        with pytest.raises(ValueError, match="^Unexpected keyword arguments: foo$"):
            lib.utils.checkpoint.checkpoint_sequential([lambda t: t], 1, x, use_reentrant=True,
                                                       foo=1)
