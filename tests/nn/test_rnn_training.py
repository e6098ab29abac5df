"""Recurrent models learn: a bidirectional GRU classifies digit images read row by row, an LSTM
character model fits a short text."""
import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F


class Head(nptorch.nn.Module):
    """An affine read-out (x W^T + b)."""

    def __init__(self, features, classes):
        super().__init__()
        self.weight = nptorch.nn.Parameter(nptorch.randn(classes, features) / features ** 0.5)
        self.bias = nptorch.nn.Parameter(nptorch.zeros(classes))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class RowReader(nptorch.nn.Module):
    """Reads an 8x8 image as 8 steps of 8 features; classifies from both final states."""

    def __init__(self, hidden=24):
        super().__init__()
        self.gru = nptorch.nn.GRU(8, hidden, batch_first=True, bidirectional=True)
        self.head = Head(2 * hidden, 10)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(nptorch.cat([h[0], h[1]], 1))


def test_bidirectional_gru_reads_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    split = int(0.75 * len(x))
    train, test = order[:split], order[split:]
    nptorch.manual_seed(0)
    model = RowReader()
    optimizer = nptorch.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(1)
    for epoch in range(12):
        for batch in np.array_split(rng.permutation(train), len(train) // 64):
            loss = F.cross_entropy(model(nptorch.tensor(x[batch])), nptorch.tensor(y[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with nptorch.no_grad():
        predicted = model(nptorch.tensor(x[test])).argmax(1).numpy()
    accuracy = (predicted == y[test]).mean()
    assert accuracy >= 0.96, accuracy


TEXT = ("the quick brown fox jumps over the lazy dog. a stitch in time saves nine. "
        "all that glitters is not gold. the early bird catches the worm. ")


class CharModel(nptorch.nn.Module):
    def __init__(self, vocab, hidden=48):
        super().__init__()
        self.embed = nptorch.nn.Embedding(vocab, 16)
        self.lstm = nptorch.nn.LSTM(16, hidden, batch_first=True)
        self.out = Head(hidden, vocab)

    def forward(self, ids):
        y, _ = self.lstm(self.embed(ids))
        return self.out(y)


def test_lstm_character_model_loss_falls():
    chars = sorted(set(TEXT))
    ids = np.array([chars.index(ch) for ch in TEXT], np.int64)
    window = 32
    starts = np.arange(0, len(ids) - window - 1, 4)
    inputs = nptorch.tensor(np.stack([ids[s:s + window] for s in starts]))
    targets = nptorch.tensor(np.stack([ids[s + 1:s + window + 1] for s in starts]))
    nptorch.manual_seed(0)
    model = CharModel(len(chars))
    optimizer = nptorch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for step in range(60):
        logits = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[0] > 0.9 * np.log(len(chars))  # starts near chance
    assert losses[-1] < 0.3 * losses[0], (losses[0], losses[-1])
