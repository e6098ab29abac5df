"""``cond`` and ``while_loop``: structured control flow, run eagerly with PyTorch's checks;
autograd flows through the branch taken and through every iteration."""
import numpy as np

from . import _compat
from ._tensor import Tensor
from .autograd import grad_mode
from .func._pytree import tree_flatten


def _leaves(tree):
    return tree_flatten(tree)[0]


def _tensors(tree):
    return [leaf for leaf in _leaves(tree) if isinstance(leaf, Tensor)]


def _share_memory(a, b):
    if type(a._data) is not type(b._data):
        return False
    xp = np if type(a._data) is np.ndarray else _compat.cupy
    return bool(xp.may_share_memory(a._data, b._data))


def _check_outputs(op, outputs, inputs):
    """PyTorch's rules for what a branch or loop body returns: tensors and ints only, no tensor
    sharing memory with an input or with another output."""
    for leaf in _leaves(outputs):
        if not isinstance(leaf, (Tensor, int)):
            raise RuntimeError(f"torch.{op}: HigherOrderOperator body's output must consist of "
                               f"tensors or ints/bools only but got {type(leaf)}.")
    produced = _tensors(outputs)
    for i, out in enumerate(produced):
        if any(_share_memory(out, other) for other in _tensors(inputs) + produced[:i]):
            raise RuntimeError(f"torch.{op}: Higher order ops do not support aliasing. Replace "
                               "`return input` with `return input.clone()` to avoid aliasing.")


def _call_checked(op, fn, inputs):
    """``fn(*inputs)``, refusing in-place changes of the inputs."""
    versions = [t._version for t in _tensors(inputs)]
    outputs = fn(*inputs)
    if versions != [t._version for t in _tensors(inputs)]:
        raise RuntimeError(f"torch.{op}: Higher order ops do not support input mutation. Clone "
                           "the inputs before changing them in place.")
    return outputs


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``. ``pred`` is a Python
    constant or a one-element tensor; ``operands`` a tuple or list of (nested) tensors."""
    if isinstance(pred, (bool, int, float)):
        return true_fn(*operands) if pred else false_fn(*operands)
    if not isinstance(pred, Tensor):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)) or \
            any(not isinstance(leaf, Tensor) for leaf in _leaves(operands)):
        raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple that "
                           f"only consists of tensor leaves, but got {operands}.")
    branch = true_fn if pred.item() else false_fn
    if not grad_mode.is_grad_enabled():
        return branch(*operands)
    outputs = _call_checked("cond", branch, operands)
    _check_outputs("cond", outputs, operands)
    return outputs


def _should_loop(pred):
    if isinstance(pred, bool) or \
            (isinstance(pred, Tensor) and pred.dim() == 0 and pred.dtype.name == "bool"):
        return bool(pred)
    raise RuntimeError(f"cond_fn must return a boolean scalar tensor or a boolean but got {pred}")


def _metadata_differences(out, carried):
    if isinstance(out, Tensor) != isinstance(carried, Tensor):
        return [f"'type: {type(out)} vs {type(carried)}'"]
    if not isinstance(out, Tensor):
        return []
    pairs = ((what, getattr(out, what), getattr(carried, what))
             for what in ("shape", "dtype", "device"))
    return [f"'{what}: {mine} vs {theirs}'" for what, mine, theirs in pairs if mine != theirs]


def _check_body_output(outputs, carried):
    out_leaves, carried_leaves = _leaves(outputs), _leaves(carried)
    if len(out_leaves) != len(carried_leaves):
        raise RuntimeError("Expected body_fn_output and carried_inputs to have same number of "
                           f"outputs but got lhs:{out_leaves} and rhs:{carried_leaves}")
    for i, (out, value) in enumerate(zip(out_leaves, carried_leaves)):
        differences = _metadata_differences(out, value)
        if differences:
            raise RuntimeError("Expected body_fn_output and carried_inputs to have same metadata "
                               f"but found:\npair[{i}] differ in {', '.join(differences)}")


def while_loop(cond_fn, body_fn, carried_inputs):
    """Run ``carried = body_fn(*carried)`` while ``cond_fn(*carried)`` is true (a bool or a
    boolean scalar tensor), starting from ``carried_inputs`` (a tuple or list of tensors and
    ints); returns the last carried values (the inputs cloned, as a tuple, when the loop never
    runs). The body must keep each value's shape and dtype."""
    if not callable(cond_fn) or not callable(body_fn):
        raise RuntimeError("Expect cond_fn and body_fn to be callable.")
    flat = _leaves(carried_inputs)
    if not all(isinstance(leaf, (Tensor, int)) for leaf in flat):
        raise AssertionError(f"{flat} can only be of {(Tensor, int)} but got "
                             f"{tuple(type(leaf) for leaf in flat)}")
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list but got {type(carried_inputs)}")
    carried = carried_inputs
    if not _should_loop(_call_checked("while_loop", cond_fn, carried)):
        return tuple(v.clone() if isinstance(v, Tensor) else v for v in carried)
    while True:
        result = _call_checked("while_loop", body_fn, carried)
        outputs = result if isinstance(result, (tuple, list)) else (result,)
        _check_body_output(outputs, carried)
        _check_outputs("while_loop", outputs, carried)
        carried = outputs
        if not _should_loop(_call_checked("while_loop", cond_fn, carried)):
            return result
