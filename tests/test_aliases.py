"""Top-level forms of layer functions and Tensor methods (torch.conv2d, torch.relu_, ...)."""
import numpy as np
import pytest

import nptorch
from nptorch import _aliases

from helpers import check_op

torch = pytest.importorskip("torch")


def test_every_alias_is_a_torch_name():
    for name in _aliases.FUNCTIONS:
        assert hasattr(torch, name), name
        assert getattr(nptorch, name) is _aliases.FUNCTIONS[name]


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, x, w: lib.conv2d(x, w, None, 1, 1), [(2, 3, 5, 5), (4, 3, 3, 3)]),
    (lambda lib, x, w: lib.conv1d(x, w[:, :, 0], stride=2), [(2, 3, 7), (4, 3, 3, 3)]),
    (lambda lib, x, w: lib.max_pool2d(x, 2), [(2, 3, 4, 4), (1,)]),
    (lambda lib, x, w: lib.avg_pool1d(x, 3, 1, 1), [(2, 3, 6), (1,)]),
    (lambda lib, x, w: lib.layer_norm(x, (4,), w, None, 1e-5), [(2, 3, 4), (4,)]),
    (lambda lib, x, w: lib.group_norm(x, 2, w), [(2, 4, 3), (4,)]),
    (lambda lib, x, w: lib.prelu(x, w), [(2, 4, 3), (4,)]),
    (lambda lib, x, w: lib.threshold(x, 0.1, -1.0), [(2, 4), (1,)]),
    (lambda lib, x, w: lib.pdist(x), [(5, 3), (1,)]),
    (lambda lib, x, w: lib.cosine_similarity(x, w, -1), [(4, 3), (4, 3)]),
    (lambda lib, x, w: lib.dropout(x, 0.5, False), [(4, 3), (1,)]),
    (lambda lib, x, w: lib.pixel_shuffle(x, 2), [(1, 8, 2, 2), (1,)]),
    (lambda lib, x, w: lib.adaptive_max_pool1d(x, 2), [(1, 2, 5), (1,)]),
    (lambda lib, x, w: lib.max_pool1d_with_indices(x, 2), [(1, 2, 5), (1,)]),
    (lambda lib, x, w: lib.channel_shuffle(x, 2), [(1, 4, 3), (1,)]),
    (lambda lib, x, w: lib.rrelu(x), [(2, 4), (1,)]),
])
def test_layer_functions_match_torch(fn, shapes):
    check_op(fn, *shapes)


def test_dropout_takes_train_positionally():
    x = nptorch.ones(1000)
    y = nptorch.dropout(x, 0.5, True)
    assert 0.4 < (y == 0).float().mean().item() < 0.6 and set(np.unique(y.numpy())) == {0.0, 2.0}
    with pytest.raises(TypeError):
        nptorch.dropout(x, 0.5)
    assert nptorch.dropout_(x, 0.0, True) is x


@pytest.mark.parametrize("name,args", [
    ("relu_", ()), ("exp_", ()), ("clamp_", (0.0, 0.5)), ("neg_", ()), ("zero_", ()),
    ("fill_", (2.5,)), ("sigmoid_", ()), ("selu_", ()), ("celu_", (0.5,)),
    ("threshold_", (0.2, -1.0)), ("logit_", (0.1,)), ("xlogy_", (2.0,)),
])
def test_inplace_functions_write_into_their_input(name, args):
    values = np.array([-0.7, 0.3, 0.9], np.float32)
    ours, theirs = nptorch.tensor(values), torch.tensor(values)
    assert getattr(nptorch, name)(ours, *args) is ours
    getattr(torch, name)(theirs, *args)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_method_forms():
    x = nptorch.ones(2, requires_grad=True)
    assert not nptorch.detach(x).requires_grad and nptorch.get_device(x) == -1
