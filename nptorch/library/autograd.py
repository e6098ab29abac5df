"""The autograd kernel of an operator with a registered backward formula.

``make_autograd_impl`` builds an ``nptorch.autograd.Function`` named
``GeneratedBackwardFor_<ns>_<op>_<overload>`` whose forward runs the operator below the
autograd stage and calls the registered ``setup_context``, and whose backward calls the
registered ``backward``. Lists of tensors (inputs and outputs) are flattened into separate
Function inputs and outputs, so each tensor gets its own gradient, as in PyTorch.
"""
from .. import autograd as _autograd
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _dispatch
from ._binding import fill_defaults
from .schema import is_functional_schema

__all__ = ["make_autograd_impl", "Info", "check_functional"]


class Info:
    """The backward formula of an operator: ``_backward_fn`` and ``_setup_context_fn``."""

    def __init__(self, backward_fn, setup_context_fn):
        self._backward_fn = backward_fn
        self._setup_context_fn = setup_context_fn


class _Metadata:
    __slots__ = ("keyword_only_args", "input_spec", "input_is_tensor", "output_spec",
                 "result_is_tuple")

    def __init__(self, keyword_only_args, input_spec, input_is_tensor):
        self.keyword_only_args = keyword_only_args
        self.input_spec, self.input_is_tensor = input_spec, input_is_tensor
        self.output_spec = self.result_is_tuple = None


def _is_tensor_list(value):
    return isinstance(value, list) and all(isinstance(v, Tensor) for v in value)


def _flatten(values):
    """Flat values and the spec: per value, ``None`` (one slot) or the length of a list of
    tensors (that many slots)."""
    flat, spec = [], []
    for v in values:
        if _is_tensor_list(v):
            flat.extend(v)
            spec.append(len(v))
        else:
            flat.append(v)
            spec.append(None)
    return flat, spec


def _unflatten(flat, spec):
    out, i = [], 0
    for n in spec:
        if n is None:
            out.append(flat[i])
            i += 1
        else:
            out.append(list(flat[i:i + n]))
            i += n
    return tuple(out)


def check_functional(op, schema, *, allow_valid_view=False):
    """PyTorch's error for a backward formula registered to an operator that mutates its
    inputs, returns nothing or returns a view (``op`` names it in the message)."""
    if not is_functional_schema(schema, allow_valid_view=allow_valid_view):
        raise RuntimeError(
            f"Cannot register autograd formula for non-functional operator {op} with schema "
            f"{schema}. Please create a functional operator and register an autograd formula "
            "for that.")


def make_autograd_impl(op, info):
    """The kernel registered at the ``Autograd`` key of the OpOverload ``op``."""
    name = f"GeneratedBackwardFor_{op._namespace}_{op._opname}_{op._overloadname}"
    schema = op._schema
    has_kwarg_only_args = any(a.kwarg_only for a in schema.arguments)
    has_tensorlists = any(a.type.is_tensorlist_like() for a in (*schema.arguments,
                                                                 *schema.returns))
    mutated = [(i, a.name, a.kwarg_only) for i, a in enumerate(schema.arguments)
               if a.alias_info is not None and a.alias_info.is_write]

    def below_autograd(args, kwargs):
        return _dispatch.redispatch_below_autograd(op._entry(), args, kwargs)

    def forward(ctx, *flat):
        metadata = flat[-1]
        args = _unflatten(flat[:-1], metadata.input_spec)
        kwargs = metadata.keyword_only_args
        result = below_autograd(args, kwargs)
        if info._setup_context_fn:
            # the kernels got the arguments without their defaults; setup_context gets them all
            all_args, all_kwargs = fill_defaults(schema, args, kwargs)
            if has_kwarg_only_args:
                info._setup_context_fn(ctx=ctx, inputs=all_args, keyword_only_inputs=all_kwargs,
                                       output=result)
            else:
                info._setup_context_fn(ctx=ctx, inputs=all_args, output=result)
        metadata.result_is_tuple = isinstance(result, tuple)
        outputs = result if metadata.result_is_tuple else (result,)
        flat_out, spec = _flatten(outputs)
        # non-tensor outputs stay out of the Function (it would wrap them into tensors)
        metadata.output_spec = [(n, None if n is not None or isinstance(o, Tensor) or o is None
                                 else o) for n, o in zip(spec, outputs)]
        if has_tensorlists and hasattr(ctx, "_pt_metadata"):
            raise RuntimeError("Please don't set ctx._pt_metadata; PyTorch uses it to store info")
        ctx._pt_metadata = metadata
        return tuple(o for o in flat_out if o is None or isinstance(o, Tensor))

    def backward(ctx, *grads):
        metadata = ctx._pt_metadata
        if not info._backward_fn:
            raise RuntimeError(f"Trying to backward through {op} but no autograd formula was "
                               "registered. Please use register_autograd to add one.")
        grads_out = _regroup_outputs(grads, metadata.output_spec, constants=False)
        prev_needs_input_grad = ctx.needs_input_grad
        try:
            ctx.needs_input_grad = _unflatten(prev_needs_input_grad[:-1], metadata.input_spec)
            result = info._backward_fn(ctx, *grads_out)
        finally:
            ctx.needs_input_grad = prev_needs_input_grad
        if not isinstance(result, tuple):
            result = (result,)
        result = (*result, None)  # for the metadata input
        if has_tensorlists:
            result = _flatten_grads(result, metadata.input_spec)
        if len(result) < len(prev_needs_input_grad):
            return result  # the Function's own check reports the count
        for pos, (g, is_tensor) in enumerate(zip(result, metadata.input_is_tensor)):
            if g is None:
                continue
            if not is_tensor:
                raise RuntimeError(
                    f"function {type(ctx).__name__} returned a gradient different than None at "
                    f"position {pos + 1}, but the corresponding forward input was not a "
                    "Variable")
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        return result

    generated = type(name, (_autograd.Function,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "__module__": __name__})

    def autograd_impl(*args, **keyword_only_args):
        for index, arg_name, kwarg_only in mutated:
            # the version bump of PyTorch's ADInplaceOrView kernel for the mutated arguments
            value = keyword_only_args.get(arg_name) if kwarg_only else (
                args[index] if index < len(args) else None)
            _increment_version(value)
        if grad_mode.is_grad_enabled() and _any_requires_grad(args):
            flat, spec = _flatten(args)
            metadata = _Metadata(keyword_only_args, spec,
                                 [isinstance(f, Tensor) for f in flat] + [False])
            out = generated.apply(*flat, metadata)
            values = _regroup_outputs(out if isinstance(out, tuple) else (out,),
                                      metadata.output_spec, constants=True)
            return tuple(values) if metadata.result_is_tuple else values[0]
        with grad_mode.no_grad():
            return below_autograd(args, keyword_only_args)

    return autograd_impl


def _tree_spec(value, is_leaf):
    """The structure of ``value`` as PyTorch's pytree sees it: ``"*"`` for a leaf, else the
    container's type name and its children's structures."""
    if is_leaf(value):
        return "*"
    return type(value).__name__, [_tree_spec(v, is_leaf) for v in value]


def _tree_spec_repr(spec, indent=0):
    """``spec`` printed as a pytree ``TreeSpec``."""
    if spec == "*":
        return spec
    name, children = spec
    text = ""
    if children:
        indent += 2
        text = _tree_spec_repr(children[0], indent) + ("," if len(children) > 1 else "")
        text += ",".join("\n" + " " * indent + _tree_spec_repr(c, indent)
                         for c in children[1:])
    return f"TreeSpec({name}, None, [{text}])"


def _is_grad_leaf(value):
    # tuples, and lists holding only tensors and Nones, are containers
    if isinstance(value, tuple):
        return False
    if isinstance(value, list):
        return any(v is not None and not isinstance(v, Tensor) for v in value)
    return True


def _flatten_grads(result, input_spec):
    """The gradients of an operator with lists of tensors, one per flat input: ``result``
    (ending with the metadata input's) must have the structure of the inputs, as in
    PyTorch."""
    expected = ("tuple", ["*" if n is None else ("list", ["*"] * n) for n in input_spec]
                + ["*"])
    got = _tree_spec(result, _is_grad_leaf)
    if got != expected:
        raise RuntimeError(
            "Expected the return from backward to be of the same structure as the inputs. "
            f"Got: {_tree_spec_repr(got)} (return from backward), "
            f"{_tree_spec_repr(expected)} (inputs)")
    flat = []
    for g in result:
        flat.extend(g if isinstance(g, list) else (g,))
    return tuple(flat)


def _regroup_outputs(flat, output_spec, *, constants):
    """The Function's flat outputs (or their gradients) as the operator's outputs: lists of
    tensors rebuilt, and its non-tensor outputs put back (``constants``) or given None."""
    values, i = [], 0
    for n, const in output_spec:
        if n is not None:
            values.append(list(flat[i:i + n]))
            i += n
        elif const is not None:
            values.append(const if constants else None)
        else:
            values.append(flat[i])
            i += 1
    return values


def _any_requires_grad(args):
    for a in args:
        for t in (a if isinstance(a, (list, tuple)) else (a,)):
            if isinstance(t, Tensor) and t.requires_grad:
                return True
    return False


def _increment_version(value):
    for t in (value if isinstance(value, (list, tuple)) else (value,)):
        if isinstance(t, Tensor):
            t._version_counter[0] += 1
