"""Every collective on 2 and 4 MPI ranks, checked against NumPy inside the ranks
(workers/collectives_worker.py); one launch per world size."""
import re

import pytest

pytest.importorskip("mpi4py")
from mpi_launch import WORKERS, mpiexec_path, run_mpi  # noqa: E402

pytestmark = pytest.mark.skipif(mpiexec_path() is None, reason="mpiexec is not installed")

CHECKS = [
    "all_reduce_every_op_and_dtype", "all_reduce_async", "all_reduce_bool_float16_and_scalar",
    "broadcast_from_every_rank", "reduce_to_last_rank", "all_gather_list_and_async",
    "all_gather_into_tensor_both_layouts", "gather_to_rank_one", "scatter_from_rank_one",
    "reduce_scatter_list_and_tensor", "all_to_all_uneven_sizes",
    "all_to_all_single_equal_and_split", "send_recv_ring", "new_group_subsets",
    "object_collectives", "errors_that_need_several_ranks", "barrier_sync_and_async",
]


@pytest.mark.parametrize("nprocs", [2, 4])
def test_every_collective_matches_numpy(nprocs):
    result = run_mpi(WORKERS / "collectives_worker.py", nprocs, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.findall(r"rank (\d+): ok (\w+);", result.stdout)
    for rank in range(nprocs):
        assert [name for r, name in passed if int(r) == rank] == CHECKS
    done = re.findall(r"rank (\d+): done;", result.stdout)
    assert sorted(done) == [str(r) for r in range(nprocs)]
