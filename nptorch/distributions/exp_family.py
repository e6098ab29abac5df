"""``ExponentialFamily``: the base class of densities ``exp(<t(x), theta> - F(theta) + k(x))``."""
import nptorch

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """A distribution of an exponential family, with natural parameters ``theta``, log
    normaliser ``F`` and carrier measure ``k``. The entropy (and the KL divergence between two
    members of one family) follow from ``F`` by automatic differentiation, as Bregman
    divergences."""

    @property
    def _natural_params(self):
        """The natural parameters ``theta``, a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """``F(theta)``, over the batch."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        """``E[k(x)]``."""
        raise NotImplementedError

    def _log_normalizer_and_grads(self):
        """``(theta, F(theta), dF/dtheta)`` with ``theta`` detached from the parameters; the
        gradients keep their graph."""
        params = [p.detach().requires_grad_() for p in self._natural_params]
        with nptorch.enable_grad():
            log_normalizer = self._log_normalizer(*params)
            grads = nptorch.autograd.grad(log_normalizer.sum(), params, create_graph=True)
        return params, log_normalizer, grads

    def entropy(self):
        """``F(theta) - <theta, dF/dtheta> - E[k(x)]`` (``dF/dtheta`` is the mean of ``t(x)``)."""
        result = -self._mean_carrier_measure
        params, log_normalizer, grads = self._log_normalizer_and_grads()
        result = result + log_normalizer
        for param, grad in zip(params, grads):
            result = result - (param * grad).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
