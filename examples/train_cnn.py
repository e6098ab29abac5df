"""Train a small CNN on handwritten digits and print the test accuracy.

    python examples/train_cnn.py                            # scikit-learn's bundled 8x8 digits
    python examples/train_cnn.py --data ../shared/data/mnist  # MNIST IDX files
"""
import nptorch as torch
from nptorch import nn

from _common import fit, image_datasets, parser


class CNN(nn.Module):
    """Two 3x3 conv blocks with max pooling, then a two-layer classifier."""

    def __init__(self, side):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * (side // 4) ** 2, 128), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    p = parser(__doc__.splitlines()[0], epochs=15)
    p.add_argument("--data", default=None, help="folder with MNIST IDX files (default: digits)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    train_set, test_set = image_datasets(args.data, args.seed)
    model = CNN(side=train_set[0][0].shape[-1])
    print(model)
    accuracy = fit(model, train_set, test_set, args, "cnn")
    print(f"test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
