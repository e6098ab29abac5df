"""Adam and AdamW (Adam with decoupled weight decay)."""
from .._api.creation import zeros_like
from .._device import device_of
from .._fp_errors import restore as restore_fp, silence as silence_fp
from .._ops import ops_for
from .._api.math import maximum
from .optimizer import Optimizer


class Adam(Optimizer):
    """Implements the Adam algorithm (``decoupled_weight_decay=True`` gives AdamW)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        self._check_non_negative(lr=lr, eps=eps)
        self._check_betas(betas)
        self._check_non_negative(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _init_state(self, p, state, group):
        state["step"] = self._new_step(p, group)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        step = self._increment_step(state)
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        step_size = float(group["lr"]) / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        max_sq = state["max_exp_avg_sq"] if group["amsgrad"] else None
        arrays = self._plain_arrays(p, grad, exp_avg, exp_avg_sq, max_sq)
        if arrays is not None and all(type(v) in (int, float)
                                      for v in (beta1, beta2, group["eps"])):
            # the ops below in one pass over the arrays (compiled on the CPU, where fused
            # multiply-adds may round last bits differently); inf and NaN without warnings
            token = silence_fp()
            try:
                ops_for(device_of(arrays[0])).adam_update(*arrays, beta1, beta2, step_size,
                                                          bias_correction2_sqrt, group["eps"])
            finally:
                restore_fp(token)
            for t in (p, exp_avg, exp_avg_sq, max_sq):
                if t is not None:
                    t._version_counter[0] += 1
            return
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if group["amsgrad"]:
            exp_avg_sq = maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(group["eps"])
        p.addcdiv_(exp_avg, denom, value=-step_size)


class AdamW(Adam):
    """Implements AdamW: Adam whose weight decay is applied to the parameters directly."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused, decoupled_weight_decay=True)
