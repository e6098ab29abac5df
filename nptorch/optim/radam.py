"""RAdam: Adam with a rectified adaptive learning rate."""
from .._api.creation import zeros_like
from .optimizer import Optimizer


class RAdam(Optimizer):
    """Implements the RAdam algorithm (``decoupled_weight_decay=True`` gives RAdamW)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        self._check_non_negative(lr=lr, eps=eps)
        self._check_betas(betas)
        self._check_non_negative(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def _init_state(self, p, state, group):
        state["step"] = self._new_step(p, group)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        step = self._increment_step(state)
        lr, (beta1, beta2) = float(group["lr"]), group["betas"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / (1 - beta1 ** step) * lr
        # the variance is tractable only once the SMA length exceeds 5
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            root = self._writable(exp_avg_sq.sqrt()).add_(group["eps"])
            adaptive_lr = bias_correction2 ** 0.5 / root
            update = update * adaptive_lr * rect
        p.add_(update, alpha=-1.0)
