"""A Siamese network on digit pairs trained with the contrastive loss.

Pairs of the same digit are pulled together, pairs of different digits pushed at least
``margin`` apart; the test metric is the accuracy of "same digit iff distance < margin / 2".

    python examples/siamese.py [--data ../shared/data/mnist]
"""
import nptorch as torch
from nptorch import nn
from nptorch.utils.data import TensorDataset

from _common import fit, image_datasets, parser

MARGIN = 2.0


def pairs(dataset, count, generator):
    """``count`` random pairs (x1, x2, same) of which about half show the same digit."""
    x, y = dataset.tensors
    first = torch.randint(0, len(y), (count,), generator=generator)
    second = torch.randint(0, len(y), (count,), generator=generator)
    # for half of the pairs pick a partner with the same label
    for i in range(0, count, 2):
        same = (y == y[first[i]]).nonzero().squeeze(1)
        second[i] = same[torch.randint(0, len(same), (1,), generator=generator)]
    return TensorDataset(x[first], x[second], (y[first] == y[second]).float())


class Embedder(nn.Module):
    def __init__(self, pixels, dim=16):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 128), nn.ReLU(),
                                 nn.Linear(128, dim))

    def forward(self, x):
        return self.net(x)


def contrastive_loss(model, batch):
    x1, x2, same = batch
    d = nn.functional.pairwise_distance(model(x1), model(x2))
    return (same * d ** 2 + (1 - same) * (MARGIN - d).clamp(min=0) ** 2).mean() / 2


def pair_accuracy(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x1, x2, same in loader:
            d = nn.functional.pairwise_distance(model(x1), model(x2))
            correct += ((d < MARGIN / 2).float() == same).sum().item()
            total += same.numel()
    return correct / total


def main():
    p = parser(__doc__.splitlines()[0], epochs=15)
    p.add_argument("--data", default=None, help="folder with MNIST IDX files (default: digits)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train_images, test_images = image_datasets(args.data, args.seed)
    train_set = pairs(train_images, 4000, generator)
    test_set = pairs(test_images, 1000, generator)
    model = Embedder(train_images[0][0].numel())
    accuracy = fit(model, train_set, test_set, args, "siamese", loss=contrastive_loss,
                   metric=pair_accuracy)
    print(f"pair accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
