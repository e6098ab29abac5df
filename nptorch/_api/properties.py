"""Questions about one tensor (``is_nonzero``, ``is_signed``, ``is_same_size``) and
``positive``, the identity that refuses bool tensors as PyTorch's unary ``+`` does."""


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


METHODS = FUNCTIONS = {"is_nonzero": is_nonzero, "is_signed": is_signed,
                       "is_same_size": is_same_size, "positive": positive}
