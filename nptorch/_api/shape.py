"""Shape ops: ``reshape``, ``view``, ``expand``, ``unsqueeze``, ..."""
from .._functions import shape as F
from .._functions._utils import wrap_dim


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape, numel):
    """Resolve one -1 in ``shape``, with PyTorch's error when the sizes do not match."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def reshape(input, *shape):
    """Same data, new shape; a view when possible."""
    shape = _infer(_shape_args(shape), input._data.size)
    if shape == input._data.shape:
        return F.Reshape.apply(input, shape)
    return F.Reshape.apply(input, shape)


def expand(input, *sizes):
    """Broadcast singleton dims to ``sizes`` (-1 keeps a dim) without copying."""
    sizes = _shape_args(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if s == -1:
            if old is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}")
            s = old
        elif old is not None and old != 1 and old != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
        target.append(s)
    return F.Expand.apply(input, tuple(target))


def unsqueeze(input, dim):
    return F.Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


METHODS = {"reshape": reshape, "view": reshape, "expand": expand, "unsqueeze": unsqueeze}
FUNCTIONS = {"reshape": reshape, "unsqueeze": unsqueeze}
