"""StackDataset compared with torch.utils.data.StackDataset, alone and under a DataLoader."""
import numpy as np
import pytest

import nptorch
from nptorch.utils import data as D


def _as_lists(value):
    """Tensors (of either library) as nested lists, containers kept as they are."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_as_lists(v) for v in value)
    return value


class _Squares:
    """A plain map-style dataset without ``__getitems__``."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


class _Batched:
    """A dataset that fetches batches through ``__getitems__`` (and records the calls)."""

    def __init__(self, n, short=False):
        self.n, self.short, self.calls = n, short, []

    def __getitem__(self, i):
        raise AssertionError("fetched one by one")

    def __getitems__(self, indices):
        self.calls.append(list(indices))
        items = [f"item{i}" for i in indices]
        return items[:-1] if self.short else items

    def __len__(self):
        return self.n


def _stacks(lib, named):
    x = lib.arange(12.0).reshape(6, 2)
    y = lib.tensor([0, 1, 1, 0, 1, 0])
    tensors = lib.utils.data.TensorDataset(x)
    if named:
        return lib.utils.data.StackDataset(x=x, y=y, sq=_Squares(6), t=tensors)
    return lib.utils.data.StackDataset(x, y, _Squares(6), tensors)


@pytest.mark.parametrize("named", [False, True])
def test_items_match_torch(torch, named):
    ours, theirs = _stacks(nptorch, named), _stacks(torch, named)
    assert isinstance(ours, D.Dataset)
    assert len(ours) == len(theirs) == 6
    assert type(ours.datasets) is type(theirs.datasets)
    for i in (0, 3, 5, -1):
        got, expected = ours[i], theirs[i]
        assert type(got) is type(expected)
        assert _as_lists(got) == _as_lists(expected)
    if named:
        assert list(ours[2]) == ["x", "y", "sq", "t"]
        assert ours[2]["sq"] == 4
    else:
        assert ours[2][2] == 4 and ours[4][1].item() == 1


@pytest.mark.parametrize("named", [False, True])
def test_getitems_matches_torch(torch, named):
    ours, theirs = _stacks(nptorch, named), _stacks(torch, named)
    indices = [4, 0, 2]
    got, expected = ours.__getitems__(indices), theirs.__getitems__(indices)
    assert type(got) is type(expected) is list
    assert [type(s) for s in got] == [type(s) for s in expected]
    assert _as_lists(got) == _as_lists(expected)


@pytest.mark.parametrize("named", [False, True])
def test_getitems_uses_the_datasets_batched_fetch(torch, named):
    results = []
    for lib in (torch, nptorch):
        batched = _Batched(4)
        stack = (lib.utils.data.StackDataset(a=_Squares(4), b=batched) if named
                 else lib.utils.data.StackDataset(_Squares(4), batched))
        results.append((stack.__getitems__([3, 1]), batched.calls))
    assert results[0] == results[1]
    assert results[1][1] == [[3, 1]]
    if named:
        assert results[1][0] == [{"a": 9, "b": "item3"}, {"a": 1, "b": "item1"}]
    else:
        assert results[1][0] == [(9, "item3"), (1, "item1")]


@pytest.mark.parametrize("named", [False, True])
def test_nested_output_size_mismatch(torch, named):
    messages = []
    for lib in (torch, nptorch):
        stack = (lib.utils.data.StackDataset(a=_Squares(4), b=_Batched(4, short=True)) if named
                 else lib.utils.data.StackDataset(_Squares(4), _Batched(4, short=True)))
        with pytest.raises(ValueError) as error:
            stack.__getitems__([0, 1, 2])
        messages.append(str(error.value))
    assert messages[0] == messages[1] == "Nested dataset's output size mismatch. Expected 3, got 2"


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.StackDataset(lib.zeros(3), lib.zeros(4)),
    lambda lib: lib.utils.data.StackDataset(a=lib.zeros(3), b=lib.zeros(3), c=lib.zeros(2)),
    lambda lib: lib.utils.data.StackDataset(lib.zeros(3), b=lib.zeros(3)),
    lambda lib: lib.utils.data.StackDataset(),
], ids=["tuple-lengths", "dict-lengths", "both", "none"])
def test_errors_match_torch(torch, make):
    with pytest.raises(ValueError) as theirs:
        make(torch)
    with pytest.raises(ValueError) as ours:
        make(nptorch)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("named", [False, True])
@pytest.mark.parametrize("num_workers", [0, 2])
def test_dataloader_batches_match_torch(torch, named, num_workers):
    ours, theirs = _stacks(nptorch, named), _stacks(torch, named)
    got = list(nptorch.utils.data.DataLoader(ours, batch_size=4, num_workers=num_workers))
    expected = list(torch.utils.data.DataLoader(theirs, batch_size=4))
    assert len(got) == len(expected) == 2
    for g, e in zip(got, expected):
        assert type(g) is type(e)
        assert _as_lists(g) == _as_lists(e)
    first = got[0]
    x = first["x"] if named else first[0]
    assert isinstance(x, nptorch.Tensor) and x.dtype == nptorch.float32
    np.testing.assert_array_equal(x.numpy(), np.arange(8.0).reshape(4, 2))
