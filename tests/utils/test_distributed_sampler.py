"""DistributedSampler: shards, padding and drop_last as PyTorch's, explicit ranks (no MPI)."""
import pytest

import nptorch
from nptorch.utils.data import DistributedSampler


def _shards(cls, n, replicas, **kw):
    return [list(cls(range(n), num_replicas=replicas, rank=r, **kw)) for r in range(replicas)]


@pytest.mark.parametrize("n, replicas", [(10, 3), (12, 4), (2, 5), (7, 1), (9, 2)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_shards_equal_torch(torch, n, replicas, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    ours = _shards(DistributedSampler, n, replicas, shuffle=False, drop_last=drop_last)
    assert ours == _shards(TorchSampler, n, replicas, shuffle=False, drop_last=drop_last)
    assert [len(DistributedSampler(range(n), replicas, r, drop_last=drop_last))
            for r in range(replicas)] == [len(s) for s in ours]


@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffled_shards_are_disjoint_and_cover(drop_last):
    shards = _shards(DistributedSampler, 103, 4, seed=5, drop_last=drop_last)
    assert len({len(s) for s in shards}) == 1
    flat = sum(shards, [])
    if drop_last:  # 100 distinct indices, none repeated
        assert len(flat) == len(set(flat)) == 100
    else:  # all 103, plus one repeated index for each missing place (104 = 4 * 26)
        assert set(flat) == set(range(103)) and len(flat) == 104


def test_epochs_reorder_deterministically():
    a = DistributedSampler(range(50), num_replicas=2, rank=1, seed=3)
    b = DistributedSampler(range(50), num_replicas=2, rank=1, seed=3)
    first = list(a)
    assert first == list(b) and first != sorted(first)
    a.set_epoch(1)
    assert list(a) != first and len(list(a)) == 25
    b.set_epoch(1)
    assert list(a) == list(b)
    other = DistributedSampler(range(50), num_replicas=2, rank=0, seed=3)
    other.set_epoch(1)
    assert set(other).isdisjoint(a)


def test_with_a_data_loader():
    data = nptorch.utils.data.TensorDataset(nptorch.arange(10.0))
    sampler = DistributedSampler(data, num_replicas=2, rank=0, shuffle=False)
    loader = nptorch.utils.data.DataLoader(data, batch_size=2, sampler=sampler)
    assert [b[0].tolist() for b in loader] == [[0.0, 2.0], [4.0, 6.0], [8.0]]


@pytest.mark.parametrize("rank", [2, -1])
def test_invalid_rank(rank):
    with pytest.raises(ValueError, match=r"Invalid rank .*, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=rank)


def test_needs_a_process_group_without_explicit_ranks():
    with pytest.raises((ValueError, RuntimeError), match="process group|distributed package"):
        DistributedSampler(range(4))
