"""``nn.utils.rnn`` against PyTorch: padding, packing, unpadding, their gradients and errors."""
import re

import numpy as np
import pytest

import nptorch
from nptorch.nn.utils import rnn as ours_rnn


def _seqs(lengths, feature=(2,), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n,) + feature).astype(np.float32) for n in lengths]


def _both(torch, arrays):
    return ([nptorch.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _eq(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("feature", [(), (2, 3)])
def test_pad_sequence(torch, batch_first, padding_side, feature):
    ours, theirs = _both(torch, _seqs([2, 4, 1], feature))
    po = ours_rnn.pad_sequence(ours, batch_first=batch_first, padding_value=-7.5,
                               padding_side=padding_side)
    pt = torch.nn.utils.rnn.pad_sequence(theirs, batch_first=batch_first, padding_value=-7.5,
                                         padding_side=padding_side)
    _eq(po, pt)
    w = np.random.default_rng(1).standard_normal(tuple(pt.shape)).astype(np.float32)
    (po * nptorch.tensor(w)).sum().backward()
    (pt * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        _eq(a.grad, b.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", [([4, 3, 1], True), ([2, 4, 1, 4], False),
                                                     ([3], True), ([1, 1, 1], False)])
def test_pack_and_pad_roundtrip(torch, batch_first, lengths, enforce_sorted):
    B, T = len(lengths), max(lengths)
    x = np.random.default_rng(0).standard_normal((B, T, 3) if batch_first else (T, B, 3))
    xo, xt = nptorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    po = ours_rnn.pack_padded_sequence(xo, lengths, batch_first=batch_first,
                                       enforce_sorted=enforce_sorted)
    pt = torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, batch_first=batch_first,
                                                 enforce_sorted=enforce_sorted)
    _eq(po.data, pt.data)
    np.testing.assert_array_equal(po.batch_sizes.numpy(), pt.batch_sizes.numpy())
    for a, b in ((po.sorted_indices, pt.sorted_indices),
                 (po.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    for total in (None, T + 2):
        (yo, lo), (yt, lt) = (
            ours_rnn.pad_packed_sequence(po, batch_first=batch_first, padding_value=9.0,
                                         total_length=total),
            torch.nn.utils.rnn.pad_packed_sequence(pt, batch_first=batch_first, padding_value=9.0,
                                                   total_length=total))
        _eq(yo, yt)
        np.testing.assert_array_equal(lo.numpy(), lt.numpy())
        assert lo.dtype == nptorch.int64
    # gradients flow back through pad(pack(x)): ones where a sequence runs, zero on padding
    w = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    (yo * nptorch.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    _eq(xo.grad, xt.grad)


def test_pack_sequence_and_unpack(torch):
    arrays = _seqs([3, 5, 2], (4,))
    ours, theirs = _both(torch, arrays)
    for enforce_sorted, order in ((False, [0, 1, 2]), (True, [1, 0, 2])):
        po = ours_rnn.pack_sequence([ours[i] for i in order], enforce_sorted=enforce_sorted)
        pt = torch.nn.utils.rnn.pack_sequence([theirs[i] for i in order],
                                              enforce_sorted=enforce_sorted)
        _eq(po.data, pt.data)
        np.testing.assert_array_equal(po.batch_sizes.numpy(), pt.batch_sizes.numpy())
        unpacked = ours_rnn.unpack_sequence(po)
        assert len(unpacked) == 3
        for u, ut in zip(unpacked, torch.nn.utils.rnn.unpack_sequence(pt)):
            _eq(u, ut)
        sum(((u * (k + 1)).sum() for k, u in enumerate(unpacked)), nptorch.tensor(0.0)).backward()
    for k, a in enumerate(ours):
        # unpacked once in order [0, 1, 2], once in order [1, 0, 2]; slot j weighs j + 1
        expected = (k + 1) + ([1, 0, 2].index(k) + 1)
        np.testing.assert_array_equal(a.grad.numpy(), np.full(arrays[k].shape, expected))


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence(torch, batch_first):
    lengths = [3, 1, 4]
    x = np.random.default_rng(0).standard_normal((3, 4, 2) if batch_first else (4, 3, 2))
    ours = ours_rnn.unpad_sequence(nptorch.tensor(x), nptorch.tensor(lengths), batch_first)
    theirs = torch.nn.utils.rnn.unpad_sequence(torch.tensor(x), torch.tensor(lengths), batch_first)
    assert [tuple(s.shape) for s in ours] == [(3, 2), (1, 2), (4, 2)]
    for a, b in zip(ours, theirs):
        _eq(a, b)


def test_lengths_as_tensor_and_packed_sequence_fields(torch):
    x = nptorch.randn(4, 2, 3)
    packed = ours_rnn.pack_padded_sequence(x, nptorch.tensor([4, 2]))
    assert isinstance(packed, tuple) and packed._fields == (
        "data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    np.testing.assert_array_equal(packed.batch_sizes.numpy(), [2, 2, 1, 1])
    assert packed.to(nptorch.float64).data.dtype == nptorch.float64
    assert packed.to(nptorch.float32) is packed
    # unsorted_indices is derived from sorted_indices, as in torch
    made = ours_rnn.PackedSequence(packed.data, packed.batch_sizes, nptorch.tensor([1, 0]))
    np.testing.assert_array_equal(made.unsorted_indices.numpy(), [1, 0])


ERRORS = [
    (lambda R, l: R.pack_padded_sequence(l.zeros(4, 3, 2), [2, 3, 1]), RuntimeError,
     "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
     "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
     "requirement if you do not need ONNX exportability."),
    (lambda R, l: R.pack_sequence([l.zeros(1), l.zeros(2)]), RuntimeError,
     "`lengths` array must be sorted in decreasing order"),
    (lambda R, l: R.pack_padded_sequence(l.zeros(4, 3, 2), [3, 0, 0]), RuntimeError,
     "Length of all samples has to be greater than 0, but found an element in 'lengths' that "
     "is <= 0"),
    (lambda R, l: R.pack_padded_sequence(l.zeros(4, 3, 2), [3, 2, 0], enforce_sorted=False),
     RuntimeError, "Length of all samples has to be greater than 0"),
    (lambda R, l: R.pad_packed_sequence(R.pack_padded_sequence(l.zeros(4, 3, 2), [3, 2, 1]),
                                        total_length=2), ValueError,
     "Expected total_length to be at least the length of the longest sequence in input, but got "
     "total_length=2 and max sequence length being 3"),
    (lambda R, l: R.pad_sequence([l.zeros(2)], padding_side="up"), RuntimeError,
     "Expected padding_side to be one of left or right, but got up."),
    (lambda R, l: R.pack_padded_sequence(l.zeros(4, 3, 2), [3, 2]), RuntimeError,
     "Expected `len(lengths)` to be equal to batch_size, but got 2 (batch_size=3)"),
]


@pytest.mark.parametrize("fn, error, message", ERRORS)
def test_errors_match_pytorch(torch, fn, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        fn(torch.nn.utils.rnn, torch)
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        fn(ours_rnn, nptorch)


def test_lengths_must_be_1d():
    with pytest.raises(RuntimeError, match="'lengths' argument should be a 1D CPU int64 tensor, "
                                           "but got 2D"):
        ours_rnn.pack_padded_sequence(nptorch.zeros(4, 3, 2), nptorch.tensor([[3, 2, 1]]))
