"""DataLoader, default_collate and worker processes, compared with torch.utils.data."""
import collections
import gc

import numpy as np
import pytest
import torch

import nptorch
from nptorch.utils import data as D

Point = collections.namedtuple("Point", ["x", "y"])


class Squares(D.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return nptorch.tensor([i, i * i]), i


class Failing(Squares):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return i


class Sharded(D.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = D.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def _labels(loader):
    return [b[1].tolist() for b in loader]


# ---------------------------------------------------------------- collate


def _same(ours, theirs):
    """Same structure, container types, values and dtypes."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, nptorch.Tensor)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            _same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    else:
        assert ours == theirs


def _batches(lib):
    t = lambda *v: lib.tensor(list(v))  # noqa: E731
    return [
        [t(1.0, 2.0), t(3.0, 4.0)],
        [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
        [np.float32(1.5), np.float32(2.5)],
        [1, 2, 3],
        [0.5, 1.5],
        [True, False],
        ["a", "bc"],
        [{"x": 1, "y": t(1)}, {"x": 2, "y": t(2)}],
        [(1, "a", 0.5), (2, "b", 1.5)],
        [[1, 2], [3, 4]],
        [Point(t(1), 1.0), Point(t(2), 2.0)],
        [{"nested": (np.zeros(2), [1, 2])}, {"nested": (np.ones(2), [3, 4])}],
    ]


@pytest.mark.parametrize("i", range(12))
def test_default_collate_matches_torch(i):
    ours = D.default_collate(_batches(nptorch)[i])
    theirs = torch.utils.data.default_collate(_batches(torch)[i])
    _same(ours, theirs)
    if isinstance(theirs, Point):
        assert isinstance(ours, Point)


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        D.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        D.default_collate([nptorch.zeros(2), nptorch.zeros(3)])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, "
                                        "numbers, dicts or lists; found <class 'object'>"):
        D.default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <U1"):
        D.default_collate([np.array(["a"]), np.array(["b"])])


def test_default_convert_matches_torch():
    sample = {"a": np.array([1, 2]), "b": (np.float64(1.0), "s"), "c": Point(np.array(0), 3)}
    ours, theirs = D.default_convert(sample), torch.utils.data.default_convert(sample)
    _same(ours, theirs)
    assert isinstance(ours["c"], Point)
    strings = np.array(["x"])
    assert D.default_convert(strings) is strings


# ---------------------------------------------------------------- single process


def test_order_len_and_drop_last():
    loader = D.DataLoader(Squares(), batch_size=3)
    batches = list(loader)
    assert len(loader) == 4 and _labels(loader) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert batches[1][0].tolist() == [[3, 9], [4, 16], [5, 25]]
    assert batches[0][1].dtype == nptorch.int64
    dropped = D.DataLoader(Squares(), batch_size=3, drop_last=True)
    assert len(dropped) == 3 and _labels(dropped) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    unbatched = D.DataLoader(list(range(4)), batch_size=None)
    assert list(unbatched) == [0, 1, 2, 3] and len(unbatched) == 4
    assert [b.tolist() for b in D.DataLoader(list(range(4)))] == [[0], [1], [2], [3]]


def test_shuffle_new_order_each_epoch_and_seeded():
    def epochs(gen):
        loader = D.DataLoader(list(range(16)), batch_size=4, shuffle=True, generator=gen)
        return [[x for b in loader for x in b.tolist()] for _ in range(2)]

    e1, e2 = epochs(nptorch.Generator().manual_seed(3))
    assert sorted(e1) == sorted(e2) == list(range(16)) and e1 != e2
    assert epochs(nptorch.Generator().manual_seed(3)) == [e1, e2]
    nptorch.manual_seed(11)
    a = epochs(None)
    nptorch.manual_seed(11)
    assert epochs(None) == a


def test_custom_sampler_batch_sampler_and_collate_fn():
    loader = D.DataLoader(Squares(), sampler=[9, 0, 4], batch_size=2)
    assert _labels(loader) == [[9, 0], [4]]
    loader = D.DataLoader(Squares(), batch_sampler=[[1, 2], [7]], collate_fn=lambda b: [s[1] for s in b])
    assert list(loader) == [[1, 2], [7]] and len(loader) == 2


@pytest.mark.parametrize("kwargs, msg", [
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with "
                                              "batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching and is "
                                            "mutually exclusive with drop_last"),
    (dict(num_workers=-1), "num_workers option should be non-negative; use num_workers=0"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
])
def test_argument_errors_match_torch(kwargs, msg):
    with pytest.raises(ValueError, match=msg) as ours:
        D.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_iterable_dataset_errors_and_frozen_attributes():
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        D.DataLoader(Sharded(4), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        D.DataLoader(Sharded(4), sampler=[0])
    with pytest.raises(ValueError, match="expected unspecified batch_sampler option"):
        D.DataLoader(Sharded(4), batch_sampler=[[0]])
    loader = D.DataLoader(Squares())
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        loader.batch_size = 4


def test_iterable_dataset_single_process():
    loader = D.DataLoader(Sharded(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    loader = D.DataLoader(Sharded(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2
    assert list(D.DataLoader(Sharded(3), batch_size=None)) == [0, 1, 2]


def test_get_worker_info_in_main_process():
    assert D.get_worker_info() is None


# ---------------------------------------------------------------- worker processes


class WorkerInfoDataset(Squares):
    def __getitem__(self, i):
        info = D.get_worker_info()
        return nptorch.tensor([info.id, info.num_workers, np.random.randint(1 << 30)]), WORKER_INIT[0]


WORKER_INIT = [None]


def _init(worker_id):
    WORKER_INIT[0] = 100 + worker_id


def test_workers_same_batches_as_single_process():
    gen = lambda: nptorch.Generator().manual_seed(5)  # noqa: E731
    single = list(D.DataLoader(Squares(), batch_size=3, shuffle=True, generator=gen()))
    multi = list(D.DataLoader(Squares(), batch_size=3, shuffle=True, generator=gen(), num_workers=2))
    assert len(single) == len(multi) == 4
    for (a0, a1), (b0, b1) in zip(single, multi):
        assert a0.tolist() == b0.tolist() and a1.tolist() == b1.tolist()


def test_worker_info_and_init_fn():
    loader = D.DataLoader(WorkerInfoDataset(), batch_size=2, num_workers=2, worker_init_fn=_init)
    batches = list(loader)
    info = [b[0].tolist() for b in batches]
    # batches go round-robin to workers; each worker ran worker_init_fn with its id
    assert [row[0][0] for row in info] == [0, 1, 0, 1, 0]
    assert all(row[0][1] == 2 for row in info)
    assert [b[1].tolist() for b in batches] == [[100, 100], [101, 101]] * 2 + [[100, 100]]
    # each worker's NumPy RNG is seeded differently
    assert info[0][0][2] != info[1][0][2]
    assert D.get_worker_info() is None


def test_worker_exception_reraised_and_workers_stop():
    it = iter(D.DataLoader(Failing(), batch_size=2, num_workers=2))
    assert next(it).tolist() == [0, 1]
    assert next(it).tolist() == [2, 3]
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0") as err:
        next(it)
    assert "bad sample 5" in str(err.value) and "Traceback" in str(err.value)
    del err
    workers = it._workers
    del it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_two_epochs():
    loader = D.DataLoader(Squares(), batch_size=4, num_workers=2, persistent_workers=True,
                          shuffle=True, generator=nptorch.Generator().manual_seed(0))
    first = _labels(loader)
    workers = list(loader._iterator._workers)
    next(iter(loader))  # an epoch stopped early must not leak into the next one
    second = _labels(loader)
    assert loader._iterator._workers == workers and all(w.is_alive() for w in workers)
    for epoch in (first, second):
        assert sorted(x for b in epoch for x in b) == list(range(10))
        assert [len(b) for b in epoch] == [4, 4, 2]
    assert first != second
    del loader
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_iterable_dataset_sharded_by_worker():
    loader = D.DataLoader(Sharded(10), batch_size=3, num_workers=2)
    # worker 0 has 0,2,4,6,8 and worker 1 has 1,3,5,7,9; their batches interleave
    assert [b.tolist() for b in loader] == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]
    unsharded = D.DataLoader(list(range(4)), batch_size=None, num_workers=2, timeout=5,
                             prefetch_factor=1, pin_memory=True)
    assert list(unsharded) == [0, 1, 2, 3]


class Slow(Squares):
    def __getitem__(self, i):
        import time
        time.sleep(1.0)
        return i


def test_timeout_and_persistent_iterable_dataset():
    it = iter(D.DataLoader(Slow(), num_workers=1, timeout=0.2))
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        next(it)
    del it
    loader = D.DataLoader(Sharded(5), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert [b.tolist() for b in loader] == [[0, 2], [1, 3], [4]]
