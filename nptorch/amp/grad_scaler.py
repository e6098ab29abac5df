"""``GradScaler``: dynamic loss scaling, so that float16 gradients neither underflow nor, for
long, overflow (``torch.amp.GradScaler``)."""
import warnings
from collections import abc, defaultdict
from enum import Enum

from .._dtype import float16, float32, int32
from .._tensor import Tensor
from ..autograd import no_grad

__all__ = ["OptState", "GradScaler"]

_FLOAT32_OVERFLOW = 2.0 ** 128 - 2.0 ** 103  # doubles from here on round to inf in float32


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state():
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """Scales the loss up before ``backward`` and the gradients back down before the step.

    * ``scaler.scale(loss)`` multiplies the loss by the current scale.
    * ``scaler.step(optimizer)`` unscales the gradients (unless ``unscale_`` did) and runs
      ``optimizer.step()`` only if they are all finite.
    * ``scaler.update()`` multiplies the scale by ``backoff_factor`` after a skipped step, and
      by ``growth_factor`` after ``growth_interval`` consecutive unskipped ones.

    Args:
        device (str): ``"cuda"`` (disabled, with a warning, when CUDA is unavailable) or
            ``"cpu"``. Default: ``"cuda"``.
        init_scale (float): the first scale. Default: ``2.**16``.
        growth_factor (float): > 1. Default: 2.0.
        backoff_factor (float): < 1. Default: 0.5.
        growth_interval (int): Default: 2000.
        enabled (bool): when False, ``step`` just calls ``optimizer.step()`` and the other
            methods do nothing. Default: True.

    Example::

        >>> scaler = torch.amp.GradScaler("cpu")
        >>> scaler.scale(loss).backward()
        >>> scaler.unscale_(optimizer)           # optional: e.g. to clip the true gradients
        >>> scaler.step(optimizer)
        >>> scaler.update()
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available."
                              "  Disabling.", stacklevel=2)
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname):
        fix = ("This may indicate your script did not use scaler.scale(loss or outputs) earlier "
               "in the iteration.")
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, like):
        self._scale = like.new_full((), self._init_scale, dtype=float32)
        self._growth_tracker = like.new_full((), self._init_growth_tracker, dtype=int32)

    def scale(self, outputs):
        """``outputs`` (a tensor or an iterable of tensors) times the scale; unchanged when
        disabled."""
        if not self._enabled:
            return outputs

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val)
                return val * self._scale.to(device=val.device)
            if isinstance(val, abc.Iterable):
                iterable = map(apply_scale, val)
                return type(val)(iterable) if isinstance(val, (list, tuple)) else iterable
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, allow_fp16):
        """Multiply every gradient of ``optimizer`` by ``inv_scale``; {device: found_inf},
        where found_inf is a 0-d float32 tensor, 1.0 when some gradient there is not finite."""
        found_inf_per_device = {}
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    if not allow_fp16 and grad.dtype == float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    device = grad.device
                    found_inf = found_inf_per_device.get(device)
                    if found_inf is None:
                        found_inf = found_inf_per_device[device] = grad.new_full(
                            (), 0.0, dtype=float32)
                    if not bool(grad.isfinite().all()):
                        found_inf.fill_(1.0)
                    grad.mul_(inv_scale.to(device=device))
        return found_inf_per_device

    def unscale_(self, optimizer):
        """Divide ``optimizer``'s gradients by the scale, in place, and record whether they
        hold infs or NaNs. Optional before ``step``, at most once per ``update``; call it to
        inspect or clip the true gradients."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update().")
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # the reciprocal in double precision, as PyTorch
        inv_scale = self._scale.new_full((), 1.0 / self._scale.item())
        optimizer_state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, False)
        optimizer_state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless ``unscale_`` was called) and run ``optimizer.step(*args, **kwargs)``
        unless a gradient is inf or NaN; returns what ``optimizer.step`` returned, or None."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if optimizer_state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(optimizer_state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(v.item() for v in optimizer_state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        optimizer_state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Update the scale after the iteration's steps: back off if any step was skipped,
        grow after ``growth_interval`` clean ones; or set it to ``new_scale`` (a float or a
        one-element float32 tensor)."""
        if not self._enabled:
            return
        _scale, _growth_tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                _scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if (new_scale.device.type != self._device or new_scale.numel() != 1
                        or new_scale.requires_grad):
                    raise AssertionError(reason)
                _scale.copy_(new_scale.reshape(()))
        else:
            found_infs = [found_inf.item() for state in self._per_optimizer_states.values()
                          for found_inf in state["found_inf_per_device"].values()]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._update_scale(_scale, _growth_tracker, sum(found_infs) > 0)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _update_scale(self, scale, growth_tracker, found_inf):
        """PyTorch's ``_amp_update_scale_``: the products are taken in double precision and
        stored in float32; a growth to inf is dropped."""
        if found_inf:
            scale.fill_(scale.item() * self._backoff_factor)
            growth_tracker.fill_(0)
            return
        successful = growth_tracker.item() + 1
        if successful == self._growth_interval:
            grown = scale.item() * self._growth_factor
            if abs(grown) < _FLOAT32_OVERFLOW:
                scale.fill_(grown)
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)

    def get_scale(self):
        """The current scale (a Python float), or 1.0 when disabled."""
        if self._enabled:
            return self._init_scale if self._scale is None else self._scale.item()
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._enabled:
            return (self._init_growth_tracker if self._growth_tracker is None
                    else self._growth_tracker.item())
        return 0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        """``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and
        ``_growth_tracker``; empty when disabled. Take it after ``update()``."""
        if self._enabled:
            return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                    "backoff_factor": self._backoff_factor,
                    "growth_interval": self._growth_interval,
                    "_growth_tracker": self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()``; does nothing when disabled."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
