"""The backward engine, pure-Python twin of ``nptorch/_C/engine.pyx``.

Both define ``Node`` (a vertex of the backward graph) and ``run_backward``; the compiled one
is used unless ``NPTORCH_PURE_PYTHON=1``. They must behave identically: the autograd tests
run against both.

A node's ``next_edges`` holds one ``(node, input_nr)`` pair per input (``None`` where the
input needs no gradient). The engine counts each node's dependencies in one iterative pass,
then runs every node exactly once, when all the gradients flowing into it have been summed.
No recursion, so graphs of any depth work, and the cost is linear in the graph size.
"""

from .._backend import EXTENSION_ABI  # noqa: F401 (the compiled twin's constant)
from .._fp_errors import restore as _restore_fp, silence as _silence_fp


class Node:
    """A backward function: maps gradients of its outputs to gradients of its inputs."""

    is_accumulator = False
    next_edges = ()
    needs_input_grad = ()
    _pre_hooks = None
    _retains = None
    _post_hooks = None  # hook(grad_inputs, grad_outputs) after apply (Python side: register_hook)
    _num_outputs = 1

    def apply(self, grads):
        raise NotImplementedError

    def release(self):
        """Free what was saved for backward (called unless retain_graph)."""


    def name(self):
        return type(self).__name__

    def register_prehook_for(self, output_nr, hook):
        """Run ``hook(grad)`` on the gradient of output ``output_nr`` before this node runs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._pre_hooks.setdefault(output_nr, []).append(hook)

    def retain_grad_for(self, output_nr, tensor_ref):
        """Store the gradient of output ``output_nr`` into the tensor behind ``tensor_ref``."""
        if self._retains is None:
            self._retains = {}
        self._retains[output_nr] = tensor_ref


def _collect(roots):
    """Count, for every node reachable from ``roots``, how many edges point at it."""
    dependencies = {}
    stack = [node for node in roots]
    seen = set(stack)
    order = []
    while stack:
        node = stack.pop()
        order.append(node)
        for edge in node.next_edges:
            if edge is None:
                continue
            child = edge[0]
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies, order


def _needed(order, targets):
    """The nodes from which a target node can be reached (only these must run)."""
    needed = set(targets)
    changed = True
    # ``order`` lists parents before children; walking it backwards sees children first,
    # so one reverse sweep settles every node. The loop guards against shared subgraphs.
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            for edge in node.next_edges:
                if edge is not None and edge[0] in needed:
                    needed.add(node)
                    changed = True
                    break
    return needed


def _leads_to(node, needed):
    """True when some input edge of ``node`` points at a needed node."""
    for edge in node.next_edges:
        if edge is not None and edge[0] in needed:
            return True
    return False


def _call_hooks(node, grads):
    hooks = node._pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            for fn in fns:
                result = fn(grads[nr])
                if result is not None:
                    grads[nr] = result
    retains = node._retains
    if retains:
        for nr, ref in retains.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None:
                tensor._retain(grads[nr])


def run_backward(root_edges, grad_roots, keep_graph, capture_edges=None, accumulate=True):
    """Backpropagate ``grad_roots`` from ``root_edges`` through the graph, with NumPy's
    floating-point reports silenced (``nptorch._fp_errors``).

    ``capture_edges``: edges whose incoming gradients are returned (``autograd.grad``,
    ``backward(inputs=...)``); then only the nodes leading to them run. With
    ``accumulate=False`` leaves' ``AccumulateGrad`` nodes are not run.
    """
    token = _silence_fp()
    try:
        return _backward(root_edges, grad_roots, keep_graph, capture_edges, accumulate)
    finally:
        _restore_fp(token)


def _backward(root_edges, grad_roots, keep_graph, capture_edges, accumulate):
    buffers = {}
    for edge, grad in zip(root_edges, grad_roots):
        node, nr = edge
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad

    roots = list(buffers)
    dependencies, order = _collect(roots)

    captures = None
    needed = None
    results = []
    if capture_edges is not None:
        captures = {}
        results = [None] * len(capture_edges)
        for i, (node, nr) in enumerate(capture_edges):
            captures.setdefault(node, []).append((nr, i))
        needed = _needed(order, captures)

    ready = [node for node in roots if node not in dependencies]
    while ready:
        node = ready.pop()
        grads = buffers.pop(node, None)
        if grads is None:
            grads = [None] * node._num_outputs
        if needed is not None and node not in needed:
            continue
        _call_hooks(node, grads)
        if captures is not None:
            for nr, i in captures.get(node, ()):
                results[i] = grads[nr]
            if not _leads_to(node, needed):
                continue
        if not accumulate and node.is_accumulator:
            continue
        edges = node.next_edges
        if any(g is not None for g in grads):
            if node._post_hooks:
                grad_outputs = tuple(grads)  # before apply materializes missing ones
                input_grads = node._run_post_hooks(node.apply(grads), grad_outputs)
            else:
                input_grads = node.apply(grads)
            if not keep_graph:
                node.release()
        else:
            input_grads = (None,) * len(edges)
        for edge, grad in zip(edges, input_grads):
            if edge is None:
                continue
            child, nr = edge
            if grad is not None:
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * child._num_outputs
                buf[nr] = grad if buf[nr] is None else buf[nr] + grad
            count = dependencies[child] - 1
            dependencies[child] = count
            if count == 0:
                ready.append(child)
    return results


# -- Tensor core and Function.apply -----------------------------------------------------------
# The per-op path (grad-mode check, Tensor construction, graph linking) lives here so that
# the compiled twin can run it without Python overhead. ``configure`` hands in the pieces
# defined in Python (the Tensor class, saving, view tracking, leaf accumulators).

import numpy as _np

_ndarray = _np.ndarray


class GradState:
    """Whether operations are recorded for autograd (see ``nptorch.autograd.grad_mode``), and
    whether backward checks each function's gradients for NaN (anomaly detection)."""

    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled = True
        self.check_nan = False


grad_state = GradState()


def _raise_on_nan(node, grads):
    """PyTorch's anomaly-mode error for the first gradient that holds a NaN."""
    for i, g in enumerate(grads):
        data = getattr(g, "_data", None)
        if data is not None and data.dtype.kind == "f" and bool((data != data).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


class TensorBase:
    """The fields of a Tensor; ``nptorch.Tensor`` adds the methods."""

    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_output_nr", "_version_counter",
                 "_grad_acc", "_base", "_hooks_node", "__dict__", "__weakref__")


_hooks = {}


def configure(tensor_cls, is_array, mark_view, grad_accumulator, check_devices):
    """Install the Python-side pieces used by ``make_tensor`` and ``function_apply``."""
    _hooks.update(tensor=tensor_cls, is_array=is_array, mark_view=mark_view,
                  grad_accumulator=grad_accumulator, check_devices=check_devices)


def make_tensor(cls, data, requires_grad=False):
    """Wrap an array as a ``cls`` instance without copying (NumPy scalars become 0-d arrays)."""
    if type(data) is not _ndarray and not _hooks["is_array"](data):
        data = _np.asarray(data)
    t = TensorBase.__new__(cls)
    t._data = data
    t._requires_grad = requires_grad
    t._grad = None
    t.grad_fn = None
    t._output_nr = 0
    t._version_counter = [0]
    t._grad_acc = None
    t._base = None
    t._hooks_node = None
    return t


def gradient_edge(tensor):
    """The ``(node, input_nr)`` edge through which a tensor receives its gradient."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
    return (_hooks["grad_accumulator"](tensor), 0)


def function_apply(cls, *args, **kwargs):
    """``Function.apply``: run forward with grad mode off, wrap and link the outputs; NumPy's
    floating-point reports are silenced meanwhile (``nptorch._fp_errors``)."""
    token = _silence_fp()
    try:
        return _apply(cls, args, kwargs)
    finally:
        _restore_fp(token)


def _apply(cls, args, kwargs):
    needs = []
    kind = None
    for a in args:
        if isinstance(a, TensorBase):
            needs.append(a._requires_grad)
            if kind is None:
                kind = type(a._data)
            elif type(a._data) is not kind or kind is not _ndarray:
                _hooks["check_devices"](cls, args)
        else:
            needs.append(False)
    needs = tuple(needs)
    prev = grad_state.enabled
    if not (prev and True in needs) and cls._raw_forward is not None:
        # nothing to record: compute on the arrays, with no ctx (the no-grad fast path)
        out = cls._raw_forward(*[a._data if isinstance(a, TensorBase) else a for a in args],
                               **kwargs)
        return make_tensor(_hooks["tensor"], out)
    if cls._has_setup_context:
        return _apply_with_setup_context(cls, args, kwargs)
    ctx = cls._backward_cls()
    ctx.needs_input_grad = needs
    grad_state.enabled = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        grad_state.enabled = prev
    record = prev and True in needs
    if type(out) is _ndarray and not record and cls._view_of_input is None:
        return make_tensor(_hooks["tensor"], out)  # the common no-grad case, kept short
    return _wrap_outputs(cls, ctx, args, out, record)


def _apply_with_setup_context(cls, args, kwargs):
    """``apply`` of a Function that overrides ``setup_context``: the inputs bound to
    ``forward``'s parameters (defaults filled in), ``forward(*inputs)`` without ctx, then
    ``setup_context(ctx, inputs, output)``, both with grad mode off."""
    args = cls._bind_inputs(args, kwargs)
    if kwargs:  # tensors passed by keyword are inputs too
        _hooks["check_devices"](cls, args)
    needs = tuple([isinstance(a, TensorBase) and a._requires_grad for a in args])
    prev = grad_state.enabled
    ctx = cls._backward_cls()
    ctx.needs_input_grad = needs
    grad_state.enabled = False
    try:
        out = cls.forward(*args)
        cls.setup_context(ctx, args, out)
    finally:
        grad_state.enabled = prev
    return _wrap_outputs(cls, ctx, args, out, prev and True in needs)


def _wrap_outputs(cls, ctx, args, out, record):
    tensor_cls = _hooks["tensor"]
    single = type(out) is not tuple
    outputs = (out,) if single else out
    dirty = ctx._dirty
    wrapped = []
    for o in outputs:
        if isinstance(o, TensorBase):
            # an input returned as is becomes a new alias, unless modified in place (mark_dirty)
            if not (dirty and any([o is d for d in dirty])):
                for a in args:
                    if o is a:
                        alias = make_tensor(tensor_cls, o._data)
                        alias._version_counter = o._version_counter
                        o = alias
                        break
        elif o is not None and type(o) not in (int, float, bool):
            o = make_tensor(tensor_cls, o)
        wrapped.append(o)
    if dirty:
        ctx._check_dirty(args, wrapped, record)
    if record:
        ctx.next_edges = tuple([gradient_edge(a) if isinstance(a, TensorBase) and a._requires_grad
                                else None for a in args])
        if ctx._validate:
            ctx._inputs = [(tuple(a._data.shape), a._data.dtype) if isinstance(a, TensorBase)
                           else None for a in args]
        nondiff = ctx._non_differentiable
        metas = []
        for i, o in enumerate(wrapped):
            if isinstance(o, TensorBase):
                data = o._data
                metas.append((data.shape, data.dtype, type(data) is _ndarray))
                if data.dtype.kind == "f" and not (nondiff and any(o is n for n in nondiff)):
                    o._requires_grad = True
                    o.grad_fn = ctx
                    o._output_nr = i
            else:
                metas.append(None)
        ctx._outputs = metas
        ctx._num_outputs = len(metas)
        if ctx._to_save is not None:
            ctx._saved = tuple([_pack(t, wrapped, ctx._to_save) for t in ctx._to_save])
            ctx._to_save = None
        if dirty:
            ctx._rebase_dirty(wrapped)
    if cls._view_of_input is not None and isinstance(wrapped[0], TensorBase):
        _hooks["mark_view"](wrapped[0], args[cls._view_of_input])
    return wrapped[0] if single else tuple(wrapped)


# -- saved tensors and the nodes of Functions -------------------------------------------------

class SavedTensor:
    """A tensor saved for backward, with the version it had when saved.

    An output of the saving node keeps only its data: holding the Tensor would make a
    reference cycle (tensor -> grad_fn -> saved tensor).
    """

    __slots__ = ("tensor", "data", "counter", "version", "output_nr")

    def __init__(self):
        self.tensor = self.data = self.output_nr = None


def _pack(t, outputs, to_save):
    if t is None:
        return None
    if not isinstance(t, TensorBase):
        raise _not_saveable(t, to_save)
    saved = SavedTensor()
    saved.counter = t._version_counter
    saved.version = saved.counter[0]
    for i, o in enumerate(outputs):
        if o is t:
            saved.output_nr, saved.data = i, t._data
            return saved
    saved.tensor = t
    return saved


def _not_saveable(t, to_save):
    nr = next(i for i, x in enumerate(to_save) if x is t)
    return TypeError(f"save_for_backward can only save variables, but argument {nr} is of "
                     f"type {type(t).__name__}")


class FunctionNode(Node):
    """The ctx of a Function call and its node in the backward graph (hot parts; see
    ``nptorch.autograd.function.BackwardFunction`` for the rest)."""

    _to_save = None
    _saved = None
    _freed = False
    _outputs = None
    materialize_grads = True
    _dirty = None  # tensors marked dirty (modified in place by forward)

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(self.FREED_MESSAGE)
        if self._saved is None:
            return ()
        return tuple([self._unpack(s) for s in self._saved])

    def _unpack(self, saved):
        if saved is None:
            return None
        if saved.counter[0] != saved.version:
            self._raise_modified(saved)
        if saved.output_nr is None:
            return saved.tensor
        t = make_tensor(_hooks["tensor"], saved.data)
        t._version_counter = saved.counter
        t._requires_grad = True
        t.grad_fn = self
        t._output_nr = saved.output_nr
        return t

    def release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    def apply(self, grads):
        if self.materialize_grads:
            for i, g in enumerate(grads):
                if g is None:
                    grads[i] = self._zeros_for(i)
        result = self._forward_cls.backward(self, *grads)
        if type(result) is not tuple:
            result = (result,)
        if self._validate:
            result = self._check_grads(result)
        if grad_state.check_nan:
            _raise_on_nan(self, result)
        return result
