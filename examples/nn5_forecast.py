"""Forecast NN5 cash-machine withdrawals 56 days ahead with an LSTM encoder-decoder.

The NN5 competition data: 111 daily series, 735 training days followed by 56 test days. The
encoder (an LSTMCell) reads 28 days of normalised withdrawals with day-of-week features; the
decoder (another LSTMCell, started from the encoder's state) steps through the 56 days ahead,
fed their day-of-week, and reads each day's forecast from its hidden state. Each series is
divided by its training mean, so one model serves all of them. Scored by sMAPE on the test days.

    python examples/nn5_forecast.py [--data ../shared/data/nn5] [--epochs 8]

The same script runs under PyTorch: only the import differs.
"""
import argparse
import os
import sys
import time

import numpy as np

import nptorch as torch
from nptorch import nn

IN_DAYS, OUT_DAYS = 28, 56
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(folder):
    """(train, test) as (series, days) arrays, or None when the files are absent."""
    paths = [os.path.join(folder, name) for name in ("train.csv", "test.csv")]
    if not all(os.path.exists(p) for p in paths):
        return None
    train, test = (np.loadtxt(p, delimiter=",", ndmin=2) for p in paths)
    if train.shape[1] == test.shape[1]:  # one column per series: transpose to one row each
        train, test = train.T, test.T
    return train, test


def day_of_week(first_day, days):
    """One-hot weekday features (days, 7) for days first_day, first_day + 1, ..."""
    return np.eye(7, dtype=np.float32)[(first_day + np.arange(days)) % 7]


class Seq2Seq(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.encoder = nn.LSTMCell(1 + 7, hidden)
        self.decoder = nn.LSTMCell(7, hidden)
        self.read_out = nn.Parameter(torch.randn(1, hidden) / hidden ** 0.5)
        self.level = nn.Parameter(torch.ones(1))

    def forward(self, history, past_days, future_days):
        """(B, 28) history, (28, 7) and (56, 7) weekdays before and after -> (B, 56)."""
        batch = history.shape[0]
        state = None
        for t in range(history.shape[1]):
            step = torch.cat([history[:, t:t + 1], past_days[t].expand(batch, 7)], 1)
            state = self.encoder(step, state)
        outputs = []
        for t in range(future_days.shape[0]):
            state = self.decoder(future_days[t].expand(batch, 7), state)
            outputs.append(state[0] @ self.read_out.T)
        return torch.cat(outputs, 1) + self.level


def smape(forecast, actual):
    """Mean of 200 |F - A| / (|F| + |A|) in percent (0 where both are 0)."""
    denominator = np.abs(forecast) + np.abs(actual)
    ratio = np.divide(np.abs(forecast - actual), denominator, out=np.zeros_like(denominator),
                      where=denominator > 0)
    return 200 * ratio.mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "nn5"),
                        help="folder with train.csv and test.csv")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--windows", type=int, default=3072, help="training windows per epoch")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=48)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = load(args.data)
    if data is None:
        print(f"NN5 data not found in {args.data} (expected train.csv and test.csv); "
              "nothing to do.")
        return 0
    train, test = data
    scale = train.mean(1, keepdims=True)
    series = (train / scale).astype(np.float32)
    n_days = series.shape[1]

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = Seq2Seq(args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    # every (series, start) pair whose 28 + 56 days lie in the training part
    starts = np.arange(n_days - IN_DAYS - OUT_DAYS + 1)
    start_time = time.time()
    for epoch in range(args.epochs):
        total = 0.0
        rows = rng.integers(0, len(series), args.windows)
        # windows of one batch share their start, so they share the day-of-week features
        for begin in range(0, args.windows, args.batch_size):
            batch_rows = rows[begin:begin + args.batch_size]
            s = int(rng.choice(starts))
            window = series[batch_rows, s:s + IN_DAYS + OUT_DAYS]
            past, future = day_of_week(s, IN_DAYS), day_of_week(s + IN_DAYS, OUT_DAYS)
            forecast = model(torch.tensor(window[:, :IN_DAYS]), torch.tensor(past),
                             torch.tensor(future))
            loss = (forecast - torch.tensor(window[:, IN_DAYS:])).abs().mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch_rows)
        print(f"epoch {epoch + 1:2d}  train L1 {total / args.windows:.4f}  "
              f"({time.time() - start_time:.0f} s)")

    model.eval()
    with torch.no_grad():
        forecast = model(torch.tensor(series[:, -IN_DAYS:]),
                         torch.tensor(day_of_week(n_days - IN_DAYS, IN_DAYS)),
                         torch.tensor(day_of_week(n_days, OUT_DAYS))).numpy()
    forecast = forecast * scale
    print(f"test sMAPE over {test.shape[0]} series x {test.shape[1]} days: "
          f"{smape(forecast, test[:, :OUT_DAYS]):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
