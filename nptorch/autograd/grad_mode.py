"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``."""
import functools
import inspect


from .. import _backend

state = _backend.engine().grad_state  # read and set on every op: lives in the compiled core


def is_grad_enabled():
    """True when operations are being recorded for autograd."""
    return state.enabled


class _Inference:
    depth = 0  # > 0 inside inference_mode()


_inference = _Inference()


def _decorate(make, fn):
    """Run ``fn`` (a function or a generator function) inside a fresh ``make()`` context."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with make():  # the mode holds while the generator runs, not between yields
                    request = gen.send(None)
                while True:
                    try:
                        response = yield request
                    except GeneratorExit:
                        with make():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with make():
                            request = gen.throw(exc)
                    else:
                        with make():
                            request = gen.send(response)
            except StopIteration as stop:
                return stop.value
        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with make():
            return fn(*args, **kwargs)
    return wrapper


class _GradModeContext:
    """Base of the grad-mode context managers; each one also works as a decorator,
    with or without parentheses (``@no_grad`` and ``@no_grad()``)."""

    _mode = True

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        pass

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        return _decorate(self.clone, fn)

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Disable gradient recording inside a block or a decorated function.

    Example::

        >>> with nptorch.no_grad():
        ...     y = x * 2        # y.requires_grad is False
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Enable gradient recording inside a block, even within ``no_grad``."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``; takes effect at once, and as a context manager restores it."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self._prev = state.enabled
        self._mode = mode
        state.enabled = mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        state.enabled = self._prev  # as a decorator it only acts when the function runs
        return super().__call__(fn)

    def clone(self):
        return self.__class__(self._mode)


class inference_mode(_GradModeContext):
    """Like ``no_grad``, and ``is_inference_mode_enabled()`` is True inside; ``mode=False``
    enables grad mode instead."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return object.__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self._prev = state.enabled, _inference.depth
        state.enabled = not self.mode
        _inference.depth = _inference.depth + 1 if self.mode else 0

    def __exit__(self, *exc):
        state.enabled, _inference.depth = self._prev
        return False

    def clone(self):
        return self.__class__(self.mode)


def is_inference_mode_enabled():
    """True inside ``inference_mode()``."""
    return _inference.depth > 0
