"""Helpers shared by the test files.

``check_op(fn, *shapes_or_arrays)`` runs ``fn`` on nptorch tensors and on PyTorch tensors built
from the same data, compares the forward result (values, shape, dtype) and the gradient of
every floating input, runs float64 ``gradcheck``, and repeats on non-contiguous inputs.
``fn`` receives the library module (nptorch or torch) first, so one lambda serves both:
``check_op(lambda lib, x, y: lib.atan2(x, y), (3, 4), (4,))``. The ``check_*`` helpers below
compare errors and results with PyTorch's in the same way; the rest build or convert test data.
"""
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck


def _array(spec, rng, dtype, low, high):
    if isinstance(spec, np.ndarray):
        return spec
    return rng.uniform(low, high, size=spec).astype(dtype)


def _noncontiguous(a):
    """The same values in a non-contiguous array (a transposed copy, transposed back)."""
    if a.ndim < 2:
        big = np.empty(a.shape + (2,), a.dtype)
        big[..., 0] = a
        return big[..., 0]
    return np.ascontiguousarray(a.swapaxes(-1, -2)).swapaxes(-1, -2)


def _outputs(result):
    return result if isinstance(result, (tuple, list)) else (result,)


def _to_numpy(t):
    if hasattr(t, "detach"):
        t = t.detach()
    # force: PyTorch's all-zero gradients (ZeroTensors) convert only when forced
    return np.asarray(t.cpu().numpy(force=True) if hasattr(t, "cpu") else t)


def _compare(ours, theirs, rtol, atol, what):
    ours, theirs = _outputs(ours), _outputs(theirs)
    assert len(ours) == len(theirs), what
    for o, t in zip(ours, theirs):
        if t is None:
            assert o is None, what
            continue
        if not hasattr(t, "shape"):
            assert o == t, what
            continue
        assert tuple(o.shape) == tuple(t.shape), f"{what}: shape {tuple(o.shape)} != {tuple(t.shape)}"
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], \
            f"{what}: dtype {o.dtype} != {t.dtype}"
        np.testing.assert_allclose(_to_numpy(o).astype(np.float64), _to_numpy(t).astype(np.float64),
                                   rtol=rtol, atol=atol, err_msg=what)


def check_op(fn, *specs, low=-2.0, high=2.0, grad=True, rtol=1e-5, atol=1e-6, dtype=np.float32,
             gradcheck_inputs=True, noncontiguous=True, seed=0):
    """Compare ``fn(lib, *inputs)`` on nptorch and PyTorch, forward and backward.

    ``specs`` are shapes (random uniform in ``[low, high)``) or explicit arrays; floating inputs
    require grad when ``grad``. nptorch runs on every available device (as the default device,
    so that tensors ``fn`` creates are there as well); PyTorch (on the CPU) is
    the reference, or nptorch's CPU result where PyTorch is not installed. The float64 gradcheck
    always runs, on the CPU.
    """
    rng = np.random.default_rng(seed)
    arrays = [_array(s, rng, dtype, low, high) for s in specs]
    variants = [arrays]
    if noncontiguous:
        variants.append([_noncontiguous(a) for a in arrays])
    torch = _torch()
    for variant in variants:
        seeds, expected = None, None
        if torch is not None:
            theirs = [torch.from_numpy(np.array(a)).requires_grad_(grad and a.dtype.kind == "f")
                      for a in variant]
            expected = _run(torch, fn, theirs, grad, rng)
            seeds = expected[2]
        for device in _devices():
            ours = [nptorch.tensor(a, requires_grad=grad and a.dtype.kind == "f", device=device)
                    for a in variant]
            with nptorch.device(device):  # tensors that fn makes land there too
                result = _run(nptorch, fn, ours, grad, rng, seeds)
            if expected is None:
                expected = result
                seeds = result[2]
                continue
            where = "" if device == "cpu" else f" on {device}"
            _compare(result[0], expected[0], rtol, atol, "forward" + where)
            for i, (g, ref) in enumerate(zip(result[1], expected[1])):
                _compare(g, ref, max(rtol, 1e-4), max(atol, 1e-5), f"grad of input {i}{where}")
    if grad and gradcheck_inputs:
        doubles = [nptorch.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a,
                                  requires_grad=a.dtype.kind == "f") for a in arrays]
        assert gradcheck(lambda *xs: _differentiable(fn(nptorch, *xs)), doubles, eps=1e-6,
                         atol=1e-5, rtol=1e-3)


def _devices():
    return ("cpu", "cuda") if nptorch.cuda.is_available() else ("cpu",)


def _run(lib, fn, inputs, grad, rng, seeds=None):
    """``(outputs, input gradients, seeds)``: ``fn`` on ``inputs``, then backward from its
    differentiable outputs with ``seeds`` (drawn from ``rng`` when None)."""
    out = fn(lib, *inputs)
    grads = []
    outs = _differentiable(out) if grad else ()
    if outs:
        if seeds is None:
            seeds = [rng.standard_normal(tuple(o.shape)).astype(_to_numpy(o).dtype) for o in outs]
        device = outs[0].device
        lib.autograd.backward(outs, [lib.tensor(s, device=device) for s in seeds])
        grads = [x.grad for x in inputs if x.requires_grad]
    return out, grads, seeds


def _differentiable(result):
    outs = [o for o in _outputs(result) if hasattr(o, "requires_grad") and o.requires_grad]
    return tuple(outs)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def check_error(fn, exc, match):
    """Assert that ``fn()`` raises ``exc`` with a message matching ``match``."""
    with pytest.raises(exc, match=match):
        fn()


def check_error_like_torch(call, error, message):
    """Assert that ``call(lib)`` raises ``error`` matching ``message`` with PyTorch (when it is
    installed) and with nptorch."""
    torch = _torch()
    for lib in ((torch,) if torch is not None else ()) + (nptorch,):
        with pytest.raises(error, match=message):
            call(lib)


def check_same_error_as_torch(call, nptorch_names=(), ignored_warning=None):
    """Assert that ``call(lib)`` raises the same exception type, with the same message, with
    nptorch as with PyTorch (skipped when PyTorch is not installed).

    ``nptorch_names`` are names that nptorch's message prints as ``nptorch.NAME`` where
    PyTorch's prints ``torch.NAME`` (``"Size"``, dtypes); warnings of the category
    ``ignored_warning`` are silenced while both run.
    """
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        if ignored_warning is not None:
            warnings.simplefilter("ignore", ignored_warning)
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(Exception) as ours:
            call(nptorch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    expected = str(theirs.value)
    for name in nptorch_names:
        expected = expected.replace(f"torch.{name}", f"nptorch.{name}")
    assert str(ours.value) == expected


def check_equal_to_torch(call):
    """Assert that ``call(lib)`` gives tensors of the same dtype, shape and values (exactly) with
    nptorch as with PyTorch; a tuple or list of tensors is compared element by element."""
    torch = pytest.importorskip("torch")
    ours, theirs = call(nptorch), call(torch)
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        pairs = list(zip(ours, theirs))
    else:
        pairs = [(ours, theirs)]
    for o, t in pairs:
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_array_equal(o.numpy(), t.numpy())


def check_same_outcome_as_torch(call):
    """Assert that ``call(lib)`` gives the same tensors as with PyTorch (as
    ``check_equal_to_torch``) or, where PyTorch raises, the same error."""
    torch = pytest.importorskip("torch")
    try:
        call(torch)
    except Exception:
        check_same_error_as_torch(call)
    else:
        check_equal_to_torch(call)


def check_close_to_torch(ours, theirs, what, tol=1e-5):
    """Assert that the nptorch tensor ``ours`` (on any device) matches ``theirs`` (a PyTorch
    tensor or an array) to ``atol=tol`` and ``rtol=10 * tol``; ``what`` names it on failure."""
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs, rtol=tol * 10, atol=tol,
                               err_msg=what)


def distinct_values(shape, seed=0, divisor=3.0):
    """A float32 array of ``shape`` holding a random permutation of ``0, 1, 2, ...`` divided by
    ``divisor``, minus 2: no two values are equal, so max pooling has no ties and finite
    differences cross no kink."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))).reshape(shape) / divisor - 2).astype(np.float32)


def as_numpy(t):
    """The values of the tensor ``t`` (nptorch or PyTorch, on the CPU), detached, as a NumPy
    array."""
    return t.detach().numpy()


def host_array(a):
    """A NumPy or CuPy array as a NumPy array."""
    return a.get() if hasattr(a, "get") else np.asarray(a)


def load_torch_state(ours, theirs):
    """Load the state dict of the PyTorch module ``theirs`` into the nptorch module ``ours``;
    returns what ``load_state_dict`` returns."""
    return ours.load_state_dict({k: nptorch.tensor(v.numpy())
                                 for k, v in theirs.state_dict().items()})
