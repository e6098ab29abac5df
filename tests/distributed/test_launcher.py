"""``python -m nptorch.distributed.run``: environment of the ranks, failing ranks, arguments."""
import re
import sys
import time

import pytest

pytest.importorskip("mpi4py")
from mpi_launch import WORKERS, mpiexec_path, run_command  # noqa: E402

from nptorch.distributed import run  # noqa: E402

pytestmark = pytest.mark.skipif(mpiexec_path() is None, reason="mpiexec is not installed")
LAUNCH = [sys.executable, "-m", "nptorch.distributed.run"]


def launch(*args, timeout=60, pythonpath=()):
    return run_command([*LAUNCH, *map(str, args)], timeout, pythonpath)


def test_ranks_get_torchrun_environment_and_arguments():
    result = launch("--nproc-per-node", 3, WORKERS / "launch_worker.py", "env", "a", "--b")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = sorted(re.findall(r"rank \d+: env [^;]*;", result.stdout))
    assert lines == [f"rank {r}: env {r} 3 {r} 3 args a --b main __main__;" for r in range(3)]
    assert sorted(re.findall(r"rank (\d+): all_reduce 3;", result.stdout)) == ["0", "1", "2"]


def test_module_target():
    result = launch("--nproc_per_node", 2, "-m", "launch_worker", "env", pythonpath=[WORKERS])
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(re.findall(r"rank \d+: env [^;]*;", result.stdout)) == [
        f"rank {r}: env {r} 2 {r} 2 args  main __main__;" for r in range(2)]


@pytest.mark.parametrize("mode, status, text", [
    ("raise", 1, "ValueError: rank 1 failed on purpose"),
    ("exit", 3, "MPI_Abort(MPI_COMM_WORLD, 3)"),
])
def test_failing_rank_ends_the_whole_job(mode, status, text):
    # ranks 0 and 2 wait in a barrier that rank 1 never reaches; the 60 s timeout is the limit
    start = time.monotonic()
    result = launch("--nproc-per-node", 3, WORKERS / "launch_worker.py", mode)
    assert time.monotonic() - start < 60
    assert result.returncode == status
    assert text in result.stderr
    if mode == "raise":
        assert "Traceback" in result.stderr and "launch_worker.py" in result.stderr


def parse(argv):
    args = run._parser().parse_args(argv)
    run._check(run._parser(), args)
    return args


def test_build_command_single_node():
    args = parse(["--standalone", "--nproc-per-node=4", "train.py", "--lr", "0.1"])
    assert run.build_command(args, "/bin/mpiexec") == [
        "/bin/mpiexec", "-n", "4", sys.executable, "-m", "nptorch.distributed._worker",
        "train.py", "--lr", "0.1"]


def test_build_command_several_nodes():
    args = parse(["--nnodes", "2", "--nproc-per-node", "3", "--hosts", "a,b", "-m", "pkg.train",
                  "x"])
    assert run.build_command(args, "mpiexec") == [
        "mpiexec", "-n", "6", "-hosts", "a,b", "-ppn", "3", sys.executable, "-m",
        "nptorch.distributed._worker", "-m", "pkg.train", "x"]
    args = parse(["--nnodes", "2", "--hostfile", "nodes.txt", "t.py"])
    assert run.build_command(args, "mpiexec")[:7] == [
        "mpiexec", "-n", "2", "-hostfile", "nodes.txt", "-ppn", "1"]


@pytest.mark.parametrize("argv, message", [
    (["--nnodes", "2", "t.py"], "--nnodes > 1 needs --hosts or --hostfile"),
    (["--nnodes", "2", "--hosts", "a,b,c", "t.py"], "--hosts names 3 hosts for --nnodes 2"),
    (["--nnodes", "2", "--node-rank", "2", "--hosts", "a,b", "t.py"],
     r"--node-rank must be in \[0, 2\), got 2"),
    (["--nproc-per-node", "0", "t.py"], "must be a positive integer, got 0"),
    (["--hosts", "a", "--hostfile", "f", "t.py"], "not allowed with argument"),
    ([], "the following arguments are required: target"),
])
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        run.main(argv)
    assert info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_other_nodes_start_nothing(capsys):
    assert run.main(["--nnodes", "2", "--node-rank", "1", "--hosts", "a,b", "t.py"]) is None
    err = capsys.readouterr().err
    assert "node 0 starts the ranks of all 2 nodes; nothing to do on node 1" in err


def test_missing_mpiexec(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="mpiexec not found next to the Python executable"):
        run.find_mpiexec()
    with pytest.raises(SystemExit):
        run.main(["t.py"])
    assert 'pip install "nptorch[distributed]"' in capsys.readouterr().err


def test_find_mpiexec_prefers_the_one_next_to_python(tmp_path, monkeypatch):
    mpiexec = tmp_path / "mpiexec"
    mpiexec.write_text("#!/bin/sh\n")
    mpiexec.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert run.find_mpiexec() == str(mpiexec)
