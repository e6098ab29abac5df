"""``torch.compiler`` as it behaves outside compiled code: nptorch runs everything eagerly, so
``compile`` returns what it is given, nothing is ever being compiled, and the hints for the
compiler (``disable``, ``allow_in_graph``, ``set_stance``, ...) leave behaviour unchanged."""
import functools

from .._settings import compile
from ..nn import Module

__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "is_exporting", "reset",
           "allow_in_graph", "assume_constant_result", "cudagraph_mark_step_begin", "set_stance"]

# The stance last set: (stance, skip_guard_eval_unsafe, force_backend).
_stance = ("default", False, None)


def disable(fn=None, recursive=True, *, reason=None):
    """Keep ``fn`` out of compilation: a function calling ``fn`` (``functools.wraps``), or
    ``fn`` itself for classes and modules. Without ``fn``, a decorator doing that."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)
    if not callable(fn):
        raise AssertionError("fn must be callable")
    if isinstance(fn, (type, Module)):
        return fn

    @functools.wraps(fn)
    def eager(*args, **kwargs):
        return fn(*args, **kwargs)
    return eager


def is_compiling():
    """False: nptorch code never runs inside a compiled graph."""
    return False


def is_dynamo_compiling():
    """False (see ``is_compiling``)."""
    return False


def is_exporting():
    """False: nothing is exported."""
    return False


def reset():
    """Clear compilation caches: there are none."""


def allow_in_graph(fn):
    """``fn`` itself (a list for a list or tuple of functions)."""
    if isinstance(fn, (list, tuple)):
        return [allow_in_graph(x) for x in fn]
    if not callable(fn):
        raise AssertionError("allow_in_graph expects a callable")
    return fn


def assume_constant_result(fn):
    """``fn`` itself, marked as returning a constant."""
    fn._dynamo_marked_constant = True
    return fn


def cudagraph_mark_step_begin():
    """Mark the start of an iteration for CUDA graphs: none are recorded."""


class set_stance:
    """Set the compiler's stance (``"default"``, ``"force_eager"``, ...): at once when called,
    for a ``with`` block as a context manager, or for each call of a decorated function. The
    stance is recorded only; eager code runs the same under any."""

    def __init__(self, stance="default", *, skip_guard_eval_unsafe=False, force_backend=None):
        global _stance
        if force_backend is not None and stance != "default":
            raise RuntimeError("non-default stance cannot have force_backend set")
        self.stance = (stance, skip_guard_eval_unsafe, force_backend)
        self.prev, _stance = _stance, self.stance

    def __call__(self, fn):
        global _stance
        _stance = self.prev

        @functools.wraps(fn)
        def with_stance(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return with_stance

    def __enter__(self):
        global _stance
        _stance = self.stance

    def __exit__(self, *exc_info):
        global _stance
        _stance = self.prev

    def clone(self):
        stance, skip_guard_eval_unsafe, backend = self.stance
        return set_stance(stance, skip_guard_eval_unsafe=skip_guard_eval_unsafe,
                          force_backend=backend)
