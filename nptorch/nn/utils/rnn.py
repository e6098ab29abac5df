"""Variable-length sequences: ``PackedSequence``, packing, padding (``torch.nn.utils.rnn``)."""
from collections import namedtuple

import numpy as np

from ... import _api
from ..._device import xp_of
from ..._tensor import Tensor


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences of different lengths packed time step by time step.

    ``data`` holds the steps of all sequences (longest first within each step),
    ``batch_sizes[t]`` how many sequences are still running at step ``t``.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """``data`` converted by ``Tensor.to``; the permutations follow it to its device."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices, unsorted_indices = (None if i is None else i.to(data.device)
                                            for i in (self.sorted_indices, self.unsorted_indices))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    @property
    def is_cuda(self):
        return self.data.is_cuda


def _invert(permutation):
    """The inverse of a permutation, on the permutation's device."""
    p = permutation._data if isinstance(permutation, Tensor) else np.asarray(permutation)
    xp = xp_of(p)
    inverse = xp.empty_like(p)
    inverse[p] = xp.arange(len(p))
    return Tensor._make(inverse)


def _lengths(lengths):
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.dim()}D {lengths.device} {lengths.dtype} tensor")
        return lengths._host().astype(np.int64)
    return np.asarray(lengths, dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of the given lengths."""
    lengths = _lengths(lengths)
    batch = input.shape[0 if batch_first else 1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _api.creation.tensor(order, device=input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if lengths.size and lengths[0] > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to "
                           f"{lengths[0]}, but got {input.shape[0]}")
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(1)
    steps = [input[t, :b] for t, b in enumerate(batch_sizes)]
    return PackedSequence(_api.shape.cat(steps), _api.creation.tensor(batch_sizes),
                          sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo ``pack_padded_sequence``: returns (padded, lengths) in the original batch order."""
    data, batch_sizes = sequence.data, sequence.batch_sizes._host()
    T, B = len(batch_sizes), int(batch_sizes[0]) if len(batch_sizes) else 0
    if total_length is not None:
        if total_length < T:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {T}")
        T = total_length
    padded = _api.creation.full((T, B) + tuple(data.shape[1:]), padding_value, dtype=data.dtype,
                                device=data.device)
    rows = np.concatenate([np.full(b, t) for t, b in enumerate(batch_sizes)]).astype(np.int64)
    cols = np.concatenate([np.arange(b) for b in batch_sizes]).astype(np.int64)
    if len(rows):
        padded = padded.index_put((_api.creation.tensor(rows, device=data.device),
                                   _api.creation.tensor(cols, device=data.device)), data)
    lengths = (batch_sizes[None, :] > np.arange(B)[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices.to(padded.device))
        lengths = lengths[sequence.unsorted_indices._host()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _api.creation.tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (T, B, *) (or (B, T, *)), padding to the longest."""
    if padding_side not in ("right", "left"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    sequences = list(sequences)
    T = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        pad = _api.creation.full((T - s.shape[0],) + tuple(s.shape[1:]), padding_value,
                                 dtype=s.dtype, device=s.device)
        padded.append(_api.shape.cat([s, pad] if padding_side == "right" else [pad, s]))
    return _api.shape.stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors of shape (L_i, *)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths(lengths))]


def unpack_sequence(packed_sequences):
    """Unpack a PackedSequence into a list of tensors of variable lengths."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
