"""Data-parallel training of the digits CNN: every rank trains on its shard of each epoch.

    python -m nptorch.distributed.run --nproc-per-node 2 examples/distributed_train.py
    python examples/distributed_train.py                      # one process
    python examples/distributed_train.py --data ../shared/data/mnist --resume

``--batch-size`` is per process, as with PyTorch's DistributedDataParallel: the global batch is
``world size x batch size``. Rank 0 prints one line per epoch and writes the checkpoint
(``--out``/distributed_cnn.pt: model, optimizer and epoch), from which ``--resume`` continues.
"""
import os
import time

import nptorch as torch
import nptorch.distributed as dist
from nptorch.nn.parallel import DistributedDataParallel
from nptorch.utils.data import DataLoader, DistributedSampler

from _common import accuracy, classification_loss, image_datasets, parser
from train_cnn import CNN


def train_epoch(model, loader, optimizer):
    """One pass over this rank's shard; returns the mean loss over every rank's samples."""
    model.train()
    total = torch.zeros(2, dtype=torch.float64)  # loss sum, sample count
    for batch in loader:
        optimizer.zero_grad()
        loss = classification_loss(model, batch)
        loss.backward()
        optimizer.step()
        total += torch.tensor([loss.item() * len(batch[0]), len(batch[0])], dtype=torch.float64)
    dist.all_reduce(total)
    return (total[0] / total[1]).item()


def main():
    p = parser(__doc__.splitlines()[0], epochs=5)
    p.add_argument("--data", default=None, help="folder with MNIST IDX files (default: digits)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    args = p.parse_args()
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    path = os.path.join(args.out, "distributed_cnn.pt")
    torch.manual_seed(args.seed)
    train_set, test_set = image_datasets(args.data, args.seed)
    model = CNN(side=train_set[0][0].shape[-1])
    checkpoint = torch.load(path) if args.resume else {"epoch": 0}
    if args.resume:
        model.load_state_dict(checkpoint["model"])
    model = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    if args.resume:
        optimizer.load_state_dict(checkpoint["optimizer"])
    sampler = DistributedSampler(train_set, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler)
    for epoch in range(checkpoint["epoch"] + 1, checkpoint["epoch"] + args.epochs + 1):
        sampler.set_epoch(epoch)
        start = time.time()
        loss = train_epoch(model, loader, optimizer)
        if rank == 0:
            test = accuracy(model.module, DataLoader(test_set, batch_size=256))
            print(f"epoch {epoch:3d}  loss {loss:.4f}  test {test:.4f}  "
                  f"({time.time() - start:.1f} s, world size {dist.get_world_size()})", flush=True)
            os.makedirs(args.out, exist_ok=True)
            torch.save({"model": model.module.state_dict(), "optimizer": optimizer.state_dict(),
                        "epoch": epoch}, path)
    if rank == 0:
        print(f"saved {path}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
