"""``kl_divergence(p, q)``, dispatched on the pair of distribution types to a closed form
registered with ``register_kl``.

The closed forms live in three modules, imported at the end of this one so that importing it
registers them all: ``_kl_same_family`` (pairs of one family, and the wrappers ``Independent``
and ``TransformedDistribution``), ``_kl_gaussian`` (``MultivariateNormal`` and
``LowRankMultivariateNormal`` in any combination) and ``_kl_cross_entropy`` (pairs computed as
cross-entropy less entropy, most of them across families, and the pairs whose divergence is
always ``+inf``).
"""
import functools
import math

import nptorch

from .distribution import Distribution

__all__ = ["kl_divergence", "register_kl"]

_KL_REGISTRY = {}


def register_kl(type_p, type_q):
    """Decorator registering ``fn(p, q)`` as the KL divergence of ``type_p`` from ``type_q``;
    the most specific registration (by method resolution order) is used."""
    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {t}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _dispatch_kl.cache_clear()
        return fn
    return decorator


@functools.lru_cache(maxsize=None)
def _dispatch_kl(type_p, type_q):
    matches = [(type_p.__mro__.index(p), type_q.__mro__.index(q), fn)
               for (p, q), fn in _KL_REGISTRY.items()
               if issubclass(type_p, p) and issubclass(type_q, q)]
    return min(matches, key=lambda m: m[:2])[2] if matches else None


def kl_divergence(p, q):
    """``KL(p || q) = E_p[log p(x) - log q(x)]``, over the batch."""
    fn = _dispatch_kl(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{p.__class__.__name__} and q type {q.__class__.__name__}")
    return fn(p, q)


def infinite_where(mask, value):
    """``value`` with ``+inf`` where ``mask`` holds."""
    return nptorch.where(mask, math.inf, value)


from . import _kl_cross_entropy, _kl_gaussian, _kl_same_family  # noqa: E402,F401  (registers)
