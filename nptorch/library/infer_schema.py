"""``infer_schema``: an operator schema string from a function's type annotations."""
import collections.abc
import inspect
import typing
from types import GenericAlias

from .._device import device
from .._dtype import dtype
from .._tensor import Tensor

__all__ = ["infer_schema", "Number"]

# ``torch.types.Number``
Number = int | float | bool

UNKNOWN_MUTATES = "unknown"


def _derived_types(base, schema_type, list_base, optional_base_list, optional_list_base):
    result = [(base, schema_type), (typing.Optional[base], f"{schema_type}?")]

    def sequences(t):
        return (typing.Sequence[t], typing.List[t],  # noqa: UP006
                GenericAlias(collections.abc.Sequence, (t,)), GenericAlias(list, (t,)))

    if list_base:
        result.extend((s, f"{schema_type}[]") for s in sequences(base))
    if optional_base_list:
        result.extend((s, f"{schema_type}?[]") for s in sequences(typing.Optional[base]))
    if optional_list_base:
        result.extend((typing.Optional[s], f"{schema_type}[]?") for s in sequences(base))
    return result


def _supported_param_types():
    data = [
        # (python type, schema type, type[] variant, type?[] variant, type[]? variant)
        (Tensor, "Tensor", True, True, False),
        (int, "SymInt", True, False, True),
        (float, "float", True, False, True),
        (bool, "bool", True, False, True),
        (str, "str", False, False, False),
        (Number, "Scalar", True, False, False),
        (dtype, "ScalarType", False, False, False),
        (device, "Device", False, False, False),
    ]
    result = []
    for line in data:
        result.extend(_derived_types(*line))
    return dict(result)


SUPPORTED_PARAM_TYPES = _supported_param_types()

SUPPORTED_RETURN_TYPES = {
    Tensor: "Tensor",
    typing.List[Tensor]: "Tensor[]",  # noqa: UP006
    list[Tensor]: "Tensor[]",
    int: "SymInt",
    float: "float",
    bool: "bool",
    Number: "Scalar",
}


def infer_schema(prototype_function, /, *, mutates_args, op_name=None, tags=()):
    """The schema of ``prototype_function`` from its type annotations, e.g.
    ``"(Tensor x, SymInt n=2) -> Tensor"`` (prefixed by ``op_name`` when given).

    ``mutates_args`` names the arguments the function writes to (they get ``(a<i>!)`` alias
    annotations), or is ``"unknown"`` to mark every Tensor argument as written. String
    annotations are evaluated in the function's globals. ``tags`` is accepted for
    compatibility; nptorch has no ``Tag`` values that change the inferred schema.

    Example::

        >>> def foo_impl(x: torch.Tensor) -> torch.Tensor:
        ...     return x.sin()
        >>> infer_schema(foo_impl, op_name="foo", mutates_args={})
        'foo(Tensor x) -> Tensor'
    """
    pf_globals = prototype_function.__globals__
    sig = inspect.signature(prototype_function)
    if type(mutates_args) is not str:
        mutates_args = tuple(mutates_args)

    def error_fn(what):
        raise ValueError(f"infer_schema(func): {what} Got func with signature {sig})")

    def convert_type_string(annotation):
        try:
            return eval(annotation, pf_globals)
        except NameError as e:
            error_fn(
                f"Unsupported type annotation {annotation}. It is not a type. ({e}). If you are "
                "using 'from __future__ import annotations', note that annotations are "
                "evaluated lazily as strings; make sure all types referenced in annotations "
                "are importable at module scope, not only inside a local function.")
        except Exception as e:
            error_fn(f"Unsupported type annotation {annotation}. It is not a type. "
                     f"({type(e).__name__}: {e})")

    def unstringify(ty):
        if isinstance(ty, str):
            return convert_type_string(ty)
        origin = typing.get_origin(ty)
        if origin:
            args = typing.get_args(ty)
            converted = tuple(unstringify(a) for a in args)
            if any(c is not a for c, a in zip(converted, args)):
                return GenericAlias(origin, converted)
        return ty

    params, seen_args, saw_kwarg_only = [], set(), False
    for idx, (name, param) in enumerate(sig.parameters.items()):
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            error_fn("We do not support positional-only args, varargs, or varkwargs.")
        if param.kind == param.KEYWORD_ONLY and not saw_kwarg_only:
            params.append("*")
            saw_kwarg_only = True
        if param.annotation is inspect.Parameter.empty:
            error_fn(f"Parameter {name} must have a type annotation.")
        annotation = unstringify(param.annotation)
        schema_type = _param_schema_type(name, param, annotation, error_fn)

        if type(mutates_args) is str:
            if mutates_args != UNKNOWN_MUTATES:
                raise ValueError(
                    "mutates_args must either be a sequence of the names of the arguments that "
                    "are mutated or the string 'unknown'. ")
            if schema_type.startswith("Tensor"):
                schema_type = f"Tensor(a{idx}!){schema_type[len('Tensor'):]}"
        elif name in mutates_args:
            if not schema_type.startswith("Tensor"):
                error_fn(f"Parameter {name} is in mutable_args but only Tensors or collections "
                         "of Tensors can be mutated")
            schema_type = f"Tensor(a{idx}!){schema_type[len('Tensor'):]}"
        seen_args.add(name)
        if param.default is inspect.Parameter.empty:
            params.append(f"{schema_type} {name}")
        else:
            params.append(f"{schema_type} {name}={_default_repr(name, param.default, error_fn)}")
    if mutates_args != UNKNOWN_MUTATES:
        not_seen = set(mutates_args) - seen_args
        if len(not_seen) > 0:
            error_fn(f"{not_seen} in mutates_args were not found in the custom op's signature. "
                     "mutates_args should contain the names of all args that the custom op "
                     "mutates, or just the string 'unknown' if you don't know.")
    ret = _parse_return(unstringify(sig.return_annotation), error_fn)
    if op_name is not None:
        return f"{op_name}({', '.join(params)}) -> {ret}"
    return f"({', '.join(params)}) -> {ret}"


def _param_schema_type(name, param, annotation, error_fn):
    try:
        return SUPPORTED_PARAM_TYPES[annotation]
    except (KeyError, TypeError):
        pass
    if getattr(annotation, "__origin__", None) is tuple:
        list_type = _tuple_to_list(annotation)
        example = "\n\n"
        if list_type in SUPPORTED_PARAM_TYPES:
            example = f"For example, {list_type}.\n\n"
        error_fn(f"Parameter {name} has unsupported type {param.annotation}. We do not support "
                 "Tuple inputs in schema. As a workaround, please try to use List instead. "
                 f"{example}The valid types are: {SUPPORTED_PARAM_TYPES.keys()}.")
    error_fn(f"Parameter {name} has unsupported type {param.annotation}. "
             f"The valid types are: {SUPPORTED_PARAM_TYPES.keys()}.")


def _default_repr(name, default, error_fn):
    if default is None or isinstance(default, (int, float, bool)):
        return str(default)
    if isinstance(default, (str, device)):
        return f'"{default}"'
    if isinstance(default, dtype):
        return str(default).rpartition(".")[2]
    error_fn(f"Parameter {name} has an unsupported default value type {type(default)}. "
             "Please file an issue on GitHub so we can prioritize this.")


def _parse_return(annotation, error_fn):
    if annotation is None:
        return "()"
    if annotation is inspect.Parameter.empty:
        error_fn("No return type annotation was provided. Please add one.")
    if typing.get_origin(annotation) is not tuple:
        if annotation not in SUPPORTED_RETURN_TYPES:
            error_fn(f"Return has unsupported type {annotation}. "
                     f"The valid types are: {SUPPORTED_RETURN_TYPES}.")
        return SUPPORTED_RETURN_TYPES[annotation]
    args = typing.get_args(annotation)
    for arg in args:
        if arg not in SUPPORTED_RETURN_TYPES:
            error_fn(f"Return has unsupported type {annotation}. "
                     f"The valid types are: {SUPPORTED_RETURN_TYPES}.")
    output = ", ".join(SUPPORTED_RETURN_TYPES[arg] for arg in args)
    if len(args) == 1:  # (()) marks a tuple of one element
        output = "(" + output + ")"
    return "(" + output + ")"


def _tuple_to_list(tuple_type):
    args = typing.get_args(tuple_type)
    if tuple_type is typing.Tuple or tuple_type is tuple or not args:  # noqa: UP006
        return list
    if len(args) == 1 or (len(args) == 2 and args[1] is Ellipsis):
        return list[args[0]]
    return list[typing.Union[tuple(args)]]
