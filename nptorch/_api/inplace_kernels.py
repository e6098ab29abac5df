"""Array kernels of the in-place ops of optimizers' updates (``addcmul_``, ``addcdiv_``,
``lerp_``). When autograd does not record and the tensor operands all have ``self``'s dtype,
shape and device, a kernel writes the result straight into ``self``'s memory, where the op
would compute it out of place and copy it back. Each computes what its op computes, in the
same order, so that results are the same to the bit.

``KERNELS`` maps an op to ``(kernel, tensors)``: ``kernel(dst, *arrays, *numbers, **numbers)``
for an op whose first ``tensors`` arguments are tensors and whose others are numbers.
"""
from .._device import xp_of
from .math import addcdiv, addcmul, lerp


def _addcmul(dst, tensor1, tensor2, value=1):
    terms = tensor1 * tensor2 if value == 1 else tensor1 * value
    if value != 1:
        terms *= tensor2
    dst += terms


def _addcdiv(dst, tensor1, tensor2, value=1):
    terms = tensor1 / tensor2 if value == 1 else tensor1 * value
    if value != 1:
        terms /= tensor2
    dst += terms


def _lerp(dst, end, weight):
    step = end - dst
    if abs(weight) < 0.5:
        step *= weight
        dst += step
    else:
        step *= 1 - weight
        xp_of(dst).subtract(end, step, out=dst)


KERNELS = {addcmul: (_addcmul, 2), addcdiv: (_addcdiv, 2), lerp: (_lerp, 1)}
