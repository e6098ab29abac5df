"""The operator registry and the dispatcher behind ``torch.ops``.

Each overload (``ns::op`` or ``ns::op.overload``) has an entry with its schema and its
kernels by dispatch key; registrations are owned by a Library handle and removed with it. A
call binds the arguments to the schema, then picks a kernel by PyTorch's rules for the
device of the tensor arguments, in PyTorch's order of stages:

1. ``Autocast<Device>`` (while autocast is enabled for that device),
2. the autograd stage: ``Autograd<Device>``, then ``CompositeImplicitAutograd`` when the
   device has no backend kernel, then ``Autograd``,
3. ``BackendSelect``,
4. the backend: ``<Device>``, ``CompositeExplicitAutograd``, ``CompositeImplicitAutograd``.

Kernels run eagerly with nptorch's grad mode as it is: a kernel below the autograd stage that
is called on inputs requiring grad records its own graph, like PyTorch's fallback for
operators without an autograd kernel (without its deprecation warning).
"""
import warnings

from .._tensor import Tensor
from ._binding import bind, convert_returns

__all__ = ["OperatorEntry", "define", "lookup", "overload_names", "add_kernel", "add_fake",
           "release", "call", "dispatch", "redispatch_below_autograd", "call_backend",
           "is_dispatch_key", "dispatch_key_for_device", "fallthrough_kernel"]

_BACKENDS = ("CPU", "CUDA", "HIP", "XLA", "MPS", "IPU", "XPU", "HPU", "VE", "Lazy", "MTIA",
             "MAIA", "PrivateUse1", "PrivateUse2", "PrivateUse3", "Meta")
_DISPATCH_KEYS = frozenset(
    ("Undefined", "CompositeExplicitAutogradNonFunctional", "CompositeExplicitAutograd",
     "CompositeImplicitAutogradNestedTensor", "CompositeImplicitAutograd",
     "AutogradNestedTensor", "AutogradOther", "Autograd", "Conjugate", "ZeroTensor", "Negative",
     "BackendSelect", "ADInplaceOrView", "PythonTLSSnapshot", "Python",
     "FuncTorchDynamicLayerFrontMode", "FuncTorchDynamicLayerBackMode",
     "FuncTorchBatchedDecomposition", "FuncTorchBatched", "FuncTorchVmapMode",
     "FuncTorchGradWrapper", "PythonDispatcher", "PreDispatch", "Functionalize", "AutocastCPU",
     "AutocastMPS", "AutocastXPU", "AutocastHPU", "AutocastIPU", "AutocastCUDA",
     "AutocastPrivateUse1", "Dense", "Quantized", "Sparse", "SparseCsr", "NestedTensor",
     "AutogradFunctionality")
    + _BACKENDS
    + tuple(p + b for p in ("Quantized", "Sparse", "SparseCsr", "NestedTensor", "Autograd")
            for b in _BACKENDS))

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_DEVICE_KEYS = {"cpu": "CPU", "cuda": "CUDA", "ipu": "IPU", "xpu": "XPU", "hip": "HIP",
                "ve": "VE", "fpga": "FPGA", "maia": "MAIA", "xla": "XLA", "lazy": "Lazy",
                "vulkan": "Vulkan", "mps": "MPS", "meta": "Meta", "hpu": "HPU", "mtia": "MTIA",
                "privateuseone": "PrivateUse1"}

CIA, CEA = "CompositeImplicitAutograd", "CompositeExplicitAutograd"
AUTOCAST, AUTOGRAD, BACKEND_SELECT, BACKEND = range(4)


def fallthrough_kernel():
    """A dummy function to pass to ``Library.impl`` in order to register a fallthrough."""
    raise NotImplementedError("fallthrough_kernel() should never be called.")


def is_dispatch_key(name):
    """Whether ``name`` names one of PyTorch's dispatch keys."""
    return name in _DISPATCH_KEYS


def dispatch_key_for_device(device_type):
    """The backend dispatch key of a device type ("cpu" -> "CPU"), with PyTorch's errors."""
    if not isinstance(device_type, str):
        raise TypeError(f"_dispatch_key_for_device(): argument must be str, not "
                        f"{type(device_type).__name__}")
    if not device_type:
        raise RuntimeError("Device string must not be empty")
    base, sep, _ = device_type.partition(":")
    if base not in _DEVICE_TYPES:
        if base.strip() in _DEVICE_TYPES or not base:
            raise RuntimeError(f"Invalid device string: '{device_type}'")
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                           f"device string: {device_type}")
    if sep:
        raise RuntimeError("Expected device_type string to not have a device index; got "
                           f"{device_type}")
    if base not in _DEVICE_KEYS:
        raise RuntimeError(f"This is a grandfathered Caffe2 device type {base}, it shouldn't "
                           "ever convert to a DispatchKey.  File a bug describing what you "
                           "were doing if you think this is in error.")
    return _DEVICE_KEYS[base]


class OperatorEntry:
    """One overload: its schema (None until defined), where it was defined and by whom, its
    kernels by dispatch key (the last registration wins) and its fake impls."""

    def __init__(self, qualname, overload):
        self.qualname, self.overload = qualname, overload
        self.schema = None
        self.source = self.owner = None
        self.tags = ()
        self.kernels = {}  # key -> [(fn, owner, source)]
        self.fakes = []    # [(fn, owner, source)]

    @property
    def full_name(self):
        return self.qualname + (f".{self.overload}" if self.overload else "")

    def kernel(self, key):
        entries = self.kernels.get(key)
        if not entries or entries[-1][0] is fallthrough_kernel:
            return None
        return entries[-1][0]


_entries = {}    # (qualname, overload) -> OperatorEntry
_overloads = {}  # qualname -> overload names in order of definition
_warned_override = [False]


def _entry(qualname, overload):
    e = _entries.get((qualname, overload))
    if e is None:
        e = _entries[(qualname, overload)] = OperatorEntry(qualname, overload)
    return e


def lookup(qualname, overload=""):
    """The defined entry of ``qualname`` (``"ns::op"``) and ``overload``, or None."""
    e = _entries.get((qualname, overload))
    return e if e is not None and e.schema is not None else None


def overload_names(qualname):
    """The overload names of ``qualname`` ("" for the default), in order of definition."""
    return list(_overloads.get(qualname, ()))


def define(schema, owner, source, tags=()):
    """Define the overload described by ``schema`` (its name namespace-qualified)."""
    e = _entry(schema.name, schema.overload_name)
    if e.schema is not None:
        raise RuntimeError(
            f"Tried to register an operator ({schema}) with the same name and overload name "
            "multiple times. Each overload's schema should only be registered with a single "
            f"call to def(). Duplicate registration: registered at {source}. Original "
            f"registration: registered at {e.source}")
    e.schema, e.owner, e.source, e.tags = schema, owner, source, tuple(tags)
    _overloads.setdefault(schema.name, []).append(schema.overload_name)
    return e


def add_kernel(qualname, overload, key, fn, owner, source):
    """Register ``fn`` as the kernel of ``key``; a kernel registered before replaces nothing
    but is shadowed until this one is released."""
    e = _entry(qualname, overload)
    stack = e.kernels.setdefault(key, [])
    if stack and not _warned_override[0]:
        _warned_override[0] = True
        what = e.schema if e.schema is not None else e.full_name
        where = "no debug info" if e.source is None else f"registered at {e.source}"
        warnings.warn(
            "Warning only once for all operators,  other operators may also be overridden.\n"
            "  Overriding a previously registered kernel for the same operator and the same "
            f"dispatch key\n  operator: {what}\n    {where}\n  dispatch key: {key}\n"
            f"  previous kernel: registered at {stack[-1][2]}\n       new kernel: registered "
            f"at {source}", UserWarning, stacklevel=3)
    stack.append((fn, owner, source))


def add_fake(qualname, overload, fn, owner, source):
    _entry(qualname, overload).fakes.append((fn, owner, source))


def release(owner):
    """Remove every registration made by ``owner``; returns the qualnames it had defined."""
    undefined = set()
    for key, e in list(_entries.items()):
        if e.owner is owner:
            undefined.add(e.qualname)
            e.schema = e.owner = e.source = None
            names = _overloads.get(e.qualname, [])
            if e.overload in names:
                names.remove(e.overload)
            if not names:
                _overloads.pop(e.qualname, None)
        for k, stack in list(e.kernels.items()):
            stack[:] = [s for s in stack if s[1] is not owner]
            if not stack:
                del e.kernels[k]
        e.fakes[:] = [f for f in e.fakes if f[1] is not owner]
        if e.schema is None and not e.kernels and not e.fakes:
            del _entries[key]
    return undefined


# -- calls ---------------------------------------------------------------------------------

def _device_type(args, kwargs):
    found = None
    for value in (*args, *kwargs.values()):
        for t in (value if isinstance(value, (list, tuple)) else (value,)):
            if isinstance(t, Tensor):
                kind = t.device.type
                if kind != "cpu":
                    return kind
                found = kind
    return found


def call(entry, args, kwargs):
    """Call a defined overload from Python: bind the arguments, then dispatch."""
    args, kwargs = bind(entry.schema, args, kwargs)
    return dispatch(entry, args, kwargs)


def _run(entry, fn, args, kwargs):
    return convert_returns(entry.schema, fn(*args, **kwargs), entry.full_name)


def dispatch(entry, args, kwargs, level=AUTOCAST):
    """Run the kernel that PyTorch's dispatcher would pick, from stage ``level`` on."""
    device_type = _device_type(args, kwargs)
    key = _DEVICE_KEYS.get(device_type)
    if key is not None and level <= AUTOCAST:
        fn = entry.kernel("Autocast" + key)
        if fn is not None:
            from ..amp._state import is_autocast_enabled
            if is_autocast_enabled(device_type):
                return _run(entry, fn, args, kwargs)
    if key is not None and level <= AUTOGRAD:
        fn = entry.kernel("Autograd" + key)
        if fn is None and not (entry.kernel(key) or entry.kernel(CEA)):
            fn = entry.kernel(CIA)
        if fn is None:
            fn = entry.kernel("Autograd")
        if fn is not None:
            return _run(entry, fn, args, kwargs)
    if level <= BACKEND_SELECT:
        fn = entry.kernel("BackendSelect")
        if fn is not None:
            return _run(entry, fn, args, kwargs)
    return call_backend(entry, device_type, args, kwargs)


def call_backend(entry, device_type, args, kwargs):
    """Run the backend kernel for ``device_type`` (None: no tensor arguments)."""
    if device_type is None:
        fn = entry.kernel(CEA) or entry.kernel(CIA)
        if fn is None:
            raise NotImplementedError(
                "There were no tensor arguments to this function (e.g., you passed an empty "
                "list of Tensors), but no fallback function is registered for schema "
                f"{entry.full_name}.  This usually means that this function requires a "
                "non-empty list of Tensors, or that you (the operator writer) forgot to "
                "register a fallback function.  Available functions are "
                f"[{', '.join(entry.kernels)}].\n\n")
        return _run(entry, fn, args, kwargs)
    key = _DEVICE_KEYS.get(device_type, device_type)
    fn = entry.kernel(key) or entry.kernel(CEA) or entry.kernel(CIA)
    if fn is None:
        raise NotImplementedError(
            f"Could not run '{entry.full_name}' with arguments from the '{key}' backend. This "
            "could be because the operator doesn't exist for this backend, or was omitted "
            "during the selective/custom build process (if using custom build). If you are a "
            "Facebook employee using PyTorch on mobile, please visit "
            "https://fburl.com/ptmfixes for possible resolutions. "
            f"'{entry.full_name}' is only available for these backends: "
            f"[{', '.join(entry.kernels)}].\n")
    return _run(entry, fn, args, kwargs)


def redispatch_below_autograd(entry, args, kwargs):
    """Continue a call below the autograd stage (what an autograd kernel's forward runs)."""
    return dispatch(entry, args, kwargs, BACKEND_SELECT)
