# cython: language_level=3
"""The backward engine, compiled. Twin of ``nptorch/autograd/engine.py``: same names, same
behaviour; see that module for the algorithm. Imports nothing from nptorch.

Notation: a node's ``next_edges`` holds one ``(node, input_nr)`` per input, or None.
"""

EXTENSION_ABI = 1


cdef class Node:
    """A backward function: maps gradients of its outputs to gradients of its inputs."""

    cdef public tuple next_edges
    cdef public tuple needs_input_grad
    cdef public dict _pre_hooks
    cdef public dict _retains
    cdef object __weakref__
    cdef dict __dict__

    is_accumulator = False

    def __init__(self):
        self.next_edges = ()
        self.needs_input_grad = ()

    def apply(self, grads):
        raise NotImplementedError

    def release(self):
        """Free what was saved for backward (called unless retain_graph)."""

    def num_outputs(self):
        return 1

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
        for edge in (<Node>node).next_edges:
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
            for edge in (<Node>node).next_edges:
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


cdef inline void _add_to_buffer(dict buffers, object node, Py_ssize_t nr, object grad) except *:
    cdef list buf = buffers.get(node)
    if buf is None:
        buf = [None] * node.num_outputs()
        buffers[node] = buf
    if buf[nr] is None:
        buf[nr] = grad
    else:
        buf[nr] = buf[nr] + grad


def run_backward(root_edges, grad_roots, bint keep_graph, capture_edges=None, bint accumulate=True):
    """Backpropagate ``grad_roots`` from ``root_edges``; see the pure-Python twin."""
    cdef dict buffers = {}
    cdef dict dependencies
    cdef list order, ready, grads, results = []
    cdef dict captures = None
    cdef set needed = None
    cdef object node, edge, grad, child, input_grads
    cdef Py_ssize_t nr, i, count
    cdef tuple edges
    cdef bint any_grad

    for edge, grad in zip(root_edges, grad_roots):
        _add_to_buffer(buffers, edge[0], edge[1], grad)

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
        node = ready.pop()
        grads = buffers.pop(node, None)
        if grads is None:
            grads = [None] * node.num_outputs()
        if needed is not None and node not in needed:
            continue
        _call_hooks(<Node>node, grads)
        if captures is not None:
            for nr, i in captures.get(node, ()):
                results[i] = grads[nr]
            if not _leads_to(<Node>node, needed):
                continue
        if not accumulate and node.is_accumulator:
            continue
        edges = (<Node>node).next_edges
        any_grad = False
        for grad in grads:
            if grad is not None:
                any_grad = True
                break
        if any_grad:
            input_grads = node.apply(grads)
            if not keep_graph:
                node.release()
        else:
            input_grads = (None,) * len(edges)
        for edge, grad in zip(edges, input_grads):
            if edge is None:
                continue
            child = (<tuple>edge)[0]
            if grad is not None:
                _add_to_buffer(buffers, child, (<tuple>edge)[1], grad)
            count = <Py_ssize_t>dependencies[child] - 1
            dependencies[child] = count
            if count == 0:
                ready.append(child)
    return results
