"""Backend names and reduction operators, as ``torch.distributed.Backend`` and ``ReduceOp``."""
import enum


class Backend(str):
    """A backend name: ``Backend("MPI") == Backend.MPI == "mpi"``.

    ``"mpi"`` runs CPU tensors over MPI; ``"nccl"`` runs CUDA tensors over NCCL (and CPU tensors
    over MPI); ``"gloo"`` is accepted for PyTorch scripts and runs over MPI like ``"mpi"``.
    """

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError("Backend constructor parameter must be string-ish, but got: "
                             f"{type(name)}")
        value = name.lower()
        if value not in (cls.GLOO, cls.NCCL, cls.MPI):
            raise ValueError(f"Unknown backend type {name}: expected 'mpi', 'nccl' or 'gloo'")
        return str.__new__(cls, value)


class ReduceOp:
    """Reduction operators for ``all_reduce``, ``reduce`` and ``reduce_scatter``.

    ``SUM``, ``AVG``, ``PRODUCT``, ``MIN`` and ``MAX`` work on every dtype but ``AVG`` on bool;
    ``BAND``, ``BOR`` and ``BXOR`` on integer and bool tensors.
    """

    class RedOpType(enum.IntEnum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8
        UNUSED = 9

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM
    UNUSED = RedOpType.UNUSED


ReduceOp.RedOpType.__qualname__ = "RedOpType"  # repr <RedOpType.SUM: 0>, as PyTorch prints it


def native_op(op, dtype_kind, op_name):
    """The operator a backend runs for ``op`` on arrays of NumPy dtype kind ``dtype_kind``.

    ``AVG`` runs as ``SUM`` followed by a division; bool tensors travel as uint8, where ``SUM`` is
    ``MAX`` (logical or) and ``PRODUCT`` is ``MIN`` (logical and), as in PyTorch's NCCL backend.
    """
    if not isinstance(op, ReduceOp.RedOpType):
        raise TypeError(f"{op_name}: op must be a ReduceOp (e.g. ReduceOp.SUM), got {op!r}")
    if op in (ReduceOp.PREMUL_SUM, ReduceOp.UNUSED):
        raise ValueError(f"{op_name}: ReduceOp.{op.name} is not supported")
    if dtype_kind == "b":
        if op == ReduceOp.AVG:
            raise ValueError("Cannot use ReduceOp.AVG with boolean inputs")
        return {ReduceOp.SUM: ReduceOp.MAX, ReduceOp.PRODUCT: ReduceOp.MIN}.get(op, op)
    if dtype_kind == "f" and op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR):
        raise ValueError(f"Cannot use ReduceOp.{op.name} with non-integral dtype")
    return ReduceOp.SUM if op == ReduceOp.AVG else op


def divide_(array, n):
    """Divide a summed array by the group size in place (integers truncate toward zero, as in C)."""
    if array.dtype.kind == "f":
        array /= n
    else:
        array[...] = abs(array) // n * ((array > 0).astype(array.dtype) - (array < 0))
