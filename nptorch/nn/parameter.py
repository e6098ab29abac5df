"""``Parameter``: a Tensor that a Module registers as one of its weights."""
from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that is registered as a parameter when assigned to a Module attribute."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        from .. import empty
        if data is None:
            data = empty(0)
        if requires_grad and not data.is_floating_point():
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t = Tensor._make.__func__(cls, data._data)
        t._version_counter = data._version_counter
        t.requires_grad = requires_grad
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach().clone(), self.requires_grad))

    def __deepcopy__(self, memo):
        out = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = out
        return out


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute."""

    __slots__ = ("persistent",)

    def __new__(cls, data, *, persistent=True):
        t = Tensor._make.__func__(cls, data._data)
        t.persistent = persistent
        return t

    def __init__(self, data, *, persistent=True):
        pass
