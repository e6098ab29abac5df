"""What each rank of ``nptorch.distributed.run`` executes: set the torchrun environment variables
from MPI, then run the target script or module as ``__main__``.

An uncaught exception (or a non-zero ``sys.exit``) in any rank prints its traceback and aborts the
whole MPI job (``MPI_Abort`` through mpi4py), so no rank is left waiting in a collective.
"""
import os
import sys

from mpi4py import MPI
from mpi4py.run import run_command_line, set_abort_status


def set_rank_environment():
    """Set RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE for this process."""
    world = MPI.COMM_WORLD
    node = world.Split_type(MPI.COMM_TYPE_SHARED)
    os.environ.update(RANK=str(world.Get_rank()), WORLD_SIZE=str(world.Get_size()),
                      LOCAL_RANK=str(node.Get_rank()), LOCAL_WORLD_SIZE=str(node.Get_size()))
    node.Free()


def main(args):
    """Run ``args`` (``script.py arg ...`` or ``-m module arg ...``) as mpi4py's runner does."""
    set_rank_environment()
    try:
        run_command_line(args)
    except BaseException as exc:
        set_abort_status(exc if isinstance(exc, (SystemExit, KeyboardInterrupt)) else 1)
        raise


if __name__ == "__main__":
    main(sys.argv[1:])
