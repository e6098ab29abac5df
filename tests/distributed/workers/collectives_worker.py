"""Run on N MPI ranks: every collective checked against NumPy on known values.

Each rank prints ``rank R: ok NAME;`` after each check; a failed check raises, which aborts the job.
Rank ``r`` contributes ``data(r, dtype)``, so every rank can compute the expected results itself.
"""
import warnings

import numpy as np

import nptorch as torch
import nptorch.distributed as dist
from nptorch.distributed import ReduceOp

DTYPES = {"float32": (torch.float32, np.float32), "float64": (torch.float64, np.float64),
          "int64": (torch.int64, np.int64)}
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def data(r, np_dtype, shape=(2, 3)):
    """Rank r's input: small values of both signs, different on every rank, never zero."""
    n = int(np.prod(shape))
    values = (np.arange(n) - 2) * (r + 1) + 3 * r + 1
    values[values == 0] = 7
    return values.reshape(shape).astype(np_dtype)


def everyone(np_dtype, shape=(2, 3)):
    return np.stack([data(r, np_dtype, shape) for r in range(WORLD)])


def expected_reduction(op, stacked):
    if op == ReduceOp.AVG:
        if stacked.dtype.kind == "f":
            return stacked.sum(0) / WORLD
        return np.trunc(stacked.sum(0) / WORLD).astype(stacked.dtype)
    reduction = {ReduceOp.SUM: np.sum, ReduceOp.PRODUCT: np.prod, ReduceOp.MIN: np.min,
                 ReduceOp.MAX: np.max, ReduceOp.BAND: np.bitwise_and.reduce,
                 ReduceOp.BOR: np.bitwise_or.reduce, ReduceOp.BXOR: np.bitwise_xor.reduce}[op]
    return reduction(stacked, 0)


def assert_equal(tensor, expected):
    assert tensor.dtype == torch.tensor(np.asarray(expected)).dtype, (tensor.dtype, expected.dtype)
    np.testing.assert_allclose(tensor.numpy(), expected, rtol=1e-6)


def tensor(array):
    return torch.tensor(np.array(array))


OPS = [ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX]
BITWISE = [ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR]


@check
def all_reduce_every_op_and_dtype():
    for _, np_dtype in DTYPES.values():
        for op in OPS + (BITWISE if np_dtype == np.int64 else []):
            t = tensor(data(RANK, np_dtype))
            assert dist.all_reduce(t, op=op) is None
            assert_equal(t, expected_reduction(op, everyone(np_dtype)))


@check
def all_reduce_async():
    works = []
    tensors = [tensor(data(RANK, np.float64)) for _ in OPS]
    for t, op in zip(tensors, OPS):
        works.append(dist.all_reduce(t, op=op, async_op=True))
    for t, op, work in zip(tensors, OPS, works):
        assert isinstance(work, dist.Work)
        assert work.wait() is True
        assert work.is_completed()
        assert_equal(t, expected_reduction(op, everyone(np.float64)))


@check
def all_reduce_bool_float16_and_scalar():
    flags = torch.tensor([RANK == 0, True, False])
    dist.all_reduce(flags)  # SUM on bool is logical or
    assert flags.tolist() == [True, True, False]
    flags = torch.tensor([RANK == 0, True, False])
    dist.all_reduce(flags, op=ReduceOp.PRODUCT)  # logical and
    assert flags.tolist() == [WORLD == 1, True, False]
    half = torch.tensor([1.5, -2.0], dtype=torch.float16) * (RANK + 1)
    dist.all_reduce(half)
    assert half.dtype == torch.float16
    assert half.tolist() == [1.5 * TRIANGLE, -2.0 * TRIANGLE]
    scalar = torch.tensor(RANK + 1)
    dist.all_reduce(scalar, op=ReduceOp.MAX)
    assert scalar.item() == WORLD and scalar.dim() == 0


@check
def broadcast_from_every_rank():
    for src in range(WORLD):
        for _, np_dtype in DTYPES.values():
            t = tensor(data(RANK, np_dtype))
            dist.broadcast(t, src=src)
            assert_equal(t, data(src, np_dtype))
    t = tensor(data(RANK, np.float32))
    work = dist.broadcast(t, group_src=WORLD - 1, async_op=True)
    work.wait()
    assert_equal(t, data(WORLD - 1, np.float32))


@check
def reduce_to_last_rank():
    dst = WORLD - 1
    for _, np_dtype in DTYPES.values():
        for op in OPS:
            t = tensor(data(RANK, np_dtype))
            dist.reduce(t, dst=dst, op=op)
            if RANK == dst:
                assert_equal(t, expected_reduction(op, everyone(np_dtype)))
    t = tensor(data(RANK, np.float32))
    dist.reduce(t, group_dst=0, async_op=True).wait()
    if RANK == 0:
        assert_equal(t, everyone(np.float32).sum(0))


@check
def all_gather_list_and_async():
    for torch_dtype, np_dtype in DTYPES.values():
        out = [torch.zeros(2, 3, dtype=torch_dtype) for _ in range(WORLD)]
        dist.all_gather(out, tensor(data(RANK, np_dtype)))
        for r in range(WORLD):
            assert_equal(out[r], data(r, np_dtype))
    out = [torch.zeros(4) for _ in range(WORLD)]
    work = dist.all_gather(out, torch.full((4,), float(RANK)), async_op=True)
    work.wait()
    assert [o.tolist() for o in out] == [[float(r)] * 4 for r in range(WORLD)]
    assert work.result() == out


@check
def all_gather_into_tensor_both_layouts():
    flat = torch.zeros(2 * WORLD, 3, dtype=torch.int64)
    dist.all_gather_into_tensor(flat, tensor(data(RANK, np.int64)))
    assert_equal(flat, everyone(np.int64).reshape(2 * WORLD, 3))
    stacked = torch.zeros(WORLD, 2, 3)
    dist.all_gather_into_tensor(stacked, tensor(data(RANK, np.float32)), async_op=True).wait()
    assert_equal(stacked, everyone(np.float32))


@check
def gather_to_rank_one():
    dst = 1 % WORLD
    for _, np_dtype in DTYPES.values():
        t = tensor(data(RANK, np_dtype))
        out = [torch.zeros_like(t) for _ in range(WORLD)] if RANK == dst else None
        dist.gather(t, out, dst=dst)
        if RANK == dst:
            for r in range(WORLD):
                assert_equal(out[r], data(r, np_dtype))
    t = torch.full((2,), float(RANK))
    out = [torch.zeros(2) for _ in range(WORLD)] if RANK == 0 else None
    dist.gather(t, gather_list=out, async_op=True).wait()  # dst defaults to 0
    if RANK == 0:
        assert [o.tolist() for o in out] == [[float(r)] * 2 for r in range(WORLD)]


@check
def scatter_from_rank_one():
    src = 1 % WORLD
    for _, np_dtype in DTYPES.values():
        t = tensor(np.zeros((2, 3), np_dtype))
        pieces = [tensor(data(r, np_dtype)) for r in range(WORLD)] if RANK == src else None
        dist.scatter(t, pieces, src=src)
        assert_equal(t, data(RANK, np_dtype))
    t = torch.zeros(3)
    pieces = [torch.full((3,), 10.0 * r) for r in range(WORLD)] if RANK == 0 else None
    dist.scatter(t, scatter_list=pieces, async_op=True).wait()  # src defaults to 0
    assert t.tolist() == [10.0 * RANK] * 3


def reduce_scatter_inputs(np_dtype):
    """Rank r's input piece for rank j is data(r + j): the expected output on rank j reduces
    data(r + j) over r."""
    return [data(RANK + j, np_dtype) for j in range(WORLD)]


def reduce_scatter_expected(op, np_dtype):
    return expected_reduction(op, np.stack([data(r + RANK, np_dtype) for r in range(WORLD)]))


@check
def reduce_scatter_list_and_tensor():
    for _, np_dtype in DTYPES.values():
        for op in OPS:
            out = tensor(np.zeros((2, 3), np_dtype))
            dist.reduce_scatter(out, [tensor(a) for a in reduce_scatter_inputs(np_dtype)], op=op)
            assert_equal(out, reduce_scatter_expected(op, np_dtype))
            out = tensor(np.zeros((2, 3), np_dtype))
            dist.reduce_scatter_tensor(out, tensor(np.concatenate(reduce_scatter_inputs(np_dtype))),
                                       op=op)
            assert_equal(out, reduce_scatter_expected(op, np_dtype))
    out = torch.zeros(2, 3)
    work = dist.reduce_scatter_tensor(out, tensor(np.stack(reduce_scatter_inputs(np.float32))),
                                      async_op=True)
    work.wait()
    assert_equal(out, reduce_scatter_expected(ReduceOp.SUM, np.float32))


@check
def all_to_all_uneven_sizes():
    # rank r sends rank j a tensor of r + j + 1 values, all equal to 100 r + j
    for torch_dtype, np_dtype in DTYPES.values():
        inputs = [torch.full((RANK + j + 1,), 100 * RANK + j, dtype=torch_dtype)
                  for j in range(WORLD)]
        outputs = [torch.zeros(r + RANK + 1, dtype=torch_dtype) for r in range(WORLD)]
        dist.all_to_all(outputs, inputs)
        for r in range(WORLD):
            assert_equal(outputs[r], np.full(r + RANK + 1, 100 * r + RANK, np_dtype))
    outputs = [torch.zeros(2) for _ in range(WORLD)]
    dist.all_to_all(outputs, [torch.full((2,), float(j)) for j in range(WORLD)],
                    async_op=True).wait()
    assert [o.tolist() for o in outputs] == [[float(RANK)] * 2] * WORLD


@check
def all_to_all_single_equal_and_split():
    inp = torch.arange(WORLD * 2 * 3, dtype=torch.int64).reshape(WORLD * 2, 3) + 1000 * RANK
    out = torch.zeros(WORLD * 2, 3, dtype=torch.int64)
    dist.all_to_all_single(out, inp)
    base = np.arange(WORLD * 6).reshape(WORLD * 2, 3)
    expected = np.concatenate([base[2 * RANK:2 * RANK + 2] + 1000 * r for r in range(WORLD)])
    assert_equal(out, expected)
    # rank r sends j + 1 rows to rank j, so rank j receives j + 1 rows from every rank
    in_splits = [j + 1 for j in range(WORLD)]
    inp = torch.cat([torch.full((j + 1, 2), float(10 * RANK + j)) for j in range(WORLD)])
    out = torch.zeros(WORLD * (RANK + 1), 2)
    work = dist.all_to_all_single(out, inp, output_split_sizes=[RANK + 1] * WORLD,
                                  input_split_sizes=in_splits, async_op=True)
    work.wait()
    expected = np.concatenate([np.full((RANK + 1, 2), 10.0 * r + RANK) for r in range(WORLD)])
    assert_equal(out, expected.astype(np.float32))


@check
def send_recv_ring():
    right, left = (RANK + 1) % WORLD, (RANK - 1) % WORLD
    for torch_dtype, np_dtype in DTYPES.values():
        work = dist.isend(tensor(data(RANK, np_dtype)), dst=right)
        got = torch.zeros(2, 3, dtype=torch_dtype)
        assert dist.recv(got, src=left) == left
        work.wait()
        assert_equal(got, data(left, np_dtype))
    # any source, two tags received in the opposite order of sending
    works = [dist.isend(torch.full((2,), float(RANK + tag)), dst=right, tag=tag) for tag in (1, 2)]
    second, first = torch.zeros(2), torch.zeros(2)
    assert dist.recv(second, tag=2) == left
    recv_work = dist.irecv(first, src=left, tag=1)
    recv_work.wait()
    assert recv_work.source_rank() == left
    for w in works:
        w.wait()
    assert second.tolist() == [left + 2.0] * 2 and first.tolist() == [left + 1.0] * 2
    if RANK % 2 == 0:  # blocking send against blocking recv
        dist.send(torch.tensor([7, RANK]), dst=right)
    else:
        got = torch.zeros(2, dtype=torch.int64)
        dist.recv(got, src=left)
        assert got.tolist() == [7, left]
    if RANK % 2 == 1:
        dist.send(torch.tensor([8, RANK]), dst=right)
    else:
        got = torch.zeros(2, dtype=torch.int64)
        dist.recv(got, src=left)
        assert got.tolist() == [8, left]


@check
def new_group_subsets():
    odd = dist.new_group([r for r in range(WORLD) if r % 2 == 1])
    head = dist.new_group(list(range(WORLD - 2, -1, -1)))  # sorted to 0 .. WORLD-2
    if RANK % 2 == 1:
        members = list(range(1, WORLD, 2))
        assert dist.get_world_size(odd) == len(members)
        assert dist.get_rank(odd) == members.index(RANK)
        assert dist.get_process_group_ranks(odd) == members
        t = torch.tensor([float(RANK)])
        dist.all_reduce(t, group=odd)
        assert t.item() == sum(members)
        t = torch.tensor([float(RANK)])
        dist.broadcast(t, src=members[-1], group=odd)  # src is a global rank
        assert t.item() == members[-1]
        assert dist.get_group_rank(odd, members[-1]) == len(members) - 1
        assert dist.get_global_rank(odd, 0) == 1
    else:
        assert odd == dist.GroupMember.NON_GROUP_MEMBER
        assert dist.get_rank(odd) == -1 and dist.get_world_size(odd) == -1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert dist.all_reduce(torch.ones(1), group=odd) is None
        assert "does not belong to the given group" in str(caught[0].message)
    if RANK < WORLD - 1:
        assert dist.get_process_group_ranks(head) == list(range(WORLD - 1))
        out = [torch.zeros(1) for _ in range(WORLD - 1)]
        dist.all_gather(out, torch.tensor([float(RANK * RANK)]), group=head)
        assert [o.item() for o in out] == [float(r * r) for r in range(WORLD - 1)]
        t = torch.tensor([float(RANK + 1)])
        dist.reduce(t, group_dst=0, op=ReduceOp.PRODUCT, group=head)
        if RANK == 0:
            assert t.item() == float(np.prod(np.arange(1, WORLD)))
        dist.barrier(group=head)
        dist.destroy_process_group(head)
    else:
        assert dist.get_rank(head) == -1


@check
def object_collectives():
    objects = [{"rank": RANK}, "text", RANK] if RANK == WORLD - 1 else [None, None, None]
    dist.broadcast_object_list(objects, src=WORLD - 1)
    assert objects == [{"rank": WORLD - 1}, "text", WORLD - 1]
    gathered = [None] * WORLD
    dist.all_gather_object(gathered, ("r", RANK, [RANK] * RANK))
    assert gathered == [("r", r, [r] * r) for r in range(WORLD)]
    out = [None] * WORLD if RANK == 0 else None
    dist.gather_object({"x": RANK * 1.5}, out, dst=0)
    if RANK == 0:
        assert out == [{"x": r * 1.5} for r in range(WORLD)]
    received = [None]
    inputs = [f"for {r}" for r in range(WORLD)] if RANK == 0 else None
    dist.scatter_object_list(received, inputs, src=0)
    assert received == [f"for {RANK}"]


def raises(exc_type, text, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        assert text in str(e), str(e)
    else:
        raise AssertionError(f"{fn.__name__} did not raise {exc_type.__name__}")


@check
def errors_that_need_several_ranks():
    # all raised before anything is sent, so the other ranks are not left waiting
    if RANK != 0:
        t = torch.zeros(2)
        raises(ValueError, "``gather_list`` must NOT be specified on non-destination ranks",
               dist.gather, t, [t] * WORLD, dst=0)
        raises(ValueError, "``scatter_list`` must NOT be specified on non-source ranks",
               dist.scatter, t, [t] * WORLD, src=0)
        raises(ValueError, "``gather_list`` must NOT be specified on non-destination ranks",
               dist.gather_object, 1, [None] * WORLD, dst=0)
    odd_rows = torch.zeros(WORLD + 1, 2)
    raises(RuntimeError, f"dim 0 of `input` ({WORLD + 1}) does not divide equally across group "
           f"size {WORLD}", dist.all_to_all_single, torch.zeros(WORLD, 2), odd_rows)
    if RANK == 0:
        dist.broadcast_object_list(["one entry"], src=0)
    else:
        raises(ValueError, "object_list has 2 entries on this rank but 1 on the source rank",
               dist.broadcast_object_list, [None, None], src=0)


@check
def barrier_sync_and_async():
    assert dist.barrier() is None
    work = dist.barrier(async_op=True)
    assert work.wait() and work.is_completed()


dist.init_process_group("mpi")
RANK, WORLD = dist.get_rank(), dist.get_world_size()
TRIANGLE = WORLD * (WORLD + 1) // 2
assert dist.is_initialized() and dist.get_backend() == "mpi"
for fn in CHECKS:
    fn()
    print(f"rank {RANK}: ok {fn.__name__};", flush=True)
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {RANK}: done;", flush=True)
