"""Launch a script on several processes: ``python -m nptorch.distributed.run``.

The counterpart of ``torchrun`` over MPI: it starts ``--nproc-per-node`` ranks on each node with
the ``mpiexec`` that the ``mpich`` wheel installs (MPICH's Hydra launcher), and each rank finds
RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE in its environment. An uncaught exception in any
rank prints its traceback and ends the whole job with a non-zero exit status.

Examples::

    python -m nptorch.distributed.run --nproc-per-node 4 train.py --epochs 3
    python -m nptorch.distributed.run --nproc-per-node 2 -m mypackage.train
    # two nodes, started once from the first (Hydra reaches the others over ssh):
    python -m nptorch.distributed.run --nnodes 2 --nproc-per-node 8 --hosts node1,node2 train.py
"""
import argparse
import os
import shutil
import sys
from pathlib import Path


def find_mpiexec():
    """The ``mpiexec`` next to the running Python (where the mpich wheel puts it), else on PATH."""
    local = Path(sys.executable).parent / "mpiexec"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("mpiexec")
    if found is None:
        raise RuntimeError('mpiexec not found next to the Python executable or on PATH: '
                           'pip install "nptorch[distributed]" (or mpich)')
    return found


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m nptorch.distributed.run",
        description="Run a script (or -m module) on several MPI ranks, like torchrun.")
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=_positive, default=1,
                   help="ranks per node (default 1)")
    p.add_argument("--nnodes", type=_positive, default=1, help="number of nodes (default 1)")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0,
                   help="this node's index; node 0 starts every rank, other nodes do nothing")
    p.add_argument("--standalone", action="store_true",
                   help="accepted for torchrun command lines: a job on one node needs no setup")
    hosts = p.add_mutually_exclusive_group()
    hosts.add_argument("--hosts", help="comma-separated host names, one per node")
    hosts.add_argument("--hostfile", help="MPI host file listing the nodes")
    p.add_argument("-m", "--module", action="store_true",
                   help="run the target as a module (python -m), not a script path")
    p.add_argument("target", help="the script path, or the module name with -m")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    return p


def build_command(args, mpiexec):
    """The ``mpiexec`` command line for parsed launcher arguments."""
    cmd = [mpiexec, "-n", str(args.nnodes * args.nproc_per_node)]
    if args.hosts:
        cmd += ["-hosts", args.hosts]
    if args.hostfile:
        cmd += ["-hostfile", args.hostfile]
    if args.nnodes > 1:
        cmd += ["-ppn", str(args.nproc_per_node)]
    cmd += [sys.executable, "-m", "nptorch.distributed._worker"]
    cmd += ["-m", args.target] if args.module else [args.target]
    return cmd + args.args


def _check(parser, args):
    if not 0 <= args.node_rank < args.nnodes:
        parser.error(f"--node-rank must be in [0, {args.nnodes}), got {args.node_rank}")
    if args.nnodes > 1 and not (args.hosts or args.hostfile):
        parser.error("--nnodes > 1 needs --hosts or --hostfile to place the ranks")
    if args.hosts and len(args.hosts.split(",")) != args.nnodes:
        parser.error(f"--hosts names {len(args.hosts.split(','))} hosts for --nnodes {args.nnodes}")


def main(argv=None):
    """Parse the launcher arguments and replace this process with ``mpiexec``."""
    parser = _parser()
    args = parser.parse_args(argv)
    _check(parser, args)
    if args.node_rank != 0:
        print(f"nptorch.distributed.run: node 0 starts the ranks of all {args.nnodes} nodes; "
              f"nothing to do on node {args.node_rank}", file=sys.stderr)
        return
    try:
        mpiexec = find_mpiexec()
    except RuntimeError as e:
        parser.error(str(e))
    cmd = build_command(args, mpiexec)
    sys.stdout.flush()
    os.execv(mpiexec, cmd)


if __name__ == "__main__":
    main()
