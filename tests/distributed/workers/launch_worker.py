"""Run by ``python -m nptorch.distributed.run``: ``launch_worker.py MODE [ARG ...]``.

``env`` prints the launcher's environment and arguments on every rank, then checks them against
the default group; ``raise`` and ``exit`` make rank 1 fail while the others wait in a collective.
"""
import os
import sys

import nptorch as torch
import nptorch.distributed as dist

mode, args = sys.argv[1], sys.argv[2:]
env = [os.environ[name] for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")]
print(f"rank {env[0]}: env {' '.join(env)} args {' '.join(args)} main {__name__};", flush=True)
dist.init_process_group("mpi")
if mode == "env":
    assert dist.get_rank() == int(env[0]) and dist.get_world_size() == int(env[1])
    total = torch.tensor([1])
    dist.all_reduce(total)
    print(f"rank {env[0]}: all_reduce {total.item()};", flush=True)
elif dist.get_rank() == 1:
    if mode == "raise":
        raise ValueError("rank 1 failed on purpose")
    sys.exit(3)
else:
    dist.barrier()  # rank 1 never arrives: the job must still end
