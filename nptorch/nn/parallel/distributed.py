"""``DistributedDataParallel``: data-parallel training over a process group, as torch's.

Every rank holds a replica of the module and feeds it its own part of the global batch. After
construction all replicas start from rank 0's parameters and buffers; during backward, gradients
are averaged across ranks by all-reduces over buckets of parameters (in reverse registration
order, about the order in which backward produces them). A bucket's all-reduce starts, without
waiting, as soon as every parameter in it has its gradient, so communication overlaps the rest
of backward; the last gradient waits for all of them and writes the averages back, so that
``backward()`` returns with the same ``.grad`` on every rank.
"""
import contextlib

from ... import distributed as dist
from ..._device import xp_of
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import leaves_reached
from ..modules.module import Module

_UNFINISHED_REDUCTION = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing loss. "
    "You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by making "
    "sure all `forward` function outputs participate in calculating loss.")
_DEFAULT_BUCKET_CAP_MB = 25


def _buckets(params, cap_bytes):
    """``params`` cut into consecutive runs of one dtype and device of at most ``cap_bytes``
    (a parameter larger than the cap makes a bucket of its own)."""
    buckets, size = [], 0
    for p in params:
        last = buckets[-1][-1] if buckets else None
        if (last is None or size + p._data.nbytes > cap_bytes or p.dtype != last.dtype
                or p.device != last.device):
            buckets.append([])
            size = 0
        buckets[-1].append(p)
        size += p._data.nbytes
    return buckets


def _tensors_in(value):
    """The tensors inside a (nested) output: tuples, lists and dict values."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _tensors_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors_in(v)


class DistributedDataParallel(Module):
    """Wraps ``module`` for data-parallel training: see the module docstring.

    ``device_ids`` / ``output_device`` name the single device of the replica (its parameters
    must already be there); ``dim`` is accepted for PyTorch's signature. ``bucket_cap_mb`` sets
    the bucket size (default 25 MiB). With ``find_unused_parameters`` the parameters that a
    forward's outputs do not depend on are found after forward and counted as ready; without
    it, such a parameter leaves the reduction unfinished, which the next forward reports.
    ``broadcast_buffers`` copies rank 0's buffers (e.g. BatchNorm statistics) to every rank
    at construction and before each forward; ``init_sync=False`` skips the construction-time
    copy of parameters and buffers. ``check_reduction``, ``gradient_as_bucket_view`` and
    ``static_graph`` are accepted; they change nothing here.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have "
                               "any parameter that requires a gradient.")
        self.module = module
        self.process_group = process_group
        self.world_size = dist.get_world_size(process_group)
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view, self.static_graph = gradient_as_bucket_view, static_graph
        self.require_backward_grad_sync = True
        if init_sync:
            self._broadcast_from_rank0(
                list(module.parameters()) + (list(module.buffers()) if broadcast_buffers else []))
        cap = (_DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb) * 2 ** 20
        self._buckets = _buckets(params[::-1], cap)
        self._bucket_of = {id(p): i for i, b in enumerate(self._buckets) for p in b}
        self._params = params
        self._pending = None  # per bucket, gradients still awaited in this backward; None: idle
        for p in params:
            p.register_post_accumulate_grad_hook(self._on_gradient_ready)

    # -- forward ------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if self._pending is not None and self._started:
            raise RuntimeError(_UNFINISHED_REDUCTION)
        self._pending = None
        if self.broadcast_buffers and self.world_size > 1:
            self._broadcast_from_rank0(list(self.module.buffers()))
        outputs = self.module(*inputs, **kwargs)
        if grad_mode.is_grad_enabled() and self.require_backward_grad_sync:
            self._prepare_for_backward(outputs)
        return outputs

    @contextlib.contextmanager
    def no_sync(self):
        """Within this context gradients accumulate locally; the first backward after it
        averages the accumulated gradients."""
        previous, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def _broadcast_from_rank0(self, tensors):
        with grad_mode.no_grad():
            for t in tensors:
                dist.broadcast(t.detach(), src=0, group=self.process_group)

    # -- backward -----------------------------------------------------------------------------
    def _prepare_for_backward(self, outputs):
        self._pending = [len(b) for b in self._buckets]
        self._next_bucket, self._reductions, self._started = 0, [], False
        self._unused = []
        if self.find_unused_parameters:
            reached = leaves_reached(_tensors_in(outputs))
            self._unused = [p for p in self._params if id(p) not in reached]

    def _on_gradient_ready(self, param):
        if self._pending is None:  # no_sync, or not a backward of this module's forward
            return
        if not self._started:
            self._started = True
            for p in self._unused:
                self._mark_ready(p)
        self._mark_ready(param)

    def _mark_ready(self, param):
        self._pending[self._bucket_of[id(param)]] -= 1
        # launched in bucket order, the same on every rank, as collectives must be
        while self._next_bucket < len(self._buckets) and not self._pending[self._next_bucket]:
            self._launch(self._buckets[self._next_bucket])
            self._next_bucket += 1
        if self._next_bucket == len(self._buckets):
            self._finish()

    def _launch(self, bucket):
        xp = xp_of(bucket[0]._data)
        flat = xp.concatenate([xp.zeros(p._data.size, p._data.dtype) if p.grad is None
                               else p.grad._data.ravel() for p in bucket])
        flat = Tensor._make(flat)
        work = dist.all_reduce(flat, group=self.process_group, async_op=True)
        self._reductions.append((bucket, flat, work))

    def _finish(self):
        """Wait for every bucket and write the averaged gradients back."""
        used = self._globally_used() if self.find_unused_parameters else None
        for bucket, flat, work in self._reductions:
            work.wait()
            flat = flat._data / self.world_size
            offset = 0
            for p in bucket:
                average = flat[offset:offset + p._data.size].reshape(p._data.shape)
                offset += p._data.size
                if p.grad is not None:
                    p.grad._data[...] = average
                elif used is None or used[id(p)]:
                    p.grad = Tensor._make(average.copy())
        self._pending = None

    def _globally_used(self):
        """Whether any rank used each parameter (an unused one keeps ``grad`` None)."""
        unused = {id(p) for p in self._unused}
        flags = Tensor._make(xp_of(self._params[0]._data).asarray(
            [0 if id(p) in unused else 1 for p in self._params], dtype="int32"))
        dist.all_reduce(flags, group=self.process_group)
        return {id(p): bool(f) for p, f in zip(self._params, flags.tolist())}
