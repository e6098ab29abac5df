"""Quasi-random (low-discrepancy) sequences, as ``torch.quasirandom``."""
import numbers
import warnings

import numpy as np

from . import _dtype
from ._tensor import Tensor
from .random import Generator

__all__ = ["SobolEngine"]


def _scrambling(dimension, bits, generator):
    """PyTorch's scrambling, its random bits drawn as PyTorch draws them (the shift, then the
    matrices): the digital shift of each dimension, and what each dimension's random
    lower-triangular binary matrix (ones on the diagonal) maps each bit of a point to."""
    from ._api.creation import randint
    shift = randint(2, (dimension, bits), generator=generator).numpy() @ (1 << np.arange(bits))
    matrices = np.tril(randint(2, (dimension, bits, bits), generator=generator).numpy())
    matrices[:, np.arange(bits), np.arange(bits)] = 1
    # row p of a matrix gives output bit (bits - 1 - p); column c reads input bit (bits - 1 - c)
    columns = np.einsum("dpc,p->dc", matrices[:, :, ::-1], 1 << np.arange(bits - 1, -1, -1))
    return shift, columns


def _count(function, n):
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"{function}(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    return int(n)


class SobolEngine:
    r"""An engine for (scrambled) Sobol' sequences, as ``torch.quasirandom.SobolEngine``.

    Up to 21201 dimensions, with Joe and Kuo's direction numbers (search criterion D(6)) and
    the points in Gray-code order. The points come from ``scipy.stats.qmc.Sobol``, which uses
    the same direction numbers, order and 30 bits: unscrambled, they are PyTorch's, bit for bit.

    Scrambling is PyTorch's: a random digital shift and a random lower-triangular binary matrix
    per dimension, drawn as PyTorch draws them (``randint(2, ...)`` from the default generator,
    or from a new one seeded with ``seed``); given the same random bits, the points are
    PyTorch's. nptorch's generator (NumPy's PCG64) does not reproduce PyTorch's Mersenne
    twister, though: for the same seed, scrambled points differ from PyTorch's, with the same
    distribution (each elementary interval of a base-2 net holds its share of points).

    Args:
        dimension (int): the dimension of the points, in ``[1, 21201]``.
        scramble (bool, optional): whether to scramble the sequence. Default: ``False``.
        seed (int, optional): the seed of the scrambling; ``None`` draws from the default
            generator (``nptorch.manual_seed`` makes it reproducible). Default: ``None``.

    Example::

        >>> engine = torch.quasirandom.SobolEngine(dimension=3)
        >>> engine.draw(3)
        tensor([[0.0000, 0.0000, 0.0000],
                [0.5000, 0.5000, 0.5000],
                [0.7500, 0.2500, 0.2500]])
    """

    MAXBIT = 30
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError("Supported range of dimensionality for SobolEngine is "
                             f"[1, {self.MAXDIM}]")
        if not isinstance(dimension, numbers.Integral) or isinstance(dimension, bool):
            raise TypeError("SobolEngine(): argument 'dimension' must be int, not "
                            f"{type(dimension).__name__}")
        from scipy.stats import qmc
        self.seed = seed
        self.scramble = scramble
        self.dimension = int(dimension)
        self._engine = qmc.Sobol(self.dimension, scramble=False, bits=self.MAXBIT)
        if scramble:
            generator = None if seed is None else Generator().manual_seed(seed)
            self._shift, self._columns = _scrambling(self.dimension, self.MAXBIT, generator)

    @property
    def num_generated(self):
        """The number of points drawn (or skipped) since the start or the last ``reset``."""
        return self._engine.num_generated

    def draw(self, n=1, out=None, dtype=None):
        """The next ``n`` points of the sequence, an ``(n, dimension)`` tensor of ``dtype``
        (the default dtype by default), written into ``out`` when given."""
        n = _count("_sobol_engine_draw", n)
        dtype = _dtype.get_default_dtype() if dtype is None else dtype
        if not (self.num_generated == 0 and n == 1):  # PyTorch casts its stored first point
            rows = n - 1 if self.num_generated == 0 else n
            if rows < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {rows}: "
                                   f"[{rows}, {self.dimension}]")
            if dtype not in (_dtype.float32, _dtype.float64):
                raise NotImplementedError('"_sobol_engine_draw" not implemented for '
                                          f"'{_dtype.scalar_type_name(dtype)}'")
        start = self.num_generated
        with warnings.catch_warnings():
            # SciPy warns on counts that are not powers of 2; PyTorch's draw does not
            warnings.filterwarnings("ignore", "The balance properties")
            points = self._engine.random(n)
        if self.scramble and n:
            points = self._scrambled((points * 2.0 ** self.MAXBIT).astype(np.int64), start)
        # float32 points are rounded from the exact ones, as PyTorch's from their integers
        result = Tensor._make(points.astype(dtype.np_dtype))
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def _scrambled(self, points, start):
        """The scrambled points (floats) of the unscrambled ``points`` (integers, the points
        ``start, start + 1, ...`` of the sequence). Scrambling is linear in the bits: the first
        point is mapped bit by bit, each next one through the direction number it adds."""
        added = np.arange(start, start + len(points) - 1)
        added = np.log2(~added & (added + 1)).astype(np.int64)  # the lowest zero bit
        _, first, inverse = np.unique(added, return_index=True, return_inverse=True)
        images = self._mapped(np.concatenate([points[:1], points[first + 1] ^ points[first]]))
        scrambled = images[np.concatenate([[0], inverse + 1])]
        np.bitwise_xor.accumulate(scrambled, axis=0, out=scrambled)
        scrambled ^= self._shift
        return scrambled * 2.0 ** -self.MAXBIT

    def _mapped(self, points):
        """The integer ``points`` mapped by the scrambling matrices (without the shift)."""
        mapped = np.zeros_like(points)
        for bit in range(self.MAXBIT):
            mapped ^= ((points >> bit) & 1) * self._columns[:, bit]
        return mapped

    def draw_base2(self, m, out=None, dtype=None):
        """The next ``2**m`` points; the total drawn must stay a power of 2."""
        n = 2 ** m
        total_n = self.num_generated + n
        if not (total_n & (total_n - 1) == 0):
            raise ValueError(
                "The balance properties of Sobol' points require n to be a power of 2. "
                f"{self.num_generated} points have been previously generated, then: "
                f"n={self.num_generated}+2**{m}={total_n}. If you still want to do this, "
                "please use 'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Go back to the first point."""
        self._engine.reset()
        return self

    def fast_forward(self, n):
        """Skip the next ``n`` points, as drawing them would."""
        n = _count("_sobol_engine_ff_", n)
        if n < 0:  # PyTorch would only lower num_generated, and then draw wrong points
            raise ValueError(f"fast_forward expects a non-negative number of points, got {n}")
        if n:
            self._engine.fast_forward(n)
        return self

    def __repr__(self):
        fields = [f"dimension={self.dimension}"]
        if self.scramble:
            fields.append("scramble=True")
        if self.seed is not None:
            fields.append(f"seed={self.seed}")
        return f"{type(self).__name__}({', '.join(fields)})"
