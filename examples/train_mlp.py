"""Train an MLP (784-256-64-10 on MNIST, 64-256-64-10 on digits) and print the test accuracy.

    python examples/train_mlp.py [--data ../shared/data/mnist]
"""
import nptorch as torch
from nptorch import nn

from _common import fit, image_datasets, parser


def main():
    p = parser(__doc__.splitlines()[0], epochs=20)
    p.add_argument("--data", default=None, help="folder with MNIST IDX files (default: digits)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    train_set, test_set = image_datasets(args.data, args.seed)
    pixels = train_set[0][0].numel()
    model = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 256), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(256, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))
    print(model)
    print(f"test accuracy {fit(model, train_set, test_set, args, 'mlp'):.4f}")


if __name__ == "__main__":
    main()
