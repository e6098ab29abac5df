"""``nptorch.multiprocessing``: the standard module's names, sharing strategies, and
``spawn`` / ``start_processes`` with succeeding, raising and crashing children, compared with
``torch.multiprocessing``."""
import glob
import os
import pickle
import re
import signal
import sys
import tempfile
import time

import pytest

import nptorch
import nptorch.multiprocessing as mp

# Children import this module to find their functions, which must be defined at top level.


def _put_square(i, queue, offset):
    queue.put((i, (i + offset) ** 2))


def _put_scaled_tensor(i, queue, tensor):
    tensor.mul_(10)  # the child's own copy
    queue.put(tensor * (i + 1))


def _raise_in(i, bad_index, queue=None):
    if i == bad_index:
        raise ValueError(f"process {i} failed on purpose")
    time.sleep(60)  # the parent stops the others


def _exit_with(i, code):
    sys.exit(code)


def _kill_self(i):
    os.kill(os.getpid(), signal.SIGKILL)


def _wait_for_go(i, queue):
    queue.get()


def _spawn_queue():
    return mp.get_context("spawn").SimpleQueue()


def _drain(queue, n):
    return sorted(queue.get() for _ in range(n))


def test_module_is_python_multiprocessing_plus_torch_names():
    import multiprocessing
    torch = pytest.importorskip("torch")
    for name in multiprocessing.__all__:
        assert hasattr(mp, name), name
    assert mp.Process is multiprocessing.Process and mp.Queue is not None
    for name in ("spawn", "start_processes", "ProcessContext", "ProcessRaisedException",
                 "ProcessExitedException", "SpawnContext",
                 "get_sharing_strategy", "set_sharing_strategy", "get_all_sharing_strategies"):
        assert hasattr(mp, name) and hasattr(torch.multiprocessing, name), name
    assert nptorch.multiprocessing is mp


def test_sharing_strategies_match_torch():
    torch = pytest.importorskip("torch")
    assert mp.get_all_sharing_strategies() == torch.multiprocessing.get_all_sharing_strategies()
    assert mp.get_sharing_strategy() == torch.multiprocessing.get_sharing_strategy()
    before = mp.get_sharing_strategy()
    try:
        mp.set_sharing_strategy("file_system")
        assert mp.get_sharing_strategy() == "file_system"
    finally:
        mp.set_sharing_strategy(before)
    assert mp.get_sharing_strategy() == before
    with pytest.raises(AssertionError, match="invalid sharing strategy 'shm', expected one of"):
        mp.set_sharing_strategy("shm")
    with pytest.raises(AssertionError, match="invalid sharing strategy 'shm', expected one of"):
        torch.multiprocessing.set_sharing_strategy("shm")


def test_spawn_runs_fn_with_its_index_and_args():
    queue = _spawn_queue()
    assert mp.spawn(_put_square, args=(queue, 3), nprocs=3) is None
    assert _drain(queue, 3) == [(0, 9), (1, 16), (2, 25)]


def test_tensors_reach_children_by_value():
    queue = _spawn_queue()
    x = nptorch.arange(3.0)
    mp.spawn(_put_scaled_tensor, args=(queue, x), nprocs=2)
    results = sorted((t.tolist() for t in (queue.get(), queue.get())), key=lambda v: v[1])
    assert results == [[0.0, 10.0, 20.0], [0.0, 20.0, 40.0]]
    assert x.tolist() == [0.0, 1.0, 2.0]  # the children changed copies


def test_join_false_returns_a_context_to_join():
    queue = _spawn_queue()
    context = mp.spawn(_wait_for_go, args=(queue,), nprocs=2, join=False)
    assert isinstance(context, mp.ProcessContext)
    assert len(context.pids()) == 2 and all(isinstance(p, int) for p in context.pids())
    assert context.join(timeout=0.2) is False  # both are waiting
    queue.put("go")
    queue.put("go")
    while not context.join():
        pass
    assert context.join() is True
    assert all(p.exitcode == 0 for p in context.processes)


def test_a_raising_child_stops_the_others_and_reports_its_traceback():
    started = time.monotonic()
    with pytest.raises(mp.ProcessRaisedException) as info:
        mp.spawn(_raise_in, args=(1,), nprocs=3)
    assert time.monotonic() - started < 50  # the sleeping ones were terminated
    error = info.value
    assert error.error_index == 1 and isinstance(error.error_pid, int)
    message = str(error)
    assert message.startswith("\n\n-- Process 1 terminated with the following error:\n"
                              "Traceback (most recent call last):\n")
    assert message.rstrip().endswith("ValueError: process 1 failed on purpose")
    assert "in _raise_in" in message


def test_raised_exception_message_matches_torch():
    torch = pytest.importorskip("torch")
    pattern = os.path.join(tempfile.gettempdir(), "pytorch-errorfile-*.pickle")
    left_before = set(glob.glob(pattern))
    messages = []
    for lib in (mp, torch.multiprocessing):
        with pytest.raises(lib.ProcessRaisedException) as info:
            lib.spawn(_raise_in, args=(0,), nprocs=1)
        # The same report, entry point included, but for the files and lines it names.
        messages.append([re.sub(r'File ".*", line \d+, ', "", line)
                         for line in str(info.value).splitlines()])
    for path in set(glob.glob(pattern)) - left_before:
        os.unlink(path)  # PyTorch leaves its children's reports behind
    assert messages[0] == messages[1]


def test_exit_codes_and_signals_match_torch():
    torch = pytest.importorskip("torch")
    for fn, args in ((_exit_with, (3,)), (_kill_self, ())):
        reports = []
        for lib in (mp, torch.multiprocessing):
            with pytest.raises(lib.ProcessExitedException) as info:
                lib.start_processes(fn, args=args, nprocs=1, start_method="fork")
            e = info.value
            reports.append((str(e), e.error_index, e.exit_code, e.signal_name))
        assert reports[0] == reports[1]
    assert reports[0] == ("process 0 terminated with signal SIGKILL", 0, -signal.SIGKILL,
                          "SIGKILL")


def test_exit_code_report():
    with pytest.raises(mp.ProcessExitedException,
                       match="^process 0 terminated with exit code 3$") as info:
        mp.spawn(_exit_with, args=(3,))
    assert info.value.exit_code == 3 and info.value.signal_name is None


def test_start_processes_with_fork():
    queue = mp.get_context("fork").SimpleQueue()
    assert mp.start_processes(_put_square, args=(queue, 1), nprocs=2,
                              start_method="fork") is None
    assert _drain(queue, 2) == [(0, 1), (1, 4)]


def test_spawn_warns_about_other_start_methods():
    queue = _spawn_queue()
    with pytest.warns(FutureWarning, match="This method only supports start_method=spawn"):
        mp.spawn(_put_square, args=(queue, 0), start_method="fork")
    assert queue.get() == (0, 0)


def test_exceptions_pickle_with_their_fields():
    raised = pickle.loads(pickle.dumps(mp.ProcessRaisedException("boom", 2, 123)))
    assert (str(raised), raised.error_index, raised.error_pid) == ("boom", 2, 123)
    exited = pickle.loads(pickle.dumps(mp.ProcessExitedException("gone", 1, 7, -9, "SIGKILL")))
    assert (exited.msg, exited.error_index, exited.error_pid, exited.exit_code,
            exited.signal_name) == ("gone", 1, 7, -9, "SIGKILL")
    base = sys.modules["nptorch.multiprocessing.spawn"].ProcessException
    assert issubclass(mp.ProcessRaisedException, base)
    assert issubclass(mp.ProcessExitedException, base)
    with pytest.warns(UserWarning, match="SpawnContext is renamed to ProcessContext"):
        assert isinstance(mp.SpawnContext([], []), mp.ProcessContext)
