"""Collective and point-to-point operations on Tensors, as in ``torch.distributed``.

They work in place on the tensors' storage: every tensor must be contiguous, and the tensors of
one call must share a device and a dtype. Results that land in a list of tensors are received into
one staging buffer and copied out when the operation completes. ``src`` / ``dst`` are global
ranks; ``group_src`` / ``group_dst`` name the same rank within ``group``.
"""
import warnings

import numpy as np

from .._device import CPU, xp_of
from .._tensor import Tensor
from ._constants import ReduceOp, divide_, native_op
from ._group import get_global_rank, get_rank, group_or_default, group_rank_of, is_member
from ._work import Work


# -- argument checks ----------------------------------------------------------------------------
def _check_single_tensor(param, name):
    if not isinstance(param, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor but got {type(param)} instead.")


def _check_tensor_list(param, name):
    if not isinstance(param, list) or not all(isinstance(p, Tensor) for p in param):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"List[torch.Tensor] but got {type(param)} instead.")


def _optional_list(param, name):
    """A tensor list that may be left out (None or empty) on ranks that do not use it."""
    if param is None:
        return []
    _check_tensor_list(param, name)
    return param


def _check_same_dtype(tensors):
    for t in tensors[1:]:
        if t.dtype != tensors[0].dtype:
            raise ValueError(f"Invalid usage of tensors with different dtypes. Found "
                             f"{tensors[0].dtype} and {t.dtype}")


def _check_list(op_name, name, tensors, size, shape):
    """``tensors`` holds one tensor of ``shape`` per rank."""
    if len(tensors) != size:
        raise RuntimeError(f"{op_name}: expected `{name}` to hold {size} tensors (one per rank), "
                           f"got {len(tensors)}")
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(f"{op_name}: invalid tensor size at index {i} of `{name}` "
                               f"(expected {tuple(shape)}, got {tuple(t.shape)})")


def _check_numel(op_name, name, tensor, expected):
    if tensor.numel() != expected:
        raise RuntimeError(f"{op_name}: expected `{name}` to have {expected} elements (group size "
                           f"times the other tensor's), got {tensor.numel()}")


def _check_tag(tag):
    if not isinstance(tag, int) or isinstance(tag, bool) or tag < 0:
        raise ValueError(f"tag must be a non-negative integer, got {tag!r}")


def member_group(group, op_name):
    """The group, or None (with PyTorch's warning) when this rank is not one of its members."""
    pg = group_or_default(group)
    if is_member(pg):
        return pg
    warnings.warn(f"Running {op_name} on global rank {get_rank()} which does not belong to the "
                  "given group.", stacklevel=3)
    return None


def _backend(pg, op_name, tensors):
    """The group's backend for the device of ``tensors``, which must be contiguous and together."""
    device = tensors[0].device
    for t in tensors:
        if not t.is_contiguous():
            raise ValueError(f"{op_name}: Tensors must be contiguous")
        if t.device != device:
            raise RuntimeError(f"{op_name}: all tensors must be on the same device, found {device} "
                               f"and {t.device}")
    return pg._backend_for(device)


# -- buffers ------------------------------------------------------------------------------------
def _raw(array):
    """The flat array a backend sees (bool travels as uint8)."""
    flat = array.reshape(-1)
    return flat.view(np.uint8) if flat.dtype == np.bool_ else flat


def _staging(like, numel):
    return xp_of(like._data).empty(numel, dtype=like._data.dtype)


def _pack(tensors):
    return xp_of(tensors[0]._data).concatenate([t._data.reshape(-1) for t in tensors])


def _copy_out(staging, tensors):
    """Copy consecutive pieces of ``staging`` into ``tensors`` once the operation completes."""
    def then():
        offset = 0
        for t in tensors:
            n = t.numel()
            t._data[...] = staging[offset:offset + n].reshape(t._data.shape)
            offset += n
    return then


def _averager(op, array, size):
    return (lambda: divide_(array, size)) if op == ReduceOp.AVG else None


def _finish(handle, async_op, outputs, then=None):
    work = Work(handle, outputs, then)
    if async_op:
        return work
    work.wait()
    return None


def root_rank(pg, rank, group_rank, default_zero):
    if default_zero and rank is None and group_rank is None:
        rank = 0
    return group_rank_of(pg, rank, group_rank)


# -- collectives --------------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across all ranks with ``op``; every rank gets the result in place.

    Args:
        tensor (Tensor): input and output of the collective.
        op (ReduceOp): ``SUM``, ``AVG``, ``PRODUCT``, ``MIN``, ``MAX``, ``BAND``, ``BOR``, ``BXOR``.
        group (ProcessGroup, optional): the group to work on. Default: the default group.
        async_op (bool): return a ``Work`` handle instead of waiting.
    """
    _check_single_tensor(tensor, "tensor")
    pg = member_group(group, "all_reduce")
    if pg is None:
        return None
    native = native_op(op, tensor._data.dtype.kind, "all_reduce")
    handle = _backend(pg, "all_reduce", [tensor]).allreduce(_raw(tensor._data), native)
    return _finish(handle, async_op, [tensor], _averager(op, tensor._data, pg.size()))


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` on every rank of the group."""
    _check_single_tensor(tensor, "tensor")
    pg = member_group(group, "broadcast")
    if pg is None:
        return None
    root = root_rank(pg, src, group_src, default_zero=False)
    handle = _backend(pg, "broadcast", [tensor]).broadcast(_raw(tensor._data), root)
    return _finish(handle, async_op, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` across all ranks with ``op``; only rank ``dst`` gets the result."""
    _check_single_tensor(tensor, "tensor")
    pg = member_group(group, "reduce")
    if pg is None:
        return None
    root = root_rank(pg, dst, group_dst, default_zero=False)
    native = native_op(op, tensor._data.dtype.kind, "reduce")
    handle = _backend(pg, "reduce", [tensor]).reduce(_raw(tensor._data), native, root)
    then = _averager(op, tensor._data, pg.size()) if pg.rank() == root else None
    return _finish(handle, async_op, [tensor], then)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gather ``tensor`` from every rank into ``tensor_list`` (one tensor per rank), on every
    rank."""
    _check_tensor_list(tensor_list, "tensor_list")
    _check_single_tensor(tensor, "tensor")
    _check_same_dtype([tensor, *tensor_list])
    pg = member_group(group, "all_gather")
    if pg is None:
        return None
    _check_list("all_gather", "tensor_list", tensor_list, pg.size(), tensor.shape)
    backend = _backend(pg, "all_gather", [tensor, *tensor_list])
    staging = _staging(tensor, tensor.numel() * pg.size())
    handle = backend.allgather(_raw(staging), _raw(tensor._data))
    return _finish(handle, async_op, tensor_list, _copy_out(staging, tensor_list))


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather ``input_tensor`` from every rank, concatenated in rank order into ``output_tensor``
    (shape ``(world_size * n, ...)`` or ``(world_size, n, ...)``)."""
    _check_single_tensor(output_tensor, "output_tensor")
    _check_single_tensor(input_tensor, "input_tensor")
    _check_same_dtype([output_tensor, input_tensor])
    pg = member_group(group, "all_gather_into_tensor")
    if pg is None:
        return None
    _check_numel("all_gather_into_tensor", "output_tensor", output_tensor,
                 input_tensor.numel() * pg.size())
    backend = _backend(pg, "all_gather_into_tensor", [output_tensor, input_tensor])
    handle = backend.allgather(_raw(output_tensor._data), _raw(input_tensor._data))
    return _finish(handle, async_op, [output_tensor])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Gather ``tensor`` from every rank into ``gather_list`` on rank ``dst`` (default 0)."""
    _check_single_tensor(tensor, "tensor")
    gather_list = _optional_list(gather_list, "gather_list")
    _check_same_dtype([tensor, *gather_list])
    pg = member_group(group, "gather")
    if pg is None:
        return None
    root = root_rank(pg, dst, group_dst, default_zero=True)
    backend = _backend(pg, "gather", [tensor, *gather_list])
    if pg.rank() != root:
        if gather_list:
            raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                             "ranks.")
        return _finish(backend.gather(None, _raw(tensor._data), root), async_op, [])
    if not gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    _check_list("gather", "gather_list", gather_list, pg.size(), tensor.shape)
    staging = _staging(tensor, tensor.numel() * pg.size())
    handle = backend.gather(_raw(staging), _raw(tensor._data), root)
    return _finish(handle, async_op, gather_list, _copy_out(staging, gather_list))


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Send ``scatter_list[i]`` of rank ``src`` (default 0) into ``tensor`` on rank ``i``."""
    _check_single_tensor(tensor, "tensor")
    scatter_list = _optional_list(scatter_list, "scatter_list")
    _check_same_dtype([tensor, *scatter_list])
    pg = member_group(group, "scatter")
    if pg is None:
        return None
    root = root_rank(pg, src, group_src, default_zero=True)
    backend = _backend(pg, "scatter", [tensor, *scatter_list])
    if pg.rank() != root:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        return _finish(backend.scatter(_raw(tensor._data), None, root), async_op, [tensor])
    if not scatter_list:
        raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
    _check_list("scatter", "scatter_list", scatter_list, pg.size(), tensor.shape)
    handle = backend.scatter(_raw(tensor._data), _raw(_pack(scatter_list)), root)
    return _finish(handle, async_op, [tensor])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` across ranks with ``op`` into ``output`` on rank ``i``."""
    _check_single_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    _check_same_dtype([output, *input_list])
    pg = member_group(group, "reduce_scatter")
    if pg is None:
        return None
    _check_list("reduce_scatter", "input_list", input_list, pg.size(), output.shape)
    native = native_op(op, output._data.dtype.kind, "reduce_scatter")
    backend = _backend(pg, "reduce_scatter", [output, *input_list])
    handle = backend.reduce_scatter(_raw(output._data), _raw(_pack(input_list)), native)
    return _finish(handle, async_op, [output], _averager(op, output._data, pg.size()))


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` across ranks with ``op``; rank ``i`` gets the ``i``-th of ``world_size``
    equal pieces of the result in ``output``."""
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    _check_same_dtype([output, input])
    pg = member_group(group, "reduce_scatter_tensor")
    if pg is None:
        return None
    _check_numel("reduce_scatter_tensor", "input", input, output.numel() * pg.size())
    native = native_op(op, output._data.dtype.kind, "reduce_scatter_tensor")
    backend = _backend(pg, "reduce_scatter_tensor", [output, input])
    handle = backend.reduce_scatter(_raw(output._data), _raw(input._data), native)
    return _finish(handle, async_op, [output], _averager(op, output._data, pg.size()))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[i]`` to rank ``i``; receive rank ``i``'s into
    ``output_tensor_list[i]`` (sizes may differ between ranks)."""
    _check_tensor_list(output_tensor_list, "output_tensor_list")
    _check_tensor_list(input_tensor_list, "input_tensor_list")
    _check_same_dtype([*output_tensor_list, *input_tensor_list])
    pg = member_group(group, "all_to_all")
    if pg is None:
        return None
    for name, tensors in (("output_tensor_list", output_tensor_list),
                          ("input_tensor_list", input_tensor_list)):
        if len(tensors) != pg.size():
            raise RuntimeError(f"all_to_all: expected `{name}` to hold {pg.size()} tensors "
                               f"(one per rank), got {len(tensors)}")
    backend = _backend(pg, "all_to_all", [*output_tensor_list, *input_tensor_list])
    out_counts = [t.numel() for t in output_tensor_list]
    staging = _staging(output_tensor_list[0], sum(out_counts))
    handle = backend.alltoall(_raw(staging), out_counts, _raw(_pack(input_tensor_list)),
                              [t.numel() for t in input_tensor_list])
    return _finish(handle, async_op, output_tensor_list, _copy_out(staging, output_tensor_list))


def _split_counts(tensor, name, splits, size):
    """Element counts per rank for dim-0 ``splits`` of ``tensor`` (None or []: equal splits)."""
    if tensor.dim() == 0:
        raise ValueError(f"all_to_all_single: `{name}` must have at least one dimension")
    rows = tensor.shape[0]
    if not splits:
        if rows % size:
            raise RuntimeError(f"all_to_all_single: dim 0 of `{name}` ({rows}) does not divide "
                               f"equally across group size {size}")
        splits = [rows // size] * size
    elif len(splits) != size:
        raise RuntimeError("Number of tensor splits not equal to group size")
    elif sum(splits) != rows:
        raise RuntimeError("Split sizes doesn't match total dim 0 size")
    row = tensor.numel() // rows if rows else 0
    return [int(s) * row for s in splits]


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    """Split ``input`` along dim 0 and send piece ``i`` to rank ``i``; receive rank ``i``'s piece
    into ``output`` at its place in dim 0 (equal pieces unless split sizes are given)."""
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    _check_same_dtype([output, input])
    pg = member_group(group, "all_to_all_single")
    if pg is None:
        return None
    out_counts = _split_counts(output, "output", output_split_sizes, pg.size())
    in_counts = _split_counts(input, "input", input_split_sizes, pg.size())
    backend = _backend(pg, "all_to_all_single", [output, input])
    handle = backend.alltoall(_raw(output._data), out_counts, _raw(input._data), in_counts)
    return _finish(handle, async_op, [output])


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Block until every rank of the group has entered the barrier."""
    pg = member_group(group, "barrier")
    if pg is None:
        return None
    return _finish(pg._backend_for(CPU).barrier(), async_op, [])


# -- point to point -----------------------------------------------------------------------------
def _peer(pg, rank, group_rank, role):
    peer = group_rank_of(pg, rank, group_rank)
    if peer == pg.rank():
        raise ValueError(f"Invalid {role} rank: {role} rank should not be the same as the rank of "
                         "the current process.")
    return peer


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` asynchronously; returns a ``Work``."""
    _check_single_tensor(tensor, "tensor")
    _check_tag(tag)
    pg = member_group(group, "isend")
    if pg is None:
        return None
    peer = _peer(pg, dst, group_dst, "destination")
    handle = _backend(pg, "isend", [tensor]).send(_raw(tensor._data), peer, tag)
    return Work(handle, [tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (None: any rank) asynchronously; returns a
    ``Work`` whose ``source_rank()`` is the sender's group rank."""
    _check_single_tensor(tensor, "tensor")
    _check_tag(tag)
    pg = member_group(group, "irecv")
    if pg is None:
        return None
    peer = None if src is None and group_src is None else _peer(pg, src, group_src, "source")
    handle = _backend(pg, "irecv", [tensor]).recv(_raw(tensor._data), peer, tag)
    return Work(handle, [tensor], source=handle.source)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` and wait until the buffer can be reused."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (None: any rank); returns the sender's global rank
    (-1 outside the group)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    return get_global_rank(group_or_default(group), work.source_rank())
