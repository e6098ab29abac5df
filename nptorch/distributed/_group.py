"""Process groups: initialization, the default group, ``new_group`` subsets and rank translation.

Every group owns an MPI communicator whose ranks are the group ranks: the default group duplicates
``MPI.COMM_WORLD`` (global rank = MPI rank), a subgroup is created from it over its sorted ranks.
CPU tensors run over MPI; on an ``"nccl"`` group CUDA tensors run over an NCCL communicator per
device, created on first use.
"""
import datetime
import os

from .. import _compat
from ._constants import Backend

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")
_LAUNCH_HINT = ("start the job with `python -m nptorch.distributed.run --nproc-per-node N "
                "script.py` or `mpiexec -n N python script.py`")


def is_available():
    """True when the distributed package can be used (mpi4py is installed)."""
    return _compat.optional_import("mpi4py") is not None


def is_mpi_available():
    """True when the MPI backend is available (mpi4py is installed)."""
    return is_available()


def is_nccl_available():
    """True when the NCCL backend is available (CuPy built with NCCL support)."""
    if _compat.cupy is None:
        return False
    try:
        from cupy.cuda import nccl
    except ImportError:
        return False
    return bool(getattr(nccl, "available", True))


def _require_mpi4py():
    if not is_available():
        raise RuntimeError('nptorch.distributed needs mpi4py, which is not installed: '
                           'pip install "nptorch[distributed]"')


def mpi():
    """The ``mpi4py.MPI`` module (initializes MPI), or a clear error when mpi4py is missing."""
    _require_mpi4py()
    from mpi4py import MPI
    return MPI


class ProcessGroup:
    """A set of ranks that run collectives together, as ``torch.distributed.ProcessGroup``."""

    def __init__(self, comm, ranks, backend, name):
        self._comm = comm
        self._rank = comm.Get_rank()
        self._ranks = list(ranks)
        self._backend = backend
        self._name = name
        self._devices = {}

    def rank(self):
        """This process's rank within the group."""
        return self._rank

    def size(self):
        """The number of ranks in the group."""
        return len(self._ranks)

    def name(self):
        """The group's name."""
        return self._name

    def _backend_for(self, device):
        """The backend that runs collectives on tensors of ``device``."""
        if self._comm is None:
            raise ValueError(f"Group {self} is not registered: it was destroyed by "
                             "destroy_process_group; create groups with new_group")
        backend = self._devices.get(device)
        if backend is None:
            backend = self._devices[device] = self._create_backend(device)
        return backend

    def _create_backend(self, device):
        if device.type == "cpu":
            from ._mpi import MPIBackend
            return MPIBackend(self._comm)
        if self._backend != Backend.NCCL:
            raise RuntimeError(
                f"No backend type associated with device type cuda: the process group uses backend "
                f"'{self._backend}', which runs CPU tensors; call "
                "init_process_group(backend='nccl') for CUDA tensors")
        from ._nccl import NCCLBackend
        return NCCLBackend(self._comm, device.index)

    def _close(self):
        for backend in self._devices.values():
            backend.close()
        self._devices.clear()
        if self._comm is not None:
            self._comm.Free()
            self._comm = None

    def __repr__(self):
        return f"ProcessGroup(backend='{self._backend}', ranks={self._ranks})"


class _World:
    """The process-wide state: the default group and every group created since."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.default = None
        self.groups = []
        self.created = 0  # new_group calls so far: the same count on every rank, used as MPI tag


_world = _World()


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return _world.default


class GroupMember(metaclass=_WorldMeta):
    """``GroupMember.WORLD`` is the default group; ``new_group`` returns ``NON_GROUP_MEMBER`` on
    ranks outside the new group."""

    NON_GROUP_MEMBER = -100


class group(metaclass=_WorldMeta):
    """``group.WORLD``: the default process group (None before ``init_process_group``)."""


def default_group():
    if _world.default is None:
        _require_mpi4py()
        raise ValueError(_NOT_INITIALIZED)
    return _world.default


def group_or_default(group):
    """``group``, the default group for None; NON_GROUP_MEMBER passes through."""
    if group is None:
        return default_group()
    if isinstance(group, ProcessGroup) or group == GroupMember.NON_GROUP_MEMBER:
        default_group()
        return group
    raise TypeError(f"group must be a ProcessGroup or None, got {type(group).__name__}")


def is_member(group):
    return isinstance(group, ProcessGroup)


def _check_timeout(timeout):
    # MPI has no operation timeouts: the argument is checked and otherwise unused.
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError("Expected timeout argument to be of type datetime.timedelta, got "
                        f"{timeout}")


def _check_init_method(init_method):
    # Ranks always meet through MPI; the PyTorch rendezvous URLs are accepted for their scripts.
    if init_method is None:
        return
    if not isinstance(init_method, str):
        raise TypeError(f"init_method must be a string, got {type(init_method).__name__}")
    scheme = init_method.partition("://")[0]
    if "://" not in init_method or scheme not in ("env", "tcp", "file"):
        raise RuntimeError(f"No rendezvous handler for {scheme}://")


def _check_assigned(name, value, env_name, actual, what):
    """Check an explicit argument and an environment variable against what MPI assigned."""
    if value is not None and value != -1 and value != actual:
        raise ValueError(f"init_process_group: {name}={value} does not match the {what} {actual} "
                         f"that MPI assigned to this process; {_LAUNCH_HINT}")
    env = os.environ.get(env_name)
    if env is None:
        return
    try:
        env_value = int(env)
    except ValueError:
        raise ValueError(f"init_process_group: environment variable {env_name} must be an integer, "
                         f"got {env!r}") from None
    if env_value != actual:
        raise ValueError(f"init_process_group: environment variable {env_name}={env} does not "
                         f"match the {what} {actual} that MPI assigned to this process; "
                         f"{_LAUNCH_HINT}")


def _default_backend():
    return Backend.NCCL if is_nccl_available() and _compat.has_cuda() else Backend.MPI


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Initialize the default process group over the processes of the MPI job.

    Ranks and world size come from the MPI launcher (``python -m nptorch.distributed.run`` or
    ``mpiexec``); ``rank``, ``world_size`` and the RANK / WORLD_SIZE / LOCAL_RANK environment
    variables, when given, must agree with them. Without a launcher the world is this one process.

    Args:
        backend (str or Backend, optional): ``"mpi"`` (CPU tensors), ``"nccl"`` (CUDA tensors over
            NCCL, CPU tensors over MPI) or ``"gloo"`` (same as ``"mpi"``). Default: ``"nccl"`` when
            NCCL and a GPU are available, else ``"mpi"``.
        init_method (str, optional): ``env://``, ``tcp://...`` or ``file://...``, accepted for
            PyTorch scripts; MPI does the rendezvous.
        timeout (timedelta, optional): accepted for PyTorch scripts (MPI has no timeouts).
        world_size (int, optional): expected number of processes.
        rank (int, optional): expected rank of this process.
        group_name (str, optional): name of the default group.
        pg_options, device_id: accepted for PyTorch scripts.
    """
    MPI = mpi()
    if _world.default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    backend = _default_backend() if backend is None else Backend(backend)
    if backend == Backend.NCCL and not is_nccl_available():
        raise RuntimeError("Distributed package doesn't have NCCL built in: the nccl backend needs "
                           "CuPy with NCCL support (pip install 'nptorch[cuda]')")
    _check_timeout(timeout)
    _check_init_method(init_method)
    if store is not None:
        raise ValueError("init_process_group: store is not supported; ranks meet through MPI")
    world = MPI.COMM_WORLD
    _check_assigned("rank", rank, "RANK", world.Get_rank(), "rank")
    _check_assigned("world_size", world_size, "WORLD_SIZE", world.Get_size(), "world size")
    node = world.Split_type(MPI.COMM_TYPE_SHARED)
    local_rank = node.Get_rank()
    node.Free()
    _check_assigned("local_rank", None, "LOCAL_RANK", local_rank, "local rank")
    comm = world.Dup()
    _world.default = ProcessGroup(comm, range(comm.Get_size()), backend, group_name or "0")
    _world.groups.append(_world.default)


def is_initialized():
    """True when the default process group has been initialized."""
    return _world.default is not None


def destroy_process_group(group=None):
    """Destroy ``group``; with None, the default group and every other group (all ranks call it)."""
    pg = group_or_default(group)
    if not is_member(pg):
        return
    if pg is _world.default:
        for g in _world.groups:
            g._close()
        _world.reset()
    else:
        pg._close()
        _world.groups.remove(pg)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None, sort_ranks=True):
    """Create a group over a subset of the global ranks; every rank must call it, in the same order.

    Returns the new ``ProcessGroup``, or ``GroupMember.NON_GROUP_MEMBER`` on ranks outside it.

    Args:
        ranks (list[int], optional): global ranks of the members. Default: all ranks.
        timeout (timedelta, optional): accepted for PyTorch scripts.
        backend (str or Backend, optional): the group's backend. Default: the default group's.
        sort_ranks (bool): order group ranks by global rank. Default: True.
    """
    world = default_group()
    _check_timeout(timeout)
    backend = world._backend if backend is None else Backend(backend)
    if use_local_synchronization:
        raise ValueError("MPI backend doesn't support use_local_synchronization=True")
    size = world.size()
    ranks = list(range(size)) if ranks is None else list(ranks)
    if sort_ranks:
        ranks = sorted(ranks)
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"ranks list must not contain duplicate entries, got {ranks}")
    if len(ranks) > size:
        raise ValueError("the new group's world size should be less or equal to the world size set "
                         "by init_process_group")
    for r in ranks:
        if not 0 <= r < size:
            raise ValueError(f"Rank {r} is out of range. Valid ranks are 0 to {size - 1} "
                             f"(world_size={size})")
    tag = _world.created
    _world.created += 1
    if world.rank() not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    members = world._comm.Get_group().Incl(ranks)
    comm = world._comm.Create_group(members, tag)
    members.Free()
    pg = ProcessGroup(comm, ranks, backend, str(tag + 1))
    _world.groups.append(pg)
    return pg


def get_rank(group=None):
    """The rank of this process in ``group`` (default: the global rank); -1 outside the group."""
    pg = group_or_default(group)
    return pg.rank() if is_member(pg) else -1


def get_world_size(group=None):
    """The number of ranks in ``group`` (default: all); -1 outside the group."""
    pg = group_or_default(group)
    return pg.size() if is_member(pg) else -1


def get_backend(group=None):
    """The backend of ``group`` (default: the default group)."""
    pg = group_or_default(group)
    if not is_member(pg):
        raise ValueError("Invalid process group specified")
    return Backend(pg._backend)


def get_process_group_ranks(group):
    """The global ranks of the members of ``group`` (None: the default group)."""
    pg = group_or_default(group)
    if not is_member(pg):
        raise ValueError("Invalid process group specified")
    return list(pg._ranks)


def get_group_rank(group, global_rank):
    """The rank in ``group`` of the process with global rank ``global_rank``."""
    ranks = get_process_group_ranks(group)
    if global_rank not in ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group "
                         f"{group_or_default(group)}")
    return ranks.index(global_rank)


def get_global_rank(group, group_rank):
    """The global rank of the process with rank ``group_rank`` in ``group``."""
    ranks = get_process_group_ranks(group)
    if not (isinstance(group_rank, int) and 0 <= group_rank < len(ranks)):
        raise ValueError(f"Group rank {group_rank} is not part of group {group_or_default(group)}")
    return ranks[group_rank]


def group_rank_of(pg, global_rank, group_rank):
    """The group rank given either a global rank or a group rank (exactly one of them)."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        get_global_rank(pg, group_rank)
        return group_rank
    if global_rank is None:
        raise ValueError("Must specify global_rank or group_rank")
    return get_group_rank(pg, global_rank)
