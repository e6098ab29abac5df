"""Datasets and random_split, compared with torch.utils.data."""
import warnings

import pytest
import torch

import nptorch
from nptorch.utils import data as D


def test_tensor_dataset():
    x, y = nptorch.arange(12).reshape(4, 3), nptorch.tensor([0, 1, 0, 1])
    ds = D.TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 0
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        D.TensorDataset(x, nptorch.zeros(3))


def test_concat_and_add():
    a, b = D.TensorDataset(nptorch.arange(3)), D.TensorDataset(nptorch.arange(10, 14))
    cat = a + b
    assert isinstance(cat, D.ConcatDataset)
    assert len(cat) == 7 and cat.cumulative_sizes == [3, 7]
    assert [cat[i][0].item() for i in range(7)] == [0, 1, 2, 10, 11, 12, 13]
    assert cat[-1][0].item() == 13 and cat[-5][0].item() == 2
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        cat[-8]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        D.ConcatDataset([])

    class It(D.IterableDataset):
        def __iter__(self):
            return iter(range(2))

    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        D.ConcatDataset([a, It()])
    assert list(It() + It()) == [0, 1, 0, 1]


def test_base_classes_raise():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__"):
        D.Dataset()[0]


def test_subset():
    ds = D.TensorDataset(nptorch.arange(10) * 2)
    sub = D.Subset(ds, [4, 1, 7])
    assert len(sub) == 3
    assert [sub[i][0].item() for i in range(3)] == [8, 2, 14]


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (10, [0.3, 0.7]), (11, [0.5, 0.25, 0.25]),
                                        (3, [0.1, 0.1, 0.8]), (30, [0.3, 0.3, 0.4])])
def test_random_split_lengths_match_torch(n, lengths):
    def run(lib, generator):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            splits = lib.utils.data.random_split(range(n), lengths, generator=generator)
        return splits, [str(w.message) for w in caught]

    ours, our_warnings = run(nptorch, nptorch.Generator().manual_seed(1))
    theirs, their_warnings = run(torch, torch.Generator().manual_seed(1))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert our_warnings == their_warnings
    assert sorted(i for s in ours for i in s) == list(range(n))


def test_random_split_generator_and_errors():
    split = lambda seed: [list(s) for s in D.random_split(  # noqa: E731
        range(20), [5, 15], generator=nptorch.Generator().manual_seed(seed))]
    assert split(3) == split(3)
    assert split(3) != split(4)
    nptorch.manual_seed(5)
    first = [list(s) for s in D.random_split(range(20), [10, 10])]
    nptorch.manual_seed(5)
    assert [list(s) for s in D.random_split(range(20), [10, 10])] == first
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        D.random_split(range(10), [3, 8])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        D.random_split(range(10), [1.5, -0.5])
