"""``SyncBatchNorm``: batch normalization whose training statistics cover the global batch of a
data-parallel job, as torch's."""
from ... import distributed as dist
from ...autograd import Function, grad_mode
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


class _AllReduceSum(Function):
    """The sum over the ranks of ``group``; the gradient of each rank's term is the sum of the
    ranks' gradients of the result."""

    @staticmethod
    def forward(ctx, tensor, group):
        ctx.group = group
        total = tensor.clone()
        dist.all_reduce(total, group=group)
        return total

    @staticmethod
    def backward(ctx, grad):
        total = grad.clone()
        dist.all_reduce(total, group=ctx.group)
        return total, None


class SyncBatchNorm(_BatchNorm):
    """Batch normalization over ``(N, C, ...)`` inputs whose training-mode mean and variance are
    those of the batches of all ranks of ``process_group`` (the default group) together; backward
    sums the statistics' gradients over the ranks likewise. In eval mode, or without an
    initialized process group of more than one rank, it is ``BatchNorm``."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None, *,
                 bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def forward(self, input):
        self._check_input_dim(input)
        if not (self.training and dist.is_available() and dist.is_initialized()
                and dist.get_world_size(self.process_group) > 1):
            return super().forward(input)
        factor = self._count_batch()
        dims = [0] + list(range(2, input.dim()))
        shape = [1, -1] + [1] * (input.dim() - 2)
        count = _AllReduceSum.apply(input.new_tensor([input.numel() / input.shape[1]]),
                                    self.process_group)
        mean = _AllReduceSum.apply(input.sum(dims), self.process_group) / count
        centered = input - mean.reshape(shape)
        var = _AllReduceSum.apply((centered * centered).sum(dims), self.process_group) / count
        out = centered * (var + self.eps).rsqrt().reshape(shape)
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        if self.track_running_stats:
            with grad_mode.no_grad():
                n = float(count)
                self.running_mean.mul_(1 - factor).add_(mean * factor)
                self.running_var.mul_(1 - factor).add_(var * (factor * n / max(n - 1, 1)))
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every ``BatchNorm*d`` in it replaced by a ``SyncBatchNorm`` that keeps
        its parameters, buffers and mode (and so its state_dict keys)."""
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, cls):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group,
                            bias=module.bias is not None)
            converted.weight, converted.bias = module.weight, module.bias
            converted.running_mean = module.running_mean
            converted.running_var = module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
            converted.training = module.training
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted
