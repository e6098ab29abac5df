"""The NCCL backend: collectives on flat, contiguous CuPy arrays through ``cupy.cuda.nccl``.

One NCCL communicator per (group, device); its unique id travels from group rank 0 over the
group's MPI communicator. Operations are enqueued on the current CUDA stream, so they are ordered
with the surrounding computation; the returned ``Request`` records an event after them. Gather,
scatter and all-to-all are grouped point-to-point calls. Reductions receive an operator already
mapped by ``_constants.native_op`` (no AVG, no bool).
"""
import cupy
import numpy as np
from cupy.cuda import nccl

from ._constants import ReduceOp

_DTYPES = {np.dtype(np.int8): nccl.NCCL_INT8, np.dtype(np.uint8): nccl.NCCL_UINT8,
           np.dtype(np.int32): nccl.NCCL_INT32, np.dtype(np.int64): nccl.NCCL_INT64,
           np.dtype(np.float16): nccl.NCCL_FLOAT16, np.dtype(np.float32): nccl.NCCL_FLOAT32,
           np.dtype(np.float64): nccl.NCCL_FLOAT64}
_OPS = {ReduceOp.SUM: nccl.NCCL_SUM, ReduceOp.PRODUCT: nccl.NCCL_PROD,
        ReduceOp.MIN: nccl.NCCL_MIN, ReduceOp.MAX: nccl.NCCL_MAX}


def _dtype(array):
    try:
        return _DTYPES[array.dtype]
    except KeyError:
        raise TypeError(f"the NCCL backend does not support {array.dtype} tensors") from None


def _op(op):
    try:
        return _OPS[op]
    except KeyError:
        raise ValueError(f"Cannot use ReduceOp.{op.name} with NCCL") from None


class Request:
    """Work enqueued on a CUDA stream, marked by an event; keeps its buffers alive."""

    def __init__(self, stream, buffers, peer=None):
        self._event = cupy.cuda.Event(disable_timing=True)
        self._event.record(stream)
        self._buffers = buffers
        self._peer = peer

    def wait(self):
        """Order the current stream after the operation (the host does not block)."""
        cupy.cuda.get_current_stream().wait_event(self._event)

    def test(self):
        return self._event.done

    def source(self):
        """The peer of a receive (NCCL receives always name their source)."""
        return self._peer


class NCCLBackend:
    """Collectives on one CUDA device over an NCCL communicator spanning the MPI group."""

    def __init__(self, mpi_comm, device_index):
        self.device = cupy.cuda.Device(device_index)
        self.rank = mpi_comm.Get_rank()
        self.size = mpi_comm.Get_size()
        uid = mpi_comm.bcast(nccl.get_unique_id() if self.rank == 0 else None, 0)
        with self.device:
            self.comm = nccl.NcclCommunicator(self.size, uid, self.rank)

    def _run(self, launch, *buffers, peer=None):
        """Enqueue ``launch(stream_ptr)`` on the device's current stream."""
        with self.device:
            stream = cupy.cuda.get_current_stream()
            launch(stream.ptr)
            return Request(stream, buffers, peer)

    def _grouped(self, pairs, *buffers, peer=None):
        """Run send/recv ``pairs`` of (peer, send array or None, recv array or None) as one NCCL
        group; the pair with this rank as peer is a device copy."""
        def launch(stream):
            nccl.groupStart()
            try:
                for peer, out, inp in pairs:
                    if peer == self.rank:
                        continue
                    if inp is not None and inp.size:
                        self.comm.send(inp.data.ptr, inp.size, _dtype(inp), peer, stream)
                    if out is not None and out.size:
                        self.comm.recv(out.data.ptr, out.size, _dtype(out), peer, stream)
            finally:
                nccl.groupEnd()
            for peer, out, inp in pairs:
                if peer == self.rank and out is not None:
                    out[...] = inp
        return self._run(launch, *buffers, peer=peer)

    def allreduce(self, array, op):
        return self._run(lambda s: self.comm.allReduce(
            array.data.ptr, array.data.ptr, array.size, _dtype(array), _op(op), s), array)

    def broadcast(self, array, root):
        return self._run(lambda s: self.comm.bcast(
            array.data.ptr, array.size, _dtype(array), root, s), array)

    def reduce(self, array, op, root):
        return self._run(lambda s: self.comm.reduce(
            array.data.ptr, array.data.ptr, array.size, _dtype(array), _op(op), root, s), array)

    def allgather(self, output, array):
        return self._run(lambda s: self.comm.allGather(
            array.data.ptr, output.data.ptr, array.size, _dtype(array), s), output, array)

    def _pieces(self, array):
        n = array.size // self.size
        return [array[i * n:(i + 1) * n] for i in range(self.size)]

    def gather(self, output, array, root):
        if self.rank != root:
            return self._grouped([(root, None, array)], array)
        pairs = [(peer, piece, array) if peer == self.rank else (peer, piece, None)
                 for peer, piece in enumerate(self._pieces(output))]
        return self._grouped(pairs, output, array)

    def scatter(self, output, array, root):
        if self.rank != root:
            return self._grouped([(root, output, None)], output)
        pairs = [(peer, output if peer == self.rank else None, piece)
                 for peer, piece in enumerate(self._pieces(array))]
        return self._grouped(pairs, output, array)

    def reduce_scatter(self, output, array, op):
        return self._run(lambda s: self.comm.reduceScatter(
            array.data.ptr, output.data.ptr, output.size, _dtype(output), _op(op), s),
            output, array)

    def alltoall(self, output, output_counts, array, input_counts):
        outs, ins = _split(output, output_counts), _split(array, input_counts)
        return self._grouped(list(zip(range(self.size), outs, ins)), output, array)

    # NCCL has no message tags: ``tag`` is accepted and unused.
    def send(self, array, dst, tag):
        return self._grouped([(dst, None, array)], array)

    def recv(self, array, src, tag):
        if src is None:
            raise RuntimeError("the NCCL backend cannot receive from any source: pass src")
        return self._grouped([(src, array, None)], array, peer=src)

    def close(self):
        self.comm.destroy()


def _split(array, counts):
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(int)
    return [array[offsets[i]:offsets[i + 1]] for i in range(len(counts))]
