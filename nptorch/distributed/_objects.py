"""Collectives on picklable Python objects, as in ``torch.distributed``.

Objects are pickled and travel over the group's MPI communicator whatever the backend; as in
PyTorch, unpickling runs code chosen by the sender, so use them only among the job's own ranks.
"""
from .._device import CPU
from ._collectives import member_group, root_rank


def _comm(pg):
    return pg._backend_for(CPU).comm


def _check_length(op_name, name, objects, size):
    if not isinstance(objects, list) or len(objects) != size:
        got = len(objects) if isinstance(objects, list) else type(objects).__name__
        raise ValueError(f"{op_name}: expected `{name}` to be a list of {size} entries (one per "
                         f"rank), got {got}")


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace the entries of ``object_list`` with those of rank ``src`` (default 0), in place.

    ``object_list`` must have the same length on every rank; ``device`` is accepted for PyTorch
    scripts.
    """
    pg = member_group(group, "broadcast_object_list")
    if pg is None:
        return
    root = root_rank(pg, src, group_src, default_zero=True)
    objects = _comm(pg).bcast(object_list if pg.rank() == root else None, root)
    if len(objects) != len(object_list):
        raise ValueError(f"broadcast_object_list: object_list has {len(object_list)} entries on "
                         f"this rank but {len(objects)} on the source rank")
    object_list[:] = objects


def all_gather_object(object_list, obj, group=None):
    """Gather ``obj`` from every rank into ``object_list`` (one entry per rank) on every rank."""
    pg = member_group(group, "all_gather_object")
    if pg is None:
        return
    _check_length("all_gather_object", "object_list", object_list, pg.size())
    object_list[:] = _comm(pg).allgather(obj)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Gather ``obj`` from every rank into ``object_gather_list`` on rank ``dst`` (default 0);
    other ranks pass None."""
    pg = member_group(group, "gather_object")
    if pg is None:
        return
    root = root_rank(pg, dst, group_dst, default_zero=True)
    if pg.rank() == root:
        if not object_gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_length("gather_object", "object_gather_list", object_gather_list, pg.size())
    elif object_gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    objects = _comm(pg).gather(obj, root)
    if pg.rank() == root:
        object_gather_list[:] = objects


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """Rank ``i`` gets ``scatter_object_input_list[i]`` of rank ``src`` (default 0) in
    ``scatter_object_output_list[0]``."""
    pg = member_group(group, "scatter_object_list")
    if pg is None:
        return
    root = root_rank(pg, src, group_src, default_zero=True)
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    if pg.rank() == root:
        if scatter_object_input_list is None:
            raise ValueError("source rank must provide non-None scatter_object_input_list")
        _check_length("scatter_object_list", "scatter_object_input_list",
                      scatter_object_input_list, pg.size())
    objects = scatter_object_input_list if pg.rank() == root else None
    scatter_object_output_list[0] = _comm(pg).scatter(objects, root)
