"""Activation layers: Modules over ``nn.functional``'s activations."""
from ... import _api
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Threshold", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU",
           "SiLU", "Mish", "Sigmoid", "Hardsigmoid", "Hardswish", "Hardtanh", "Tanh", "Softplus",
           "Softsign", "Softmax", "LogSoftmax", "Softmin", "GLU", "LogSigmoid", "Tanhshrink",
           "Hardshrink", "Softshrink", "RReLU", "Softmax2d"]


class _Activation(Module):
    """A layer ``function(input, **{name: self.name for name in arguments})``.

    ``arguments`` lists the constructor's arguments (in order, with defaults); the ones in
    ``shown`` make up ``extra_repr``, followed by ``inplace=True`` when set (and shown).
    """

    function = None
    arguments = ()
    shown = ()
    show_inplace = True

    def __init__(self, *args, **kwargs):
        super().__init__()
        names = [name for name, _ in self.arguments]
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}.__init__() takes from 1 to {len(names) + 1} "
                            f"positional arguments but {len(args) + 1} were given")
        values = dict(self.arguments)
        values.update(zip(names, args))
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError(
                    f"{type(self).__name__}.__init__() got an unexpected keyword argument '{key}'")
            values[key] = value
        for key, value in values.items():
            setattr(self, key, value)

    def forward(self, input):
        return type(self).function(input, **{name: getattr(self, name) for name, _ in self.arguments})

    def extra_repr(self):
        parts = [f"{name}={getattr(self, name)!r}" if isinstance(getattr(self, name), str)
                 else f"{name}={getattr(self, name)}" for name in self.shown]
        if self.show_inplace and getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(parts)


def _layer(name, function, arguments=(), shown=(), doc="", show_inplace=True):
    return type(name, (_Activation,), {"function": staticmethod(function), "arguments": arguments,
                                       "shown": shown, "show_inplace": show_inplace,
                                       "__doc__": doc, "__module__": __name__})


_INPLACE = (("inplace", False),)

Threshold = _layer("Threshold", F.threshold,
                   (("threshold", None), ("value", None)) + _INPLACE, ("threshold", "value"),
                   "Replace values not above ``threshold`` with ``value``.")
ReLU = _layer("ReLU", F.relu, _INPLACE, (), "``max(x, 0)``.")
LeakyReLU = _layer("LeakyReLU", F.leaky_relu, (("negative_slope", 1e-2),) + _INPLACE,
                   ("negative_slope",), "``x`` if positive, else ``negative_slope * x``.")
ELU = _layer("ELU", F.elu, (("alpha", 1.0),) + _INPLACE, ("alpha",),
             "``x`` if positive, else ``alpha * (exp(x) - 1)``.")
CELU = _layer("CELU", F.celu, (("alpha", 1.0),) + _INPLACE, ("alpha",),
              "``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.")
SELU = _layer("SELU", F.selu, _INPLACE, (), "The scaled ELU with self-normalising constants.")
GELU = _layer("GELU", F.gelu, (("approximate", "none"),), ("approximate",),
              "``x * Phi(x)``; ``approximate='tanh'`` uses the tanh approximation.")
SiLU = _layer("SiLU", F.silu, _INPLACE, (), "``x * sigmoid(x)``.")
Mish = _layer("Mish", F.mish, _INPLACE, (), "``x * tanh(softplus(x))``.")
# PyTorch's Hardsigmoid and Hardswish do not show ``inplace`` in their repr
Hardsigmoid = _layer("Hardsigmoid", F.hardsigmoid, _INPLACE, (), "``relu6(x + 3) / 6``.",
                     show_inplace=False)
Hardswish = _layer("Hardswish", F.hardswish, _INPLACE, (), "``x * relu6(x + 3) / 6``.",
                   show_inplace=False)
Sigmoid = _layer("Sigmoid", _api.math.sigmoid, (), (), "``1 / (1 + exp(-x))``.")
Tanh = _layer("Tanh", _api.math.tanh, (), (), "The hyperbolic tangent.")
Softplus = _layer("Softplus", F.softplus, (("beta", 1.0), ("threshold", 20.0)),
                  ("beta", "threshold"), "``log(1 + exp(beta * x)) / beta``.")
Softsign = _layer("Softsign", F.softsign, (), (), "``x / (1 + |x|)``.")
LogSigmoid = _layer("LogSigmoid", F.logsigmoid, (), (), "``log(sigmoid(x))``.")
Tanhshrink = _layer("Tanhshrink", F.tanhshrink, (), (), "``x - tanh(x)``.")
GLU = _layer("GLU", F.glu, (("dim", -1),), ("dim",), "The gated linear unit over ``dim``.")
Softmax = _layer("Softmax", F.softmax, (("dim", None),), ("dim",), "Softmax over ``dim``.")
LogSoftmax = _layer("LogSoftmax", F.log_softmax, (("dim", None),), ("dim",),
                    "Log-softmax over ``dim``.")
Softmin = _layer("Softmin", F.softmin, (("dim", None),), ("dim",), "Softmin over ``dim``.")


class Hardtanh(_Activation):
    """``x`` clamped to ``[min_val, max_val]``."""

    function = staticmethod(F.hardtanh)
    arguments = (("min_val", -1.0), ("max_val", 1.0)) + _INPLACE
    shown = ("min_val", "max_val")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_val <= self.min_val:
            raise AssertionError


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``."""

    function = staticmethod(F.relu6)
    arguments = _INPLACE
    shown = ()
    min_val, max_val = 0.0, 6.0


class RReLU(_Activation):
    """Randomized leaky ReLU: slopes drawn from ``U(lower, upper)`` in training, their mean
    ``(lower + upper) / 2`` in eval."""

    arguments = (("lower", 1.0 / 8), ("upper", 1.0 / 3)) + _INPLACE
    shown = ("lower", "upper")

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of ``(N, C, H, W)`` or ``(C, H, W)``."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3)


class _Shrink(_Activation):
    arguments = (("lambd", 0.5),)

    def extra_repr(self):
        return f"{self.lambd}"


Hardshrink = type("Hardshrink", (_Shrink,), {"function": staticmethod(F.hardshrink),
                                             "__doc__": "``x`` where ``|x| > lambd``, else 0."})
Softshrink = type("Softshrink", (_Shrink,), {"function": staticmethod(F.softshrink),
                                             "__doc__": "``x`` moved ``lambd`` towards 0."})


class PReLU(Module):
    """``x`` if positive, else ``weight * x``, with a learnt ``weight`` of ``num_parameters``
    elements (1, or the number of channels), initialised to ``init``."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(_api.creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        from .. import init
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
