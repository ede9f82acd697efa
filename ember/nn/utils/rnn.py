"""nn.utils.rnn: padding and packing of variable-length sequences.

Packing and unpacking are one index gather each (``index_select`` over the flattened
(time, batch) grid), so gradients flow back to the padded input / the packed data.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ember import _dtype as D
from ember._tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _int64(arr, device="cpu"):
    from ember.ops.creation import tensor
    return tensor(np.asarray(arr, dtype=np.int64), dtype=D.int64, device=device)


def _np(t) -> np.ndarray:
    if isinstance(t, Tensor):
        return np.asarray(t.detach().cpu().numpy())
    return np.asarray(t)


_PackedSequenceBase = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """Holds the data and the batch sizes of a packed batch of sequences (see ``pack_padded_sequence``).

    ``data`` holds time step 0 of every sequence, then step 1 of every sequence still running, ...;
    ``batch_sizes[t]`` is how many sequences are running at step t; ``sorted_indices`` /
    ``unsorted_indices`` map between the caller's batch order and the length-sorted order."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != "cpu":
                raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never "
                                 "be created manually. They should be instantiated by functions like "
                                 "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                                 "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not isinstance(data, (list, tuple)) or len(data) != 2:
            raise ValueError("Expected a (data, batch_sizes) pair when batch_sizes is not given")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        device = data.device
        sorted_indices = None if self.sorted_indices is None else self.sorted_indices.to(device)
        unsorted_indices = None if self.unsorted_indices is None else self.unsorted_indices.to(device)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cuda(self, *args, **kwargs):
        return self.to(*args, device="cuda", **kwargs) if not args else self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to(*args, device="cpu", **kwargs)

    def _cast(self, dtype):
        return self.to(dtype=dtype)

    def double(self):
        return self._cast(D.float64)

    def float(self):
        return self._cast(D.float32)

    def half(self):
        return self._cast(D.float16)

    def bfloat16(self):
        return self._cast(D.bfloat16)

    def long(self):
        return self._cast(D.int64)

    def int(self):
        return self._cast(D.int32)

    def short(self):
        return self._cast(D.int16)

    def char(self):
        return self._cast(D.int8)

    def byte(self):
        return self._cast(D.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation):
    """The inverse of a 1-D permutation tensor (``None`` stays ``None``)."""
    if permutation is None:
        return None
    p = _np(permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return _int64(inv, permutation.device)


def _batch_sizes(lengths_sorted: np.ndarray) -> np.ndarray:
    """How many of the (descending) lengths exceed each step."""
    T = int(lengths_sorted[0])
    steps = np.arange(T)
    return (lengths_sorted[None, :] > steps[:, None]).sum(1).astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first: bool = False, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of the given lengths."""
    lengths_np = _np(lengths).astype(np.int64).reshape(-1)
    if enforce_sorted:
        if lengths_np.size > 1 and np.any(lengths_np[:-1] < lengths_np[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                               "to sidestep this requirement if you do not need ONNX exportability.")
        sorted_np = None
        lens_sorted = lengths_np
    else:
        sorted_np = np.argsort(-lengths_np, kind="stable")
        lens_sorted = lengths_np[sorted_np]
    B = input.size(0) if batch_first else input.size(1)
    T = input.size(1) if batch_first else input.size(0)
    if lengths_np.size != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths_np.size} "
                           f"(batch_size={B})")
    if lens_sorted.size and lens_sorted[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if lens_sorted.size == 0:
        raise RuntimeError("Expected `len(lengths)` to be equal to batch_size, but got 0 (batch_size=0)")
    if lens_sorted[0] > T:
        raise RuntimeError(f"Expected sequence length to be smaller than or equal to the padded length, but got "
                           f"{int(lens_sorted[0])} and padded length {T}")
    bs = _batch_sizes(lens_sorted)
    order = sorted_np if sorted_np is not None else np.arange(B)
    # flat row (in the contiguous input layout) of step t of the j-th longest sequence
    rows = []
    for t, n in enumerate(bs):
        b = order[:n]
        rows.append(b * T + t if batch_first else t * B + b)
    rows = np.concatenate(rows)
    rest = tuple(input.shape[2:])
    flat = input.reshape((T * B,) + rest)
    data = flat.index_select(0, _int64(rows, input.device))
    sorted_indices = None if sorted_np is None else _int64(sorted_np, input.device)
    return PackedSequence(data, _int64(bs), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None):
    """Inverse of ``pack_padded_sequence``: ``(padded, lengths)`` with lengths in the caller's batch order."""
    from ember.ops.creation import full
    from ember.ops.shape import cat
    data, batch_sizes, _, unsorted_indices = sequence
    bs = _np(batch_sizes).astype(np.int64)
    T, B = len(bs), int(bs[0])
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
    else:
        total_length = T
    lens_sorted = (bs[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    unsorted = np.arange(B) if unsorted_indices is None else _np(unsorted_indices).astype(np.int64)
    n_rows = data.shape[0]
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]]).astype(np.int64)
    # (t, j): packed row of sorted sequence j at step t, or the padding row
    grid = np.full((total_length, B), n_rows, dtype=np.int64)
    j = np.arange(B)
    grid[:T] = np.where(j[None, :] < bs[:, None], offsets[:, None] + j[None, :], n_rows)
    grid = grid[:, unsorted]  # to the caller's order
    if batch_first:
        grid = grid.T
    rest = tuple(data.shape[1:])
    pad_row = full((1,) + rest, padding_value, dtype=data.dtype, device=data.device)
    ext = cat([data, pad_row])
    out = ext.index_select(0, _int64(grid.reshape(-1), data.device)).reshape(grid.shape + rest)
    lengths = _int64(lens_sorted[unsorted])
    return out, lengths


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"):
    """Stack tensors of shape ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` with ``batch_first``)."""
    from ember.ops.creation import full
    from ember.ops.shape import cat, stack
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.size(0) for s in sequences)
    padded = []
    for s in sequences:
        n = s.size(0)
        if n < max_len:
            pad = full((max_len - n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype, device=s.device)
            s = cat([s, pad]) if padding_side == "right" else cat([pad, s])
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first: bool = False):
    """Split a padded batch back into a list of tensors of the given lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _np(lengths).astype(np.int64).reshape(-1)
    return [padded_sequences[i][:int(n)] for i, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors of shape ``(L_i, *)``."""
    lengths = _int64([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence):
    """Unpack a ``PackedSequence`` into a list of tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
