"""``Function``: PyTorch's API for differentiable operations, used by built-ins and users alike.

``Function.apply`` runs ``forward`` with grad mode off, wraps its arrays into Tensors and,
when grad mode is on and an input requires grad, links the outputs into the backward graph
through a context object (``ctx``), which is also the graph node (``y.grad_fn``).
"""
import functools
import inspect
import warnings
import weakref

import numpy as _np

from .. import _backend, _compat
from .._typename import type_name
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


class RemovableHook:
    """The handle of a registered hook (of a node or a tensor): ``remove()`` takes it out of
    its list; as a context manager, on exit."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _NodeAPI:
    """PyTorch's Python API of graph nodes: ``next_functions`` and post hooks."""

    @property
    def next_functions(self):
        return tuple([(None, 0) if e is None else (e[0], e[1]) for e in self.next_edges])

    def register_hook(self, fn):
        """Run ``fn(grad_inputs, grad_outputs)`` each time this node has computed the
        gradients of its inputs; a tuple it returns replaces them."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return RemovableHook(self._post_hooks, fn)

    def _run_post_hooks(self, grad_inputs, grad_outputs):
        """Called by the engine after ``apply`` when hooks are registered."""
        grad_inputs = tuple(grad_inputs)
        for hook in tuple(self._post_hooks):
            result = hook(grad_inputs, grad_outputs)
            if result is None:
                continue
            if not isinstance(result, tuple):
                raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
            if len(result) != len(grad_inputs):
                name = getattr(hook, "__name__", type(hook).__name__)
                raise RuntimeError(f"hook '{name}' has returned an incorrect number of values "
                                   f"(got {len(result)}, but expected {len(grad_inputs)})")
            for value in result:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(f"expected Variable, but hook returned "
                                    f"'{type(value).__name__}'")
            grad_inputs = result
        return grad_inputs


class AccumulateGrad(_NodeAPI, Node):
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


class BackwardFunction(_NodeAPI, _engine.FunctionNode):
    """The ctx of a Function call, and its node in the backward graph."""

    FREED_MESSAGE = FREED_MESSAGE
    _forward_cls = None
    _validate = True
    # Defaults live on the class so that creating a node (once per op) sets nothing.
    _inputs = None   # (shape, np dtype) of each tensor input, for checks
    _non_differentiable = ()

    # -- PyTorch's ctx API (save_for_backward and saved_tensors come from FunctionNode) -----
    def mark_non_differentiable(self, *tensors):
        for t in tensors:
            if not isinstance(t, Tensor):
                raise RuntimeError("mark_non_differentiable only accepts variable arguments, "
                                   f"but got {type(t).__name__}")
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value

    def mark_dirty(self, *tensors):
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise RuntimeError(f"mark_dirty can only accept variables, but argument {i} is "
                                   f"of type {type(t).__name__}")
        for t in tensors:
            t._version_counter[0] += 1
        self._dirty = tensors

    # -- tensors modified in place (mark_dirty): called by the engine when wrapping outputs --
    def _check_dirty(self, args, outputs, record):
        """PyTorch's checks on the tensors marked dirty; an input that requires grad but gets
        no gradient history here is returned as a detached alias, as in PyTorch."""
        nondiff = self._non_differentiable
        for d in self._dirty:
            if not any(d is o for o in outputs):
                raise RuntimeError(
                    "Some elements marked as dirty during the forward method were not returned "
                    "as output. The inputs that are modified inplace must all be outputs of the "
                    "Function.")
        for i, o in enumerate(outputs):
            if not any(o is d for d in self._dirty):
                continue
            is_input = any(o is a for a in args)
            if not (record and o._data.dtype.kind == "f" and not any(o is n for n in nondiff)):
                if o._requires_grad and is_input:
                    outputs[i] = o.detach()
                continue
            if o._requires_grad and o.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation.")
            if not is_input:
                warnings.warn("Only input Tensors should be given to ctx.mark_dirty(). If a "
                              "Tensor is not an input, there is no need to pass it to "
                              "mark_dirty().", stacklevel=3)
            if o._base is not None and len(outputs) > 1:
                raise RuntimeError(_DIRTY_VIEW_MESSAGE)

    def _rebase_dirty(self, outputs):
        """Give each dirty output this node as its history (a view's base records the write)."""
        for o in outputs:
            if o is None or o.grad_fn is not self or not any(o is d for d in self._dirty):
                continue
            o._grad = None
            if o._base is not None:
                # the base gets a CopySlices node, as after an in-place op on a view
                from .._api._inplace import _rebase
                _rebase(o, o)

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
                    raise RuntimeError(f"expected Variable or None (got {type_name(g)})")
                shape, dt = self._inputs[i]
                if tuple(g.shape) != shape:
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {i} - got "
                        f"{list(g.shape)} but expected shape compatible with {list(shape)}")
                if g._data.dtype != dt:
                    g = g.to(Tensor._dtype_of(dt))
            checked.append(g)
        return tuple(checked)


_DIRTY_VIEW_MESSAGE = (
    "If your Function modifies inplace an input that is a view of another Tensor, your Function "
    "cannot return more than one Tensor. This is not supported by the current autograd engine. "
    "You should either make sure the input is not a view (using .clone() for example) or make "
    "your Function only return one Tensor (potentially splitting it into two Functions: one "
    "doing the inplace that returns a single Tensor and a second one that does the other "
    "operations). You can ask on the forum https://discuss.pytorch.org/ if you need help to do "
    "this change.")

_BOTH_BACKWARD_MESSAGE = (
    "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You should "
    "only implement one of them.")


def _op_name(node):
    name = node.name()
    head, sep, _ = name.rpartition("Backward")
    return head if sep else name


def _type_string(saved):
    data = saved.data if saved.tensor is None else saved.tensor._data
    return f"nptorch.{data.dtype.name} {list(data.shape)}"


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, named ``<Name>Backward``, and keeps
    the class flags that ``apply`` reads in step with its ``setup_context``, ``backward`` and
    ``vjp``."""

    _RESOLVED = frozenset({"setup_context", "backward", "vjp"})

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        builtin = getattr(cls, "_builtin", False)
        node_name = attrs.get("_node_name") or f"{name}Backward{0 if builtin else ''}"
        cls._backward_cls = type(node_name, (BackwardFunction,), {
            "_forward_cls": cls, "_validate": not builtin, "__module__": cls.__module__})
        _FunctionMeta._resolve(cls)

    def __setattr__(cls, name, value):
        super().__setattr__(name, value)
        if name in _FunctionMeta._RESOLVED:
            _FunctionMeta._resolve(cls)

    def __delattr__(cls, name):
        super().__delattr__(name)
        if name in _FunctionMeta._RESOLVED:
            _FunctionMeta._resolve(cls)

    def _resolve(cls):
        base = globals().get("Function")
        if base is None:  # Function itself
            return
        # with setup_context, apply calls forward without ctx, then setup_context (PyTorch
        # checks for it on each apply; the engine reads this flag)
        type.__setattr__(cls, "_has_setup_context", cls.setup_context is not base.setup_context)
        node = cls._backward_cls
        if cls.backward is not base.backward and cls.vjp is not base.vjp:
            node.apply = _raise_both_backward_and_vjp
        elif "apply" in node.__dict__:
            del node.apply


def _raise_both_backward_and_vjp(ctx, grads):
    raise RuntimeError(_BOTH_BACKWARD_MESSAGE)


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

    Or, with ``setup_context``, a ``forward`` without ctx that is also a plain function::

        class Exp(Function):
            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)

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
    # Whether the subclass overrides setup_context (kept by the metaclass).
    _has_setup_context = False

    def __init__(self, *args, **kwargs):
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        # a Function that defines only vjp gets here: vjp is backward's other name
        vjp = getattr(getattr(type(ctx), "_forward_cls", None), "vjp", Function.vjp)
        if vjp is not Function.vjp:
            return vjp(ctx, *grad_outputs)
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    # Runs forward with grad mode off, wraps its arrays into Tensors and links the graph.
    apply = classmethod(_function_apply)

    @classmethod
    def _bind_inputs(cls, args, kwargs):
        """The inputs of a Function with ``setup_context``: ``args`` and ``kwargs`` bound to
        ``forward``'s parameters, defaults filled in, as one tuple."""
        forward = cls.forward
        found = _signatures.get(forward)
        if found is None:
            signature = inspect.signature(forward)
            simple = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                         and p.default is p.empty for p in signature.parameters.values())
            found = (signature, len(signature.parameters) if simple else -1)
            try:
                _signatures[forward] = found
            except TypeError:  # a forward that takes no weak reference is not cached
                pass
        signature, n_plain = found
        if not kwargs and len(args) == n_plain:
            return args
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        if bound.kwargs:
            raise TypeError(f"forward() got an unexpected keyword argument "
                            f"'{next(iter(bound.kwargs))}'")
        return bound.args


_signatures = weakref.WeakKeyDictionary()  # forward -> (signature, plain positional count)


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
