"""``torch.ops``: operator namespaces, packets and overloads, created on attribute access.

``torch.ops.mylib`` is a namespace (any name gives one); ``torch.ops.mylib.foo`` the
``OpOverloadPacket`` of the operators ``mylib::foo`` defined with ``nptorch.library``; and
``torch.ops.mylib.foo.default`` (or ``.overload``) an ``OpOverload``. Calling a packet picks the
first overload whose schema accepts the arguments.

``torch.ops.aten`` covers operators defined in the ``aten`` namespace with ``nptorch.library``
and, for other names, nptorch's top-level tensor functions: ``torch.ops.aten.<name>`` and its
only overload ``.default`` call ``nptorch.<name>`` (no schema, no other overload names, and
kernels registered for them through ``Library`` are refused). ``torch.ops.load_library``
(C++ extensions) is not supported.
"""
import functools
import importlib
import sys
import types

__all__ = ["ops", "OpOverloadPacket", "OpOverload"]

# nptorch.library (the operator registry), imported on the first operator lookup rather than
# with nptorch: ``_OpNamespace.__getattr__`` and ``OpOverloadPacket`` load it.
_binding = _dispatch = _defs = None


def _load_library():
    global _binding, _dispatch, _defs
    if _dispatch is None:
        from .library import _binding, _dispatch
        from .library.library import _defs


def _lookup_or_raise(qualname, overload):
    entry = _dispatch.lookup(qualname, overload)
    if entry is None:
        raise RuntimeError(f"Tried to access the schema for {qualname}"
                           f"{'.' + overload if overload else ''} which doesn't have a schema "
                           "registered yet")
    return entry


class OpOverload:
    """One overload of an operator: callable, with its ``_schema``."""

    def __init__(self, overloadpacket, overload_name, schema, tags):
        self._overloadpacket = overloadpacket
        self._schema = schema
        self._tags = list(tags)
        self._overloadname = overload_name or "default"
        self._overload_key = overload_name
        self._name = overloadpacket._qualified_op_name + (f".{overload_name}"
                                                           if overload_name else "")
        self._namespace, _, self._opname = overloadpacket._qualified_op_name.partition("::")
        self.__name__ = f"{self._opname}.{self._overloadname}"
        self.__module__ = overloadpacket.__module__
        self.__qualname__ = self._name
        self.__annotations__ = {}
        self._defined_in_python = self.__qualname__ in _defs
        # a view: aliased arguments, none of them written (PyTorch's rule)
        writes = [a.alias_info.is_write for a in schema.arguments
                  if a.alias_info is not None] if schema is not None else []
        self.is_view = bool(writes) and not any(writes)

    def __repr__(self):
        return f"<OpOverload(op='{self._namespace}.{self._opname}', " \
               f"overload='{self._overloadname}')>"

    def __str__(self):
        return f"{self._namespace}.{self._opname}.{self._overloadname}"

    def __call__(self, /, *args, **kwargs):
        return _dispatch.call(self._entry(), args, kwargs)

    def _entry(self):
        """The registry entry of this overload; RuntimeError once its definition is gone."""
        return _lookup_or_raise(self._overloadpacket._qualified_op_name, self._overload_key)

    def __hash__(self):
        return hash(self._name)

    def __deepcopy__(self, memo=None):
        return self

    def name(self):
        return self._name

    @property
    def namespace(self):
        return self._namespace

    @property
    def overloadpacket(self):
        return self._overloadpacket

    @property
    def op(self):
        return self.__call__

    @property
    def tags(self):
        return self._tags

    def has_kernel_for_dispatch_key(self, k):
        entry = _dispatch.lookup(self._overloadpacket._qualified_op_name, self._overload_key)
        return entry is not None and entry.kernel(str(k).rpartition(".")[2]) is not None


class OpOverloadPacket:
    """All overloads of one operator name: ``packet.default``, ``packet.<overload>``; calling
    the packet calls the first overload whose schema matches the arguments."""

    __file__ = "nptorch.ops"

    def __init__(self, qualified_op_name, op_name):
        _load_library()
        self._qualified_op_name = qualified_op_name
        self.__name__ = op_name
        self._dir = []

    def __repr__(self):
        return "<OpOverloadPacket(op='{}.{}')>".format(*self._qualified_op_name.split("::"))

    def __str__(self):
        return "{}.{}".format(*self._qualified_op_name.split("::"))

    def __hash__(self):
        return hash(self._qualified_op_name)

    def __deepcopy__(self, memo=None):
        return self

    @property
    def op(self):
        return self.__call__

    @property
    def _overload_names(self):
        return _dispatch.overload_names(self._qualified_op_name)

    @property
    def _schemas(self):
        return {name: _lookup_or_raise(self._qualified_op_name, name).schema
                for name in self._overload_names}

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(
                f"'{self}' can't have an overload name beginning with '__' and the underlying "
                f"op {self.op} has no attribute {key} either.")
        use_key = "" if key == "default" else key
        entry = _dispatch.lookup(self._qualified_op_name, use_key)
        if entry is None:
            raise AttributeError(f"The underlying op of '{self}' has no overload name '{key}'")
        overload = OpOverload(self, use_key, entry.schema, entry.tags)
        setattr(self, key, overload)
        self._dir.append(key)
        return overload

    def __iter__(self):
        return iter(self._dir)

    def __call__(self, /, *args, **kwargs):
        names = self._overload_names or [""]  # no overload left: the lookup raises
        if len(names) == 1:
            return _dispatch.call(_lookup_or_raise(self._qualified_op_name, names[0]), args,
                                  kwargs)
        errors = []
        for name in names:
            entry = _lookup_or_raise(self._qualified_op_name, name)
            try:
                bound = _binding.bind(entry.schema, args, kwargs)
            except RuntimeError as e:  # the argument errors of this overload
                errors.append(str(e))
                continue
            return _dispatch.dispatch(entry, *bound)
        raise RuntimeError("Overloaded torch operator invoked from Python failed to match any "
                           "schema:\n" + "".join(f"{e}\n\n" for e in errors))

    def overloads(self):
        return [n if n else "default" for n in self._overload_names]

    def op_overloads(self):
        return [getattr(self, n) for n in self.overloads()]


class _AtenOverload(OpOverload):
    """``torch.ops.aten.<name>.default``: nptorch's top-level function ``<name>``."""

    def __init__(self, packet, fn):
        super().__init__(packet, "", None, ())
        self._fn = fn
        del self._schema  # unknown: accessing it raises AttributeError

    def __call__(self, /, *args, **kwargs):
        return self._fn(*args, **kwargs)


class _AtenPacket(OpOverloadPacket):
    def __init__(self, op_name, fn):
        super().__init__(f"aten::{op_name}", op_name)
        self._fn = fn

    @property
    def _overload_names(self):
        return [""]

    @property
    def _schemas(self):
        raise AttributeError("nptorch has no schemas for the built-in aten operators")

    def __getattr__(self, key):
        if key != "default":
            return super().__getattr__(key)
        overload = _AtenOverload(self, self._fn)
        setattr(self, key, overload)
        self._dir.append(key)
        return overload

    def __call__(self, /, *args, **kwargs):
        return self._fn(*args, **kwargs)


# Top-level functions that are not tensor operators, although they live in op modules.
_NOT_ATEN = frozenset({"from_numpy", "unique", "unravel_index", "asarray", "frombuffer", "eig",
                       "lstsq", "lu", "matrix_rank", "solve", "symeig", "pca_lowrank",
                       "svd_lowrank", "is_tensor"})
_ATEN_MODULES = ("nptorch._api.", "nptorch._aliases", "nptorch.nn.functional")
_NOT_ATEN_MODULES = ("nptorch._api.flags", "nptorch._api.interop", "nptorch._api.symbolic")


def _aten_function(name):
    """nptorch's top-level tensor function ``name``, or None."""
    if name.startswith("_") or name in _NOT_ATEN:
        return None
    import nptorch
    fn = getattr(nptorch, name, None)
    if fn is None or isinstance(fn, (type, types.ModuleType)) or not callable(fn):
        return None
    defined = fn.func if isinstance(fn, functools.partial) else fn
    module = getattr(defined, "__module__", None) or ""
    if module.startswith(_NOT_ATEN_MODULES) or not (
            module.startswith(_ATEN_MODULES) or module == "nptorch"):
        return None
    return fn


class _OpNamespace(types.ModuleType):
    """``torch.ops.<namespace>``: its operators become attributes on first access."""

    __file__ = "nptorch.ops"

    def __init__(self, name):
        super().__init__("nptorch.ops." + name)
        self.name = name
        self._dir = []

    def __iter__(self):
        return iter(self._dir)

    def __getattr__(self, op_name):
        if op_name in ("__origin__", "__self__"):
            raise AttributeError(f"Invalid attribute '{op_name}' for '_OpNamespace' "
                                 f"'{self.name}'")
        qualified = f"{self.name}::{op_name}"
        _load_library()
        if _dispatch.overload_names(qualified):
            packet = OpOverloadPacket(qualified, op_name)
        else:
            packet = self._fallback(op_name)
            if packet is None:
                raise AttributeError(f"'_OpNamespace' '{self.name}' object has no attribute "
                                     f"'{op_name}'")
        packet.__module__ = f"{__name__}.{self.name}"
        setattr(self, op_name, packet)
        self._dir.append(op_name)
        return packet

    def _fallback(self, op_name):
        if self.name != "aten":
            return None
        fn = _aten_function(op_name)
        return None if fn is None else _AtenPacket(op_name, fn)


class _Ops(types.ModuleType):
    """``torch.ops``: ``torch.ops.<namespace>`` is created on first access."""

    __file__ = "_ops.py"

    def __init__(self):
        super().__init__("nptorch.ops")
        self.loaded_libraries = set()
        self._dir = []

    def __getattr__(self, name):
        namespace = _OpNamespace(name)
        setattr(self, name, namespace)
        self._dir.append(name)
        return namespace

    def __iter__(self):
        return iter(self._dir)

    def import_module(self, module):
        """Import a Python module whose import registers operators."""
        importlib.import_module(module)

    def load_library(self, path):
        raise NotImplementedError(
            f"torch.ops.load_library({path!r}): nptorch cannot load compiled PyTorch operator "
            "libraries; define the operators in Python with nptorch.library instead")


def clear_cached(qualnames):
    """Forget the packets of ``qualnames`` (after their definitions were removed)."""
    for qualname in qualnames:
        ns, _, name = qualname.partition("::")
        namespace = ops.__dict__.get(ns)
        if namespace is not None and name in vars(namespace):
            delattr(namespace, name)
            if name in namespace._dir:
                namespace._dir.remove(name)


ops = _Ops()
sys.modules.setdefault("nptorch.ops", ops)
