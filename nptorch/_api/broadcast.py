"""Broadcasting helpers: ``broadcast_to``, ``broadcast_tensors``, ``broadcast_shapes`` and
``meshgrid``."""
import warnings

from .._tensor import Size, Tensor
from .indexing import _broadcast_shape
from .shape import expand, reshape


def broadcast_to(input, size):
    """``input`` expanded to ``size`` (a view, as ``expand``)."""
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` (sizes or ints) broadcast to."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    result = ()
    for i, shape in enumerate(shapes):
        try:
            result = _broadcast_shape(result, shape)
        except RuntimeError:
            for d in range(1, len(shape) + 1):
                if shape[-d] != 1 and d <= len(result) and result[-d] not in (1, shape[-d]):
                    raise RuntimeError(
                        f"Attempting to broadcast a dimension of length {shape[-d]} at -{d}! "
                        f"Mismatching argument at index {i} had {shape}; but expected shape "
                        f"should be broadcastable to {list(result)}") from None
            raise
    return Size(result)


def broadcast_tensors(*tensors):
    """``tensors`` expanded to their common shape."""
    shape = ()
    for t in tensors:
        shape = _broadcast_shape(shape, tuple(t.shape))
    return tuple(expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 1-D ``tensors``: with ``ij`` indexing (the default, with PyTorch's
    warning when not given) output ``i`` varies along dim ``i``; ``xy`` (NumPy's default)
    swaps the roles of the first two dims."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in tensors:
        if not isinstance(t, Tensor) or t.dim() > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0]) + tuple(tensors[2:])
    shape = tuple(t.numel() for t in tensors)
    grids = [expand(reshape(t, tuple(-1 if j == i else 1 for j in range(len(tensors)))), shape)
             for i, t in enumerate(tensors)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


METHODS = {"broadcast_to": broadcast_to}
FUNCTIONS = {"broadcast_to": broadcast_to, "broadcast_shapes": broadcast_shapes,
             "broadcast_tensors": broadcast_tensors, "meshgrid": meshgrid}
