"""Rprop: resilient backpropagation, a step size per element driven by the gradient's sign."""
from .._api.creation import full_like, ones_like, zeros_like
from .._api.math import where
from .optimizer import Optimizer


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        self._check_non_negative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, p, state, group):
        state["step"] = self._new_step(p, group)
        state["prev"] = zeros_like(p)
        state["step_size"] = full_like(p, float(group["lr"]))

    def _update(self, p, grad, state, group):
        self._increment_step(state)
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        sign = grad.mul(self._writable(state["prev"])).sign()
        # the step size grows while the gradient keeps its sign and shrinks when it flips;
        # after a flip the element stays put for one step (its gradient counts as 0)
        factor = where(sign > 0, etaplus, where(sign < 0, etaminus, ones_like(sign)))
        step_size = state["step_size"].mul_(factor).clamp_(step_size_min, step_size_max)
        grad = where(sign < 0, 0.0, grad)
        p.addcmul_(grad.sign(), step_size, value=-1)
        state["prev"].copy_(grad)
