"""Automatic differentiation: ``backward``, ``grad``, ``Function`` and grad modes."""
from .function import Function, once_differentiable, gradient_edge
from .function import run_backward as _run_backward
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled, is_inference_mode_enabled)
from . import grad_mode
from .anomaly_mode import detect_anomaly, set_detect_anomaly

__all__ = ["Function", "Variable", "detect_anomaly", "set_detect_anomaly", "once_differentiable",
           "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "gradcheck", "gradgradcheck"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from .._tensor import Tensor
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The legacy wrapper: ``Variable(tensor, requires_grad=...)`` is the tensor's data (shared)
    as a tensor with ``requires_grad`` set, and every tensor is a ``Variable``."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        return data.detach().requires_grad_(requires_grad)


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _make_grads(outputs, grad_outputs):
    from .._tensor import Tensor
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
            g = Tensor._make(_ones_like(out._data))
        elif not isinstance(g, Tensor):
            g = Tensor._make(_full_like(out._data, g))
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}.")
        grads.append(g)
    return grads


def _ones_like(a):
    from .._device import xp_of
    return xp_of(a).ones(a.shape, a.dtype)


def _full_like(a, v):
    from .._device import xp_of
    return xp_of(a).full(a.shape, v, a.dtype)


def _root_edges(outputs):
    edges = []
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        edges.append(gradient_edge(out))
    return edges


def _input_edges(inputs):
    edges = []
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        edges.append(gradient_edge(t))
    return edges


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into ``.grad`` of the graph leaves the gradients of ``tensors``."""
    outputs = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(outputs)
    if len(grad_tensors) != len(outputs):
        raise RuntimeError(f"grad_tensors should have the same length as tensors "
                           f"({len(grad_tensors)} vs {len(outputs)})")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    grads = _make_grads(outputs, grad_tensors)
    edges = _root_edges(outputs)
    with set_grad_enabled(bool(create_graph)):
        if not inputs:
            _run_backward(edges, grads, retain_graph)
            return
        captured = _run_backward(edges, grads, retain_graph, _input_edges(inputs), False)
        for t, g in zip(inputs, captured):
            if g is not None:
                if t.grad_fn is None:
                    _accumulate(t, g)
                else:
                    t._retain(g)


def _accumulate(t, g):
    from .function import grad_accumulator
    grad_accumulator(t).apply([g])


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` (no ``.grad`` is touched)."""
    from .._tensor import Tensor
    single = isinstance(inputs, Tensor)
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    grads = _make_grads(outputs, grad_outputs)
    edges = _root_edges(outputs)
    with set_grad_enabled(bool(create_graph)):
        result = _run_backward(edges, grads, retain_graph, _input_edges(inputs), False)
    for i, g in enumerate(result):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                result[i] = Tensor._make(_ones_like(inputs[i]._data) * 0)
    return tuple(result)


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402


def __getattr__(name):
    # imported on first use: functional needs the tensor API, which imports this package
    if name == "functional":
        import importlib
        return importlib.import_module(f"{__name__}.functional")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
