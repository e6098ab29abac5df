"""The ``*_copy`` forms of the view ops (``permute_copy``, ``select_copy``, ``split_copy``,
...): the view's result copied into new contiguous memory. Each is built by ``_copy_of`` from
the view op with PyTorch's signature for its copy form, so it is differentiable wherever the
view is."""
import builtins

from .. import _dtype
from .._functions._utils import wrap_dim
from .._memory_format import contiguous_format
from .convert import clone
from .shape import (as_strided, diagonal, expand as _expand, permute as _permute, reshape,
                    squeeze, transpose, unfold, unsqueeze, view as _view)
from .linalg import t
from .splitting import _slice, select, split as _split, split_with_sizes, unbind


def _copy_of(view, name):
    """The op ``name``: ``view(...)`` with each resulting tensor cloned."""
    def copy(*args, **kwargs):
        out = view(*args, **kwargs)
        if isinstance(out, (tuple, list)):
            return tuple(clone(t, memory_format=contiguous_format) for t in out)
        return clone(out, memory_format=contiguous_format)
    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = f"A copy of ``{view.__name__}(...)`` in new contiguous memory."
    return copy


# the views whose copy forms take other arguments than the view ops themselves
def view(input, size):
    """``input`` with the shape ``size`` (or reinterpreted as the dtype ``size``)."""
    if isinstance(size, _dtype.dtype):
        return _view(input, size)
    return reshape(input, size)


def permute(input, dims):
    """``input`` with its dims reordered."""
    return _permute(input, dims)


def expand(input, size, *, implicit=False):
    """``input`` broadcast to ``size``."""
    return _expand(input, size)


def split(input, split_size, dim=0):
    """``input`` cut into pieces of ``split_size`` along ``dim``."""
    return _split(input, split_size, dim)


def slice(input, dim=0, start=None, end=None, step=1):
    """``input[..., start:end:step]`` along ``dim`` (bounds clamped as Python's slicing does)."""
    if input._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input._data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return _slice(input, dim, builtins.slice(start, end, step))


def detach(input):
    """``input`` outside the graph."""
    return input.detach()


def alias(input):
    """``input`` itself, as a new tensor in the graph."""
    return _view(input, input.shape)


FUNCTIONS = {name: _copy_of(op, name) for name, op in (
    ("view_copy", view), ("permute_copy", permute), ("transpose_copy", transpose),
    ("t_copy", t), ("squeeze_copy", squeeze), ("unsqueeze_copy", unsqueeze),
    ("select_copy", select), ("slice_copy", slice), ("diagonal_copy", diagonal),
    ("expand_copy", expand), ("detach_copy", detach), ("alias_copy", alias),
    ("unbind_copy", unbind), ("split_copy", split),
    ("split_with_sizes_copy", split_with_sizes), ("unfold_copy", unfold),
    ("as_strided_copy", as_strided))}
