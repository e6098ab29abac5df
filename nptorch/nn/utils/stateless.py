"""``functional_call``: run a module with some of its parameters and buffers replaced."""
from contextlib import contextmanager
import warnings

from ..._tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]

_MISSING = object()


def _submodule(module, path):
    for name in path.split(".") if path else ():
        try:
            child = getattr(module, name)
        except AttributeError as e:
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`") from e
        if not isinstance(child, Module):
            raise TypeError(f"submodule `{path}`: {child} is not an instance of torch.nn.Module")
        module = child
    return module


def _swap_tensor(root, target, tensor):
    """Put ``tensor`` at the dotted ``target`` of ``root`` (``_MISSING`` deletes it); returns
    what was there (``_MISSING`` if nothing)."""
    path, _, name = target.rpartition(".")
    module = _submodule(root, path)
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    for store in (module._parameters, module._buffers):
        if name in store:
            old = store[name]
            if tensor is _MISSING:
                del store[name]
            else:
                store[name] = tensor
            return old
    old = getattr(module, name, _MISSING)
    if old is not _MISSING and old is not None and not isinstance(old, Tensor):
        raise TypeError(f"attribute `{name}`: {old} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif old is not _MISSING:
        delattr(module, name)
    return old


def _named_tensors(module):
    yield from module.named_parameters(remove_duplicate=False)
    yield from module.named_buffers(remove_duplicate=False)


def _untie(module, tensors):
    """``tensors`` extended so that a value given for one of several tied names (names of one
    tensor) goes to all of them."""
    names_of = {}
    for name, t in _named_tensors(module):
        names_of.setdefault(id(t), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    given = [name for name in tensors if name in tied]
    for name in given:
        names = tied[name]
        if len(names.intersection(given)) > 1 and \
                len({id(tensors[n]) for n in names if n in tensors}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(tensors)
    for name in given:
        for other in tied[name]:
            untied[other] = tensors[name]
    return untied


def _check_keys(module, tensors):
    valid = {name for name, _ in _named_tensors(module)}
    errors = []
    unexpected, missing = sorted(set(tensors) - valid), sorted(valid - set(tensors))
    if unexpected:
        errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if errors:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(errors)))


@contextmanager
def _reparametrize_module(module, tensors, tie_weights=False, strict=False):
    """Swap ``tensors`` (dotted name -> tensor) into ``module`` for the duration of the block;
    afterwards ``tensors`` holds the swapped-in values as the module left them."""
    swapped = _untie(module, tensors) if tie_weights else tensors
    if strict:
        _check_keys(module, swapped)
    originals = {}
    try:
        for name, t in swapped.items():
            originals[name] = _swap_tensor(module, name, t)
        yield
    finally:
        for name, old in originals.items():
            new = _swap_tensor(module, name, old)
            if name in tensors:
                tensors[name] = new


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True,
                     strict=False):
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **(kwargs or {}))


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """Deprecated: ``torch.func.functional_call`` with a single dict."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
                  "and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
