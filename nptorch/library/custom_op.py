"""``custom_op``: a Python function turned into the operator ``torch.ops.<ns>.<name>``, and
``CustomOpDef``, the handle that registers its kernels, autograd formula, fake impl and
autocast rule.

As in PyTorch, a custom op may not return its inputs or views of them (nor one tensor
twice): the kernel's result is checked on every call. Its mutated arguments (``mutates_args``)
get a version bump per call. Defining a custom op again under the same name replaces it.
Unlike PyTorch (which raises IndexError), an operator without tensor arguments also finds
its ``device`` argument when that is keyword-only or left at its default.
"""
import contextlib
import inspect
import logging
import weakref

from .._tensor import Tensor
from ..amp.autocast_mode import _cast, autocast
from . import _dispatch
from ._binding import fill_defaults
from .autograd import check_functional, make_autograd_impl
from .infer_schema import infer_schema
from .library import Library, lookup_op
from .schema import get_device_arg_index, has_kwarg_only_tensors, has_tensor_arg, parse_schema

__all__ = ["custom_op", "CustomOpDef"]

log = logging.getLogger(__name__)

OPDEF_TO_LIB = {}
OPDEFS = weakref.WeakValueDictionary()


def _normalize_tags(tags):
    if tags is None:
        return ()
    if not isinstance(tags, (list, tuple)):
        tags = (tags,)
    return tuple(dict.fromkeys(tags))


def custom_op(name, fn=None, /, *, mutates_args, device_types=None, schema=None, tags=None):
    """Wrap ``fn`` into the custom operator ``name`` (``"namespace::opname"``); usable as a
    decorator. Its schema is inferred from ``fn``'s type annotations unless ``schema`` is
    given; ``mutates_args`` names the arguments ``fn`` writes to (``"unknown"``: all Tensor
    arguments); ``device_types`` restricts ``fn`` to those devices.

    Example::

        >>> @torch.library.custom_op("mylib::numpy_sin", mutates_args=())
        ... def numpy_sin(x: Tensor) -> Tensor:
        ...     return torch.from_numpy(np.sin(x.numpy()))
        >>> numpy_sin(torch.zeros(2))
        tensor([0., 0.])
    """

    def inner(fn):
        schema_str = infer_schema(fn, mutates_args=mutates_args) if schema is None else schema
        namespace, opname = name.split("::")
        result = CustomOpDef(namespace, opname, schema_str, fn, tags)
        if schema is not None:
            expected = {arg.name for arg in result._opoverload._schema.arguments
                        if arg.alias_info is not None and arg.alias_info.is_write}
            if expected != set(mutates_args):
                raise ValueError(
                    f"Attempted to create a custom op with `mutates_args={mutates_args}` and "
                    f"`schema={schema}. The schema suggests that the op mutates {expected}"
                    "which is different from what was provided to us in `mutates_args`. "
                    "Please make these consistent.")
        result.register_kernel(device_types)(fn)
        return result

    if fn is None:
        return inner
    return inner(fn)


def _storage_key(tensor):
    data = tensor._data
    while getattr(data, "base", None) is not None:
        data = data.base
    return id(data)


def _tensors(values):
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (list, tuple)):
            yield from (t for t in v if isinstance(t, Tensor))


def _check_aliasing(name, args, kwargs, result, get_module):
    """PyTorch's check that no output is, or is a view of, an input or another output."""
    storages = {_storage_key(t) for t in _tensors((*args, *kwargs.values()))}
    for tensor in _tensors(result if isinstance(result, tuple) else (result,)):
        key = _storage_key(tensor)
        if key in storages:
            raise RuntimeError(
                f"{name} (with implementation in {get_module()}): The output of this custom "
                "operator (1) must not also be an input to this custom operator and (2) may not "
                "alias any inputs to this custom operator or other returns. The most common way "
                "to trigger this error is if we have y = custom_op(x) and y and x are the same "
                "Tensor. Please instead return a clone of the offending output tensor(s) (e.g. "
                "return x.clone()) or refactor the custom operator to not return y.")
        storages.add(key)


def _is_autocast_available(device_type):
    _dispatch.dispatch_key_for_device(device_type)  # PyTorch's errors for unknown names
    return device_type in ("cpu", "cuda")


def autocast_kernel(op, device_type, cast_inputs):
    """The ``Autocast<Device>`` kernel of the OpOverload ``op``: it calls ``op`` again with
    the floating inputs on ``device_type`` cast to ``cast_inputs`` and autocast disabled."""

    def kernel(*args, **kwargs):
        if kwargs:
            raise AssertionError(f"Custom ops do not support kwargs yet, got {list(kwargs)}")
        with autocast(device_type, enabled=False):
            return op(*_cast(args, device_type, cast_inputs))

    return kernel


def get_library_allowing_overwrite(namespace, name):
    """A fresh FRAGMENT library for ``namespace::name``, destroying the previous one (so a
    custom op may be defined again)."""
    qualname = f"{namespace}::{name}"
    if qualname in OPDEF_TO_LIB:
        OPDEF_TO_LIB.pop(qualname)._destroy()
    lib = Library(namespace, "FRAGMENT")
    OPDEF_TO_LIB[qualname] = lib
    return lib


class CustomOpDef:
    """A custom operator made by ``custom_op``: callable, with methods that register
    kernels per device, an autograd formula, a fake impl and an autocast rule.

    Create it with :func:`custom_op`, not directly.
    """

    def __init__(self, namespace, name, schema, fn, tags=None):
        self._namespace = namespace
        self._name = name
        self._schema = schema
        self._tags = _normalize_tags(tags)
        self._init_fn = fn
        self._backend_fns = {}
        self._abstract_fn = None
        self._setup_context_fn = None
        self._backward_fn = None
        self._vmap_fn = None
        self._autocast_dtype = {}
        self._has_backend_select = False
        self._lib = get_library_allowing_overwrite(namespace, name)
        self._register_to_dispatcher()
        self._disabled_kernel = set()  # device types whose registered kernel is disabled
        OPDEFS[self._qualname] = self

    @property
    def _qualname(self):
        return f"{self._namespace}::{self._name}"

    def __repr__(self):
        return f"<CustomOpDef({self._qualname})>"

    def _register_to_dispatcher(self):
        schema_str = self._name + self._schema
        parsed = parse_schema(schema_str)
        if has_kwarg_only_tensors(parsed):
            raise NotImplementedError(f"custom_op with kwarg-only Tensor args. Please make your "
                                      f"tensors not kwarg-only. Got: {schema_str}")
        self._lib.define(schema_str, tags=self._tags)
        self._opoverload = lookup_op(self._qualname)
        self._lib.impl(self._name, make_autograd_impl(self._opoverload, self), "Autograd")

    @contextlib.contextmanager
    def set_kernel_enabled(self, device_type, enabled=True):
        """Disable (or re-enable) the kernel registered for ``device_type`` in a region; the
        function given to ``custom_op`` runs instead."""
        action = "enable" if enabled else "disable"
        originally_disabled = device_type in self._disabled_kernel
        if device_type not in self._backend_fns:
            log.warning("Attempted to %s kernel for %s but no kernel was registered for this "
                        "device type.", action, device_type)
        if not enabled:
            if originally_disabled:
                log.warning("Attempted to disable kernel for %s but it was already disabled.",
                            device_type)
            else:
                self._disabled_kernel.add(device_type)
        else:
            if not originally_disabled:
                log.warning("Attempted to enable kernel for  %s but it was already enabled.",
                            device_type)
            else:
                self._disabled_kernel.remove(device_type)
        try:
            yield
        finally:
            if originally_disabled:
                self._disabled_kernel.add(device_type)
            else:
                self._disabled_kernel.discard(device_type)

    def _backend_impl(self, device_type):
        def backend_impl(*args, **kwargs):
            fn = self._backend_fns[device_type]
            result = fn(*args, **kwargs)
            if not self._opoverload._schema._is_view_op():
                _check_aliasing(self._name, args, kwargs, result, lambda: inspect.getmodule(fn))
            return result
        return backend_impl

    def _wrapped(self, device_type, fn):
        def wrapped_fn(*args, **kwargs):
            if device_type in self._disabled_kernel:
                return self._init_fn(*args, **kwargs)
            return fn(*args, **kwargs)
        return wrapped_fn

    def register_kernel(self, device_types, fn=None, /):
        """Register ``fn`` as the implementation for ``device_types`` (``"cpu"``, ``"cuda"``,
        a sequence of them, or None for all); usable as a decorator."""

        def inner(fn):
            if device_types is None or isinstance(device_types, str):
                dtypes = [device_types]
            else:
                dtypes = list(device_types)
            for device_type in dtypes:
                if device_type not in self._backend_fns:
                    key = (_dispatch.CEA if device_type is None
                           else _dispatch.dispatch_key_for_device(device_type))
                    self._lib.impl(self._name, self._backend_impl(device_type), key)
                self._backend_fns[device_type] = self._wrapped(device_type, fn)
            return fn

        schema = self._opoverload._schema
        if device_types is not None and not has_tensor_arg(schema):
            device_arg_index = get_device_arg_index(schema)
            if device_arg_index is None:
                raise ValueError("Functions without tensor inputs are required to have a "
                                 "`device: torch.device` argument")
            self._register_backend_select_dispatcher(device_arg_index)
        if fn is None:
            return inner
        return inner(fn)

    def _register_backend_select_dispatcher(self, device_arg_index):
        if self._has_backend_select:
            return
        self._has_backend_select = True
        schema = self._opoverload._schema
        device_arg = schema.arguments[device_arg_index]

        def backend_select(*args, **kwargs):
            # the device argument may have been dropped as equal to its default
            all_args, all_kwargs = fill_defaults(schema, args, kwargs)
            device = (all_kwargs[device_arg.name] if device_arg.kwarg_only
                      else all_args[device_arg_index]).type
            if device not in self._backend_fns:
                raise RuntimeError(f"{self._name} does not have a kernel registered for "
                                   f"{device}. Please use register_kernel to do so.")
            return _dispatch.call_backend(self._opoverload._entry(), device, args, kwargs)

        self._lib.impl(self._name, backend_select, "BackendSelect")

    def register_fake(self, fn, /):
        """Register the FakeTensor implementation (kept; eager calls do not use it)."""
        self._abstract_fn = fn
        return fn

    def register_autograd(self, backward, /, *, setup_context=None):
        """Register the backward formula: ``backward(ctx, *grads)`` returns one gradient per
        input; ``setup_context(ctx, inputs, output)`` (with ``keyword_only_inputs`` when the
        operator has keyword-only arguments) saves what backward needs."""
        check_functional(self, self._opoverload._schema, allow_valid_view=True)
        self._backward_fn = backward
        self._setup_context_fn = setup_context

    def register_vmap(self, func=None):
        """Register a vmap rule (kept; nptorch's vmap calls the operator per slice); usable as
        a decorator, which returns None as PyTorch's does."""
        def register(func):
            self._vmap_fn = func
        if func is None:
            return register
        return register(func)

    def register_autocast(self, device_type, cast_inputs):
        """In autocast regions of ``device_type``, run the operator with its floating inputs
        cast to ``cast_inputs`` and autocast disabled."""
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if not _is_autocast_available(device_type):
            raise ValueError(f"Device type '{device_type}' does not support autocast.")
        kernel = autocast_kernel(self._opoverload, device_type, cast_inputs)
        # as in PyTorch, the first registration per device type stays in force
        if device_type not in self._autocast_dtype:
            self._autocast_dtype[device_type] = cast_inputs
            autocast_key = "Autocast" + _dispatch.dispatch_key_for_device(device_type)
            self._lib.impl(self._name, kernel, autocast_key)
        return kernel

    def __call__(self, *args, **kwargs):
        return self._opoverload(*args, **kwargs)

