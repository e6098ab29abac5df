"""DistributedDataParallel and SyncBatchNorm on 1, 2 and 4 MPI ranks against single-process
training on the same global batch (ddp_workers/ddp_worker.py); one launch per world size."""
import re

import pytest

pytest.importorskip("mpi4py")
from mpi_launch import WORKERS, mpiexec_path, run_mpi  # noqa: E402

pytestmark = pytest.mark.skipif(mpiexec_path() is None, reason="mpiexec is not installed")

CHECKS = [
    "starts_from_rank_zero_and_prefixes_state_dict", "mlp_matches_single_process",
    "cnn_with_sync_batchnorm_matches_single_process", "no_sync_accumulation_matches",
    "find_unused_parameters", "unused_parameter_without_detection_is_reported",
    "buffers_broadcast_before_forward", "sync_batchnorm_equals_batchnorm_on_the_whole_batch",
]


@pytest.mark.parametrize("nprocs", [1, 2, 4])
def test_ddp_matches_single_process_training(nprocs):
    result = run_mpi(WORKERS.parent / "ddp_workers" / "ddp_worker.py", nprocs, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.findall(r"rank (\d+): ok (\w+);", result.stdout)
    for rank in range(nprocs):
        assert [name for r, name in passed if int(r) == rank] == CHECKS
    assert sorted(re.findall(r"rank (\d+): done;", result.stdout)) == [str(r) for r in range(nprocs)]


def test_ddp_needs_a_process_group_and_parameters():
    import nptorch
    from nptorch.nn.parallel import DistributedDataParallel
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(nptorch.nn.Linear(2, 2))
