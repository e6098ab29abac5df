"""Matrix products, einsum and the transposes they need for their gradients."""
from .._device import xp_of
from .._tensor import Tensor
from ._utils import BuiltinFunction, sum_to
from .reduction import as_output


class Permute(BuiltinFunction):
    """``x`` with its dims reordered by ``axes`` (a view)."""

    _view_of_input = 0

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x._data.transpose(axes)

    @staticmethod
    def backward(ctx, gy):
        inverse = [0] * len(ctx.axes)
        for i, a in enumerate(ctx.axes):
            inverse[a] = i
        return Permute.apply(gy, tuple(inverse)), None


def swap_last(x):
    """``x.mT``: the last two dims swapped."""
    axes = list(range(x._data.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return Permute.apply(x, tuple(axes))


class Matmul(BuiltinFunction):
    """``a @ b`` with NumPy/PyTorch semantics: 1-D promotion and broadcast batch dims."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return as_output(xp_of(a._data).matmul(a._data, b._data))

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        # Undo the 1-D promotions so that every gradient is a (batched) matrix product.
        if a.ndim == 1 and b.ndim == 1:
            gy = gy.reshape((1, 1))
        elif a.ndim == 1:
            gy = gy.unsqueeze(-2)
        elif b.ndim == 1:
            gy = gy.unsqueeze(-1)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            ga = (swap_last(Matmul.apply(b2, swap_last(gy))) if _transposed(a2)
                  else Matmul.apply(gy, swap_last(b2)))
            ga = sum_to(ga, a2.shape).reshape(a.shape)
        if nb:
            gb = (swap_last(Matmul.apply(swap_last(gy), a2)) if _transposed(b2)
                  else Matmul.apply(swap_last(a2), gy))
            gb = sum_to(gb, b2.shape).reshape(b.shape)
        return ga, gb


class Linear(BuiltinFunction):
    """``x @ w^T + b`` (``b`` optional) for ``x`` of at least two dims: one node where the
    composition records a transpose, a product and a sum, the bias added into the product."""

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        y = xp_of(x._data).matmul(x._data, w._data.T)
        if b is not None:
            y += b._data
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        rows = gy if gy.ndim == 2 else gy.reshape(-1, gy.shape[-1])
        return (Matmul.apply(gy, w) if need_x else None,
                Matmul.apply(swap_last(rows), x if x.ndim == 2 else x.reshape(-1, x.shape[-1]))
                if need_w else None,
                rows.sum(0) if need_b else None)


def _transposed(x):
    """Whether ``x`` is a transposed view of a matrix (``weight.t()`` in ``linear``). Its
    gradient is then computed transposed too, as PyTorch does, so that it arrives at the
    matrix row-major instead of needing a transposing copy there."""
    data = x._data
    return data.ndim == 2 and data.flags.f_contiguous and not data.flags.c_contiguous


class Einsum(BuiltinFunction):
    """``einsum`` of operands with explicit subscripts ``inputs`` (one string each) -> ``output``.

    Every labelled dim has one size across operands (the caller expands broadcast dims). The
    gradient of an operand is the einsum of the output gradient with the other operands, with
    identity matrices for labels repeated in the operand (diagonals) and ones for labels that
    appear in no other operand.
    """

    @staticmethod
    def forward(ctx, inputs, output, *operands):
        ctx.inputs, ctx.output = inputs, output
        ctx.sizes = {c: s for subs, x in zip(inputs, operands) for c, s in zip(subs, x._data.shape)}
        ctx.save_for_backward(*operands)
        arrays = [x._data for x in operands]
        equation = ",".join(inputs) + "->" + output
        return as_output(xp_of(arrays[0]).einsum(equation, *arrays, optimize=len(arrays) > 1))

    @staticmethod
    def backward(ctx, gy):
        operands = ctx.saved_tensors
        return (None, None) + tuple(_einsum_grad(ctx, gy, operands, k)
                                    if ctx.needs_input_grad[k + 2] else None
                                    for k in range(len(operands)))


def _einsum_grad(ctx, gy, operands, k):
    xp = xp_of(gy._data)
    subs = [ctx.output] + [s for j, s in enumerate(ctx.inputs) if j != k]
    args = [gy] + [x for j, x in enumerate(operands) if j != k]
    used = set("".join(subs))
    free = iter(c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                if c not in used and c not in ctx.inputs[k])
    target, seen = "", set()
    for c in ctx.inputs[k]:
        if c in seen:  # a repeated label: a fresh one tied to it by an identity matrix
            fresh = next(free)
            subs.append(c + fresh)
            args.append(Tensor._make(xp.eye(ctx.sizes[c], dtype=gy._data.dtype)))
            target += fresh
            continue
        if c not in used:
            subs.append(c)
            args.append(Tensor._make(xp.ones(ctx.sizes[c], dtype=gy._data.dtype)))
            used.add(c)
        seen.add(c)
        target += c
    return Einsum.apply(tuple(subs), target, *args)
