"""The MPI backend: collectives on flat, contiguous NumPy arrays through mpi4py.

Every operation is posted with a nonblocking ``I*`` call and returns a ``Request`` (``wait()``,
``test()``); synchronous collectives simply wait on it. Reductions receive an operator already
mapped by ``_constants.native_op`` (no AVG, no bool).
"""
from mpi4py import MPI

from ._constants import ReduceOp

_OPS = {ReduceOp.SUM: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN,
        ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND, ReduceOp.BOR: MPI.BOR,
        ReduceOp.BXOR: MPI.BXOR}


class Request:
    """One pending MPI request; keeps its buffers alive until it completes."""

    def __init__(self, request, *buffers):
        self._request = request
        self._buffers = buffers
        self._status = MPI.Status()

    def wait(self):
        self._request.Wait(self._status)

    def test(self):
        return self._request.Test(self._status)

    def source(self):
        return self._status.Get_source()


def _vector(array, counts):
    """A buffer spec with per-rank element counts and their displacements."""
    displs = [0] * len(counts)
    for i in range(1, len(counts)):
        displs[i] = displs[i - 1] + counts[i - 1]
    return [array, (list(counts), displs)]


class MPIBackend:
    """Collectives over one MPI communicator (group ranks are communicator ranks)."""

    def __init__(self, comm):
        self.comm = comm

    def allreduce(self, array, op):
        return Request(self.comm.Iallreduce(MPI.IN_PLACE, array, _OPS[op]), array)

    def broadcast(self, array, root):
        return Request(self.comm.Ibcast(array, root), array)

    def reduce(self, array, op, root):
        if self.comm.Get_rank() == root:
            return Request(self.comm.Ireduce(MPI.IN_PLACE, array, _OPS[op], root), array)
        return Request(self.comm.Ireduce(array, None, _OPS[op], root), array)

    def allgather(self, output, array):
        return Request(self.comm.Iallgather(array, output), output, array)

    def gather(self, output, array, root):
        return Request(self.comm.Igather(array, output, root), output, array)

    def scatter(self, output, array, root):
        return Request(self.comm.Iscatter(array, output, root), output, array)

    def reduce_scatter(self, output, array, op):
        return Request(self.comm.Ireduce_scatter_block(array, output, _OPS[op]), output, array)

    def alltoall(self, output, output_counts, array, input_counts):
        request = self.comm.Ialltoallv(_vector(array, input_counts), _vector(output, output_counts))
        return Request(request, output, array)

    def send(self, array, dst, tag):
        return Request(self.comm.Isend(array, dst, tag), array)

    def recv(self, array, src, tag):
        """Receive from group rank ``src`` (None: any rank); ``Request.source()`` tells which."""
        source = MPI.ANY_SOURCE if src is None else src
        return Request(self.comm.Irecv(array, source, tag), array)

    def barrier(self):
        return Request(self.comm.Ibarrier())

    def close(self):
        """Nothing to release: the communicator belongs to the process group, which frees it."""
