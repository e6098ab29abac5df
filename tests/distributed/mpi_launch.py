"""Run a script on N MPI ranks for the distributed tests."""
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKERS = Path(__file__).resolve().parent / "workers"
DDP_WORKER = Path(__file__).resolve().parent / "ddp_workers" / "ddp_worker.py"


def mpiexec_path():
    """The ``mpiexec`` next to the running Python (the mpich wheel puts it there), else on PATH."""
    local = Path(sys.executable).parent / "mpiexec"
    return str(local) if local.exists() else shutil.which("mpiexec")


def run_env(pythonpath=()):
    """The environment for a job: the repository (and ``pythonpath``) on PYTHONPATH, no launcher
    variables inherited."""
    env = dict(os.environ)
    paths = [str(REPO), *map(str, pythonpath), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.setdefault("OMP_NUM_THREADS", "1")  # ranks share two cores
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        env.pop(name, None)
    return env


def run_command(cmd, timeout, pythonpath=()):
    """Run ``cmd`` in its own session; on timeout kill the whole session and re-raise."""
    with subprocess.Popen(cmd, env=run_env(pythonpath), cwd=str(REPO), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # mpiexec's rank processes share its session: end them all, not only mpiexec.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def run_mpi(script_path, nprocs, *args, timeout=120):
    """Run ``mpiexec -n nprocs python script_path *args`` with the repository on PYTHONPATH.

    The script runs through ``python -m mpi4py``, so an uncaught exception in one rank prints its
    traceback and aborts the whole job instead of leaving the other ranks waiting. Returns the
    ``subprocess.CompletedProcess`` (text stdout and stderr captured); raises
    ``subprocess.TimeoutExpired`` after killing the job when it runs longer than ``timeout``
    seconds.
    """
    mpiexec = mpiexec_path()
    if mpiexec is None:
        raise RuntimeError("mpiexec not found: pip install mpich")
    cmd = [mpiexec, "-n", str(nprocs), sys.executable, "-m", "mpi4py", str(script_path),
           *map(str, args)]
    return run_command(cmd, timeout)


def run_ddp_checks(nprocs, checks):
    """Run ``checks`` of ddp_workers/ddp_worker.py on ``nprocs`` ranks; assert that every rank
    passed each, in order, and finished."""
    result = run_mpi(DDP_WORKER, nprocs, *checks, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.findall(r"rank (\d+): ok (\w+);", result.stdout)
    for rank in range(nprocs):
        assert [name for r, name in passed if int(r) == rank] == list(checks)
    finished = sorted(re.findall(r"rank (\d+): done;", result.stdout))
    assert finished == [str(r) for r in range(nprocs)]
