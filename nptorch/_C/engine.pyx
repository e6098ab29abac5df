# cython: language_level=3
"""The backward engine, compiled. Twin of ``nptorch/autograd/engine.py``: same names, same
behaviour; see that module for the algorithm. Imports nothing from nptorch but
``nptorch._fp_errors``.

Notation: a node's ``next_edges`` holds one ``(node, input_nr)`` per input, or None.
"""

from cpython.contextvars cimport PyContextVar_Reset, PyContextVar_Set, get_value

from nptorch import _fp_errors

EXTENSION_ABI = 12

cdef object _FP_STATE = _fp_errors.STATE
cdef object _FP_SILENT = _fp_errors.SILENT


cdef inline object _silence_fp():
    """``nptorch._fp_errors.silence``, through the C API of context variables on NumPy 2."""
    if _FP_STATE is None:
        return _fp_errors.silence()
    if get_value(_FP_STATE) is _FP_SILENT:
        return None
    return PyContextVar_Set(_FP_STATE, _FP_SILENT)


cdef inline int _restore_fp(object token) except -1:
    """``nptorch._fp_errors.restore``."""
    if token is None:
        return 0
    if _FP_STATE is None:
        _fp_errors.restore(token)
        return 0
    return PyContextVar_Reset(_FP_STATE, token)


cdef class Node:
    """A backward function: maps gradients of its outputs to gradients of its inputs."""

    cdef public tuple next_edges
    cdef public tuple needs_input_grad
    cdef public dict _pre_hooks
    cdef public dict _retains
    cdef public list _post_hooks  # hook(grad_inputs, grad_outputs) after apply (see the twin)
    cdef public Py_ssize_t _num_outputs
    cdef object __weakref__
    cdef dict __dict__

    is_accumulator = False

    def __cinit__(self):
        self.next_edges = ()
        self.needs_input_grad = ()
        self._num_outputs = 1

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


cdef tuple _collect(list roots):
    cdef dict dependencies = {}
    cdef list stack = list(roots)
    cdef set seen = set(stack)
    cdef list order = []
    cdef object node, edge, child
    while stack:
        node = stack.pop()
        order.append(node)
        for edge in (<Node?>node).next_edges:
            if edge is None:
                continue
            child = (<tuple>edge)[0]
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies, order


cdef set _needed(list order, object targets):
    cdef set needed = set(targets)
    cdef bint changed = True
    cdef object node, edge
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            for edge in (<Node?>node).next_edges:
                if edge is not None and (<tuple>edge)[0] in needed:
                    needed.add(node)
                    changed = True
                    break
    return needed


cdef bint _leads_to(Node node, set needed):
    cdef object edge
    for edge in node.next_edges:
        if edge is not None and (<tuple>edge)[0] in needed:
            return True
    return False


cdef void _call_hooks(Node node, list grads) except *:
    cdef object nr, fns, fn, result, ref, tensor
    if node._pre_hooks:
        for nr, fns in node._pre_hooks.items():
            for fn in fns:
                result = fn(grads[nr])
                if result is not None:
                    grads[nr] = result
    if node._retains:
        for nr, ref in node._retains.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None:
                tensor._retain(grads[nr])


cdef inline void _add_to_buffer(dict buffers, Node node, Py_ssize_t nr, object grad) except *:
    cdef list buf = buffers.get(node)
    if buf is None:
        buf = [None] * node._num_outputs
        buffers[node] = buf
    if buf[nr] is None:
        buf[nr] = grad
    else:
        buf[nr] = buf[nr] + grad


def run_backward(root_edges, grad_roots, bint keep_graph, capture_edges=None, bint accumulate=True):
    """Backpropagate ``grad_roots`` from ``root_edges``; see the pure-Python twin."""
    token = _silence_fp()
    try:
        return _backward(root_edges, grad_roots, keep_graph, capture_edges, accumulate)
    finally:
        _restore_fp(token)


cdef list _backward(root_edges, grad_roots, bint keep_graph, capture_edges, bint accumulate):
    cdef dict buffers = {}
    cdef dict dependencies
    cdef list order, ready, grads, results = []
    cdef dict captures = None
    cdef set needed = None
    cdef object node, edge, grad, child, input_grads, grad_outputs
    cdef Node n
    cdef Py_ssize_t nr, i, count
    cdef tuple edges
    cdef bint any_grad

    for edge, grad in zip(root_edges, grad_roots):
        _add_to_buffer(buffers, <Node?>edge[0], edge[1], grad)

    roots = list(buffers)
    dependencies, order = _collect(roots)

    if capture_edges is not None:
        captures = {}
        results = [None] * len(capture_edges)
        for i, edge in enumerate(capture_edges):
            captures.setdefault(edge[0], []).append((edge[1], i))
        needed = _needed(order, captures)

    ready = [node for node in roots if node not in dependencies]
    while ready:
        n = <Node?>ready.pop()
        grads = buffers.pop(n, None)
        if grads is None:
            grads = [None] * n._num_outputs
        if needed is not None and n not in needed:
            continue
        if n._pre_hooks or n._retains:
            _call_hooks(n, grads)
        if captures is not None:
            for nr, i in captures.get(n, ()):
                results[i] = grads[nr]
            if not _leads_to(n, needed):
                continue
        if not accumulate and n.is_accumulator:
            continue
        edges = n.next_edges
        any_grad = False
        for grad in grads:
            if grad is not None:
                any_grad = True
                break
        if any_grad:
            if n._post_hooks:
                grad_outputs = tuple(grads)  # before apply materializes missing ones
                input_grads = n._run_post_hooks(n.apply(grads), grad_outputs)
            else:
                input_grads = n.apply(grads)
            if not keep_graph:
                n.release()
        else:
            input_grads = (None,) * len(edges)
        for edge, grad in zip(edges, input_grads):
            if edge is None:
                continue
            child = (<tuple>edge)[0]
            if grad is not None:
                _add_to_buffer(buffers, <Node?>child, (<tuple>edge)[1], grad)
            count = <Py_ssize_t>dependencies[child] - 1
            dependencies[child] = count
            if count == 0:
                ready.append(child)
    return results


# -- Tensor core and Function.apply -----------------------------------------------------------
# Twin of the same section of nptorch/autograd/engine.py: the per-op path (grad-mode check,
# Tensor construction, graph linking) without Python overhead.

import numpy as _np

cdef type _ndarray = _np.ndarray


cdef class GradState:
    """Whether operations are recorded for autograd (see ``nptorch.autograd.grad_mode``), and
    whether backward checks each function's gradients for NaN (anomaly detection)."""

    cdef public bint enabled
    cdef public bint check_nan

    def __cinit__(self):
        self.enabled = True
        self.check_nan = False


cdef GradState _grad = GradState()
grad_state = _grad


def _raise_on_nan(node, grads):
    """PyTorch's anomaly-mode error for the first gradient that holds a NaN."""
    for i, g in enumerate(grads):
        data = getattr(g, "_data", None)
        if data is not None and data.dtype.kind == "f" and bool((data != data).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


cdef class TensorBase:
    """The fields of a Tensor; ``nptorch.Tensor`` adds the methods."""

    cdef public object _data
    cdef public bint _requires_grad
    cdef public object _grad
    cdef public object grad_fn
    cdef public Py_ssize_t _output_nr
    cdef public list _version_counter
    cdef public object _grad_acc
    cdef public object _base
    cdef public object _hooks_node
    cdef dict __dict__
    cdef object __weakref__


cdef object _tensor_cls = None
cdef object _is_array = None
cdef object _mark_view = None
cdef object _grad_accumulator = None
cdef object _check_devices = None


def configure(tensor_cls, is_array, mark_view, grad_accumulator, check_devices):
    """Install the Python-side pieces used by ``make_tensor`` and ``function_apply``."""
    global _tensor_cls, _is_array, _mark_view, _grad_accumulator, _check_devices
    _tensor_cls, _is_array = tensor_cls, is_array
    _mark_view, _grad_accumulator, _check_devices = mark_view, grad_accumulator, check_devices


cdef inline TensorBase _make(object cls, object data):
    if type(data) is not _ndarray and not _is_array(data):
        data = _np.asarray(data)
    cdef TensorBase t = TensorBase.__new__(cls)
    t._data = data
    t._requires_grad = False
    t._output_nr = 0
    t._version_counter = [0]
    return t


def make_tensor(cls, data, requires_grad=False):
    """Wrap an array as a ``cls`` instance without copying (NumPy scalars become 0-d arrays)."""
    cdef TensorBase t = _make(cls, data)
    t._requires_grad = requires_grad
    return t


cpdef tuple gradient_edge(TensorBase tensor):
    """The ``(node, input_nr)`` edge through which a tensor receives its gradient."""
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
    return (_grad_accumulator(tensor), 0)


def function_apply(cls, *args, **kwargs):
    """``Function.apply``; see the pure-Python twin."""
    token = _silence_fp()
    try:
        return _apply(cls, args, kwargs)
    finally:
        _restore_fp(token)


cdef object _apply(object cls, tuple args, dict kwargs):
    cdef Node ctx
    cdef Py_ssize_t n = len(args), i
    cdef list needs = [False] * n
    cdef bint any_needs = False, prev, record
    cdef object a, kind = None, out
    for i in range(n):
        a = args[i]
        if isinstance(a, TensorBase):
            if (<TensorBase>a)._requires_grad:
                needs[i] = True
                any_needs = True
            if kind is None:
                kind = type((<TensorBase>a)._data)
            elif type((<TensorBase>a)._data) is not kind or kind is not _ndarray:
                _check_devices(cls, args)
    prev = _grad.enabled
    if not (prev and any_needs) and cls._raw_forward is not None:
        # nothing to record: compute on the arrays, with no ctx (the no-grad fast path)
        out = cls._raw_forward(*[(<TensorBase>a)._data if isinstance(a, TensorBase) else a
                                 for a in args], **kwargs)
        return _make(_tensor_cls, out)
    if cls._has_setup_context:
        return _apply_with_setup_context(cls, args, kwargs)
    ctx = cls._backward_cls()
    ctx.needs_input_grad = tuple(needs)
    _grad.enabled = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        _grad.enabled = prev
    record = prev and any_needs
    if type(out) is _ndarray and not record and cls._view_of_input is None:
        return _make(_tensor_cls, out)  # the common no-grad case, kept short
    return _wrap_outputs(cls, ctx, args, out, record)


cdef object _apply_with_setup_context(object cls, tuple args, dict kwargs):
    """``apply`` of a Function that overrides ``setup_context``; see the pure-Python twin."""
    cdef bint prev = _grad.enabled
    cdef tuple inputs = cls._bind_inputs(args, kwargs)
    if kwargs:  # tensors passed by keyword are inputs too
        _check_devices(cls, inputs)
    cdef tuple needs = tuple([isinstance(a, TensorBase) and (<TensorBase>a)._requires_grad
                              for a in inputs])
    cdef Node ctx = cls._backward_cls()
    ctx.needs_input_grad = needs
    _grad.enabled = False
    try:
        out = cls.forward(*inputs)
        cls.setup_context(ctx, inputs, out)
    finally:
        _grad.enabled = prev
    return _wrap_outputs(cls, ctx, inputs, out, prev and True in needs)


cdef object _wrap_outputs(object cls, Node ctx, tuple args, object out, bint record):
    cdef bint single = type(out) is not tuple
    cdef tuple outputs = (out,) if single else out
    cdef list wrapped = []
    cdef list metas
    cdef object o, a, data, nondiff, alias, to_save
    cdef object dirty = (<FunctionNode?>ctx)._dirty
    cdef Py_ssize_t i
    for o in outputs:
        if isinstance(o, TensorBase):
            # an input returned as is becomes a new alias, unless modified in place (mark_dirty)
            if not (dirty and any([o is d for d in dirty])):
                for a in args:
                    if o is a:
                        alias = _make(_tensor_cls, (<TensorBase>o)._data)
                        (<TensorBase>alias)._version_counter = (<TensorBase>o)._version_counter
                        o = alias
                        break
        elif o is not None and type(o) not in (int, float, bool):
            o = _make(_tensor_cls, o)
        wrapped.append(o)
    if dirty:
        ctx._check_dirty(args, wrapped, record)
    if record:
        ctx.next_edges = tuple([gradient_edge(a) if isinstance(a, TensorBase) and (<TensorBase>a)._requires_grad
                                else None for a in args])
        if ctx._validate:
            ctx._inputs = [(tuple((<TensorBase>a)._data.shape), (<TensorBase>a)._data.dtype)
                           if isinstance(a, TensorBase) else None for a in args]
        nondiff = ctx._non_differentiable
        metas = []
        for i in range(len(wrapped)):
            o = wrapped[i]
            if isinstance(o, TensorBase):
                data = (<TensorBase>o)._data
                metas.append((data.shape, data.dtype, type(data) is _ndarray))
                if data.dtype.kind == "f" and not (nondiff and any([o is x for x in nondiff])):
                    (<TensorBase>o)._requires_grad = True
                    (<TensorBase>o).grad_fn = ctx
                    (<TensorBase>o)._output_nr = i
            else:
                metas.append(None)
        ctx._outputs = metas
        ctx._num_outputs = len(metas)
        to_save = (<FunctionNode?>ctx)._to_save
        if to_save is not None:
            (<FunctionNode>ctx)._saved = tuple([_pack(t, wrapped, to_save) for t in to_save])
            (<FunctionNode>ctx)._to_save = None
        if dirty:
            ctx._rebase_dirty(wrapped)
    if cls._view_of_input is not None and isinstance(wrapped[0], TensorBase):
        _mark_view(wrapped[0], args[cls._view_of_input])
    return wrapped[0] if single else tuple(wrapped)


# -- saved tensors and the nodes of Functions -------------------------------------------------

cdef class SavedTensor:
    """A tensor saved for backward, with the version it had when saved.

    An output of the saving node keeps only its data: holding the Tensor would make a
    reference cycle (tensor -> grad_fn -> saved tensor).
    """

    cdef public object tensor
    cdef public object data
    cdef public list counter
    cdef public Py_ssize_t version
    cdef public object output_nr


cdef SavedTensor _pack(object t, list outputs, object to_save):
    if t is None:
        return None
    if not isinstance(t, TensorBase):
        raise _not_saveable(t, to_save)
    cdef SavedTensor saved = SavedTensor.__new__(SavedTensor)
    saved.counter = (<TensorBase>t)._version_counter
    saved.version = saved.counter[0]
    cdef Py_ssize_t i
    for i in range(len(outputs)):
        if outputs[i] is t:
            saved.output_nr = i
            saved.data = (<TensorBase>t)._data
            return saved
    saved.tensor = t
    return saved


def _not_saveable(t, to_save):
    nr = next(i for i, x in enumerate(to_save) if x is t)
    return TypeError(f"save_for_backward can only save variables, but argument {nr} is of "
                     f"type {type(t).__name__}")


cdef class FunctionNode(Node):
    """The ctx of a Function call and its node in the backward graph (hot parts; see
    ``nptorch.autograd.function.BackwardFunction`` for the rest)."""

    cdef public object _to_save
    cdef public tuple _saved
    cdef public bint _freed
    cdef public list _outputs
    cdef public bint materialize_grads
    cdef public tuple _dirty  # tensors marked dirty (modified in place by forward)

    def __cinit__(self):
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(self.FREED_MESSAGE)
        if self._saved is None:
            return ()
        return tuple([self._unpack(s) for s in self._saved])

    cdef object _unpack(self, SavedTensor saved):
        if saved is None:
            return None
        if saved.counter[0] != saved.version:
            self._raise_modified(saved)
        if saved.output_nr is None:
            return saved.tensor
        cdef TensorBase t = _make(_tensor_cls, saved.data)
        t._version_counter = saved.counter
        t._requires_grad = True
        t.grad_fn = self
        t._output_nr = saved.output_nr
        return t

    def release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    def apply(self, list grads):
        cdef Py_ssize_t i
        if self.materialize_grads:
            for i in range(len(grads)):
                if grads[i] is None:
                    grads[i] = self._zeros_for(i)
        result = self._forward_cls.backward(self, *grads)
        if type(result) is not tuple:
            result = (result,)
        if self._validate:
            result = self._check_grads(result)
        if _grad.check_nan:
            _raise_on_nan(self, result)
        return result
