"""``AdaptiveLogSoftmaxWithLoss``: the softmax over many classes split into a frequent
shortlist, scored by a head layer, and rarer clusters scored by smaller tail layers."""
from collections import namedtuple

from ..._api import creation
from ..._api.shape import cat
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """The adaptive softmax: classes below ``cutoffs[0]`` are scored by ``head`` with one extra
    logit per cluster; the classes of cluster ``i`` by ``tail[i]``, whose hidden size shrinks by
    ``div_value`` per cluster. ``forward(input, target)`` gives each target's log probability
    and their mean negative as the loss."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if (len(cutoffs) == 0 or cutoffs != sorted(cutoffs) or min(cutoffs) <= 0
                or max(cutoffs) > n_classes - 1 or len(set(cutoffs)) != len(cutoffs)
                or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **kw),
                                        Linear(hidden, size, bias=False, **kw)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for cluster in self.tail:
            for layer in cluster:
                layer.reset_parameters()

    def forward(self, input, target):
        batched = self._check_batch(input, target)
        if not batched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        t = target._data
        output = creation.zeros(len(t), dtype=input.dtype, device=input.device)
        head_columns = t.copy()  # the head's column each row reads: its class or its cluster
        used = 0
        bounds = [0] + self.cutoffs
        for i, (low, high) in enumerate(zip(bounds, bounds[1:])):
            rows = ((t >= low) & (t < high)).nonzero()[0]
            used += len(rows)
            if i == 0 or not len(rows):
                continue
            rows_t = creation.tensor(rows, device=input.device)
            head_columns[rows] = self.shortlist_size + i - 1
            cluster = F.log_softmax(self.tail[i - 1](input.index_select(0, rows_t)), dim=1)
            relative = creation.tensor(t[rows] - low, device=input.device)
            output = output.index_copy(0, rows_t, cluster.gather(1, relative.unsqueeze(1))[:, 0])
        if used != len(t):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{int(t.min())}, {int(t.max())}] were found. ")
        head = F.log_softmax(self.head(input), dim=1)
        columns = creation.tensor(head_columns, device=input.device).unsqueeze(1)
        output = output + head.gather(1, columns)[:, 0]
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    @staticmethod
    def _check_batch(input, target):
        """Whether the call is batched; PyTorch's errors for mismatched ranks and sizes."""
        if target.dim() == 1:
            if input.dim() != 2:
                raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs "
                                   f"with size {input.size()}")
            if input.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            return True
        if target.dim() == 0:
            if input.dim() != 1:
                raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs "
                                   f"with size {input.size()}")
            return False
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")

    def log_prob(self, input):
        """The log probability of every class: ``(N, n_classes)`` (or ``(n_classes,)``)."""
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        head = F.log_softmax(self.head(x), dim=1)
        parts = [head[:, :self.shortlist_size]]
        for i, cluster in enumerate(self.tail):
            scores = F.log_softmax(cluster(x), dim=1)
            parts.append(scores + head[:, self.shortlist_size + i].unsqueeze(1))
        out = cat(parts, 1)
        return out if batched else out.squeeze(0)

    def predict(self, input):
        """The most likely class of each row."""
        return self.log_prob(input).argmax(dim=-1)
