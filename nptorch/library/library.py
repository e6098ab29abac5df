"""``Library``: define operators and register their kernels, and the module-level ``define``
and ``impl`` built on it.

A Library owns its registrations: when it is destroyed (``_destroy()``) or garbage
collected, its definitions and kernels are removed, as in PyTorch. ``with_keyset=True`` and
``fallback`` are not supported (nptorch has no dispatch key sets to pass).
"""
import re
import sys
import weakref

from . import _dispatch
from ._dispatch import CIA, CEA, fallthrough_kernel
from .schema import parse_schema

__all__ = ["Library", "define", "impl", "fallthrough_kernel", "parse_namespace", "lookup_op"]

_impls = set()
_defs = set()
_reserved_namespaces = ["prim"]
_keep_alive = []
_def_libraries = {"aten": "the built-in aten operators"}  # namespace -> where its DEF is

NAMELESS_SCHEMA = re.compile(r"\(.*\) -> .*")


def parse_namespace(qualname):
    """``"ns::name"`` -> ``("ns", "name")``, with PyTorch's ValueError otherwise."""
    splits = qualname.split("::")
    if len(splits) != 2:
        raise ValueError(f'Expected `qualname` to be of the form "namespace::name", but got '
                         f"{qualname}. The qualname passed to the torch.library APIs must "
                         "consist of a namespace and a name, e.g. aten::sin")
    return splits[0], splits[1]


def _caller(depth):
    frame = sys._getframe(depth + 1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class _Handle:
    """The owner of one Library's registrations in the registry."""

    __slots__ = ("ns", "kind", "source", "__weakref__")

    def __init__(self, ns, kind, source):
        self.ns, self.kind, self.source = ns, kind, source

    @property
    def block(self):
        return {"DEF": "TORCH_LIBRARY", "IMPL": "TORCH_LIBRARY_IMPL",
                "FRAGMENT": "TORCH_LIBRARY_FRAGMENT"}[self.kind]


def _del_library(handle, op_impls, op_defs):
    from .._ops_namespace import clear_cached
    undefined = _dispatch.release(handle)
    _impls.difference_update(op_impls)
    _defs.difference_update(op_defs)
    if handle.kind == "DEF" and _def_libraries.get(handle.ns) is handle:
        del _def_libraries[handle.ns]
    clear_cached(undefined)


class Library:
    """A collection of operator definitions and kernels in the namespace ``ns``.

    ``kind`` is ``"DEF"`` (the one library that defines the namespace), ``"FRAGMENT"`` (one
    of several that define operators there) or ``"IMPL"`` (kernels only). ``dispatch_key``
    is the default key of ``impl``.

    Example::

        >>> lib = torch.library.Library("mylib", "DEF")
        >>> lib.define("twice(Tensor x) -> Tensor")
        'twice'
        >>> lib.impl("twice", lambda x: 2 * x, "CompositeExplicitAutograd")
        >>> torch.ops.mylib.twice(torch.ones(2))
        tensor([2., 2.])
    """

    def __init__(self, ns, kind, dispatch_key=""):
        if kind not in ("IMPL", "DEF", "FRAGMENT"):
            raise ValueError(f"Unsupported kind: {kind}")
        if ns in _reserved_namespaces and kind in ("DEF", "FRAGMENT"):
            raise ValueError(f"{ns} is a reserved namespace. Please try creating a library "
                             "with another name.")
        if not isinstance(ns, str):
            raise TypeError(f"Library(): argument 'ns' must be str, not {type(ns).__name__}")
        if dispatch_key and not _dispatch.is_dispatch_key(dispatch_key):
            raise RuntimeError(f"could not parse dispatch key: {dispatch_key}")
        source = _caller(1)
        if kind == "DEF" and ns in _def_libraries:
            previous = _def_libraries[ns]
            where = previous if isinstance(previous, str) else previous.source
            raise RuntimeError(
                f"Only a single TORCH_LIBRARY can be used to register the namespace {ns}; "
                "please put all of your definitions in a single TORCH_LIBRARY block.  If you "
                "were trying to specify implementations, consider using TORCH_LIBRARY_IMPL "
                "(which can be duplicated).  If you really intended to define operators for a "
                "single namespace in a distributed way, you can use TORCH_LIBRARY_FRAGMENT to "
                "explicitly indicate this.  Previous registration of TORCH_LIBRARY was "
                f"registered at {where}; latest registration was registered at {source}")
        self.m = _Handle(ns, kind, source)
        if kind == "DEF":
            _def_libraries[ns] = self.m
        self.ns = ns
        self._op_defs = set()
        self._op_impls = set()
        self.kind = kind
        self.dispatch_key = dispatch_key
        self._finalizer = weakref.finalize(self, _del_library, self.m, self._op_impls,
                                           self._op_defs)
        self._finalizer.atexit = False  # nothing to clean up when the interpreter exits

    def __repr__(self):
        return f"Library(kind={self.kind}, ns={self.ns}, dispatch_key={self.dispatch_key})>"

    def define(self, schema, alias_analysis="", *, tags=()):
        """Define an operator in this namespace from its schema string (e.g.
        ``"sum(Tensor self) -> Tensor"``); returns its name."""
        if alias_analysis not in ["", "FROM_SCHEMA", "CONSERVATIVE"]:
            raise RuntimeError(f"Invalid alias_analysis type {alias_analysis}")
        if self.m is None:
            raise AssertionError("Library object has been destroyed")
        schema.split("(")  # a non-string fails here, as in PyTorch
        parsed = parse_schema(schema)
        handle = self.m
        if handle.kind == "IMPL":
            raise RuntimeError(
                f'def("{parsed.name}"): Cannot define an operator inside of a '
                "TORCH_LIBRARY_IMPL block.  All def()s should be placed in the (unique) "
                "TORCH_LIBRARY block for their namespace.  (Error occurred while processing "
                f"TORCH_LIBRARY_IMPL block at {handle.source})")
        if not self.ns:
            parse_schema(f"::{parsed.name}")  # PyTorch's error for the empty namespace
        given_ns, sep, _ = parsed.name.rpartition("::")
        if sep and given_ns != self.ns:
            raise RuntimeError(
                f"Explicitly provided namespace ({given_ns}) in schema string does not match "
                f"namespace of enclosing {handle.block} block ({self.ns}).  Move this "
                "definition to the (unique) TORCH_LIBRARY block corresponding to this "
                "namespace (and consider deleting the namespace from your schema string.)  "
                f"(Error occurred while processing {handle.block} block at {handle.source})")
        full = parsed.with_namespace(self.ns)
        _dispatch.define(full, handle, handle.source, tags)
        qualname = full.name + (f".{full.overload_name}" if full.overload_name else "")
        self._op_defs.add(qualname)
        _defs.add(qualname)
        return parsed.name

    def _resolve_op_name(self, op_name, api_name):
        from .._ops_namespace import OpOverload
        if isinstance(op_name, str):
            return op_name
        if isinstance(op_name, OpOverload):
            return op_name._name
        raise RuntimeError(f"{api_name} should be passed either a name or an OpOverload object "
                           f"as the first argument, got {type(op_name)}")

    def _qualify(self, name):
        """``(qualname, overload)`` of an operator name given to this library."""
        ns, sep, rest = name.rpartition("::")
        if sep and ns != self.ns:
            raise RuntimeError(
                f"Explicitly provided namespace ({ns}) in operator name does not match "
                f"namespace of enclosing {self.m.block} block ({self.ns}).  Move this "
                f"definition to the {self.m.block} block corresponding to this namespace "
                f"(and consider deleting the namespace from your operator name.)  (Error "
                f"occurred while processing {self.m.block} block at {self.m.source})")
        op, _, overload = rest.partition(".")
        return f"{self.ns}::{op}", overload

    def impl(self, op_name, fn, dispatch_key="", *, with_keyset=False, allow_override=True):
        """Register ``fn`` as the kernel of ``op_name`` (a name with its overload, or an
        OpOverload) for ``dispatch_key`` (default: the library's, else
        ``CompositeImplicitAutograd``)."""
        if not callable(fn):
            raise TypeError(f"Input function is required to be a callable but found type "
                            f"{type(fn)}")
        if dispatch_key == "":
            dispatch_key = self.dispatch_key
        name = self._resolve_op_name(op_name, "impl")
        key = self.ns + "/" + name.split("::")[-1] + "/" + dispatch_key
        if (not allow_override) and key in _impls:
            raise RuntimeError(
                "This is not allowed since there's already a kernel registered from python "
                "overriding {}'s behavior for {} dispatch key and {} namespace.".format(
                    name.split("::")[-1], dispatch_key, self.ns))
        qualname, overload = self._qualify(name)
        if dispatch_key == "Meta":
            entry = _dispatch.lookup(qualname, overload)
            if entry is not None and entry.kernel(CIA) is not None:
                raise RuntimeError(
                    f"We should not register a meta kernel directly to the operator '{name}',"
                    " because it has a CompositeImplicitAutograd kernel in core. Instead we "
                    "should let the operator decompose, and ensure that we have meta kernels "
                    "for the base ops that it decomposes into.")
        if self.m is None:
            raise AssertionError("Library object has been destroyed")
        dispatch_key = dispatch_key or CIA
        if not _dispatch.is_dispatch_key(dispatch_key):
            raise RuntimeError(f"could not parse dispatch key: {dispatch_key}")
        if with_keyset:
            raise NotImplementedError("Library.impl(..., with_keyset=True) is not supported by "
                                      "nptorch: it has no dispatch key sets to pass")
        if self.ns == "aten" and not _dispatch.overload_names(qualname):
            raise NotImplementedError(
                f"Library.impl: nptorch's built-in operators do not dispatch through "
                f"torch.library, so a kernel for {qualname} would never run")
        _dispatch.add_kernel(qualname, overload, dispatch_key, fn, self.m, self.m.source)
        _impls.add(key)
        self._op_impls.add(key)

    def fallback(self, fn, dispatch_key="", *, with_keyset=False):
        if self.ns != "_":
            raise RuntimeError("Fallback can only be registered using library fragment on the "
                               f'global namespace "_" but it is {self.ns}')
        raise NotImplementedError("Library.fallback is not supported by nptorch")

    def _register_fake(self, op_name, fn, _stacklevel=1, *, allow_override=True):
        """Register the fake impl of an operator of this library."""
        source = _caller(_stacklevel)
        qualname, overload = self._qualify(op_name)
        entry_name = qualname + (f".{overload}" if overload else "")
        existing = _dispatch._entries.get((qualname, overload))
        if not allow_override and existing is not None:
            if existing.fakes:
                raise RuntimeError(
                    f"register_fake(...): the operator {entry_name} already has a fake impl "
                    f"registered at {existing.fakes[-1][2]}.")
            if existing.kernel("Meta") is not None:
                raise RuntimeError(
                    f"register_fake(...): the operator {entry_name} already has a "
                    "DispatchKey::Meta implementation via a pre-existing torch.library or "
                    "TORCH_LIBRARY registration. Please either remove that registration or "
                    "don't call register_fake.")
            if existing.kernel(CIA) is not None:
                raise RuntimeError(
                    f"register_fake(...): the operator {entry_name} already has an "
                    "implementation for this device type via a pre-existing registration to "
                    "DispatchKey::CompositeImplicitAutograd.CompositeImplicitAutograd operators "
                    "do not need a fake impl; instead, the operator will decompose into its "
                    "constituents and those can have fake impls defined on them.")
        _dispatch.add_fake(qualname, overload, fn, self.m, source)

    def _destroy(self):
        self._finalizer()
        self.m = None


def define(qualname, schema, *args, lib=None, tags=()):
    """Define an operator ``qualname`` (``"ns::name"``) with ``schema`` (e.g.
    ``"(Tensor x) -> Tensor"``); its lifetime is ``lib``'s when given.

    The older form ``define(lib, schema, alias_analysis="")`` returns a decorator that
    defines the operator in ``lib`` and registers the decorated function as its kernel.
    """
    if isinstance(qualname, Library):
        return _define_legacy(qualname, schema, *args)
    if args:
        raise TypeError(f"define() takes 2 positional arguments but {2 + len(args)} were given")
    if not isinstance(qualname, str):
        raise ValueError(f"define(qualname, schema): expected qualname to be instance of str, "
                         f"got {type(qualname)}")
    namespace, name = parse_namespace(qualname)
    lib = _library_for_registration(namespace, lib)
    if not NAMELESS_SCHEMA.fullmatch(schema):
        raise ValueError(f"define(qualname, schema, ...): expected schema to look like e.g. "
                         f'"(Tensor x) -> Tensor" but got "{schema}"')
    lib.define(name + schema, alias_analysis="", tags=tags)


def _define_legacy(lib, schema, alias_analysis=""):
    def wrap(f):
        name = lib.define(schema, alias_analysis)
        lib.impl(name, f)
        return f
    return wrap


def _device_type_to_key(device_type):
    if device_type == "default":
        return CEA
    return _dispatch.dispatch_key_for_device(device_type)


def impl(qualname, types, func=None, *, lib=None):
    """Register ``func`` as the implementation of ``qualname`` for the device ``types``
    (``"cpu"``, ``"cuda"``, ..., ``"default"`` for all, or dispatch keys); a decorator when
    ``func`` is not given.

    The older form ``impl(lib, name, dispatch_key="")`` returns a decorator that registers
    the decorated function in ``lib`` and returns it.
    """
    if isinstance(qualname, Library):
        return _impl_legacy(qualname, types, *(() if func is None else (func,)))
    return _impl(qualname, types, func, lib=lib)


def _impl_legacy(lib, name, dispatch_key=""):
    def wrap(f):
        lib.impl(name, f, dispatch_key)
        return f
    return wrap


def _impl(qualname, types, func=None, *, lib=None):
    if isinstance(types, str):
        types = (types,)
    keys = set()
    for typ in types:
        keys.add(typ if _dispatch.is_dispatch_key(typ) else _device_type_to_key(typ))

    def register_(func):
        namespace, _ = parse_namespace(qualname)
        use_lib = _library_for_registration(namespace, lib)
        for key in keys:
            use_lib.impl(qualname, func, key)

    if func is None:
        return register_
    register_(func)
    return None


def _library_for_registration(namespace, lib):
    """``lib``, or when None a FRAGMENT library of ``namespace`` kept for the process."""
    if lib is not None:
        return lib
    lib = Library(namespace, "FRAGMENT")
    _keep_alive.append(lib)
    return lib


def lookup_op(qualname):
    """The OpOverload of ``"ns::name"`` or ``"ns::name.overload"``."""
    from .._ops_namespace import ops
    namespace, name = parse_namespace(qualname)
    name, _, overload = name.partition(".")
    return getattr(getattr(getattr(ops, namespace), name), overload or "default")
