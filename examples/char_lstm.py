"""Train an LSTM character language model on a short text and sample from it.

    python examples/char_lstm.py [--text FILE]
"""
import nptorch as torch
from nptorch import nn
from nptorch.utils.data import TensorDataset

from _common import fit, parser

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it "
    "was the season of Light, it was the season of Darkness, it was the spring of hope, it "
    "was the winter of despair, we had everything before us, we had nothing before us, we "
    "were all going direct to Heaven, we were all going direct the other way. ")


class CharLSTM(nn.Module):
    def __init__(self, vocab, hidden=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, 32)
        self.lstm = nn.LSTM(32, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        y, state = self.lstm(self.embed(x), state)
        return self.head(y), state


def next_char_loss(model, batch):
    x, y = batch
    logits, _ = model(x)
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def sample(model, chars, start, length):
    """Greedy continuation of ``start``."""
    index = {c: i for i, c in enumerate(chars)}
    model.eval()
    with torch.no_grad():
        x = torch.tensor([[index[c] for c in start]])
        out, state = model(x)
        text = start
        for _ in range(length):
            nxt = out[0, -1].argmax().item()
            text += chars[nxt]
            out, state = model(torch.tensor([[nxt]]), state)
    return text


def main():
    p = parser(__doc__.splitlines()[0], epochs=30, lr=1e-2, batch_size=16)
    p.add_argument("--text", default=None, help="a text file (default: a built-in paragraph)")
    p.add_argument("--seq-len", type=int, default=40)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    text = open(args.text).read() if args.text else TEXT * 3
    chars = sorted(set(text))
    codes = torch.tensor([chars.index(c) for c in text])
    starts = range(0, len(codes) - args.seq_len - 1, args.seq_len // 2)
    x = torch.stack([codes[s:s + args.seq_len] for s in starts])
    y = torch.stack([codes[s + 1:s + args.seq_len + 1] for s in starts])
    data = TensorDataset(x, y)
    model = CharLSTM(len(chars))

    def mean_loss(model, loader):
        model.eval()
        with torch.no_grad():
            return sum(next_char_loss(model, b).item() for b in loader) / len(loader)

    final = fit(model, data, data, args, "char_lstm", loss=next_char_loss, metric=mean_loss)
    print(f"final loss {final:.4f}")
    print(repr(sample(model, chars, "it was the ", 60)))


if __name__ == "__main__":
    main()
