"""Questions about one tensor (``is_nonzero``, ``is_signed``, ``is_same_size``,
``is_inference``, ``output_nr``, ``x in t``) and ``positive``, the identity that refuses bool
tensors as PyTorch's unary ``+`` does."""
import numbers
import warnings

from .._tensor import Tensor


def is_nonzero(input):
    """Whether the single value of ``input`` is non-zero."""
    n = input._data.size
    if n != 1:
        which = "no values" if n == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {which} is ambiguous")
    return bool(input.item())


def is_signed(input):
    """Whether the dtype can hold negative values."""
    return input._data.dtype.kind in "if"


def is_same_size(input, other):
    """Whether both tensors have the same shape."""
    return input._data.shape == other._data.shape


def positive(input):
    """``input`` itself."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def is_inference(input):
    """Whether ``input`` is an inference tensor: never, since nptorch's ``inference_mode`` only
    turns autograd off and makes ordinary tensors."""
    return False


def _output_nr(self):
    """Which output of its ``grad_fn`` this tensor is (0 for leaves)."""
    return self._output_nr


def _contains(self, element):
    """``element in self``: whether some entry equals ``element`` (a number or a tensor,
    broadcast)."""
    if not isinstance(element, (Tensor, numbers.Number)):
        raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed in "
                           f"a {type(element)}.")
    return bool((element == self).any().item())


def _volatile(self):
    warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
    return False


FUNCTIONS = {"is_nonzero": is_nonzero, "is_signed": is_signed, "is_same_size": is_same_size,
             "positive": positive, "is_inference": is_inference}
METHODS = dict(FUNCTIONS, output_nr=property(_output_nr), __contains__=_contains,
               volatile=property(_volatile))
