"""``type_name``: the name of a value's type as PyTorch's error messages print it."""

_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python


def type_name(value):
    """Bare for builtins, tensors and other classes defined in Python; dotted for extension
    types (``numpy.ndarray``), storages and the classes nptorch exports in place of PyTorch's
    extension types (``nptorch.dtype``, ``nptorch.Size``, ...)."""
    from ._tensor import Tensor  # only on the error paths, after nptorch has loaded
    cls = type(value)
    if cls.__module__ == "builtins" or isinstance(value, Tensor):
        return cls.__name__
    if cls.__module__ == "nptorch.storage":
        return f"{cls.__module__}.{cls.__qualname__}"
    if cls.__module__.startswith("nptorch"):
        import nptorch
        if getattr(nptorch, cls.__name__, None) is cls:
            return f"nptorch.{cls.__name__}"
    if cls.__flags__ & _HEAP_TYPE:
        return cls.__name__
    return f"{cls.__module__}.{cls.__qualname__}"
