"""Classify digits with a bidirectional GRU that reads each image row by row.

    python examples/gru_digits.py [--data ../shared/data/mnist]
"""
import nptorch as torch
from nptorch import nn

from _common import fit, image_datasets, parser


class RowGRU(nn.Module):
    """A bidirectional GRU over the rows of an image; the classifier sees both final states."""

    def __init__(self, width, hidden=64):
        super().__init__()
        self.gru = nn.GRU(width, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 10)

    def forward(self, x):
        _, h_n = self.gru(x.squeeze(1))  # (N, rows, width): one row per step
        return self.head(torch.cat([h_n[0], h_n[1]], dim=1))


def main():
    p = parser(__doc__.splitlines()[0], epochs=25, lr=3e-3)
    p.add_argument("--data", default=None, help="folder with MNIST IDX files (default: digits)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    train_set, test_set = image_datasets(args.data, args.seed)
    model = RowGRU(width=train_set[0][0].shape[-1])
    print(model)
    print(f"test accuracy {fit(model, train_set, test_set, args, 'gru_digits'):.4f}")


if __name__ == "__main__":
    main()
