"""Embedding and EmbeddingBag against PyTorch: lookups, weight gradients (padding, frequency
scaling, per-sample weights), max_norm renormalisation, modules and errors."""
import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F
from nptorch.autograd import gradcheck, gradgradcheck
from helpers import check_same_error_as_torch

W = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
IDX = np.array([[1, 2, 2], [0, 5, 1]])
FLAT = np.array([1, 2, 4, 5, 4, 3, 2, 0])


def _run(lib, fn, w=W, extra=None):
    weight = lib.tensor(w, requires_grad=True)
    extra = lib.tensor(extra, requires_grad=True) if extra is not None else None
    y = fn(lib, weight, extra)
    seed = lib.tensor(np.arange(y.numel(), dtype=np.float32).reshape(tuple(y.shape)) / 7)
    (y * seed).sum().backward()
    return y.detach().numpy(), weight, extra


def _compare(torch, fn, extra=None, w=W):
    ours, w1, e1 = _run(nptorch, fn, w, extra)
    ref, w2, e2 = _run(torch, fn, w, extra)
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(w1.grad.numpy(), w2.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w1.detach().numpy(), w2.detach().numpy(), rtol=1e-6)
    if extra is not None:
        np.testing.assert_allclose(e1.grad.numpy(), e2.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 1, "scale_grad_by_freq": True},
                                    {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}])
def test_embedding(torch, kwargs):
    _compare(torch, lambda lib, w, _: lib.nn.functional.embedding(lib.tensor(IDX), w, **kwargs))


def test_embedding_int32_indices_and_gradcheck():
    w = nptorch.tensor(W.astype(np.float64), requires_grad=True)
    idx = nptorch.tensor(IDX.astype(np.int32))
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("kwargs", [{"offsets": [0, 3, 3, 6]},
                                    {"offsets": [0, 3, 3, 6, 8], "include_last_offset": True},
                                    {"offsets": [0, 4], "padding_idx": 2},
                                    {"offsets": [0, 4], "max_norm": 1.0},
                                    {"offsets": [0, 3, 5], "include_last_offset": True,
                                     "padding_idx": 2}])
def test_embedding_bag(torch, mode, kwargs):
    def fn(lib, w, _):
        kw = dict(kwargs, offsets=lib.tensor(kwargs["offsets"]))
        return lib.nn.functional.embedding_bag(lib.tensor(FLAT), w, mode=mode, **kw)
    _compare(torch, fn)


def test_embedding_bag_2d_and_per_sample_weights(torch):
    psw = np.random.default_rng(1).random(8).astype(np.float32)
    _compare(torch, lambda lib, w, p: lib.nn.functional.embedding_bag(
        lib.tensor(FLAT), w, lib.tensor([0, 5]), mode="sum", per_sample_weights=p), extra=psw)
    _compare(torch, lambda lib, w, _: lib.nn.functional.embedding_bag(
        lib.tensor(FLAT.reshape(2, 4)), w, mode="mean"))
    w = nptorch.tensor(W.astype(np.float64), requires_grad=True)
    p = nptorch.tensor(psw.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda w, p: F.embedding_bag(nptorch.tensor(FLAT), w, nptorch.tensor([0, 2, 2]),
                                                  mode="sum", per_sample_weights=p), (w, p))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("offsets", [[0, 3, 5], [0, 2, 2], [0, 6, 6, 7]])
def test_embedding_bag_last_bag_runs_to_the_end_of_the_input(torch, mode, offsets):
    """With include_last_offset, a last offset below the input's length still leaves the
    indices after it in the last bag (float64: PyTorch's float32 sums without padding_idx stop
    at the last offset, unlike their bag sizes and gradients)."""
    _compare(torch, lambda lib, w, _: lib.nn.functional.embedding_bag(
        lib.tensor(FLAT), w, lib.tensor(offsets), mode=mode, include_last_offset=True),
        w=W.astype(np.float64))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("offsets, include_last_offset", [([0, 5, 2, 6], False),
                                                          ([0, 3, 3, 1], False),
                                                          ([0, 4, 1, 8], False),
                                                          ([0, 6, 2, 3], True)])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_unsorted_offsets(torch, mode, offsets, include_last_offset, padding_idx):
    """PyTorch's result for offsets out of order (float64: its float32 sums read past them):
    an index joins the bag of the last offset at or before it in sorted order, and a mean
    divides by the offsets' difference."""
    results = [lib.nn.functional.embedding_bag(
        lib.tensor(FLAT), lib.tensor(W.astype(np.float64)), lib.tensor(offsets), mode=mode,
        include_last_offset=include_last_offset, padding_idx=padding_idx).numpy()
        for lib in (nptorch, torch)]
    np.testing.assert_allclose(*results, rtol=1e-12, atol=1e-12)


def test_embedding_bag_max_mode_refuses_sparse_gradients():
    check_same_error_as_torch(lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor(FLAT), lib.tensor(W), lib.tensor([0, 4]), mode="max", sparse=True))


def test_embedding_bag_scale_grad_by_freq():
    # PyTorch 2.13's CPU kernel scales by the count found at the wrong index; this checks the
    # documented rule (each row's gradient divided by its index's count in the mini-batch)
    w = nptorch.ones(6, 1, requires_grad=True)
    F.embedding_bag(nptorch.tensor([1, 2, 4, 5, 4, 3, 2, 0]), w, nptorch.tensor([0, 4]),
                    mode="sum", scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w.grad.numpy().ravel(), [1, 1, 1, 1, 1, 1])


def test_embedding_module(torch):
    ours, ref = nn.Embedding(6, 3, padding_idx=2), torch.nn.Embedding(6, 3, padding_idx=2)
    assert repr(ours) == repr(ref) == "Embedding(6, 3, padding_idx=2)"
    assert np.all(ours.weight.detach().numpy()[2] == 0)
    assert ours.weight.std().item() > 0.3
    ours.weight.data = nptorch.tensor(W)
    ref.weight.data = torch.tensor(W)
    x = [[2, 1, 2], [0, 2, 3]]
    ours(nptorch.tensor(x)).pow(2).sum().backward()
    ref(torch.tensor(x)).pow(2).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-6)
    assert np.all(ours.weight.grad.numpy()[2] == 0)
    full = nn.Embedding(5, 2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)
    assert repr(full) == repr(torch.nn.Embedding(5, 2, max_norm=1.0, norm_type=1.0,
                                                 scale_grad_by_freq=True, sparse=True))


def test_from_pretrained(torch):
    e = nn.Embedding.from_pretrained(nptorch.tensor(W))
    assert not e.weight.requires_grad and e.num_embeddings == 6 and e.embedding_dim == 3
    np.testing.assert_array_equal(e(nptorch.tensor([4])).numpy(), W[[4]])
    e = nn.Embedding.from_pretrained(nptorch.tensor(W), freeze=False, padding_idx=1)
    assert e.weight.requires_grad and e.padding_idx == 1
    np.testing.assert_array_equal(e.weight.detach().numpy(), W)  # the padding row is kept
    bag = nn.EmbeddingBag.from_pretrained(nptorch.tensor(W), mode="sum")
    assert not bag.weight.requires_grad
    np.testing.assert_allclose(bag(nptorch.tensor([[0, 1]])).numpy(), W[[0]] + W[[1]])
    assert repr(bag) == repr(torch.nn.EmbeddingBag.from_pretrained(torch.tensor(W), mode="sum"))


def test_embedding_bag_module(torch):
    ours = nn.EmbeddingBag(6, 3, mode="max", padding_idx=0, norm_type=3.0)
    assert repr(ours) == repr(torch.nn.EmbeddingBag(6, 3, mode="max", padding_idx=0, norm_type=3.0))
    assert np.all(ours.weight.detach().numpy()[0] == 0)
    ours = nn.EmbeddingBag(6, 3, mode="sum", include_last_offset=True, _weight=nptorch.tensor(W))
    out = ours(nptorch.tensor(FLAT), nptorch.tensor([0, 2, 8]))
    np.testing.assert_allclose(out.detach().numpy(), [W[[1, 2]].sum(0), W[FLAT[2:]].sum(0)],
                               rtol=1e-6)


def test_errors():
    w = nptorch.tensor(W)
    with pytest.raises(RuntimeError, match=r"Expected tensor for argument #1 'indices' to have one "
                       r"of the following scalar types: Long, Int; but got \w+\.FloatTensor"):
        F.embedding(nptorch.tensor([1.0]), w)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(nptorch.tensor([6]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        F.embedding(nptorch.tensor([1]), w, padding_idx=6)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=-4)
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(3, 2, padding_idx=3)
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(3, 2, _weight=w)
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(nptorch.ones(3))
    idx = nptorch.tensor(FLAT)
    bad = [
        (dict(input=idx), ValueError, "offsets has to be a 1D Tensor but got None"),
        (dict(input=idx, offsets=nptorch.tensor([[0]])), ValueError, "offsets has to be a 1D Tensor$"),
        (dict(input=idx.reshape(2, 4), offsets=nptorch.tensor([0])), ValueError,
         "if input is 2D, then offsets has to be None"),
        (dict(input=idx.reshape(2, 2, 2)), ValueError, "input has to be 1D or 2D Tensor, but got "
         "Tensor of dimension 3"),
        (dict(input=idx, offsets=nptorch.tensor([0]), mode="prod"), ValueError,
         "mode has to be one of sum, mean or max"),
        (dict(input=idx, offsets=nptorch.tensor([0]), mode="max", scale_grad_by_freq=True),
         ValueError, "max mode does not support scaling the gradient by the frequency"),
        (dict(input=idx, offsets=nptorch.tensor([0]), per_sample_weights=nptorch.ones(8)),
         NotImplementedError, r"only supported for mode='sum' \(got mode='mean'\)"),
        (dict(input=idx, offsets=nptorch.tensor([0]), per_sample_weights=nptorch.ones(7)),
         ValueError, "If per_sample_weights"),
        (dict(input=idx, offsets=nptorch.tensor([1])), RuntimeError, "offsets\\[0\\] has to be 0"),
        (dict(input=idx, offsets=nptorch.tensor([0, 9])), RuntimeError,
         "offsets\\[-1\\] can not be greater than input's length 8, but got offsets\\[-1\\] of 9"),
    ]
    for kwargs, exc, match in bad:
        with pytest.raises(exc, match=match):
            F.embedding_bag(weight=w, **kwargs)
    with pytest.raises(ValueError, match="weight has to be a 2D Tensor, but got Tensor of dimension 1"):
        F.embedding_bag(idx, nptorch.ones(3), nptorch.tensor([0]))
