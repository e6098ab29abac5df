"""``nptorch.distributed``: process groups and collectives over MPI (CPU) and NCCL (CUDA).

Start a job with ``python -m nptorch.distributed.run --nproc-per-node N script.py`` (or
``mpiexec -n N python script.py``), call ``init_process_group()`` in the script, then use the
collectives as in ``torch.distributed``. Needs mpi4py: ``pip install "nptorch[distributed]"``.
"""
from ._collectives import (all_gather, all_gather_into_tensor, all_reduce, all_to_all,
                           all_to_all_single, barrier, broadcast, gather, irecv, isend, recv,
                           reduce, reduce_scatter, reduce_scatter_tensor, scatter, send)
from ._constants import Backend, ReduceOp
from ._group import (GroupMember, ProcessGroup, destroy_process_group, get_backend,
                     get_global_rank, get_group_rank, get_process_group_ranks, get_rank,
                     get_world_size, group, init_process_group, is_available, is_initialized,
                     is_mpi_available, is_nccl_available, new_group)
from ._objects import (all_gather_object, broadcast_object_list, gather_object,
                       scatter_object_list)
from ._work import Work

__all__ = [
    "Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "group",
    "is_available", "is_mpi_available", "is_nccl_available", "is_initialized",
    "init_process_group", "destroy_process_group", "new_group",
    "get_rank", "get_world_size", "get_backend", "get_process_group_ranks", "get_group_rank",
    "get_global_rank",
    "barrier", "all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
    "gather", "scatter", "reduce_scatter", "reduce_scatter_tensor", "all_to_all",
    "all_to_all_single", "send", "recv", "isend", "irecv",
    "broadcast_object_list", "all_gather_object", "gather_object", "scatter_object_list",
]
