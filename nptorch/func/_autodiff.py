"""The differentiating transforms of ``torch.func``: ``grad``, ``grad_and_value``, ``vjp``,
``jacrev``, ``jacfwd``, ``hessian`` and ``linearize``, all in reverse mode.

Each call runs ``func`` once, with the tensors of the differentiated arguments replaced by
fresh ones, and differentiates with ``nptorch.autograd.grad``. When grad mode is on at the
call, the results keep their graph back to the caller's tensors that require grad, so the
transforms nest (``jacrev(jacrev(f))``, ``vmap(grad(f))``) and compose with ``.backward()``;
a result that depends on nothing of the caller's comes back detached, as in PyTorch.
"""
import functools

from .._api.shape import stack
from .._tensor import Tensor
from ..autograd.function import leaves_reached
from ..autograd.functional import _autograd_grad, _preprocess
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ._pytree import tree_flatten, tree_map, tree_unflatten
from ._randomness import check_randomness, under_randomness

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian", "linearize"]


def _normalize_argnums(argnums, num_args):
    """``argnums`` as a tuple of non-negative positions, checked as PyTorch checks it."""
    if isinstance(argnums, int):
        return (_normalize_argnum(argnums, num_args),)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not argnums:
        raise RuntimeError("argnums must be non-empty")
    normalized = tuple(_normalize_argnum(a, num_args) for a in argnums)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"argnums elements must be unique, got {normalized}")
    return normalized


def _normalize_argnum(argnum, num_args):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if not -num_args <= argnum < num_args:
        raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")
    return argnum % num_args


def _pick(trees, argnums):
    """One tree per differentiated argument, or the only one when ``argnums`` is an int."""
    return trees[0] if isinstance(argnums, int) else trees


def _check_only_tensors(leaves, fn_name, reverse=False):
    """Outputs must be tensors; for reverse mode, floating-point or complex ones."""
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"{fn_name}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(leaf)}")
    for leaf in leaves if reverse else ():
        if not (leaf.is_floating_point() or leaf.is_complex()):
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex "
                               f"Tensors, got Tensor with dtype {leaf.dtype}")


def _reaches_outside(tensor, local):
    """Whether ``tensor``'s graph reaches a tensor requiring grad other than the leaves whose
    ids are in ``local``."""
    return tensor.requires_grad and any(i not in local for i in leaves_reached([tensor]))


class _Trace:
    """One call of ``func`` with the tensors of the arguments at positions ``argnums`` replaced
    by fresh tensors, ``inputs``, to differentiate against."""

    def __init__(self, func, args, kwargs, argnums, has_aux, fn_name):
        self.create_graph = is_grad_enabled()
        args = list(args)
        self.inputs, self._specs = [], []
        for i in argnums:
            leaves, spec = tree_flatten(args[i])
            fresh = [self._fresh(leaf) for leaf in leaves]
            args[i] = tree_unflatten(fresh, spec)
            self.inputs += fresh
            self._specs.append((spec, len(fresh)))
        # results that reach only these leaves depend on nothing of the caller's
        self.local = {id(t) for t in self.inputs if t.grad_fn is None}
        with enable_grad():
            output = func(*args, **kwargs)
        self.output, self.aux = output, None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError(f"{fn_name}: output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True")
            self.output, self.aux = output
            for leaf in tree_flatten(self.aux)[0]:
                if not isinstance(leaf, Tensor):
                    raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")

    def _fresh(self, arg):
        if not isinstance(arg, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(arg)}")
        return _preprocess((arg,), self.create_graph, need_graph=True)[0]

    def release(self, tree, create_graph):
        """``tree`` with every tensor detached unless it should stay differentiable outside."""
        def release_one(leaf):
            if isinstance(leaf, Tensor) and not (create_graph
                                                 and _reaches_outside(leaf, self.local)):
                return leaf.detach()
            return leaf
        return tree_map(release_one, tree)

    def flat_vjp(self, outputs, cotangents, create_graph, retain_graph=None):
        """``sum(cotangent * d output / d input)`` for every input, zeros where unreached."""
        grads = (_autograd_grad(outputs, self.inputs, cotangents, create_graph, retain_graph)
                 if self.inputs else ())
        return [t.new_zeros(t.shape) if g is None else g for g, t in zip(grads, self.inputs)]

    def structured(self, flat):
        """``flat`` (one tensor per input) split into one tree per differentiated argument."""
        trees = []
        for spec, count in self._specs:
            trees.append(tree_unflatten(flat[:count], spec))
            flat = flat[count:]
        return tuple(trees)

    def vjp(self, outputs, cotangents, create_graph, retain_graph=None):
        """The vector-Jacobian product, one tree per differentiated argument."""
        grads = self.flat_vjp(outputs, cotangents, create_graph, retain_graph)
        return self.structured(self.release(grads, create_graph))

    def jacobian(self, out, dtype=None):
        """``d out / d input`` for every input (in ``dtype`` when given), one tree per
        differentiated argument: one backward pass per element of ``out``."""
        flat = out.reshape(-1)
        rows = [self.flat_vjp([flat[k]], [None], self.create_graph, retain_graph=True)
                for k in range(flat.numel())]
        blocks = []
        for j, t in enumerate(self.inputs):
            shape = tuple(out.shape) + tuple(t.shape)
            block = stack([row[j] for row in rows]).reshape(shape) if rows else t.new_zeros(shape)
            blocks.append(block if dtype is None else block.to(dtype))
        return self.structured(self.release(blocks, self.create_graph))


def grad_and_value(func, argnums=0, has_aux=False):
    """``func`` turned into a function returning ``(gradients, value)``; with ``has_aux``,
    ``func`` returns ``(value, aux)`` and the new function ``(gradients, (value, aux))``.

    ``func`` must return a scalar (0-dim) Tensor. The gradients are taken with respect to the
    positional arguments at ``argnums`` (an int, or a tuple of ints giving a tuple of
    gradients); each of them may be a Tensor or a tuple/list/dict tree of Tensors, and its
    gradient has the same structure.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        fn_name = "grad_and_value(f)(*args)"
        trace = _Trace(func, args, kwargs, _normalize_argnums(argnums, len(args)), has_aux,
                       fn_name)
        out = trace.output
        if not isinstance(out, Tensor):
            raise RuntimeError(f"{fn_name}: Expected f(*args) to return a Tensor, got {type(out)}")
        if out.dim() != 0:
            raise RuntimeError(f"{fn_name}: Expected f(*args) to return a scalar Tensor, got "
                               f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp "
                               "or jacrev APIs instead?")
        grads = _pick(trace.vjp([out], [None], trace.create_graph), argnums)
        value = trace.release(out, trace.create_graph)
        if has_aux:
            return grads, (value, trace.release(trace.aux, trace.create_graph))
        return grads, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``func`` turned into a function returning the gradient of its scalar output with
    respect to the arguments at ``argnums`` (and ``aux`` too with ``has_aux``: then the new
    function returns ``(gradients, aux)``). See :func:`grad_and_value`.

    Example (per-sample gradients)::

        >>> grads = vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, x, y)
    """
    with_value = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = with_value(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)`` (with ``aux`` last when ``has_aux``).

    ``vjp_fn(cotangents, retain_graph=True, create_graph=None)`` takes cotangents structured
    like the output and returns a tuple with one vector-Jacobian product per primal.
    ``create_graph=None`` means: when grad mode is on.
    """
    fn_name = "vjp(f, *primals)"
    trace = _Trace(func, primals, {}, range(len(primals)), has_aux, fn_name)
    out_leaves, out_spec = tree_flatten(trace.output)
    _check_only_tensors(out_leaves, fn_name, reverse=True)
    if not out_leaves:
        raise RuntimeError(f"{fn_name}: Expected f to be a function that has non-empty output "
                           "(got output = [])")

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        leaves, spec = tree_flatten(cotangents)
        if spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree "
                               "structure of outputs to the function. cotangents: "
                               f"{spec}, primal output: {out_spec}")
        for leaf in leaves:
            if leaf is not None and not isinstance(leaf, Tensor):
                raise TypeError("gradients can be either Tensors or None, but got "
                                f"{type(leaf).__name__}")
        create_graph = is_grad_enabled() if create_graph is None else create_graph
        return trace.vjp(out_leaves, leaves, create_graph, retain_graph)

    output = trace.release(trace.output, trace.create_graph)
    if has_aux:
        return output, vjp_fn, trace.release(trace.aux, trace.create_graph)
    return output, vjp_fn


def _jacobian(func, argnums, has_aux, fn_name, args, kwargs, forward=False):
    trace = _Trace(func, args, kwargs, _normalize_argnums(argnums, len(args)), has_aux, fn_name)
    out_leaves, out_spec = tree_flatten(trace.output)
    _check_only_tensors(out_leaves, fn_name, reverse=not forward)
    # a forward-mode Jacobian comes in the output's dtype, a reverse-mode one in the input's
    jac = [_pick(trace.jacobian(out, out.dtype if forward else None), argnums)
           for out in out_leaves]
    jac = tree_unflatten(jac, out_spec)
    return (jac, trace.release(trace.aux, trace.create_graph)) if has_aux else jac


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """``func`` turned into a function returning its Jacobian with respect to the arguments at
    ``argnums`` (and ``aux`` with ``has_aux``), computed by one backward pass per element of
    the output.

    The Jacobian is structured like the output, each of its leaves holding, for one output
    Tensor ``o``, a tree like the differentiated argument (a tuple of such trees when
    ``argnums`` is a tuple) of Tensors of shape ``o.shape + input.shape``. ``chunk_size``
    bounds memory in PyTorch; it is only checked here, where rows are computed one at a time.
    """
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, "vjp(f, *primals)", args, kwargs)
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``func`` turned into a function returning its Jacobian, as :func:`jacrev` does.

    nptorch has no forward-mode AD: the Jacobian is computed in reverse mode, by one backward
    pass per element of the output. The values are those of forward mode, the result is in the
    output's dtype as in PyTorch, only the cost differs (it grows with the output's size rather
    than the input's). ``randomness`` ('error', 'different' or 'same') as in :func:`vmap`:
    with 'error', ``func`` may not draw random numbers.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        check_randomness(randomness)
        return _jacobian(under_randomness(func, randomness), argnums, has_aux,
                         "jvp(f, primals, tangents)", args, kwargs, forward=True)
    return wrapper


def hessian(func, argnums=0):
    """``func`` turned into a function returning its Hessian with respect to the arguments at
    ``argnums``: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at
    ``primals``, structured like the output, for tangents structured like ``primals``.

    Computed in reverse mode: ``u -> J^T u`` is linear in ``u``, so differentiating it with
    respect to ``u`` in the direction of the tangents gives ``J t``.
    """
    fn_name = "jvp(f, primals, tangents)"
    trace = _Trace(func, primals, {}, range(len(primals)), False, fn_name)
    out_leaves, out_spec = tree_flatten(trace.output)
    _check_only_tensors(out_leaves, fn_name)
    primals_spec = tree_flatten(primals)[1]
    with enable_grad():
        dummies = [out.new_zeros(out.shape).requires_grad_() for out in out_leaves]
        transposed = trace.flat_vjp(out_leaves, dummies, create_graph=True, retain_graph=True)
    trace.local.update(map(id, dummies))

    def jvp_fn(*tangents):
        leaves, spec = tree_flatten(tangents)
        if spec != primals_spec:
            raise RuntimeError(f"Expected the tangents {spec} to have the same argspec as the "
                               f"primals {primals_spec}")
        for i, (tangent, primal) in enumerate(zip(leaves, trace.inputs)):
            for what in ("shape", "dtype"):
                if getattr(tangent, what) != getattr(primal, what):
                    raise RuntimeError(
                        f"tangent:{i} with {what} {getattr(tangent, what)} in flattened pytree "
                        f"doesn't match the {what} {getattr(primal, what)} of the corresponding "
                        "primal.")
        create_graph = is_grad_enabled()
        products = _autograd_grad(transposed, dummies, leaves, create_graph, retain_graph=True)
        products = [d.new_zeros(d.shape) if p is None else p for p, d in zip(products, dummies)]
        return tree_unflatten(trace.release(products, create_graph), out_spec)

    return trace.release(trace.output, trace.create_graph), jvp_fn
