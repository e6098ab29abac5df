"""``nptorch.distributed`` in one process (an MPI world of size 1, no mpiexec): the API, every
argument error, the package without mpi4py, and the NCCL backend's calls on a stand-in CuPy."""
import datetime
import importlib
import subprocess
import sys
import types

import numpy as np
import pytest

pytest.importorskip("mpi4py")
import nptorch as torch  # noqa: E402
from nptorch import _compat  # noqa: E402
import nptorch.distributed as dist  # noqa: E402
from nptorch.distributed import Backend, ReduceOp  # noqa: E402

NOT_INITIALIZED = "Default process group has not been initialized"


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


@pytest.fixture
def world():
    dist.init_process_group("mpi")
    return dist.group.WORLD


# -- availability and initialization --------------------------------------------------------------
def test_availability():
    assert dist.is_available() and dist.is_mpi_available()
    if _compat.cupy is None:
        assert not dist.is_nccl_available()
    assert not dist.is_initialized()
    assert dist.group.WORLD is None and dist.GroupMember.WORLD is None


@pytest.mark.parametrize("call", [
    lambda: dist.get_rank(), lambda: dist.get_world_size(), lambda: dist.get_backend(),
    lambda: dist.barrier(), lambda: dist.all_reduce(torch.ones(1)), lambda: dist.new_group([0]),
    lambda: dist.destroy_process_group(), lambda: dist.all_gather_object([None], 1),
])
def test_calls_before_init(call):
    with pytest.raises(ValueError, match=NOT_INITIALIZED):
        call()


def test_without_mpi4py_every_call_says_how_to_install():
    code = """
import sys
sys.modules["mpi4py"] = None
import nptorch
import nptorch.distributed as dist
print(dist.is_available(), dist.is_mpi_available(), dist.is_initialized())
for call in (dist.init_process_group, dist.get_rank, dist.barrier,
             lambda: dist.all_reduce(nptorch.ones(1))):
    try:
        call()
    except RuntimeError as e:
        print(e)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "False False False"
    assert out[1:] == ['nptorch.distributed needs mpi4py, which is not installed: '
                       'pip install "nptorch[distributed]"'] * 4


def test_world_of_one(world):
    assert dist.is_initialized()
    assert dist.get_rank() == 0 and dist.get_world_size() == 1
    assert dist.get_backend() == "mpi" and isinstance(dist.get_backend(), Backend)
    assert dist.group.WORLD is world and dist.GroupMember.WORLD is world
    assert world.rank() == 0 and world.size() == 1 and world.name() == "0"
    assert dist.get_process_group_ranks(None) == [0]
    assert dist.get_group_rank(world, 0) == 0 and dist.get_global_rank(world, 0) == 0
    assert repr(world) == "ProcessGroup(backend='mpi', ranks=[0])"


def test_destroy_then_init_again():
    dist.init_process_group(Backend.GLOO, init_method="env://", timeout=datetime.timedelta(1),
                            world_size=1, rank=0, group_name="main")
    assert dist.get_backend() == "gloo" and dist.group.WORLD.name() == "main"
    dist.destroy_process_group()
    assert not dist.is_initialized() and dist.group.WORLD is None
    dist.init_process_group()
    assert dist.get_backend() == "mpi"


def test_launcher_environment_is_accepted(monkeypatch):
    for name in ("RANK", "LOCAL_RANK"):
        monkeypatch.setenv(name, "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    dist.init_process_group("mpi")
    assert dist.get_rank() == 0


@pytest.mark.parametrize("env, kwargs, message", [
    ({"RANK": "1"}, {}, "environment variable RANK=1 does not match the rank 0"),
    ({"WORLD_SIZE": "2"}, {}, "environment variable WORLD_SIZE=2 does not match the world size 1"),
    ({"LOCAL_RANK": "3"}, {}, "environment variable LOCAL_RANK=3 does not match the local rank 0"),
    ({"RANK": "one"}, {}, "environment variable RANK must be an integer, got 'one'"),
    ({}, {"rank": 1}, "rank=1 does not match the rank 0 that MPI assigned"),
    ({}, {"world_size": 4}, "world_size=4 does not match the world size 1"),
])
def test_rank_mismatch(monkeypatch, env, kwargs, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message) as info:
        dist.init_process_group("mpi", **kwargs)
    if "integer" not in message:
        assert "nptorch.distributed.run" in str(info.value)
    assert not dist.is_initialized()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"backend": "foo"}, ValueError, "Unknown backend type foo"),
    ({"backend": 3}, ValueError, "Backend constructor parameter must be string-ish"),
    ({"init_method": "bla://x"}, RuntimeError, "No rendezvous handler for bla://"),
    ({"init_method": "localhost"}, RuntimeError, "No rendezvous handler for localhost://"),
    ({"init_method": 5}, TypeError, "init_method must be a string, got int"),
    ({"timeout": 5}, TypeError,
     "Expected timeout argument to be of type datetime.timedelta, got 5"),
    ({"store": object()}, ValueError, "store is not supported"),
])
def test_bad_init_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        dist.init_process_group(**kwargs)
    assert not dist.is_initialized()


@pytest.mark.skipif(dist.is_nccl_available(), reason="NCCL is available here")
def test_nccl_backend_needs_nccl():
    with pytest.raises(RuntimeError, match="Distributed package doesn't have NCCL built in"):
        dist.init_process_group("nccl")


def test_init_twice(world):
    with pytest.raises(ValueError, match="trying to initialize the default process group twice!"):
        dist.init_process_group("mpi")


def test_constants():
    assert repr(ReduceOp.SUM) == "<RedOpType.SUM: 0>" and ReduceOp.AVG == 1
    assert ReduceOp.SUM == ReduceOp.RedOpType.SUM
    assert Backend("MPI") == Backend.MPI == "mpi" and Backend("NCCL") == "nccl"


# -- groups ---------------------------------------------------------------------------------------
def test_new_group_and_destroy(world):
    g = dist.new_group()
    assert dist.get_process_group_ranks(g) == [0] and dist.get_rank(g) == 0
    assert dist.get_backend(dist.new_group([0], backend="gloo")) == "gloo"
    t = torch.tensor([3.0])
    dist.all_reduce(t, group=g)
    assert t.item() == 3.0
    dist.destroy_process_group(g)
    assert dist.is_initialized()
    with pytest.raises(ValueError, match="is not registered"):
        dist.all_reduce(t, group=g)


@pytest.mark.parametrize("kwargs, message", [
    ({"ranks": [0, 0]}, r"ranks list must not contain duplicate entries, got \[0, 0\]"),
    ({"ranks": [0, 1]}, "the new group's world size should be less or equal to the world size"),
    ({"ranks": [3]}, r"Rank 3 is out of range. Valid ranks are 0 to 0 \(world_size=1\)"),
    ({"use_local_synchronization": True}, "doesn't support use_local_synchronization=True"),
])
def test_bad_new_group(world, kwargs, message):
    with pytest.raises(ValueError, match=message):
        dist.new_group(**kwargs)


def test_non_member_group(world):
    non_member = dist.GroupMember.NON_GROUP_MEMBER
    assert dist.get_rank(non_member) == -1 and dist.get_world_size(non_member) == -1
    with pytest.warns(UserWarning, match="Running broadcast on global rank 0 which does not "
                                         "belong to the given group"):
        assert dist.broadcast(torch.ones(1), 0, group=non_member) is None
    with pytest.raises(ValueError, match="Invalid process group specified"):
        dist.get_backend(non_member)
    with pytest.raises(ValueError, match="Invalid process group specified"):
        dist.get_process_group_ranks(non_member)


def test_bad_group_and_ranks(world):
    with pytest.raises(TypeError, match="group must be a ProcessGroup or None, got str"):
        dist.get_rank("world")
    with pytest.raises(ValueError, match=r"Global rank 2 is not part of group ProcessGroup"):
        dist.get_group_rank(world, 2)
    with pytest.raises(ValueError, match=r"Group rank 1 is not part of group ProcessGroup"):
        dist.get_global_rank(world, 1)


def test_cuda_tensors_need_the_nccl_backend(world):
    with pytest.raises(RuntimeError, match="No backend type associated with device type cuda: "
                                           "the process group uses backend 'mpi'"):
        world._backend_for(torch.device("cuda", 0))


# -- collectives in a world of one ----------------------------------------------------------------
def test_collectives_in_a_world_of_one(world):
    t = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
    for op in (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX):
        dist.all_reduce(t, op=op)
        dist.reduce(t, dst=0, op=op)
    assert t.tolist() == [[1.0, -2.0], [3.0, 4.0]]
    ints = torch.tensor([-7, 7])
    dist.all_reduce(ints, op=ReduceOp.BXOR)
    assert ints.tolist() == [-7, 7]
    out = [torch.zeros(2, 2)]
    dist.all_gather(out, t)
    dist.gather(t, out)
    dist.scatter(t, [t + 1])
    assert out[0].tolist() == [[1.0, -2.0], [3.0, 4.0]] and t.tolist() == [[2.0, -1.0], [4.0, 5.0]]
    flat = torch.zeros(4)
    dist.all_gather_into_tensor(flat, t)
    dist.reduce_scatter(t, [flat.reshape(2, 2) * 2])
    assert t.tolist() == [[4.0, -2.0], [8.0, 10.0]]
    dist.reduce_scatter_tensor(flat, t, op=ReduceOp.AVG)
    assert flat.tolist() == [4.0, -2.0, 8.0, 10.0]
    outs = [torch.zeros(3)]
    dist.all_to_all(outs, [torch.arange(3.0)])
    dist.all_to_all_single(flat, torch.arange(4.0), [4], [4])
    assert outs[0].tolist() == [0.0, 1.0, 2.0] and flat.tolist() == [0.0, 1.0, 2.0, 3.0]
    objects = [None]
    dist.all_gather_object(objects, {"a": 1})
    dist.broadcast_object_list(objects, src=0)
    gathered = [None]
    dist.gather_object(objects[0], gathered)
    received = [None]
    dist.scatter_object_list(received, [gathered[0]])
    assert objects == gathered == received == [{"a": 1}]


def test_work_handle(world):
    t = torch.tensor([2, 4])
    work = dist.all_reduce(t, op=ReduceOp.AVG, async_op=True)
    assert work.wait() is True and work.wait() is True
    assert work.is_completed() and work.is_success() and work.exception() is None
    assert work.result() == [t] and t.tolist() == [2, 4]
    with pytest.raises(ValueError, match="source_rank\\(\\) is only available for a receive"):
        work.source_rank()


def test_leaf_that_requires_grad_is_reduced_in_place(world):
    w = torch.ones(3, requires_grad=True)
    version = w._version
    dist.all_reduce(w)
    assert w.requires_grad and w.grad_fn is None and w._version == version


# -- argument errors ------------------------------------------------------------------------------
T = "Invalid function argument. Expected parameter `{}` of type torch.Tensor"
L = r"Invalid function argument. Expected parameter `{}` of type List\[torch.Tensor\]"


@pytest.mark.parametrize("call, error, message", [
    (lambda t: dist.all_reduce([1.0]), TypeError, T.format("tensor")),
    (lambda t: dist.broadcast(np.ones(2), 0), TypeError, T.format("tensor")),
    (lambda t: dist.all_gather(t, t), TypeError, L.format("tensor_list")),
    (lambda t: dist.all_gather([t, 1], t), TypeError, L.format("tensor_list")),
    (lambda t: dist.gather(t, (t,)), TypeError, L.format("gather_list")),
    (lambda t: dist.scatter(t, t), TypeError, L.format("scatter_list")),
    (lambda t: dist.all_to_all_single(t, None), TypeError, T.format("input")),
    (lambda t: dist.all_reduce(t.t()), ValueError, "all_reduce: Tensors must be contiguous"),
    (lambda t: dist.all_gather([torch.zeros(3, 2).t()], t), ValueError,
     "all_gather: Tensors must be contiguous"),
    (lambda t: dist.all_gather([t.double()], t), ValueError,
     "Invalid usage of tensors with different dtypes. Found nptorch.float32 and nptorch.float64"),
    (lambda t: dist.all_gather([t, t], t), RuntimeError,
     r"all_gather: expected `tensor_list` to hold 1 tensors \(one per rank\), got 2"),
    (lambda t: dist.all_gather([torch.zeros(3)], t), RuntimeError,
     r"all_gather: invalid tensor size at index 0 of `tensor_list` "
     r"\(expected \(2, 3\), got \(3,\)\)"),
    (lambda t: dist.scatter(t, [torch.zeros(3, 2)]), RuntimeError,
     "scatter: invalid tensor size at index 0 of `scatter_list`"),
    (lambda t: dist.reduce_scatter(t, [t, t]), RuntimeError, "expected `input_list` to hold 1"),
    (lambda t: dist.all_gather_into_tensor(torch.zeros(5), t), RuntimeError,
     "all_gather_into_tensor: expected `output_tensor` to have 6 elements"),
    (lambda t: dist.reduce_scatter_tensor(t, torch.zeros(7)), RuntimeError,
     "reduce_scatter_tensor: expected `input` to have 6 elements"),
    (lambda t: dist.all_to_all([t, t], [t]), RuntimeError,
     "all_to_all: expected `output_tensor_list` to hold 1 tensors"),
    (lambda t: dist.all_to_all([t], []), RuntimeError,
     "all_to_all: expected `input_tensor_list` to hold 1 tensors"),
    (lambda t: dist.all_to_all_single(t, t, [1, 1]), RuntimeError,
     "Number of tensor splits not equal to group size"),
    (lambda t: dist.all_to_all_single(t, t, None, [3]), RuntimeError,
     "Split sizes doesn't match total dim 0 size"),
    (lambda t: dist.all_to_all_single(torch.tensor(1.0), torch.tensor(1.0)), ValueError,
     "all_to_all_single: `output` must have at least one dimension"),
    (lambda t: dist.all_reduce(t, op="sum"), TypeError,
     "all_reduce: op must be a ReduceOp \\(e.g. ReduceOp.SUM\\), got 'sum'"),
    (lambda t: dist.reduce(t, 0, op=ReduceOp.PREMUL_SUM), ValueError,
     "reduce: ReduceOp.PREMUL_SUM is not supported"),
    (lambda t: dist.all_reduce(t, op=ReduceOp.BAND), ValueError,
     "Cannot use ReduceOp.BAND with non-integral dtype"),
    (lambda t: dist.all_reduce(t > 0, op=ReduceOp.AVG), ValueError,
     "Cannot use ReduceOp.AVG with boolean inputs"),
    (lambda t: dist.broadcast(t), ValueError, "Must specify global_rank or group_rank"),
    (lambda t: dist.reduce(t, dst=0, group_dst=0), ValueError,
     "Can't specify both group_rank and global_rank"),
    (lambda t: dist.broadcast(t, src=5), ValueError, "Global rank 5 is not part of group"),
    (lambda t: dist.broadcast(t, group_src=3), ValueError, "Group rank 3 is not part of group"),
    (lambda t: dist.gather(t), ValueError,
     "Argument ``gather_list`` must be specified on destination rank."),
    (lambda t: dist.scatter(t, []), ValueError,
     "Argument ``scatter_list`` must be specified on source rank."),
    (lambda t: dist.send(t, 0), ValueError,
     "Invalid destination rank: destination rank should not be the same as the rank of the "
     "current process."),
    (lambda t: dist.irecv(t, group_src=0), ValueError, "Invalid source rank: source rank should"),
    (lambda t: dist.isend(t, 0, tag=-1), ValueError, "tag must be a non-negative integer, got -1"),
    (lambda t: dist.recv(t, 0, tag="a"), ValueError, "tag must be a non-negative integer, got 'a'"),
    (lambda t: dist.all_gather_object([None, None], 1), ValueError,
     r"all_gather_object: expected `object_list` to be a list of 1 entries \(one per rank\), "
     r"got 2"),
    (lambda t: dist.gather_object(1), ValueError,
     "Argument ``gather_list`` must be specified on destination rank."),
    (lambda t: dist.gather_object(1, [1, 2]), ValueError,
     "gather_object: expected `object_gather_list` to be a list of 1 entries"),
    (lambda t: dist.scatter_object_list([], [1]), ValueError,
     "Expected argument scatter_object_output_list to be a list of size at least 1."),
    (lambda t: dist.scatter_object_list([None]), ValueError,
     "source rank must provide non-None scatter_object_input_list"),
    (lambda t: dist.scatter_object_list([None], (1,)), ValueError,
     "expected `scatter_object_input_list` to be a list of 1 entries"),
])
def test_argument_errors(world, call, error, message):
    with pytest.raises(error, match=message):
        call(torch.zeros(2, 3))


# -- the NCCL backend on a stand-in CuPy ----------------------------------------------------------
class DeviceArray(np.ndarray):
    """A NumPy array with CuPy's ``data.ptr``."""

    @property
    def data(self):
        return types.SimpleNamespace(ptr=self.__array_interface__["data"][0])


def device_array(values, dtype=np.float32):
    return np.asarray(values, dtype=dtype).view(DeviceArray)


def ptr(array):
    return array.data.ptr


@pytest.fixture
def nccl(monkeypatch):
    """``nptorch.distributed._nccl`` imported over a CuPy stand-in that records NCCL calls."""
    calls = []
    record = lambda name: lambda *args: calls.append((name, *args))  # noqa: E731

    class Communicator:
        def __init__(self, ndev, uid, rank):
            calls.append(("init", ndev, uid, rank))

        def __getattr__(self, name):
            return record(name)

    stream = types.SimpleNamespace(ptr=99, wait_event=record("wait_event"))
    event = types.SimpleNamespace(record=record("record"), done=True)
    fake_nccl = types.ModuleType("cupy.cuda.nccl")
    fake_nccl.__dict__.update(
        NcclCommunicator=Communicator, get_unique_id=lambda: (7, 8), groupStart=record("start"),
        groupEnd=record("end"), NCCL_SUM=0, NCCL_PROD=1, NCCL_MAX=2, NCCL_MIN=3, NCCL_INT8=10,
        NCCL_UINT8=11, NCCL_INT32=12, NCCL_INT64=13, NCCL_FLOAT16=14, NCCL_FLOAT32=15,
        NCCL_FLOAT64=16)

    class Device:
        def __init__(self, index):
            self.index = index

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    cuda = types.ModuleType("cupy.cuda")
    cuda.__dict__.update(nccl=fake_nccl, Device=Device, Event=lambda disable_timing: event,
                         get_current_stream=lambda: stream)
    cupy = types.ModuleType("cupy")
    cupy.cuda = cuda
    for name, module in (("cupy", cupy), ("cupy.cuda", cuda), ("cupy.cuda.nccl", fake_nccl)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "nptorch.distributed._nccl", raising=False)
    module = importlib.import_module("nptorch.distributed._nccl")
    monkeypatch.delitem(sys.modules, "nptorch.distributed._nccl")

    def backend(rank, size=2):
        mpi = types.SimpleNamespace(Get_rank=lambda: rank, Get_size=lambda: size,
                                    bcast=lambda obj, root: obj if rank == root else (7, 8))
        b = module.NCCLBackend(mpi, 0)
        calls.clear()
        return b

    return types.SimpleNamespace(backend=backend, calls=calls, module=module)


def test_nccl_communicator_gets_the_unique_id_of_rank_zero(nccl):
    b = nccl.backend(1)
    assert (b.rank, b.size, b.device.index) == (1, 2, 0)
    b.close()
    assert nccl.calls == [("destroy",)]


def test_nccl_reductions(nccl):
    b = nccl.backend(0)
    a = device_array([1, 2, 3])
    request = b.allreduce(a, ReduceOp.MAX)
    assert nccl.calls[0] == ("allReduce", ptr(a), ptr(a), 3, 15, 2, 99)
    assert request.test() and request.source() is None
    request.wait()
    assert nccl.calls[-1][0] == "wait_event"
    i = device_array([1, 2], np.int64)
    b.reduce(i, ReduceOp.PRODUCT, 1)
    b.broadcast(i, 1)
    out = device_array([0], np.int64)
    b.reduce_scatter(out, i, ReduceOp.SUM)
    b.allgather(i, out)
    assert [c for c in nccl.calls if c[0] != "record"][2:] == [
        ("reduce", ptr(i), ptr(i), 2, 13, 1, 1, 99), ("bcast", ptr(i), 2, 13, 1, 99),
        ("reduceScatter", ptr(i), ptr(out), 1, 13, 0, 99),
        ("allGather", ptr(out), ptr(i), 1, 13, 99)]


def test_nccl_argument_errors(nccl):
    b = nccl.backend(0)
    with pytest.raises(TypeError, match="the NCCL backend does not support int16 tensors"):
        b.allreduce(device_array([1], np.int16), ReduceOp.SUM)
    with pytest.raises(ValueError, match="Cannot use ReduceOp.BXOR with NCCL"):
        b.allreduce(device_array([1], np.int64), ReduceOp.BXOR)
    with pytest.raises(RuntimeError, match="the NCCL backend cannot receive from any source"):
        b.recv(device_array([1]), None, 0)


def test_nccl_gather_and_scatter_are_grouped_point_to_point(nccl):
    root, leaf = nccl.backend(0), nccl.backend(1)
    x, out = device_array([1, 2]), device_array([0, 0, 0, 0])
    root.gather(out, x, 0)
    assert out[:2].tolist() == [1, 2]  # the root's own piece is a device copy
    leaf.gather(None, x, 0)
    pieces = device_array([5, 6, 7, 8])
    root.scatter(x, pieces, 0)
    assert x.tolist() == [5, 6]
    leaf.scatter(out, None, 0)
    calls = [c for c in nccl.calls if c[0] != "record"]
    assert calls == [
        ("start",), ("recv", ptr(out) + 8, 2, 15, 1, 99), ("end",),
        ("start",), ("send", ptr(x), 2, 15, 0, 99), ("end",),
        ("start",), ("send", ptr(pieces) + 8, 2, 15, 1, 99), ("end",),
        ("start",), ("recv", ptr(out), 4, 15, 0, 99), ("end",)]


def test_nccl_all_to_all_and_point_to_point(nccl):
    b = nccl.backend(0)
    inp, out = device_array([1, 2, 3, 4, 5]), device_array([0, 0, 0, 0])
    b.alltoall(out, [1, 3], inp, [1, 4])
    assert out[0] == 1
    request = b.recv(out, 1, 5)
    b.send(inp, 1, 5)
    assert request.source() == 1
    calls = [c for c in nccl.calls if c[0] != "record"]
    assert calls == [
        ("start",), ("send", ptr(inp) + 4, 4, 15, 1, 99), ("recv", ptr(out) + 4, 3, 15, 1, 99),
        ("end",), ("start",), ("recv", ptr(out), 4, 15, 1, 99), ("end",),
        ("start",), ("send", ptr(inp), 5, 15, 1, 99), ("end",)]
