"""``vmap``: a function mapped over a dimension of its inputs."""
import functools
import threading

from .._api.shape import stack
from .._tensor import Tensor
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten
from ._randomness import check_randomness, under_randomness

__all__ = ["vmap"]


class _RunningVmaps(threading.local):
    """For each vmap running now in this thread, outermost first, the mapped slices it gave
    ``func``, by id."""

    def __init__(self):
        self.levels = []


_running = _RunningVmaps()


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over a dimension of its inputs: the new function runs ``func`` on each
    slice of the inputs along ``in_dims`` and stacks the outputs along ``out_dims``.

    This implementation calls ``func`` once per slice (``select``) and stacks the results:
    there are no batching rules, the values are the same, and gradients flow through the
    slicing and the stacking, so ``vmap`` composes with ``grad`` and with ``.backward()``.

    Args:
        in_dims: an int (or ``None``) for all positional arguments, or a tuple with an entry
            per argument, nested like the argument (tuples, lists, dicts) where it is a tree
            of tensors; ``None`` passes an argument unmapped. Keyword arguments are never
            mapped.
        out_dims: likewise for the output, a Tensor or a tree of Tensors. ``None`` returns an
            output unmapped (Python scalars too), which must not be batched: here an output is
            batched when it differs between slices or is a mapped slice of this or an enclosing
            vmap (PyTorch tracks batching through every op, so it also refuses ``t * 0``).
        randomness: 'error' (random ops raise), 'different' (each slice draws its own numbers)
            or 'same' (every slice draws the same numbers), for the default CPU generator.
        chunk_size: checked, and otherwise unused: slices are processed one at a time anyway.

    Unlike PyTorch's, ``func`` may call ``.item()`` or branch on values. A batch of size 0
    runs ``func`` once on zero-filled slices to learn the shapes of its outputs.

    Example::

        >>> vmap(torch.dot)(torch.ones(4, 3), torch.ones(4, 3))
        tensor([3., 3., 3., 3.])
    """
    check_randomness(randomness)
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = getattr(func, "__name__", repr(func))
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                             "inputs, or you are trying to vmap over a function with no inputs. "
                             "The latter is unsupported.")
        _check_out_dims(name, out_dims)
        leaves, spec, dims = _flat_in_dims(name, in_dims, args)
        size = _batch_size(leaves, dims)
        call = under_randomness(func, randomness)
        mapped = {}
        _running.levels.append(mapped)
        try:
            outputs = []
            for i in range(size) if size else [None]:
                slices = _slices(leaves, dims, i)
                mapped.update((id(s), s) for s, dim in zip(slices, dims) if dim is not None)
                outputs.append(call(*tree_unflatten(slices, spec), **kwargs))
            return _stack_outputs(name, outputs, out_dims, size)
        finally:
            _running.levels.pop()
    return wrapper


def _is_dim(dim):
    return isinstance(dim, int) and not isinstance(dim, bool)


def _flat_in_dims(name, in_dims, args):
    """``(leaves, spec, dims)``: the leaves of ``args``, their structure, and the mapped
    dimension of each leaf (``None`` where it is not mapped)."""
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple "
                         f"matching the structure of inputs, got: {type(in_dims)}.")
    leaves, spec = tree_flatten(args)
    dims = broadcast_prefix(in_dims, args)
    if dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. "
                         f"in_dims has structure {tree_flatten(in_dims)[1]} but inputs has "
                         f"structure {spec}.")
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            continue
        if not _is_dim(dim):
            raise ValueError(f"{where}: Got in_dim={dim} for an input but in_dim must be either "
                             "an integer dimension or None.")
        if not isinstance(leaf, Tensor):
            raise ValueError(f"{where}: Got in_dim={dim} for an input but the input is of type "
                             f"{type(leaf)}. We cannot vmap over non-Tensor arguments, please "
                             "use None as the respective in_dim")
        ndim = leaf.dim()
        if not -ndim <= dim < ndim:
            raise ValueError(f"{where}: Got in_dim={dim} for some input, but that input is a "
                             f"Tensor of dimensionality {ndim} so expected in_dim to satisfy "
                             f"-{ndim} <= in_dim < {ndim}.")
    return leaves, spec, dims


def _batch_size(leaves, dims):
    sizes = [leaf.shape[dim] for leaf, dim in zip(leaves, dims) if dim is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0]


def _slices(leaves, dims, i):
    """Slice ``i`` of every mapped leaf; zero-filled slices when ``i`` is None."""
    if i is None:
        return [leaf if dim is None else leaf.new_zeros(leaf.shape[:dim] + leaf.shape[dim:][1:])
                for leaf, dim in zip(leaves, dims)]
    return [leaf if dim is None else leaf.select(dim, i) for leaf, dim in zip(leaves, dims)]


def _check_out_dims(name, out_dims):
    if not all(d is None or _is_dim(d) for d in tree_flatten(out_dims)[0]):
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                         "None or a python collection of ints representing where in the outputs "
                         "the vmapped dimension should appear.")


def _stack_outputs(name, outputs, out_dims, size):
    """The slices' outputs (one probe output when ``size`` is 0) stacked along ``out_dims``."""
    leaves, spec = tree_flatten(outputs[0])
    columns = [leaves]
    for out in outputs[1:]:
        other_leaves, other_spec = tree_flatten(out)
        if other_spec != spec:
            raise ValueError(f"vmap({name}, ...): `{name}` must return outputs of the same "
                             f"structure for every slice, got {spec} and {other_spec}")
        columns.append(other_leaves)
    if isinstance(out_dims, tuple) and len(out_dims) == 1 and isinstance(outputs[0], Tensor):
        out_dims = out_dims[0]
    dims = broadcast_prefix(out_dims, outputs[0])
    if dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                         "compatible with the structure of `outputs`. out_dims has structure "
                         f"{tree_flatten(out_dims)[1]} but outputs has structure {spec}.")
    stacked = [_stack(name, [column[j] for column in columns], dim, size)
               for j, dim in enumerate(dims)]
    return tree_unflatten(stacked, spec)


def _stack(name, values, dim, size):
    first = values[0]
    if dim is None:
        batched = any(_is_mapped_slice(v) for v in values)
        if batched or not all(v is first or _equal(v, first) for v in values):
            raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when "
                             "out_dim is None")
        return first
    for v in values:
        if not isinstance(v, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(v)}. Did you mean to set out_dims= to None for output?")
    result = stack(values, dim)
    return result if size else result.narrow(dim, 0, 0)


def _is_mapped_slice(value):
    return any(id(value) in mapped for mapped in _running.levels)


def _equal(a, b):
    """Whether two slices' outputs are the same value (NaNs matching NaNs)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return (isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape
                and a.dtype == b.dtype and bool(((a == b) | (a != a) & (b != b)).all()))
    return a == b or a != a and b != b
