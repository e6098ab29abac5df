"""nn.functional: linear and bilinear maps."""

from ..._dtype import scalar_type_name
from ..._functions import linalg as L
from ...amp._policy import autocast_op

__all__ = ["linear", "bilinear"]


@autocast_op("linear")
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, weight ``(out_features, in_features)``."""
    if _one_node(input, weight, bias):
        return L.Linear.apply(input, weight, bias)
    if bias is not None and bias.dtype != weight.dtype == input.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(bias)} and {scalar_type_name(weight)}")
    y = input.matmul(weight.t()) if weight.dim() == 2 else input.matmul(weight)
    return y if bias is None else y + bias


def _one_node(input, weight, bias):
    """Whether ``linear`` is the one ``Linear`` node: a batch of inputs of the weight's size,
    dtype and device, and a bias of one value per output, of the same dtype, or none.
    Everything else (promotion, broadcasting, errors) is left to the composition."""
    if not (input.dim() >= 2 and weight.dim() == 2 and input.shape[-1] == weight.shape[1]
            and input.dtype == weight.dtype and input.device == weight.device):
        return False
    return bias is None or (bias.dtype == input.dtype and tuple(bias.shape) == weight.shape[:1]
                            and bias.device == input.device)


@autocast_op("bilinear")
def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    o, i1, i2 = weight.shape
    for k, (x, n) in enumerate(((input1, i1), (input2, i2)), 1):
        if x.shape[-1] != n:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got "
                               f"{x.shape[-1]} but expected {n}")
    if bias is not None and bias.shape[0] != o:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {o}")
    batch = tuple(input1.shape[:-1])
    x1, x2 = input1.reshape(-1, i1), input2.reshape(-1, i2)
    # (B, I1) @ (I1, O * I2) -> (B, O, I2), then contract I2 with input2
    t = x1.matmul(weight.permute(1, 0, 2).reshape(i1, o * i2)).reshape(-1, o, i2)
    y = t.matmul(x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(batch + (o,))
