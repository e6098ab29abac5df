"""``GroupwiseOptimizer``: the step of optimizers that, as PyTorch's Adafactor and Muon, first
gather a group's parameters with gradients (checking them and filling fresh state), then
update them together."""
from ..autograd import enable_grad, no_grad
from .optimizer import Optimizer


class GroupwiseOptimizer(Optimizer):
    """Subclasses implement ``_init_state(p, state, group)`` and ``_update_group(params,
    group)``, which updates ``params`` (those with a gradient) in place; ``_algorithm`` names
    the algorithm in the errors."""

    _algorithm = None

    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns
        the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                params = []
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.is_complex():
                        raise RuntimeError(f"{self._algorithm} does not support complex parameters")
                    if p.grad.is_sparse:
                        raise RuntimeError(f"{self._algorithm} does not support sparse gradients")
                    params.append(p)
                    if not self.state[p]:
                        self._init_state(p, self.state[p], group)
                self._update_group(params, group)
        return loss

    def _update_group(self, params, group):
        raise NotImplementedError
