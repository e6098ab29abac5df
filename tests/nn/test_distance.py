"""cosine_similarity, pairwise_distance, pdist, normalize and their modules against PyTorch."""
import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F

from helpers import check_op


@pytest.mark.parametrize("fn, shapes", [
    (lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), ((3, 4), (3, 4))),
    (lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=-1, eps=0.5), ((3, 4), (4,))),
    (lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, 0), ((2, 3, 2), (1, 3, 2))),
    (lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b), ((3, 4), (3, 4))),
    (lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, 1.5, keepdim=True), ((3, 4), (4,))),
    (lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, 1.0, 1e-3), ((5,), (5,))),
    (lambda lib, a, b: lib.nn.CosineSimilarity(0)(a, b), ((3, 4), (3, 4))),
    (lambda lib, a, b: lib.nn.PairwiseDistance(3.0, keepdim=True)(a, b), ((2, 4), (2, 4))),
])
def test_binary(fn, shapes):
    check_op(fn, *shapes)


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.nn.functional.normalize(x),
    lambda lib, x: lib.nn.functional.normalize(x, p=1, dim=0),
    lambda lib, x: lib.nn.functional.normalize(x, 3.0, -1, eps=0.9),
    lambda lib, x: lib.nn.functional.pdist(x),
    lambda lib, x: lib.nn.functional.pdist(x, p=3),
])
def test_unary(fn):
    check_op(fn, (4, 3))


def test_cosine_similarity_small_norm(torch):
    # the clamp at eps sets the value but not the gradient, as in PyTorch
    a = np.random.default_rng(0).standard_normal((3, 5))
    a[0] *= 1e-10
    b = np.random.default_rng(1).standard_normal((3, 5))
    grads = []
    for lib in (nptorch, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.nn.functional.cosine_similarity(x, lib.tensor(b))
        y.sum().backward()
        grads.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-10)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-8)


def test_dtypes_and_reprs(torch):
    y = F.cosine_similarity(nptorch.ones(2, 3), nptorch.ones(2, 3, dtype=nptorch.float64))
    assert y.dtype == nptorch.float64
    assert F.cosine_similarity(nptorch.ones(2, 3, dtype=nptorch.int64), nptorch.ones(2, 3)).dtype \
        == nptorch.float32
    assert repr(nn.PairwiseDistance(1.0)) == repr(torch.nn.PairwiseDistance(1.0)) == \
        "PairwiseDistance()"
    assert nn.PairwiseDistance().norm == 2.0 and nn.PairwiseDistance().eps == 1e-6
    assert nn.CosineSimilarity().dim == 1 and nn.CosineSimilarity().eps == 1e-8


def test_errors():
    ints = nptorch.ones(3, dtype=nptorch.int64)
    with pytest.raises(RuntimeError, match="expected common dtype to be floating point, yet "
                                           "common dtype is Long"):
        F.cosine_similarity(ints, ints, dim=0)
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        F.cosine_similarity(nptorch.ones(3, 4), nptorch.ones(2, 4))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        F.cosine_similarity(nptorch.ones(3, 4), nptorch.ones(3, 4), dim=2)
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(nptorch.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(nptorch.ones(2, 3), p=-1)
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input. "
                                           "Got Long"):
        F.normalize(ints.reshape(1, 3))
