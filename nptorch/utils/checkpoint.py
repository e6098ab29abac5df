"""Activation checkpointing (``torch.utils.checkpoint``): run a function without keeping its
intermediate results, and run it again during backward to get its gradients."""
import contextlib
import warnings

from .. import random
from .._tensor import Tensor
from ..amp import autocast
from ..amp._state import state as _autocast_state
from ..autograd import Function, backward, enable_grad, no_grad

__all__ = ["checkpoint", "checkpoint_sequential", "detach_variable", "check_backward_validity"]

_USE_REENTRANT_WARNING = (
    "the use_reentrant parameter should be passed explicitly. {version}"
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")


def detach_variable(inputs):
    """``inputs`` (a tuple) with each tensor detached, keeping its ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def _autocast_regions():
    """The autocast contexts in force now, to recompute the forward in them."""
    return [autocast(device, dtype=_autocast_state.dtype[device],
                     enabled=_autocast_state.enabled[device],
                     cache_enabled=_autocast_state.cache_enabled) for device in ("cuda", "cpu")]


class CheckpointFunction(Function):
    """Runs ``run_function(*args)`` under no_grad; its backward recomputes it with the same
    RNG and autocast state and backpropagates through the recomputation. Trailing tensors of
    ``args`` past ``n_args`` (parameters of the function) only make the outputs require grad:
    their gradients accumulate directly."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, n_args, *args):
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        ctx.autocast_regions = _autocast_regions()
        if preserve_rng_state:
            ctx.fwd_cpu_state = random.get_rng_state()
        ctx.n_extra = len(args) - n_args
        args = args[:n_args]
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_indices))
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with contextlib.ExitStack() as stack:
            if ctx.preserve_rng_state:
                surrounding = random.get_rng_state()
                stack.callback(random.set_rng_state, surrounding)
                random.set_rng_state(ctx.fwd_cpu_state)
            detached = detach_variable(tuple(inputs))
            stack.enter_context(enable_grad())
            for region in ctx.autocast_regions:
                stack.enter_context(region)
            outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(out, g) for out, g in zip(outputs, grads)
                 if isinstance(out, Tensor) and out.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        backward([out for out, _ in pairs], [g for _, g in pairs])
        grads = tuple(inp.grad if isinstance(inp, Tensor) else None for inp in detached)
        return (None, None, None) + grads + (None,) * ctx.n_extra


def _parameters_of(function):
    """The parameters of ``function`` when it is a Module or a Module's bound method."""
    from ..nn import Module
    owner = getattr(function, "__self__", function)
    return tuple(owner.parameters()) if isinstance(owner, Module) else ()


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """``function(*args, **kwargs)`` without keeping its intermediate tensors: backward runs
    it again (with the RNG state of the first run, so dropout masks match, and the same
    autocast state) to get the gradients.

    Args:
        function: what to run; its tensor outputs get gradients.
        use_reentrant (bool): pass it explicitly (a warning otherwise; the default is True).
            With True, outputs require grad only if a tensor argument does, and keyword
            arguments are refused. With False, keyword arguments are passed to ``function``,
            and when ``function`` is a Module (or a bound method of one) its parameters also
            make the outputs require grad.
        preserve_rng_state (bool): restore the RNG state for the recomputation. Default: True.

    ``determinism_check``, ``debug`` and ``early_stop`` are accepted for compatibility.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: " + _USE_REENTRANT_WARNING.format(
            version="Starting in PyTorch 2.9, calling checkpoint without use_reentrant will "
                    "raise an exception. "), stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not None or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        check_backward_validity(args)
        return CheckpointFunction.apply(function, preserve, len(args), *args)
    if context_fn is not None:
        raise NotImplementedError("checkpoint: context_fn is not supported by nptorch")
    run = (lambda *a: function(*a, **kwargs)) if kwargs else function
    return CheckpointFunction.apply(run, preserve, len(args), *args, *_parameters_of(function))


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a Sequential or a list of modules or functions) in order on
    ``input``, checkpointing each of the first ``segments - 1`` chunks of it; the last chunk
    runs normally."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: " + _USE_REENTRANT_WARNING
                      .format(version="In version 2.9 we will raise an exception if "
                                      "use_reentrant is not passed. "), stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run_function(start, end):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1)(input)
