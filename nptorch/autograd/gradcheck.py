"""``gradcheck`` / ``gradgradcheck``: compare analytical gradients with finite differences."""
import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _tensors(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _outputs(func, inputs):
    out = func(*inputs)
    return _tensors(out)


def _numerical_jacobian(func, inputs, i, eps):
    """Central differences d(outputs)/d(inputs[i]), one column per input element.

    Grad mode stays on: ``func`` may itself differentiate (gradgradcheck's first gradients).
    """
    x = inputs[i]
    if not x._data.flags.c_contiguous:
        raise GradcheckError("gradcheck needs contiguous inputs to perturb")
    flat = x._data.reshape(-1)
    columns = [np.zeros((o.numel(), x.numel())) for o in _outputs(func, inputs)]
    for k in range(flat.size):
        orig = flat[k].item()
        flat[k] = orig + eps
        plus = [o._host().astype(np.float64).ravel() for o in _outputs(func, inputs)]
        flat[k] = orig - eps
        minus = [o._host().astype(np.float64).ravel() for o in _outputs(func, inputs)]
        flat[k] = orig
        for col, p, m in zip(columns, plus, minus):
            col[:, k] = (p - m) / (2 * eps)
    return columns


def _analytical_jacobian(func, inputs, i):
    from . import grad as autograd_grad
    from .._tensor import Tensor
    outs = _outputs(func, inputs)
    x = inputs[i]
    columns = []
    for o in outs:
        jac = np.zeros((o.numel(), x.numel()))
        if o._requires_grad:
            for r in range(o.numel()):
                seed = np.zeros(o.numel(), dtype=o._data.dtype)
                seed[r] = 1
                g, = autograd_grad(o, x, Tensor._make(seed.reshape(o._data.shape)),
                                   retain_graph=True, allow_unused=True)
                if g is not None:
                    jac[r] = g._host().astype(np.float64).ravel()
        columns.append(jac)
    return columns


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **unused):
    """Check the gradients of ``func`` at ``inputs`` against central finite differences."""
    inputs = _tensors(inputs)
    checked = False
    for i, x in enumerate(inputs):
        if not (hasattr(x, "_requires_grad") and x._requires_grad):
            continue
        checked = True
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = _analytical_jacobian(func, inputs, i)
        for j, (n, a) in enumerate(zip(numerical, analytical)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{n}\nanalytical:{a}\n")
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of the them have requires_grad=True.")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **unused):
    """Check second derivatives: gradcheck of the first gradients of ``func``."""
    from . import grad as autograd_grad
    from .._tensor import Tensor
    inputs = _tensors(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype), True)
            for o in _outputs(func, inputs) if o._requires_grad)
    grad_outputs = _tensors(grad_outputs)
    n = len(inputs)
    diff_idx = [k for k, x in enumerate(inputs) if getattr(x, "_requires_grad", False)]

    def first_grads(*args):
        xs, gys = args[:n], args[n:]
        outs = [o for o in _outputs(func, xs) if o._requires_grad]
        grads = autograd_grad(outs, [xs[k] for k in diff_idx], gys, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
