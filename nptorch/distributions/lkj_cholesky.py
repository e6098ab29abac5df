"""``LKJCholesky``: the LKJ distribution over Cholesky factors of correlation matrices."""
import math

import nptorch

from .._tensor import Size
from . import constraints
from .distribution import Distribution
from .gamma import Beta
from .utils import broadcast_all, standard_normal

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """Lower Cholesky factors ``L`` of ``dim x dim`` correlation matrices ``L L^T`` with density
    proportional to ``det(L L^T) ** (concentration - 1)``; a concentration of 1 makes the
    correlation matrices uniform. Draws come from the onion method."""

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        # the squared length of row i >= 1 off the diagonal is Beta(i / 2, b - (i - 1) / 2) for
        # b = concentration + (dim - 2) / 2 (row 0 has none: its Beta is a placeholder)
        rows = nptorch.arange(dim, dtype=self.concentration.dtype,
                              device=self.concentration.device).clamp(min=1)
        b = self.concentration + 0.5 * (dim - 2)
        # valid for a positive concentration, which the validation below checks
        self._beta = Beta(0.5 * rows, b.unsqueeze(-1) - 0.5 * (rows - 1), validate_args=False)
        super().__init__(self.concentration.shape, (dim, dim), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._beta = self._beta.expand(new.batch_shape + (self.dim,))
        return new

    def sample(self, sample_shape=Size()):
        with nptorch.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            # uniform directions within each row's first i entries (row 0 has none)
            u = standard_normal(y, self._extended_shape(sample_shape)).tril(-1)
            tiny = nptorch.finfo(u.dtype).tiny
            w = y.sqrt() * u / u.norm(dim=-1, keepdim=True).clamp(min=tiny)
            diagonal = (1 - w.pow(2).sum(-1)).clamp(min=tiny).sqrt()
            return w + diagonal.diag_embed()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        dm1 = self.dim - 1
        # the density of L: prod_{i >= 1} L_ii ** (2 (concentration - 1) + dim - 1 - i)
        order = nptorch.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalised = (order * value.diagonal(dim1=-2, dim2=-1)[..., 1:].log()).sum(-1)
        alpha = self.concentration + 0.5 * dm1
        log_normaliser = (0.5 * dm1 * math.log(math.pi) + nptorch.mvlgamma(alpha - 0.5, dm1)
                          - dm1 * nptorch.lgamma(alpha))
        return unnormalised - log_normaliser
