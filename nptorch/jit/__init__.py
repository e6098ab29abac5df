"""``torch.jit`` for scripts that use it: nptorch runs eagerly and has no TorchScript, so
``script`` and ``trace`` return what they are given, the decorators return the function they
decorate, and ``is_scripting()``/``is_tracing()`` are False."""
from typing import Final

__all__ = ["Final", "annotate", "export", "ignore", "is_scripting", "is_tracing", "load", "save",
           "script", "trace", "trace_module", "unused"]


def script(obj, **options):
    """``obj`` (a function or module) unchanged: nptorch runs it eagerly."""
    return obj


def trace(func, example_inputs=None, **options):
    """``func`` unchanged, without running it: nptorch runs eagerly, so there is nothing to
    record."""
    return func


def trace_module(mod, inputs, **options):
    """``mod`` unchanged, without running it (see ``trace``)."""
    return mod


def ignore(drop=False, **kwargs):
    """Leave a function to Python: it is returned unchanged. Works as ``@ignore`` and as
    ``@ignore(drop=True)``."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    """``fn`` unchanged: nothing is compiled, so nothing needs to be left out."""
    return fn


def export(fn):
    """``fn`` unchanged: every method of an eager module can already be called."""
    return fn


def is_scripting():
    """False: code never runs as TorchScript in nptorch."""
    return False


def is_tracing():
    """False: nptorch never traces."""
    return False


def annotate(the_type, the_value):
    """``the_value``: the type is only a hint for TorchScript's compiler."""
    return the_value


def save(m, f, _extra_files=None):
    """Not supported: there is no TorchScript to save."""
    raise NotImplementedError("nptorch has no TorchScript, so torch.jit.save cannot save a "
                              "scripted module; save its state_dict with nptorch.save instead")


def load(f, map_location=None, _extra_files=None):
    """Not supported: nptorch cannot run TorchScript archives."""
    raise NotImplementedError("nptorch has no TorchScript, so torch.jit.load cannot load a "
                              "scripted module; load a state_dict saved with nptorch.save "
                              "instead (nptorch.load)")
