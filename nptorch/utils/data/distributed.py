"""``DistributedSampler``: each process of a data-parallel job reads its own shard of a dataset."""
import math

import numpy as np

from ... import distributed as dist
from ... import random as _random
from .sampler import Sampler, _rng


def _from_group(value, get):
    if value is not None:
        return value
    if not dist.is_available():
        raise RuntimeError("Requires distributed package to be available")
    return get()


class DistributedSampler(Sampler):
    """Samples the indices of rank ``rank`` of ``num_replicas`` (by default, of the default
    process group): every rank gets the same number of them, the dataset padded by repeating
    its first indices (or, with ``drop_last``, its tail dropped). With ``shuffle``, the order is
    a permutation seeded by ``seed + epoch``, the same on every rank; call ``set_epoch`` at each
    epoch for a new one."""

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        num_replicas = _from_group(num_replicas, dist.get_world_size)
        rank = _from_group(rank, dist.get_rank)
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:  # as torch: a generator seeded with seed + epoch
            generator = _random.Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = _rng(generator).permutation(n)
        else:
            indices = np.arange(n)
        if self.drop_last:
            indices = indices[:self.total_size]
        else:  # pad with the first indices, cycling through them when the dataset is small
            indices = np.resize(indices, self.total_size)
        return iter(indices[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch: with ``shuffle``, each epoch has its own order (the same on all ranks)."""
        self.epoch = epoch
