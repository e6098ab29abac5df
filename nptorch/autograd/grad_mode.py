"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``."""
import functools


from .. import _backend

state = _backend.engine().grad_state  # read and set on every op: lives in the compiled core


def is_grad_enabled():
    """True when operations are being recorded for autograd."""
    return state.enabled


class _GradModeContext:
    """Base of the grad-mode context managers; each one also works as a decorator."""

    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._ctor_args()):
                return fn(*args, **kwargs)
        return wrapper

    def _ctor_args(self):
        return ()

    def clone(self):
        return self.__class__(*self._ctor_args())


class no_grad(_GradModeContext):
    """Disable gradient recording inside a block or a decorated function."""

    _mode = False


class enable_grad(_GradModeContext):
    """Enable gradient recording inside a block, even within ``no_grad``."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``; takes effect at once, and as a context manager restores it."""

    def __init__(self, mode):
        self._prev = state.enabled
        self._mode = bool(mode)
        state.enabled = self._mode

    def __enter__(self):
        pass

    def _ctor_args(self):
        return (self._mode,)


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (``mode=True``); with ``mode=False`` it changes nothing."""

    def __init__(self, mode=True):
        self._mode_flag = mode
        self._mode = False if mode else None

    def __enter__(self):
        self._prev = state.enabled
        if self._mode is not None:
            state.enabled = False

    def _ctor_args(self):
        return (self._mode_flag,)


def is_inference_mode_enabled():
    return False
