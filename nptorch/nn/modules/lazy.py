"""``LazyModuleMixin``: modules whose parameter shapes are inferred from the first input."""
import itertools

from ...autograd import no_grad
from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mixin (listed before the Module class) for modules created with
    ``UninitializedParameter``/``UninitializedBuffer`` placeholders.

    The first call runs ``initialize_parameters(*args, **kwargs)``, which materializes them
    from the input; then the module becomes a ``cls_to_become`` (when set). Loading a
    state_dict into a module that is not yet initialized materializes its placeholders with
    the loaded shapes.
    """

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        # placeholders go in as they are (a detached copy would lose their laziness)
        for name, t in itertools.chain(self._parameters.items(), self._buffers.items()):
            if is_lazy(t) and prefix + name in destination:
                destination[prefix + name] = t

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs):
        """Materialize each placeholder that ``state_dict`` has a real tensor for."""
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            value = state_dict.get(prefix + name)
            if is_lazy(param) and value is not None and not is_lazy(value):
                with no_grad():
                    param.materialize(value.shape)

    def _load_from_state_dict(self, state_dict, prefix, *args):
        self._lazy_load_hook(state_dict, prefix, *args)
        super()._load_from_state_dict(state_dict, prefix, *args)

    def initialize_parameters(self, *args, **kwargs):
        """Materialize the placeholders for the forward arguments ``args``, ``kwargs``."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self):
        """Whether any parameter or buffer is still a placeholder."""
        return any(is_lazy(t) for t in itertools.chain(self._parameters.values(),
                                                       self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become


def lazy_class(name, lazy_base, cls, inferred):
    """The lazy version of ``cls``: ``lazy_base`` infers ``inferred`` on the first call, after
    which the module becomes a ``cls``."""
    return type(name, (lazy_base, cls), {
        "__doc__": f"A ``{cls.__name__}`` with ``{inferred}`` inferred from its first input.",
        "__module__": cls.__module__, "__qualname__": name, "cls_to_become": cls})
