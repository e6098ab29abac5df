"""Samplers: order, randomness, reproducibility and error messages."""
import numpy as np
import pytest

import nptorch
from nptorch.utils import data as D


def test_sequential_and_batch_sampler():
    s = D.SequentialSampler(range(7))
    assert list(s) == list(range(7)) and len(s) == 7
    b = D.BatchSampler(s, 3, drop_last=False)
    assert list(b) == [[0, 1, 2], [3, 4, 5], [6]] and len(b) == 3
    b = D.BatchSampler(s, 3, drop_last=True)
    assert list(b) == [[0, 1, 2], [3, 4, 5]] and len(b) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        D.BatchSampler(s, 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        D.BatchSampler(s, 2, 1)


def test_random_sampler_permutation_per_epoch_and_seed():
    s = D.RandomSampler(range(20), generator=nptorch.Generator().manual_seed(0))
    e1, e2 = list(s), list(s)
    assert sorted(e1) == sorted(e2) == list(range(20))
    assert e1 != e2
    again = D.RandomSampler(range(20), generator=nptorch.Generator().manual_seed(0))
    assert list(again) == e1
    nptorch.manual_seed(7)
    a = list(D.RandomSampler(range(20)))
    nptorch.manual_seed(7)
    assert list(D.RandomSampler(range(20))) == a


def test_random_sampler_num_samples_and_replacement():
    s = D.RandomSampler(range(5), num_samples=12)
    out = list(s)
    assert len(s) == len(out) == 12
    assert sorted(out[:5]) == sorted(out[5:10]) == list(range(5)) and len(set(out[10:])) == 2
    r = list(D.RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(r) == 50 and set(r) == {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        D.RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        D.RandomSampler(range(3), replacement=1)


def test_subset_random_sampler():
    idx = [3, 9, 11, 20]
    s = D.SubsetRandomSampler(idx, generator=nptorch.Generator().manual_seed(2))
    epochs = [list(s) for _ in range(5)]
    assert all(sorted(e) == idx for e in epochs) and len(s) == 4
    assert len({tuple(e) for e in epochs}) > 1


def test_weighted_random_sampler_distribution():
    w = [0.1, 0.0, 0.6, 0.3]
    s = D.WeightedRandomSampler(w, 20000, generator=nptorch.Generator().manual_seed(0))
    counts = np.bincount(list(s), minlength=4) / 20000
    assert len(s) == 20000
    np.testing.assert_allclose(counts, w, atol=0.02)
    assert counts[1] == 0
    no_rep = list(D.WeightedRandomSampler(nptorch.tensor([1.0, 1.0, 5.0]), 3, replacement=False))
    assert sorted(no_rep) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        list(D.WeightedRandomSampler([1.0, 1.0], 3, replacement=False))
    with pytest.raises(ValueError, match="weights should be a 1d sequence but given weights have shape \\(1, 2\\)"):
        D.WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=-1"):
        D.WeightedRandomSampler(w, -1)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=0"):
        D.WeightedRandomSampler(w, 2, replacement=0)
