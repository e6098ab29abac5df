"""``register_kernel``, ``register_autograd``, ``register_fake``, ``register_autocast`` and
``register_vmap`` for any operator: a CustomOpDef, an OpOverload or a ``"ns::name"`` string
(operators made by ``custom_op`` are handled by their CustomOpDef)."""
import warnings

from . import _dispatch
from .autograd import Info, check_functional, make_autograd_impl
from .custom_op import OPDEFS, CustomOpDef, _is_autocast_available, autocast_kernel
from .library import CEA, _impl, _library_for_registration, lookup_op, parse_namespace
from .schema import has_kwarg_only_tensors

__all__ = ["register_kernel", "register_autograd", "register_fake", "register_autocast",
           "register_vmap", "impl_abstract", "get_ctx"]

_vmap_rules = {}  # qualname -> vmap rule (kept; nptorch's vmap calls operators per slice)


def _resolve_op_for_registration(op, registration_name):
    """The CustomOpDef of ``op`` if ``custom_op`` made it, else its name ``"ns::op[.overload]"``."""
    from .._ops_namespace import OpOverload
    if isinstance(op, CustomOpDef):
        return op
    if isinstance(op, OpOverload):
        op = op._name
    elif not isinstance(op, str):
        raise ValueError(f"{registration_name}({op}): got unexpected type for op: {type(op)}")
    return OPDEFS.get(op, op)


def _refuse_kwarg_only_tensors(registration_name, schema):
    if has_kwarg_only_tensors(schema):
        raise NotImplementedError(
            f"{registration_name} with kwarg-only Tensor args. In the original definition of the "
            f"op, please make your tensors not kwarg-only. Got: {schema}")


def register_kernel(op, device_types, func=None, /, *, lib=None):
    """Register ``func`` as the implementation of ``op`` for ``device_types`` (None: all
    devices); usable as a decorator."""
    op = _resolve_op_for_registration(op, "register_kernel")
    if isinstance(op, CustomOpDef):
        return op.register_kernel(device_types, func)
    if device_types is None:
        device_types = CEA
    return _impl(op, device_types, func, lib=lib)


def register_fake(op, func=None, /, *, lib=None, _stacklevel=1, allow_override=True):
    """Register the FakeTensor implementation of ``op`` (kept and checked as PyTorch does;
    eager calls do not use it)."""
    op = _resolve_op_for_registration(op, "register_fake")
    if isinstance(op, CustomOpDef):
        return op.register_fake if func is None else op.register_fake(func)
    stacklevel = _stacklevel

    def register(func):
        namespace, op_name = parse_namespace(op)
        use_lib = _library_for_registration(namespace, lib)
        use_lib._register_fake(op_name, func, _stacklevel=stacklevel + 1,
                               allow_override=allow_override)
        return func

    if func is None:
        return register
    stacklevel += 1
    return register(func)


def impl_abstract(qualname, func=None, *, lib=None, _stacklevel=1):
    """The old name of :func:`register_fake`."""
    warnings.warn("`torch.library.impl_abstract` was renamed to `torch.library.register_fake`. "
                  "Please use that instead; we will remove `torch.library.impl_abstract` in a "
                  "future version of PyTorch.", FutureWarning, stacklevel=2)
    if func is not None:
        _stacklevel = _stacklevel + 1
    return register_fake(qualname, func, lib=lib, _stacklevel=_stacklevel)


def register_autograd(op, backward, /, *, setup_context=None, lib=None):
    """Register the backward formula of ``op``: ``backward(ctx, *grads)`` and optionally
    ``setup_context(ctx, inputs, output)``, as for ``CustomOpDef.register_autograd``."""
    op = _resolve_op_for_registration(op, "register_autograd")
    if isinstance(op, CustomOpDef):
        op.register_autograd(backward, setup_context=setup_context)
        return
    qualname = op
    overload = lookup_op(qualname)
    check_functional(overload, overload._schema)
    _refuse_kwarg_only_tensors("register_autograd", overload._schema)
    kernel = make_autograd_impl(overload, Info(backward, setup_context))
    namespace, opname = parse_namespace(qualname)
    _library_for_registration(namespace, lib).impl(opname, kernel, "Autograd")


def register_autocast(op, device_type, cast_inputs, /, *, lib=None):
    """In autocast regions of ``device_type``, run ``op`` with its floating inputs cast to
    ``cast_inputs`` and autocast disabled."""
    op = _resolve_op_for_registration(op, "register_autocast")
    if not _is_autocast_available(device_type):
        raise ValueError(f"Device type '{device_type}' does not support autocast.")
    if isinstance(op, CustomOpDef):
        return op.register_autocast(device_type, cast_inputs)
    namespace, opname = parse_namespace(op)
    kernel = autocast_kernel(lookup_op(op), device_type, cast_inputs)
    autocast_key = "Autocast" + _dispatch.dispatch_key_for_device(device_type)
    _library_for_registration(namespace, lib).impl(opname, kernel, autocast_key)


def register_vmap(op, func=None, /, *, lib=None):
    """Register a vmap rule for ``op``. It is kept but not needed: nptorch's vmap calls the
    operator once per slice."""
    op = _resolve_op_for_registration(op, "register_vmap")
    if isinstance(op, CustomOpDef):
        return op.register_vmap(func)
    _refuse_kwarg_only_tensors("register_vmap", lookup_op(op)._schema)

    def register(func):
        _vmap_rules[op] = func

    if func is None:
        return register
    return register(func)


def get_ctx():
    """The context of the fake impl being run: None, since eager calls run none."""
    return None

