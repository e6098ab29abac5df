"""ASGD: averaged stochastic gradient descent."""
from .._api.creation import tensor, zeros_like
from .optimizer import Optimizer, scalar_dtype


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent: SGD with a decaying rate, whose
    parameters' running average is kept in the state as ``ax``."""

    _CAPTURED = "params, mus, etas, and state_steps"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        self._check_non_negative(lr=lr, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, p, state, group):
        # PyTorch keeps these scalars on the parameter's device, in its scalar dtype
        dtype = scalar_dtype()
        state["step"] = tensor(0.0, dtype=dtype, device=p.device)
        state["eta"] = tensor(float(group["lr"]), dtype=dtype, device=p.device)
        state["mu"] = tensor(1.0, dtype=dtype, device=p.device)
        state["ax"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        step = self._increment_step(state)
        lr, lambd = float(group["lr"]), group["lambd"]
        eta = state["eta"].item()
        p.mul_(1 - lambd * eta)
        p.add_(grad, alpha=-eta)
        ax, mu = state["ax"], state["mu"]
        if group["capturable"] or mu.item() != 1:
            ax.add_(p.sub(ax).mul_(mu))
        else:
            ax.copy_(p)
        state["eta"].fill_(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        mu.fill_(1 / max(1, step - group["t0"]))
