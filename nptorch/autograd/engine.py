"""The backward engine, pure-Python twin of ``nptorch/_C/engine.pyx``.

Both define ``Node`` (a vertex of the backward graph) and ``run_backward``; the compiled one
is used unless ``NPTORCH_PURE_PYTHON=1``. They must behave identically: the autograd tests
run against both.

A node's ``next_edges`` holds one ``(node, input_nr)`` pair per input (``None`` where the
input needs no gradient). The engine counts each node's dependencies in one iterative pass,
then runs every node exactly once, when all the gradients flowing into it have been summed.
No recursion, so graphs of any depth work, and the cost is linear in the graph size.
"""

EXTENSION_ABI = 1


class Node:
    """A backward function: maps gradients of its outputs to gradients of its inputs."""

    __slots__ = ("next_edges", "needs_input_grad", "_pre_hooks", "_retains", "__weakref__",
                 "__dict__")

    is_accumulator = False

    def __init__(self):
        self.next_edges = ()
        self.needs_input_grad = ()
        self._pre_hooks = None
        self._retains = None

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
    """Backpropagate ``grad_roots`` from ``root_edges`` through the graph.

    ``capture_edges``: edges whose incoming gradients are returned (``autograd.grad``,
    ``backward(inputs=...)``); then only the nodes leading to them run. With
    ``accumulate=False`` leaves' ``AccumulateGrad`` nodes are not run.
    """
    buffers = {}
    for edge, grad in zip(root_edges, grad_roots):
        node, nr = edge
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.num_outputs()
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
            grads = [None] * node.num_outputs()
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
                    buf = buffers[child] = [None] * child.num_outputs()
                buf[nr] = grad if buf[nr] is None else buf[nr] + grad
            count = dependencies[child] - 1
            dependencies[child] = count
            if count == 0:
                ready.append(child)
    return results
