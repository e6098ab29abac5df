"""What runs inside DataLoader worker processes: the fetchers, the worker loop and
``get_worker_info``."""
import os
import queue
import random
import sys
import traceback

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

# how often (seconds) blocked waits wake up to check that the other side is still alive
_STATUS_INTERVAL = 1.0


class WorkerInfo:
    """Information about the current DataLoader worker: ``id``, ``num_workers``, ``seed`` and
    ``dataset`` (this worker's copy)."""

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, key, val):
        raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)}"
                           for k in ("id", "num_workers", "seed", "dataset"))
        return f"{self.__class__.__name__}({fields})"


_worker_info = None


def get_worker_info():
    """The current worker's ``WorkerInfo`` inside a DataLoader worker, ``None`` in the main
    process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            exception = RuntimeError(msg)
        try:
            raise exception
        finally:
            del exception  # no frame <-> traceback cycle keeping the DataLoader iterator alive


class _KeyErrorMessage(str):
    """KeyError quotes its message with repr(); this keeps the traceback's newlines."""

    def __repr__(self):
        return self


class _IterableStop:
    """Sent by a worker whose IterableDataset copy is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _Resume:
    """Start-of-epoch marker for persistent workers (and their acknowledgement)."""


def _map_fetch(dataset, index, auto_collation, collate_fn):
    if auto_collation:
        getitems = getattr(dataset, "__getitems__", None)
        data = getitems(index) if getitems else [dataset[i] for i in index]
    else:
        data = dataset[index]
    return collate_fn(data)


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def __call__(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = []
        for _ in index:
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    """A callable ``index -> batch`` for ``dataset`` (raises StopIteration when an
    IterableDataset is exhausted)."""
    if iterable:
        return _IterableFetcher(dataset, auto_collation, collate_fn, drop_last)
    return lambda index: _map_fetch(dataset, index, auto_collation, collate_fn)


def worker_loop(iterable, dataset, index_queue, data_queue, done_event, auto_collation,
                collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers):
    """Fetch the batches whose indices arrive on ``index_queue`` and put ``(idx, data)`` on
    ``data_queue`` until ``None`` arrives."""
    global _worker_info
    try:
        from ... import random as _random
        seed = base_seed + worker_id
        random.seed(seed)
        _random.manual_seed(seed)
        np.random.seed(seed % 2 ** 32)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(sys.exc_info(),
                                          f"in DataLoader worker process {worker_id}")
        parent = os.getppid()
        iteration_end = False
        # the main process may be gone, or may have set done_event without a None arriving
        # (its queue's feeder thread can already be finalized when the iterator is collected)
        while os.getppid() == parent and not done_event.is_set():
            try:
                r = index_queue.get(timeout=_STATUS_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, _Resume):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if iteration_end:
                continue
            idx, index = r
            if init_error is not None:
                data = init_error
            else:
                try:
                    data = fetcher(index)
                except StopIteration:
                    data, iteration_end = _IterableStop(worker_id), True
                except Exception:
                    data = ExceptionWrapper(sys.exc_info(),
                                            f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
