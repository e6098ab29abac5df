"""DistributedDataParallel on 2 and 4 MPI ranks against single-process training on the global
batch (ddp_workers/ddp_worker.py); one launch per world size. Single-rank behaviour runs in
process."""
import re
import sys

import pytest

pytest.importorskip("mpi4py")
from mpi_launch import REPO, mpiexec_path, run_command, run_ddp_checks  # noqa: E402

CHECKS = [
    "starts_from_rank_zero_and_prefixes_state_dict", "mlp_matches_single_process",
    "cnn_with_sync_batchnorm_matches_single_process", "no_sync_accumulation_matches",
    "find_unused_parameters", "unused_parameter_without_detection_is_reported",
    "buffers_broadcast_before_forward",
]

needs_mpiexec = pytest.mark.skipif(mpiexec_path() is None, reason="mpiexec is not installed")


@needs_mpiexec
@pytest.mark.parametrize("nprocs", [2, 4])
def test_ddp_matches_single_process_training(nprocs):
    run_ddp_checks(nprocs, CHECKS)


@pytest.fixture
def world_of_one(monkeypatch):
    """A process group of one rank in this process."""
    import nptorch.distributed as dist
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    dist.init_process_group("mpi")
    yield dist
    dist.destroy_process_group()


def test_world_of_one_trains_like_the_module(world_of_one):
    import nptorch
    from nptorch import nn
    from nptorch.nn.parallel import DistributedDataParallel
    nptorch.manual_seed(0)
    plain = nn.Linear(3, 2)
    model = DistributedDataParallel(nn.Linear(3, 2))
    model.module.load_state_dict(plain.state_dict())
    x = nptorch.arange(12.0).reshape(4, 3)
    plain(x).pow(2).sum().backward()
    model(x).pow(2).sum().backward()
    assert model.module.weight.grad.tolist() == plain.weight.grad.tolist()
    assert list(model.state_dict()) == ["module.weight", "module.bias"]
    assert nn.parallel.DistributedDataParallel is DistributedDataParallel


def test_ddp_needs_a_process_group():
    import nptorch
    from nptorch.nn.parallel import DistributedDataParallel
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(nptorch.nn.Linear(2, 2))


def test_module_without_trainable_parameters_is_rejected(world_of_one):
    from nptorch import nn
    with pytest.raises(RuntimeError, match="DistributedDataParallel is not needed when a module "
                                           "doesn't have any parameter that requires a gradient"):
        nn.parallel.DistributedDataParallel(nn.ReLU())


@needs_mpiexec
def test_example_trains_on_two_ranks_and_resumes(tmp_path):
    script = REPO / "examples" / "distributed_train.py"
    common = [str(script), "--epochs", "1", "--batch-size", "128", "--out", str(tmp_path)]
    launch = [sys.executable, "-m", "nptorch.distributed.run", "--nproc-per-node", "2"]
    first = run_command(launch + common, timeout=120)
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.findall(r"epoch +(\d+) .*world size (\d+)", first.stdout) == [("1", "2")]
    resumed = run_command([sys.executable] + common + ["--resume"], timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert re.findall(r"epoch +(\d+) .*world size (\d+)", resumed.stdout) == [("2", "1")]
    import nptorch
    assert nptorch.load(tmp_path / "distributed_cnn.pt")["epoch"] == 2
