"""Adafactor: factored second-moment estimates (Shazeer and Stern, 2018)."""
from .._api.creation import tensor
from .._api.reduction import norm
from .._tensor import Tensor
from .._typeinfo import finfo
from ._groupwise import GroupwiseOptimizer
from .optimizer import scalar_dtype


class Adafactor(GroupwiseOptimizer):
    """Implements the Adafactor algorithm.

    Parameters with two or more dimensions keep the row and column means of the squared
    gradient over their last two dimensions (``row_var``, ``col_var``); vectors keep an
    elementwise ``variance``. ``lr`` bounds the relative step size and scales the decoupled
    weight decay; ``eps = (eps1, eps2)``, where ``eps1=None`` means the machine epsilon of the
    parameters' dtype.
    """

    _algorithm = "Adafactor"

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                if p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = tensor(float(p_state["step"]), dtype=scalar_dtype())

    def _init_state(self, p, state, group):
        state["step"] = self._new_step(p, group)
        grad = p.grad
        if grad.dim() > 1:
            row_shape = list(grad.shape)
            row_shape[-1] = 1
            state["row_var"] = grad.new_zeros(row_shape)
            col_shape = list(grad.shape)
            col_shape[-2] = 1
            state["col_var"] = grad.new_zeros(col_shape)
        else:
            state["variance"] = grad.new_zeros(grad.shape)

    def _update_group(self, params, group):
        # as PyTorch does, eps1=None takes the epsilon of the first parameter's dtype for the
        # whole group
        eps1 = group["eps"][0]
        for p in params:
            if eps1 is None:
                eps1 = finfo(p.dtype).eps
            self._adafactor_update(p, self.state[p], group, eps1)

    @staticmethod
    def _adafactor_update(p, state, group, eps1):
        grad = -p.grad if group["maximize"] else p.grad
        lr = float(group["lr"])
        step = GroupwiseOptimizer._increment_step(state)
        one_minus_beta2 = step ** group["beta2_decay"]
        rho = min(lr, 1 / (step ** 0.5))
        alpha = max(group["eps"][1], p.norm(2).item() / (p.numel() ** 0.5)) * rho
        if group["weight_decay"] != 0:
            p.mul_(1 - lr * group["weight_decay"])
        if grad.dim() > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            row_var.lerp_(norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1)),
                          one_minus_beta2)
            col_var.lerp_(norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2)),
                          one_minus_beta2)
            var_estimate = row_var @ col_var
            var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        else:
            variance = state["variance"]
            variance.lerp_(grad * grad, one_minus_beta2)
            var_estimate = variance.clone()
        # eps1 squared: the square root below brings it back to eps1's magnitude
        update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_()
        update.mul_(grad)
        denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * group["d"]))
        p.add_(update, alpha=-alpha / denom)
