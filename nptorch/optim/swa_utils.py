"""Stochastic Weight Averaging and exponential moving averages of models
(``torch.optim.swa_utils``): ``AveragedModel``, ``SWALR`` and ``update_bn``."""
import itertools
import math
from copy import deepcopy

from .._api.creation import tensor
from .._dtype import int64
from ..autograd import no_grad
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from .lr_scheduler import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                         "range.")


def get_ema_avg_fn(decay=0.999):
    """``avg_fn`` of an exponential moving average: ``decay * average + (1 - decay) * current``."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """``avg_fn`` of the running mean: ``averaged + (current - averaged) / (n + 1)``."""
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def get_ema_multi_avg_fn(decay=0.999):
    """``multi_avg_fn`` of an exponential moving average, updating lists of tensors in place."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if ema_param_list[0].is_floating_point():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.lerp_(p_model, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """``multi_avg_fn`` of the running mean, updating lists of tensors in place."""
    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        floating = averaged_param_list[0].is_floating_point()
        for p_avg, p_model in zip(averaged_param_list, current_param_list):
            if floating:
                p_avg.lerp_(p_model, 1 / (num_averaged + 1))
            else:  # PyTorch raises for integer tensors here; this truncates like avg_fn does
                p_avg.copy_(p_avg + (p_model - p_avg) / (num_averaged + 1))
    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are an average of the ``model``'s over the calls to
    ``update_parameters``: the running mean (SWA) by default, or what ``avg_fn(averaged,
    current, n_averaged)`` returns, or what ``multi_avg_fn(averaged_list, current_list,
    n_averaged)`` does in place. With ``use_buffers`` the buffers are averaged too; otherwise
    they are copied from ``model``.

    Example::

        >>> swa_model = AveragedModel(model)
        >>> for epoch in range(5):
        ...     train(model)
        ...     swa_model.update_parameters(model)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model):
        if self.use_buffers:
            return (itertools.chain(self.module.parameters(), self.module.buffers()),
                    itertools.chain(model.parameters(), model.buffers()))
        return self.parameters(), model.parameters()

    def update_parameters(self, model):
        """Fold ``model``'s current parameters into the average."""
        averaged, current = [], []
        first = bool(self.n_averaged == 0)
        for p_avg, p_model in zip(*self._averaged_tensors(model)):
            p_model = p_model.detach().to(p_avg.device)
            averaged.append(p_avg.detach())
            current.append(p_model)
            if first:
                p_avg.detach().copy_(p_model)
        if not first:
            self._average(averaged, current)
        if not self.use_buffers:
            for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                b_avg.detach().copy_(b_model.detach().to(b_avg.device))
        self.n_averaged += 1

    def _average(self, averaged, current):
        if self.multi_avg_fn is not None:
            for group in _by_device_and_dtype(averaged, current):
                self.multi_avg_fn(*group, self.n_averaged.to(group[0][0].device))
            return
        avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
        with no_grad():
            for p_avg, p_model in zip(averaged, current):
                p_avg.copy_(avg_fn(p_avg, p_model, self.n_averaged.to(p_avg.device)))


def _by_device_and_dtype(averaged, current):
    """``(averaged_list, current_list)`` pairs, one per (device, dtype) of the averaged tensors."""
    groups = {}
    for p_avg, p_model in zip(averaged, current):
        avg_list, cur_list = groups.setdefault((str(p_avg.device), p_avg.dtype), ([], []))
        avg_list.append(p_avg)
        cur_list.append(p_model)
    return groups.values()


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the running statistics of ``model``'s BatchNorm layers with one pass over
    ``loader`` (an equal-weight average over its batches); the first element is used of
    batches that are lists or tuples."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's LR from its current value to ``swa_lr`` over ``anneal_epochs``
    epochs (``anneal_strategy`` ``'cos'`` or ``'linear'``), then holds it there."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for lr, group in zip(_format_param("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def _alpha(self, step):
        return self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))

    def get_lr(self):
        self._warn_get_lr()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # recover the LR annealing started from, then move it to this step's point
        prev_alpha, alpha = self._alpha(step - 1), self._alpha(step)
        return [group["swa_lr"] * alpha
                + self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) * (1 - alpha)
                for group in self.optimizer.param_groups]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
