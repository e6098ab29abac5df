"""``Function``: PyTorch's API for differentiable operations, used by built-ins and users alike.

``Function.apply`` runs ``forward`` with grad mode off, wraps its arrays into Tensors and,
when grad mode is on and an input requires grad, links the outputs into the backward graph
through a context object (``ctx``), which is also the graph node (``y.grad_fn``).
"""
import functools
import weakref

import numpy as _np

from .. import _backend, _compat
from . import grad_mode

_engine = _backend.engine()
Node = _engine.Node
run_backward = _engine.run_backward
gradient_edge = _engine.gradient_edge
_function_apply = _engine.function_apply

_state = grad_mode.state

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

Tensor = None  # set by nptorch._tensor, which imports this module first
_np_ndarray = _np.ndarray
_may_share_memory = _np.may_share_memory


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds the incoming gradient into ``tensor.grad``."""

    is_accumulator = True

    def __init__(self, variable):
        self.variable = variable
        self.post_hooks = []  # hook(variable) after each accumulation

    def apply(self, grads):
        variable = self.variable
        grad = grads[0]
        if grad._data.dtype != variable._data.dtype:
            grad = grad.to(variable.dtype)
        if _state.enabled:  # create_graph: the gradient keeps its own graph
            variable.grad = grad if variable.grad is None else variable.grad + grad
        elif variable.grad is None:
            variable._grad = Tensor._make(grad._data.copy())
        else:
            variable._grad._data += grad._data
        for hook in tuple(self.post_hooks):
            hook(variable)
        return ()


def grad_accumulator(tensor):
    """The AccumulateGrad node of a leaf, shared by every graph that uses it."""
    ref = tensor._grad_acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._grad_acc = weakref.ref(node)
    return node


def leaves_reached(tensors):
    """The ids of the leaf tensors that the autograd graphs of ``tensors`` lead to (a tensor
    without a graph counts as a leaf)."""
    leaves, seen, stack = set(), set(), []
    for t in tensors:
        if t.grad_fn is None:
            leaves.add(id(t))
        else:
            stack.append(t.grad_fn)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.is_accumulator:
            leaves.add(id(node.variable))
        stack.extend(edge[0] for edge in node.next_edges if edge is not None)
    return leaves


class BackwardFunction(_engine.FunctionNode):
    """The ctx of a Function call, and its node in the backward graph."""

    FREED_MESSAGE = FREED_MESSAGE
    _forward_cls = None
    _validate = True
    # Defaults live on the class so that creating a node (once per op) sets nothing.
    _inputs = None   # (shape, np dtype) of each tensor input, for checks
    _non_differentiable = ()

    # -- PyTorch's ctx API (save_for_backward and saved_tensors come from FunctionNode) -----
    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value

    def mark_dirty(self, *tensors):
        for t in tensors:
            t._version_counter[0] += 1

    # -- graph --------------------------------------------------------------------------
    def _raise_modified(self, saved):
        # name the op that now produces the tensor, as PyTorch does ("output 0 of Mul")
        tensor = saved.tensor
        node = self if tensor is None else tensor.grad_fn
        nr = saved.output_nr if tensor is None else tensor._output_nr
        origin = "" if node is None else f", which is output {nr} of {_op_name(node)},"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{_type_string(saved)}]{origin} "
            f"is at version {saved.counter[0]}; expected version {saved.version} "
            "instead. Hint: the backtrace further above can help you find the operation that "
            "failed to compute its gradient.")

    def _zeros_for(self, i):
        """A zero gradient for output ``i`` (which received none)."""
        shape, dt, is_cpu = self._outputs[i]
        xp = _np if is_cpu else _compat.cupy
        return Tensor._make(xp.zeros(shape, dt))

    def _check_grads(self, result):
        expected = len(self.next_edges)
        if len(result) < expected or any(g is not None for g in result[expected:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {expected}, got {len(result)})")
        checked = []
        for i, g in enumerate(result[:expected]):
            if g is not None and self.next_edges[i] is not None:
                if not isinstance(g, Tensor):
                    raise TypeError(f"function {self.name()} returned a gradient of type "
                                    f"{type(g).__name__} at index {i}, expected a Tensor or None")
                shape, dt = self._inputs[i]
                if tuple(g.shape) != shape:
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {i} - got "
                        f"{list(g.shape)} but expected shape compatible with {list(shape)}")
                if g._data.dtype != dt:
                    g = g.to(Tensor._dtype_of(dt))
            checked.append(g)
        return tuple(checked)


def _op_name(node):
    name = node.name()
    head, sep, _ = name.rpartition("Backward")
    return head if sep else name


def _type_string(saved):
    data = saved.data if saved.tensor is None else saved.tensor._data
    return f"nptorch.{data.dtype.name} {list(data.shape)}"


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        builtin = getattr(cls, "_builtin", False)
        node_name = attrs.get("_node_name") or f"{name}Backward{0 if builtin else ''}"
        cls._backward_cls = type(node_name, (BackwardFunction,), {
            "_forward_cls": cls, "_validate": not builtin, "__module__": cls.__module__})


class Function(metaclass=_FunctionMeta):
    """Base class of differentiable operations with static ``forward`` and ``backward``.

    Example::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, gy):
                y, = ctx.saved_tensors
                return gy * y
    """

    # Index of the input whose memory output 0 may share (view ops), else None.
    _view_of_input = None
    # Optional forward on raw arrays (Tensors replaced by their arrays) used when nothing is
    # recorded; only for ops whose forward does no more than compute its output.
    _raw_forward = None

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    # Runs forward with grad mode off, wraps its arrays into Tensors and links the graph.
    apply = classmethod(_function_apply)


def _check_devices(cls, args):
    from .._device import check_same_device
    check_same_device(cls.__name__.lower(), [a._data for a in args if isinstance(a, Tensor)])


def _mark_view(view, base):
    """Record that ``view`` shares ``base``'s memory: one version counter, one root base."""
    if view is None or not _may_share_memory(view._data, base._data):
        return
    root = base._base if base._base is not None else base
    view._base = root
    view._version_counter = base._version_counter


def once_differentiable(fn):
    """Decorate a ``backward`` that cannot itself be differentiated (runs it under no_grad)."""
    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            result = fn(ctx, *grads)
        if not _state.enabled or not any(isinstance(g, Tensor) and g._requires_grad for g in grads):
            return result
        single = type(result) is not tuple
        # the results were computed under no_grad: a detached copy that requires grad gives
        # _DelayedError an input to record, so differentiating its output raises
        marked = tuple(_DelayedError.apply(r.detach().requires_grad_()) if isinstance(r, Tensor)
                       and r._data.dtype.kind == "f" else r
                       for r in ((result,) if single else result))
        return marked[0] if single else marked
    return wrapper


class _DelayedError(Function):
    """Identity whose backward raises: marks results of a once-differentiable backward."""

    @staticmethod
    def forward(ctx, x):
        return x._data

    @staticmethod
    def backward(ctx, gy):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")
