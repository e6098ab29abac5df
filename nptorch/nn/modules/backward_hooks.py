"""A module call's backward hooks (``register_full_backward_hook`` and
``register_full_backward_pre_hook``): identity Functions around the call's tensor inputs and
outputs see the gradients flowing through them."""
import warnings

from ..._device import xp_of
from ..._tensor import Tensor
from ...autograd.function import Function


class _Watch(Function):
    """The tensors unchanged; in backward, ``on_grads(grads)`` sees the gradients reaching
    them (None where none arrive) and returns the ones to pass on."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.set_materialize_grads(False)
        ctx.on_grads = on_grads
        return tuple(Tensor._make(t._data) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


def _watch(on_grads, tensors):
    out = _Watch.apply(on_grads, *tensors)
    return out if isinstance(out, tuple) else (out,)


def _checked(result, expected, what):
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != len(expected):
        raise RuntimeError(f"Backward hook returned an invalid number of {what}, got "
                           f"{len(result)}, but expected {len(expected)}")
    return result


class BackwardHooks:
    """The backward hooks of one call of ``module``."""

    def __init__(self, module, args):
        self.module, self.n_args = module, len(args)
        self.grad_outputs = None
        self.input_positions = [i for i, a in enumerate(args)
                                if isinstance(a, Tensor) and a.requires_grad]
        # tensor inputs without grad get zero gradients (once any input has one)
        self.constant_inputs = {i: a for i, a in enumerate(args)
                                if isinstance(a, Tensor) and not a.requires_grad}

    def inputs(self, args):
        """``args`` with the tensors that require grad watched."""
        if not self.input_positions:
            return args
        watched = _watch(self._on_input_grads, [args[i] for i in self.input_positions])
        args = list(args)
        for i, t in zip(self.input_positions, watched):
            args[i] = t
        return tuple(args)

    def output(self, output):
        """``output`` (a tensor or a tuple) with its tensors watched."""
        single = isinstance(output, Tensor)
        items = (output,) if single else output
        if not isinstance(items, tuple):
            return output
        positions = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return output
        self.output_shape = (len(items), positions)
        watched = _watch(self._on_output_grads, [items[i] for i in positions])
        items = list(items)
        for i, t in zip(positions, watched):
            items[i] = t
        return items[0] if single else tuple(items)

    def _on_output_grads(self, grads):
        n, positions = self.output_shape
        full = [None] * n
        for i, g in zip(positions, grads):
            full[i] = g
        full = tuple(full)
        for hook in tuple(self.module._backward_pre_hooks.values()):
            result = hook(self.module, full)
            if result is not None:
                full = _checked(result, full, "grad_output")
        self.grad_outputs = full
        if not self.input_positions:
            if self.module._backward_hooks:
                warnings.warn("Full backward hook is firing when gradients are computed with "
                              "respect to module outputs since no inputs require gradients.",
                              UserWarning, stacklevel=2)
            self._run_hooks((None,) * self.n_args)
        return tuple(full[i] for i in positions)

    def _on_input_grads(self, grads):
        grad_input = [None] * self.n_args
        for i, g in zip(self.input_positions, grads):
            grad_input[i] = g
        for i, a in self.constant_inputs.items():
            grad_input[i] = Tensor._make(xp_of(a._data).zeros_like(a._data))
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(grad_input[i] for i in self.input_positions)

    def _run_hooks(self, grad_input):
        for hook in tuple(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None:
                grad_input = _checked(result, grad_input, "grad_input")
        return grad_input
