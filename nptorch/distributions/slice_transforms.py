"""CatTransform and StackTransform: transforms applied to slices of a tensor along a dim
(``nptorch.distributions.transforms`` re-exports them)."""
import nptorch

from . import constraints
from .transforms import Transform
from .utils import sum_rightmost

__all__ = ["CatTransform", "StackTransform"]


class _Sliced(Transform):
    """``transforms[i]`` applied to the ``i``-th slice along ``dim``. Subclasses cut a tensor
    into slices (``_split``), put results back together (``_join``) and say how many entries
    ``dim`` must have (``_size``)."""

    def __init__(self, tseq, dim=0, cache_size=0):
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError("All elements of tseq must be Transform instances")
        super().__init__(cache_size=cache_size)
        self.transforms = [t.with_cache(cache_size) if cache_size else t for t in tseq]
        self.dim = dim

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return self._constraint([t.domain for t in self.transforms])

    @constraints.dependent_property
    def codomain(self):
        return self._constraint([t.codomain for t in self.transforms])

    def _check(self, value, name, where="tensor"):
        if not -value.dim() <= self.dim < value.dim():
            raise AssertionError(f"dim {self.dim} out of range for {where} with {value.dim()} "
                                 "dimensions")
        size, what = self._size()
        if value.size(self.dim) != size:
            raise AssertionError(f"{name}.size({self.dim}) = {value.size(self.dim)} must equal "
                                 f"{what} {size}")

    def _call(self, x):
        self._check(x, "x")
        return self._join([t(part) for t, part in zip(self.transforms, self._split(x))])

    def _inverse(self, y):
        self._check(y, "y")
        return self._join([t.inv(part) for t, part in zip(self.transforms, self._split(y))])

    def _jacobian_terms(self, x, y):
        self._check(x, "x", "x")
        self._check(y, "y", "y")
        return [t.log_abs_det_jacobian(a, b)
                for t, a, b in zip(self.transforms, self._split(x), self._split(y))]


class CatTransform(_Sliced):
    """``tseq[i]`` applied to the ``i``-th of consecutive slices of ``lengths[i]`` entries
    along ``dim`` (as ``torch.cat`` joins them)."""

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        super().__init__(tseq, dim, cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match transforms "
                                 f"({len(self.transforms)})")

    @property
    def length(self):
        return sum(self.lengths)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    def _constraint(self, cseq):
        return constraints.cat(cseq, self.dim, self.lengths)

    def _size(self):
        return self.length, "length"

    def _split(self, value):
        return value.split(self.lengths, dim=self.dim)

    def _join(self, parts):
        return nptorch.cat(parts, dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        event_dim = self.event_dim
        terms = [sum_rightmost(term, event_dim - t.event_dim)
                 for t, term in zip(self.transforms, self._jacobian_terms(x, y))]
        # slices side by side along a batch dim, or parts of one event (summed)
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + event_dim
        return nptorch.cat(terms, dim=dim) if dim < 0 else sum(terms)


class StackTransform(_Sliced):
    """``tseq[i]`` applied to the ``i``-th slice along ``dim`` (as ``torch.stack`` joins
    them)."""

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    def _constraint(self, cseq):
        return constraints.stack(cseq, self.dim)

    def _size(self):
        return len(self.transforms), "len(transforms)"

    def _split(self, value):
        return value.unbind(self.dim)

    def _join(self, parts):
        return nptorch.stack(parts, dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        return self._join(self._jacobian_terms(x, y))
