"""A LeNet-style CNN learns scikit-learn's bundled 8x8 digits (no download) within seconds."""
import numpy as np
import pytest

import nptorch
from nptorch import nn

datasets = pytest.importorskip("sklearn.datasets")


def _lenet():
    # on 8x8 inputs one pooling step keeps enough of the image for the classifier
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))


def test_lenet_reaches_97_percent_on_digits():
    digits = datasets.load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[:1400], order[1400:]
    nptorch.manual_seed(0)
    model = _lenet()
    optimizer = nptorch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = nptorch.optim.lr_scheduler.StepLR(optimizer, 4, 0.3)
    rng = np.random.default_rng(1)
    for _ in range(10):
        model.train()
        for batch in np.array_split(rng.permutation(train), len(train) // 32):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(nptorch.tensor(x[batch])),
                                               nptorch.tensor(y[batch]))
            loss.backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    with nptorch.no_grad():
        predicted = model(nptorch.tensor(x[test])).argmax(1).numpy()
    accuracy = (predicted == y[test]).mean()
    assert accuracy >= 0.97, accuracy
