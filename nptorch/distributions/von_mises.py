"""``VonMises``: the circular normal distribution of an angle."""
import math

import nptorch

from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import CentredAtLoc, batch_shape, broadcast_all, uniform

__all__ = ["VonMises"]


def _log_bessel_i0(x):
    """``log I_0(x)`` for ``x > 0``, through the exponentially scaled ``i0e`` (no overflow)."""
    return nptorch.special.i0e(x).log() + x


def _proposal_r(kappa):
    """The parameter of Best and Fisher's wrapped Cauchy envelope for concentration
    ``kappa``; its Taylor expansion for tiny ``kappa``, where the closed form cancels."""
    tau = 1 + (1 + 4 * kappa.pow(2)).sqrt()
    rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
    return nptorch.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho.pow(2)) / (2 * rho))


class VonMises(CentredAtLoc, Distribution):
    """Von Mises distribution of an angle with mean direction ``loc`` and ``concentration``:
    density ``exp(concentration * cos(x - loc)) / (2 pi I_0(concentration))``. ``loc`` and
    values may be any real numbers, read modulo ``2 pi``; draws lie in ``[-pi, pi)``. The mean is
    the circular mean."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(batch_shape((loc, concentration), self.loc),
                         validate_args=validate_args)

    @property
    def variance(self):
        """The circular variance, ``1 - I_1(concentration) / I_0(concentration)``."""
        k = self.concentration
        return 1 - nptorch.special.i1e(k) / nptorch.special.i0e(k)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (self.concentration * nptorch.cos(value - self.loc) - math.log(2 * math.pi)
                - _log_bessel_i0(self.concentration))

    def sample(self, sample_shape=Size()):
        """Best and Fisher's rejection sampler, run in float64 (in float32 it can stall for
        small concentrations)."""
        with nptorch.no_grad():
            shape = self._extended_shape(sample_shape)
            kappa = self.concentration.double()
            r = _proposal_r(kappa)
            x = nptorch.zeros(shape, dtype=kappa.dtype, device=kappa.device)
            done = nptorch.zeros(shape, dtype=nptorch.bool, device=kappa.device)
            while not bool(done.all()):
                u1, u2, u3 = uniform(x, (3,) + tuple(shape)).unbind()
                z = nptorch.cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = kappa * (r - f)
                accept = (c * (2 - c) > u2) | ((c / u2).log() + 1 - c >= 0)
                x = nptorch.where(accept & ~done, (u3 - 0.5).sign() * f.acos(), x)
                done = done | accept
            angle = (x + math.pi + self.loc.double()) % (2 * math.pi) - math.pi
            return angle.to(self.loc.dtype)
