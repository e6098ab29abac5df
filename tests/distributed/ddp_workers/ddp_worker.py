"""Run on N MPI ranks: DistributedDataParallel and SyncBatchNorm against single-process training
on the same global batch (float64), computed by every rank itself.

Runs the checks named on the command line (all without arguments). Each rank prints
``rank R: ok NAME;`` after each check; a failed check raises, which aborts the job.
"""
import sys

import numpy as np

import nptorch as torch
import nptorch.distributed as dist
from nptorch import nn
from nptorch.nn.parallel import DistributedDataParallel as DDP

CHECKS = []
GLOBAL_BATCH = 16  # its halves divisible by 2 and 4 ranks


def check(fn):
    CHECKS.append(fn)
    return fn


def mlp():
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))


def cnn():
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Flatten(), nn.Linear(4 * 5 * 5, 3))


def batch(step, shape):
    rng = np.random.default_rng(100 + step)
    x = torch.tensor(rng.standard_normal((GLOBAL_BATCH, *shape)))
    y = torch.tensor(rng.integers(0, 3, GLOBAL_BATCH))
    return x, y


def local(t, rank, world):
    """This rank's equal share of the batch ``t``."""
    n = len(t) // world
    return t[rank * n:(rank + 1) * n]


def replicas(build, seed=0):
    """(reference model, DDP replica): the same weights, the replica seeded per rank so that only
    DDP's broadcast from rank 0 makes them equal."""
    torch.manual_seed(seed)
    reference = build()
    torch.manual_seed(seed + dist.get_rank())
    replica = build()
    return reference, replica


def close(a, b, what):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12,
                               err_msg=what)


def train_and_compare(build, shape, rank, world, sync_bn=False, steps=3):
    reference, replica = replicas(build)
    if sync_bn:
        replica = nn.SyncBatchNorm.convert_sync_batchnorm(replica)
    model = DDP(replica, bucket_cap_mb=1e-4)  # small buckets: several all-reduces per step
    assert len(model._buckets) > 1
    opt_ref = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(steps):
        x, y = batch(step, shape)
        opt_ref.zero_grad()
        nn.functional.cross_entropy(reference(x), y).backward()
        opt_ref.step()
        opt.zero_grad()
        nn.functional.cross_entropy(model(local(x, rank, world)), local(y, rank, world)).backward()
        opt.step()
    for (name, p), q in zip(reference.state_dict().items(), model.module.state_dict().values()):
        close(p, q, name)


@check
def starts_from_rank_zero_and_prefixes_state_dict(rank, world):
    reference, replica = replicas(mlp)
    model = DDP(replica)
    for p, q in zip(reference.parameters(), model.parameters()):
        close(p, q, "broadcast")
    assert list(model.state_dict()) == ["module." + k for k in reference.state_dict()]


@check
def mlp_matches_single_process(rank, world):
    train_and_compare(mlp, (5,), rank, world)


@check
def cnn_with_sync_batchnorm_matches_single_process(rank, world):
    train_and_compare(cnn, (2, 5, 5), rank, world, sync_bn=True)


@check
def no_sync_accumulation_matches(rank, world):
    reference, replica = replicas(mlp)
    model = DDP(replica)
    x, y = batch(0, (5,))
    halves = [(x[:8], y[:8]), (x[8:], y[8:])]  # two micro-batches of the global batch
    for xs, ys in halves:
        nn.functional.cross_entropy(reference(xs), ys).backward()
    with model.no_sync():
        xs, ys = (local(t, rank, world) for t in halves[0])
        nn.functional.cross_entropy(model(xs), ys).backward()
    if world > 1:  # not averaged yet: this rank's own gradient
        assert not np.allclose(model.module[0].weight.grad.numpy(),
                               reference[0].weight.grad.numpy())
    xs, ys = halves[1]
    nn.functional.cross_entropy(model(local(xs, rank, world)), local(ys, rank, world)).backward()
    for p, q in zip(reference.parameters(), model.parameters()):
        close(p.grad, q.grad, "accumulated gradient")


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk, self.sometimes, self.never = nn.Linear(3, 3), nn.Linear(3, 3), nn.Linear(3, 3)

    def forward(self, x, use_branch):
        h = self.trunk(x)
        return self.sometimes(h) if use_branch else h


@check
def find_unused_parameters(rank, world):
    torch.manual_seed(0)
    model = DDP(Branches(), find_unused_parameters=True)
    x = torch.ones(2, 3) * (rank + 1)
    model(x, use_branch=rank == 0).sum().backward()
    assert model.module.never.weight.grad is None  # unused on every rank
    # used on rank 0 only: the average of rank 0's gradient and zeros
    expected = model.module.trunk(torch.ones(2, 3)).sum(0).detach() / world
    close(model.module.sometimes.weight.grad, expected.expand(3, 3), "partly used")
    model(x, use_branch=True).sum().backward()  # the next iteration runs normally


@check
def unused_parameter_without_detection_is_reported(rank, world):
    torch.manual_seed(0)
    model = DDP(Branches())
    model(torch.ones(2, 3), use_branch=True).sum().backward()  # `never` gets no gradient
    try:
        model(torch.ones(2, 3), use_branch=True)
    except RuntimeError as e:
        assert "Expected to have finished reduction in the prior iteration" in str(e), e
    else:
        raise AssertionError("no error for an unfinished reduction")


@check
def buffers_broadcast_before_forward(rank, world):
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(3)
    model = DDP(bn)
    bn.running_mean.fill_(float(rank))
    model.eval()
    with torch.no_grad():
        model(torch.ones(4, 3))
    assert bn.running_mean.tolist() == [0.0, 0.0, 0.0]
    unsynced = DDP(nn.BatchNorm1d(3), broadcast_buffers=False)
    unsynced.module.running_mean.fill_(float(rank))
    with torch.no_grad():
        unsynced.eval()(torch.ones(4, 3))
    assert unsynced.module.running_mean.tolist() == [float(rank)] * 3


@check
def sync_batchnorm_equals_batchnorm_on_the_whole_batch(rank, world):
    x = torch.tensor(np.random.default_rng(7).standard_normal((8, 3, 4)) * 3 + 1)
    torch.manual_seed(0)
    bn, sync = nn.BatchNorm1d(3), nn.SyncBatchNorm(3)
    for m in (bn, sync):
        nn.init.normal_(m.weight)
        nn.init.normal_(m.bias)
    sync.load_state_dict(bn.state_dict())
    full = x.clone().requires_grad_()
    mine = local(x, rank, world).clone().requires_grad_()
    weights = torch.arange(float(x.numel())).reshape(x.shape)
    (bn(full) * weights).sum().backward()
    (sync(mine) * local(weights, rank, world)).sum().backward()
    close(sync.running_mean, bn.running_mean, "running mean")
    close(sync.running_var, bn.running_var, "running var")
    close(mine.grad, local(full.grad, rank, world), "input gradient")
    for name in ("weight", "bias"):  # per rank the local part; summed over ranks the whole
        total = getattr(sync, name).grad.clone()
        dist.all_reduce(total)
        close(total, getattr(bn, name).grad, name)
    sync.eval()
    close(sync(x), bn.eval()(x), "eval mode")


def main():
    dist.init_process_group("mpi")
    torch.set_default_dtype(torch.float64)
    rank, world = dist.get_rank(), dist.get_world_size()
    names = sys.argv[1:]
    for fn in CHECKS:
        if names and fn.__name__ not in names:
            continue
        fn(rank, world)
        print(f"rank {rank}: ok {fn.__name__};", flush=True)
    dist.destroy_process_group()
    print(f"rank {rank}: done;", flush=True)


if __name__ == "__main__":
    main()
