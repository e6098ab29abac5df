"""Data-parallel performance over MPI: all-reduce bandwidth between 2 ranks (float32 tensors of
1 KiB to 16 MiB, the bytes of the tensor over the time of one ``all_reduce``) and the speed-up
of one training epoch of ``examples/distributed_train.py``'s CNN on the digits (batch 64 per
process, one thread per process) from 1 to 2 processes.

Each measurement launches ``mpiexec`` on this file, whose ranks print their results as JSON;
``python benchmarks/benchmarks/bench_distributed.py`` prints the table.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIZES = [2 ** k for k in range(10, 25, 2)]  # 1 KiB .. 16 MiB
EPOCHS = 3  # timed epochs after a warm-up one; the fastest counts


def launch(nprocs, task):
    """Run this file's ``task`` on ``nprocs`` MPI ranks and return rank 0's JSON result."""
    import nptorch
    from nptorch.distributed.run import find_mpiexec
    paths = [str(Path(nptorch.__file__).parents[1]), str(EXAMPLES), os.environ.get("PYTHONPATH")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths)), OMP_NUM_THREADS="1")
    cmd = [find_mpiexec(), "-n", str(nprocs), sys.executable, "-m", "mpi4py", __file__, task]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def _allreduce_seconds():
    """Seconds per all_reduce for each size in SIZES (median of the repetitions, max over ranks)."""
    import nptorch as torch
    import nptorch.distributed as dist
    seconds = {}
    for size in SIZES:
        tensor = torch.ones(size // 4)
        repeats = max(5, min(200, 2 ** 24 // size))
        times = []
        for _ in range(repeats + 2):  # the first two warm up
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(tensor)
            times.append(time.perf_counter() - start)
        slowest = torch.tensor([sorted(times[2:])[repeats // 2]], dtype=torch.float64)
        dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
        seconds[size] = slowest.item()
    return seconds


def _epoch_seconds():
    """Seconds of the fastest of EPOCHS training epochs (after a warm-up epoch)."""
    import nptorch as torch
    import nptorch.distributed as dist
    from nptorch.nn.parallel import DistributedDataParallel
    from nptorch.utils.data import DataLoader, DistributedSampler
    from _common import image_datasets
    from distributed_train import train_epoch
    from train_cnn import CNN
    torch.manual_seed(0)
    train_set, _ = image_datasets()
    model = DistributedDataParallel(CNN(side=8))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    sampler = DistributedSampler(train_set)
    loader = DataLoader(train_set, batch_size=64, sampler=sampler)
    times = []
    for epoch in range(EPOCHS + 1):
        sampler.set_epoch(epoch)
        dist.barrier()
        start = time.perf_counter()
        train_epoch(model, loader, optimizer)
        times.append(time.perf_counter() - start)
    return min(times[1:])


def _run_task(task):
    import nptorch.distributed as dist
    dist.init_process_group("mpi")
    result = {"allreduce": _allreduce_seconds, "epoch": _epoch_seconds}[task]()
    if dist.get_rank() == 0:
        print(json.dumps(result), flush=True)
    dist.destroy_process_group()


def allreduce_bandwidth():
    """{size in bytes: GB/s} of all_reduce between 2 ranks."""
    seconds = launch(2, "allreduce")
    return {size: size / seconds[str(size)] / 1e9 for size in SIZES}


def epoch_times():
    """{processes: seconds of one training epoch} for 1 and 2 processes."""
    return {n: launch(n, "epoch") for n in (1, 2)}


class AllReduce:
    """All-reduce bandwidth between 2 ranks, per tensor size."""
    params = SIZES
    param_names = ["bytes"]
    timeout = 300

    def setup_cache(self):
        return allreduce_bandwidth()

    def track_bandwidth(self, bandwidth, size):
        return bandwidth[size]

    track_bandwidth.unit = "GB/s"


class TrainingEpoch:
    """One epoch of the example CNN on the digits, 1 and 2 processes."""
    timeout = 300

    def setup_cache(self):
        return epoch_times()

    def track_epoch_seconds_1_process(self, times):
        return times[1]

    def track_epoch_seconds_2_processes(self, times):
        return times[2]

    def track_speedup_1_to_2_processes(self, times):
        return times[1] / times[2]

    track_epoch_seconds_1_process.unit = track_epoch_seconds_2_processes.unit = "seconds"
    track_speedup_1_to_2_processes.unit = "x"


def main():
    print("all_reduce between 2 ranks (float32)")
    print(f"{'size':>10}  {'GB/s':>8}")
    for size, rate in allreduce_bandwidth().items():
        label = f"{size // 1024} KiB" if size < 2 ** 20 else f"{size // 2 ** 20} MiB"
        print(f"{label:>10}  {rate:8.3f}")
    times = epoch_times()
    print("\none epoch of the example CNN on the digits (batch 64 per process)")
    for n, seconds in times.items():
        print(f"{n} process{'es' if n > 1 else '':2}  {seconds:.3f} s")
    print(f"speed-up 1 -> 2 processes: {times[1] / times[2]:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _run_task(sys.argv[1])
    else:
        main()
