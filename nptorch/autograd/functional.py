"""Higher-level differentiation of functions: ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``vhp`` and ``hvp`` (``torch.autograd.functional``).

Every product is built from reverse-mode ``grad`` calls. Jacobian-vector products use the
double-backward trick: ``u -> J^T u`` is linear in ``u``, so differentiating it with respect to
``u`` (at ``u = 0``) in the direction ``v`` gives ``J v``.
"""
from .._api.shape import stack
from .._tensor import Tensor
from . import grad as _grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# -- input and output structure ---------------------------------------------------------------

def _as_tuple(inp, arg_name, fn_name):
    """``(was_a_tuple, tuple_of_tensors)``; anything but Tensors is a TypeError."""
    is_tuple = isinstance(inp, tuple)
    inp = inp if is_tuple else (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but {where} has type {type(el)}.")
    return is_tuple, inp


def _unpack(res, is_tuple):
    """Undo ``_as_tuple``: ``is_tuple`` is one flag, or ``(outer, inner)`` for nested results."""
    if isinstance(is_tuple, tuple):
        outer, inner = is_tuple
        if not inner:
            res = tuple(el[0] for el in res)
        return res if outer else res[0]
    return res if is_tuple else res[0]


def _preprocess(inputs, create_graph, need_graph):
    """Fresh tensors to differentiate with respect to; with ``create_graph`` they stay linked
    to the caller's graph so that the results can be differentiated further."""
    return tuple(inp.view_as(inp) if create_graph and inp.requires_grad
                 else inp.detach().requires_grad_(need_graph) for inp in inputs)


def _postprocess(res, create_graph):
    if isinstance(res[0], Tensor):
        return res if create_graph else tuple(t.detach() for t in res)
    return tuple(_postprocess(el, create_graph) for el in res)


def _vector(v, others, is_others_tuple, create_graph, fn_name, none_msg):
    """``v`` as a tuple matching ``others`` in length and sizes (``None`` only for one scalar)."""
    if v is None:
        if len(others) != 1 or others[0].nelement() != 1:
            raise RuntimeError(none_msg)
        return None
    v = _preprocess(_as_tuple(v, "v", fn_name)[1], create_graph, need_graph=False)
    if len(v) != len(others):
        if is_others_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(others)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, others)):
        if el_v.size() != el_other.size():
            prefix = f"Entry {i} in " if is_others_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {el_other.size()} but got "
                               f"{el_v.size()}.")
    return v


_INPUT_V_NONE = ("The vector v can only be None if the input to the user-provided function is a "
                 "single Tensor with a single element.")

_INDEPENDENT = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
               "must be computed in a differentiable manner from the input when running in "
               "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
               "independent of the input. This is not allowed in strict mode. You should ensure "
               "that your function is thrice differentiable and that the hessian depends on the "
               "inputs.",
}


def _check_requires_grad(tensors, kind, strict):
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_INDEPENDENT[kind].format(i=i))


# -- gradients ----------------------------------------------------------------------------------

def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``grad`` over the outputs that require grad; ``None`` for inputs they do not reach."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    kept = [(out, g) for out, g in zip(outputs, grad_outputs)
            if out is not None and out.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    outputs, grad_outputs = zip(*kept)
    return _grad(outputs, inputs, grad_outputs, allow_unused=True, create_graph=create_graph,
                 retain_graph=retain_graph)


_UNREACHED = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Zeros (shaped like ``refs``) for the missing gradients, after the strict-mode checks."""
    res = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_UNREACHED[stage].format(i=i))
            g = ref.new_zeros(ref.shape)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode when create_graph=True.")
        res.append(g)
    return tuple(res)


def _finish(outputs, is_outputs_tuple, res, is_inputs_tuple, create_graph):
    """``(outputs, res)`` detached unless ``create_graph``, unpacked like the user's structures."""
    return (_unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
            _unpack(_postprocess(res, create_graph), is_inputs_tuple))


def _call(func, inputs, fn_name, strict):
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_outputs_tuple, outputs


# -- public functions ---------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's outputs and the vector-Jacobian product ``v^T J``.

    Args:
        func: takes the Tensor inputs, returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: like the outputs; may be omitted when the output is a single element.
        create_graph: make the results differentiable.
        strict: raise when an output does not depend on an input instead of returning zeros.

    Returns ``(outputs, vjp)``; ``vjp`` is structured like ``inputs``.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _vector(v, outputs, is_outputs_tuple, create_graph, "vjp",
                    "The vector v can only be None if the user-provided function returns a single "
                    "Tensor with a single element.")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return _finish(outputs, is_outputs_tuple, res, is_inputs_tuple, create_graph)


def _jvp(func, inputs, v, create_graph, strict):
    """``jvp`` on tuples: ``(is_outputs_tuple, outputs, J v)``."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, is_inputs_tuple, create_graph, "jvp", _INPUT_V_NONE)
        is_outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        dummies = tuple(out.new_zeros(out.shape).requires_grad_() for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(grad_inputs, dummies, v, create_graph=create_graph)
        res = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return is_outputs_tuple, _postprocess(outputs, create_graph), _postprocess(res, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's outputs and the Jacobian-vector product ``J v``.

    ``v`` is structured like ``inputs`` (it may be omitted when the input is a single element);
    the product is structured like the outputs. Arguments as in :func:`vjp`.
    """
    is_outputs_tuple, outputs, res = _jvp(func, inputs, v, create_graph, strict)
    return _unpack(outputs, is_outputs_tuple), _unpack(res, is_outputs_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``.

    Entry ``[i][j]`` (indices dropped where outputs or inputs are not tuples) has shape
    ``outputs[i].shape + inputs[j].shape``. ``vectorize`` changes nothing in the result here:
    the rows are always computed one at a time. ``strategy="forward-mode"`` builds the columns
    from Jacobian-vector products and, as in PyTorch, needs ``vectorize=True``.

    Example::

        >>> jacobian(lambda x: x ** 2, torch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, "forward-mode" '
                             'tends to be more performant. Otherwise, prefer to use '
                             '"reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        return _jacobian_forward(func, inputs, strict, vectorize)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")
        res = tuple(_jacobian_rows(i, out, inputs, create_graph, strict)
                    for i, out in enumerate(outputs))
    return _unpack(_postprocess(res, create_graph), (is_outputs_tuple, is_inputs_tuple))


def _jacobian_rows(i, out, inputs, create_graph, strict):
    """``d out / d inputs[j]`` for every ``j``, one backward pass per element of ``out``."""
    rows = tuple([] for _ in inputs)
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = _autograd_grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent "
                                       f"of input {j}. This is not allowed in strict mode.")
                g = inp.new_zeros(inp.shape)
            elif strict and create_graph and not g.requires_grad:
                # PyTorch names the output's index here, not the input's
                raise RuntimeError(f"The jacobian of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode when "
                                   "create_graph=True.")
            rows[j].append(g)
    return tuple(stack(row).view(out.size() + inp.size()) for row, inp in zip(rows, inputs))


def _jacobian_forward(func, inputs, strict, vectorize):
    """Forward-mode Jacobian: one Jacobian-vector product per input element."""
    if strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           '`strategy="forward-mode"` are not supported together (yet). Please '
                           'either set `strict=False` or `strategy="reverse-mode"`.')
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        # PyTorch's wording, missing space included
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                  "Hessian isonly implemented for `vectorize=True`.")
    columns = []  # columns[j][k]: outputs' derivatives along element k of input j
    for j, inp in enumerate(inputs):
        columns.append([])
        for k in range(inp.nelement()):
            tangents = [x.new_zeros(x.shape) for x in inputs]
            tangents[j].view(-1)[k] = 1
            is_outputs_tuple, outputs, jv = _jvp(func, inputs, tuple(tangents), False, False)
            columns[j].append(jv)
    # lists, not tuples, as PyTorch's forward-mode jacobian returns
    res = [[stack([jv[i] for jv in columns[j]], -1).view(out.shape + inp.shape)
            for j, inp in enumerate(inputs)]
           for i, out in enumerate(outputs)]
    return _unpack(res, (is_outputs_tuple, is_inputs_tuple))


def _check_single_output(is_outputs_tuple, outputs, fn_name):
    if is_outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain "
                           "a single element")


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function with a single-element output.

    Entry ``[i][j]`` (indices dropped when ``inputs`` is a single Tensor) has shape
    ``inputs[i].shape + inputs[j].shape``. Other arguments as in :func:`jacobian`.

    Example::

        >>> hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        is_out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        _check_single_output(is_out_tuple, outs, "hessian")
        return out.squeeze()

    def jac_func(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(res, (is_inputs_tuple, is_inputs_tuple))


def _first_derivatives(func, inputs, v, create_graph, strict, fn_name):
    """Shared start of ``vhp`` and ``hvp`` (under ``enable_grad``): checked inputs, ``v`` and
    output, and the gradient ``jac`` kept differentiable."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _preprocess(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, is_inputs_tuple, create_graph, fn_name, _INPUT_V_NONE)
    is_outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
    _check_single_output(is_outputs_tuple, outputs, fn_name)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return is_inputs_tuple, inputs, v, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's (single-element) output and the vector-Hessian product ``v^T H``,
    structured like ``inputs``. Arguments as in :func:`vjp`."""
    with enable_grad():
        is_inputs_tuple, inputs, v, outputs, jac = _first_derivatives(
            func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return _finish(outputs, False, res, is_inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's (single-element) output and the Hessian-vector product ``H v``,
    structured like ``inputs``. Arguments as in :func:`vjp`."""
    with enable_grad():
        is_inputs_tuple, inputs, v, outputs, jac = _first_derivatives(
            func, inputs, v, create_graph, strict, "hvp")
        dummies = tuple(inp.new_zeros(inp.shape).requires_grad_() for inp in inputs)
        double_back = _autograd_grad(jac, inputs, dummies, create_graph=True)
        # PyTorch checks ``jac`` here again, not ``double_back``
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _autograd_grad(double_back, dummies, v, create_graph=create_graph)
        res = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return _finish(outputs, False, res, is_inputs_tuple, create_graph)
