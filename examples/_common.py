"""What the example scripts share: image data, the training loop, checkpoints and plots."""
import argparse
import os
import time

import nptorch as torch
from nptorch.utils.data import DataLoader, TensorDataset, random_split


def parser(description, epochs, lr=1e-3, batch_size=64):
    """The command-line options every example takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--batch-size", type=int, default=batch_size)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs", help="folder for the checkpoint and the plot")
    return p


def image_datasets(data_dir=None, seed=0):
    """(train, test) TensorDatasets of (N, 1, H, W) floats in [0, 1] and int64 labels.

    Without ``data_dir``: scikit-learn's bundled 8x8 digits, all 1,797 shuffled with ``seed``
    and split 1,437 / 360 (``Digits``' own split holds out the last writers' digits, a harder,
    shifted test set). With it: MNIST IDX files from that folder; when only the test set is
    there (t10k-*), its 10,000 images are split 8,000 / 2,000 the same way.
    """
    from nptorch.vision import datasets
    generator = torch.Generator().manual_seed(seed)
    if data_dir is None:
        train, test = datasets.Digits(train=True), datasets.Digits(train=False)
        images = torch.cat([train.data, test.data])
        targets = torch.cat([train.targets, test.targets])
        order = torch.randperm(len(targets), generator=generator)
        parts = [_tensors(images[order[:1437]], targets[order[:1437]]),
                 _tensors(images[order[1437:]], targets[order[1437:]])]
    else:
        has_train = any(name.startswith("train-images") for name in os.listdir(data_dir))
        if has_train:
            parts = [datasets.MNIST(data_dir, train=True), datasets.MNIST(data_dir, train=False)]
        else:
            full = datasets.MNIST(data_dir, train=False)
            train_idx, test_idx = random_split(range(len(full)), [8000, 2000], generator=generator)
            parts = [_subset(full, list(train_idx)), _subset(full, list(test_idx))]
    return tuple(p if isinstance(p, TensorDataset) else _tensors(p.data, p.targets) for p in parts)


def _subset(dataset, indices):
    index = torch.tensor(indices)
    return _tensors(dataset.data[index], dataset.targets[index])


def _tensors(images, targets):
    return TensorDataset(images.float().unsqueeze(1) / 255.0, targets)


def accuracy(model, loader):
    """Fraction of correct argmax predictions over a loader."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += y.numel()
    return correct / total


def classification_loss(model, batch):
    x, y = batch
    return torch.nn.functional.cross_entropy(model(x), y)


def fit(model, train_set, test_set, args, name, loss=classification_loss, metric=accuracy):
    """Train with Adam on ``loss(model, batch)``, log one line per epoch, save a checkpoint and
    a plot; returns the final test metric."""
    from tqdm import tqdm
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    history = {"loss": [], "test": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        start, total, count = time.time(), 0.0, 0
        for batch in tqdm(train_loader, desc=f"epoch {epoch}", leave=False, disable=None):
            optimizer.zero_grad()
            value = loss(model, batch)
            value.backward()
            optimizer.step()
            total += value.item() * len(batch[0])
            count += len(batch[0])
        history["loss"].append(total / count)
        history["test"].append(metric(model, test_loader))
        print(f"epoch {epoch:3d}  loss {history['loss'][-1]:.4f}  "
              f"test {history['test'][-1]:.4f}  ({time.time() - start:.1f} s)", flush=True)
    save_run(model, history, args.out, name)
    return history["test"][-1]


def save_run(model, history, out, name):
    """The model's state_dict to ``out/name.pt`` and the loss/metric curves to ``out/name.png``."""
    os.makedirs(out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out, f"{name}.pt"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(history), figsize=(5 * len(history), 3.5))
    for ax, (key, values) in zip(axes, history.items()):
        ax.plot(range(1, len(values) + 1), values, marker="o")
        ax.set_xlabel("epoch")
        ax.set_title(key)
    fig.tight_layout()
    fig.savefig(os.path.join(out, f"{name}.png"))
    plt.close(fig)
    print(f"saved {os.path.join(out, name)}.pt and .png")
