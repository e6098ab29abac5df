"""``Optimizer``: parameter groups, per-parameter state, state dicts and step hooks.

Subclasses describe only their update rule: ``_init_state(p, state, group)`` fills a fresh
state dict and ``_update(p, grad, state, group)`` updates ``p`` in place.  The base ``step``
runs them under ``no_grad`` (recording them when ``differentiable=True``) for every parameter
that has a gradient.

PyTorch's implementation choices ``foreach``, ``fused`` and ``capturable`` are accepted, stored
in the groups and checked as PyTorch checks them; every choice computes the same update here.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .. import _dtype
from .._api.creation import tensor
from .._device import device_of
from .._tensor import Tensor
from ..autograd import enable_grad, is_grad_enabled, set_grad_enabled
from ..nn.modules.hooks import register as _register

_LABELS = {"lr": "learning rate", "eps": "epsilon value"}
_HOOKS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
          "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
          "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks")
_IMPLEMENTATION_OPTIONS = ("foreach", "fused", "capturable", "differentiable")


def scalar_dtype():
    """PyTorch's dtype for an optimizer's scalar state: float64 under a float64 default dtype,
    else float32."""
    return _dtype.float64 if _dtype.get_default_dtype() is _dtype.float64 else _dtype.float32


def _typename(obj):
    return f"{type(obj).__module__.split('.')[0]}.{type(obj).__name__}"


def _with_step_hooks(step):
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in list(self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(self, *args, **kwargs)
        self._opt_called = True  # lets a scheduler warn when it is stepped first
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class Optimizer:
    """Base class for all optimizers.

    Args:
        params (iterable): Tensors, ``(name, Tensor)`` pairs, or dicts defining parameter groups.
        defaults (dict): default values of the optimization options, used by groups that do
            not set them.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        for name in _HOOKS:
            setattr(self, name, OrderedDict())
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)
        if defaults.get("fused"):
            if defaults.get("differentiable"):
                raise RuntimeError("`fused` does not support `differentiable`")
            if defaults.get("foreach"):
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _patch_step_function(self):
        # Wrap the concrete class's ``step`` once so hooks run around any override of it.
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_step_hooks(cls.step)

    # -- validation helpers used by subclasses ------------------------------------------
    @staticmethod
    def _check_non_negative(**values):
        for name, value in values.items():
            if isinstance(value, Tensor) and name == "lr" and value.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
            if not 0.0 <= value:
                raise ValueError(f"Invalid {_LABELS.get(name, name + ' value')}: {value}")

    @staticmethod
    def _check_betas(betas):
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")

    # -- parameter groups ----------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a param group to the optimizer's ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not (p.is_leaf or p.retains_grad or self.defaults.get("differentiable")):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- stepping ------------------------------------------------------------------------
    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with set_grad_enabled(bool(self.defaults.get("differentiable"))):
            for group in self.param_groups:
                if group.get("capturable"):
                    self._check_capturable(group)
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if not state:
                        self._init_state(p, state, group)
                    self._update(p, self._grad(p, group), state, group)
                    if not state:
                        del self.state[p]
        return loss

    def _init_state(self, p, state, group):
        pass

    def _update(self, p, grad, state, group):
        raise NotImplementedError

    def _writable(self, t):
        """``t``, a fresh result, to update in place; a copy when the step is recorded
        (``differentiable=True``), since the op that made ``t`` may have saved it."""
        return t.clone() if self.defaults.get("differentiable") else t

    @staticmethod
    def _grad(p, group):
        """``p.grad`` negated for ``maximize`` and with L2 (or decoupled) weight decay applied."""
        grad = -p.grad if group.get("maximize", False) else p.grad
        weight_decay = group.get("weight_decay", 0)
        if weight_decay != 0:
            if group.get("decoupled_weight_decay", False):
                p.mul_(1 - float(group["lr"]) * weight_decay)
            else:
                grad = grad.add(p, alpha=weight_decay)
        return grad

    @staticmethod
    def _plain_arrays(p, *tensors):
        """The arrays of ``p`` and ``tensors`` (None stays None) when an update may run on them
        directly: outside autograd, every one of ``p``'s floating dtype, shape and device.
        Otherwise None: the update then runs as Tensor ops."""
        data = p._data
        if is_grad_enabled() or data.dtype.kind != "f":
            return None
        arrays = [data]
        for t in tensors:
            a = None if t is None else t._data
            if a is not None and (a.dtype != data.dtype or a.shape != data.shape
                                  or device_of(a) != device_of(data)):
                return None
            arrays.append(a)
        return arrays

    _CAPTURED = "params and state_steps"  # PyTorch's words for what capturable keeps on the GPU

    def _check_capturable(self, group):
        if any(not p.is_cuda for p in group["params"] if p.grad is not None):
            raise AssertionError(f"If capturable=True, {self._CAPTURED} must be on supported "
                                 "devices: ['cuda'].")

    @staticmethod
    def _new_step(p, group):
        """A fresh step counter as PyTorch keeps it: a 0-dim float tensor, on the CPU unless the
        group is fused or capturable (then on ``p``'s device, and float32 when fused)."""
        dtype = _dtype.float32 if group.get("fused") else scalar_dtype()
        on_device = group.get("fused") or group.get("capturable")
        return tensor(0.0, dtype=dtype, device=p.device if on_device else "cpu")

    @staticmethod
    def _increment_step(state):
        state["step"] += 1
        return state["step"].item()

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to ``None`` by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def register_step_pre_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs)`` to run before ``step``; it may return new (args, kwargs)."""
        return _register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs)`` to run after ``step``."""
        return _register(self._optimizer_step_post_hooks, hook)

    # -- serialization -------------------------------------------------------------------
    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer)`` to run before ``state_dict`` builds the state dict
        (first among these hooks when ``prepend``)."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict)`` to run on the state dict ``state_dict``
        returns; it may change it in place or return a new one (first among these hooks when
        ``prepend``)."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict)`` to run before ``load_state_dict`` loads,
        on a shallow copy of the given state dict; it may change it in place or return the
        one to load (first among these hooks when ``prepend``)."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer)`` to run once ``load_state_dict`` has loaded (first
        among these hooks when ``prepend``)."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def state_dict(self):
        """The optimizer state: ``state`` keyed by parameter index and ``param_groups`` with index lists."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Load optimizer state produced by :meth:`state_dict`."""
        state_dict = state_dict.copy()  # shallow, for the hooks, as Module.load_state_dict
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        # fused and capturable groups keep float32 step counts on their parameters' device
        steps_on_device = {id(id_map[i]) for g in saved_groups
                           if g.get("fused") or g.get("capturable") for i in g["params"]
                           if i in id_map}

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                if key == "step":
                    if id(param) in steps_on_device:
                        return value.to(dtype=_dtype.float32, device=param.device)
                    return value
                if param.is_floating_point():
                    return value.to(dtype=param.dtype, device=param.device)
                return value.to(device=param.device)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            for name in _IMPLEMENTATION_OPTIONS:  # absent from older state dicts
                if name in self.defaults:
                    saved.setdefault(name, self.defaults[name])
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in _HOOKS:
            self.__dict__.setdefault(name, OrderedDict())
        self._patch_step_function()

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"
