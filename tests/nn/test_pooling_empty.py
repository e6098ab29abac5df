"""Adaptive pooling with zero output sizes and zero-size inputs, compared with PyTorch: the
forward gives the same empty result (or the same error), the backward the same gradient (or
the same error)."""
import numpy as np
import pytest

import nptorch
from nptorch._ops import Ops

SHAPES = {
    1: [(1, 2, 4), (2, 4), (0, 2, 4), (1, 0, 4), (1, 2, 0), (0, 4), (2, 0)],
    2: [(1, 2, 4, 4), (2, 4, 4), (0, 2, 4, 4), (1, 0, 4, 4), (1, 2, 0, 4), (1, 2, 4, 0),
        (2, 0, 4), (0, 4, 4)],
    3: [(1, 2, 4, 4, 4), (2, 4, 4, 4), (0, 2, 4, 4, 4), (1, 0, 4, 4, 4), (1, 2, 0, 4, 4),
        (1, 2, 4, 4, 0), (0, 4, 4, 4)],
}
OUTPUT_SIZES = {
    1: [0, (0,), 2],
    2: [0, (0, 2), (2, 0), (0, 0), (None, 0), 2],
    3: [0, (0, 2, 2), (2, 0, 2), (2, 2, 0), (None, None, 0), 2],
}
CASES = [(f"adaptive_{kind}_pool{d}d", shape, size)
         for d in (1, 2, 3) for kind in ("avg", "max")
         for shape in SHAPES[d] for size in OUTPUT_SIZES[d]]


def _outcome(call):
    """``("ok", result)`` or ``("error", type, message)``."""
    try:
        return ("ok", call())
    except Exception as error:  # the comparison below checks the type
        return ("error", type(error), str(error))


def _same_outcome(ours, theirs, what):
    assert ours[0] == theirs[0], (what, ours, theirs)
    if ours[0] == "error":
        assert ours[1] is theirs[1], (what, ours, theirs)
        assert ours[2] == theirs[2].replace("torch.", "nptorch."), what
        return False
    return True


def _same_tensor(ours, theirs, what):
    assert tuple(ours.shape) == tuple(theirs.shape), what
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], what
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6,
                               atol=1e-6, err_msg=what)


def _pool(lib, name, data, size):
    x = lib.tensor(data, requires_grad=True)
    fn = getattr(lib.nn.functional, name)
    return x, (fn(x, size, return_indices=True) if "max" in name else fn(x, size))


@pytest.mark.parametrize("name,shape,size", CASES,
                         ids=[f"{n}-{'x'.join(map(str, s))}-{o}" for n, s, o in CASES])
def test_matches_torch(torch, name, shape, size):
    data = np.random.default_rng(0).permutation(int(np.prod(shape))).reshape(shape)
    data = data.astype(np.float32)
    theirs = _outcome(lambda: _pool(torch, name, data, size))
    ours = _outcome(lambda: _pool(nptorch, name, data, size))
    if not _same_outcome(ours, theirs, "forward"):
        return
    (x, result), (tx, tresult) = ours[1], theirs[1]
    if "max" in name:
        _same_tensor(result[1], tresult[1], "indices")
        result, tresult = result[0], tresult[0]
    _same_tensor(result, tresult, "output")
    seed = np.random.default_rng(1).standard_normal(tuple(tresult.shape)).astype(np.float32)
    theirs = _outcome(lambda: tresult.backward(torch.tensor(seed)))
    ours = _outcome(lambda: result.backward(nptorch.tensor(seed)))
    if _same_outcome(ours, theirs, "backward"):
        _same_tensor(x.grad, tx.grad, "input gradient")


def test_adaptive_max_pool3d_to_zero_returns_empty(torch):
    x = nptorch.randn(1, 2, 4, 4, 4)
    y, indices = nptorch.nn.functional.adaptive_max_pool3d(x, 0, return_indices=True)
    assert y.shape == (1, 2, 0, 0, 0) and y.dtype == nptorch.float32
    assert indices.shape == (1, 2, 0, 0, 0) and indices.dtype == nptorch.int64
    expected = torch.nn.functional.adaptive_max_pool3d(torch.randn(1, 2, 4, 4, 4), 0)
    assert tuple(expected.shape) == tuple(y.shape)


@pytest.mark.parametrize("module,size", [("AdaptiveMaxPool3d", (2, 0, 2)),
                                         ("AdaptiveAvgPool3d", 0), ("AdaptiveMaxPool2d", (0, 3)),
                                         ("AdaptiveAvgPool1d", 0)])
def test_modules_match_torch(torch, module, size):
    d = int(module[-2])
    data = np.random.default_rng(2).standard_normal((2, 3) + (5,) * d).astype(np.float32)
    outputs = []
    for lib in (torch, nptorch):
        x = lib.tensor(data, requires_grad=True)
        y = getattr(lib.nn, module)(size)(x)
        with pytest.raises(RuntimeError) as error:
            y.sum().backward()
        outputs.append((tuple(y.shape), str(error.value), x.grad))
    assert outputs[0][:2] == outputs[1][:2]
    assert outputs[1][2] is None
    assert "Expected grad_output to have non-zero size for non-batch dimensions" in outputs[1][1]


def test_backward_through_other_paths_is_unaffected(torch):
    """An empty pooling result that the loss does not use leaves the backward alone, as in
    PyTorch; a result that it uses raises, also through autograd.grad."""
    data = np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4)
    for lib in (torch, nptorch):
        x = lib.tensor(data, requires_grad=True)
        lib.nn.functional.adaptive_avg_pool2d(x, 0)
        (x * 2).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 2, 4, 4), 2.0))
        y = lib.nn.functional.adaptive_max_pool2d(x, (2, 0))
        with pytest.raises(RuntimeError, match=r"adaptive_max_pool2d_backward\(\): Expected "
                           r"grad_output .* sizes \[1, 2, 2, 0\] with dimension 3 being empty"):
            lib.autograd.grad(y.sum() + x.sum(), x)
    with nptorch.no_grad():
        y = nptorch.nn.functional.adaptive_avg_pool3d(nptorch.ones(1, 1, 2, 2, 2), 0)
    assert y.shape == (1, 1, 0, 0, 0) and not y.requires_grad


@pytest.mark.parametrize("size,out", [((4, 5), (0, 2)), ((4, 5), (3, 0)), ((3, 4, 5), (0, 0, 0)),
                                      ((3, 4, 5), (2, 0, 1))])
def test_reference_kernels_with_empty_outputs(size, out):
    ops = Ops()
    x = np.random.default_rng(3).standard_normal((2, 3) + size).astype(np.float32)
    y, indices = ops.adaptive_max_pool(x, out)
    assert y.shape == indices.shape == (2, 3) + out
    assert y.dtype == np.float32 and indices.dtype == np.int64
    avg = ops.adaptive_avg_pool(x, out)
    assert avg.shape == (2, 3) + out and avg.dtype == np.float32
    gx = ops.adaptive_avg_pool_backward(avg, size)
    np.testing.assert_array_equal(gx, np.zeros((2, 3) + size, np.float32))
    np.testing.assert_array_equal(ops.max_pool_backward(y, indices, size), gx)
