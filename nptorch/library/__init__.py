"""``torch.library``: custom operators, callable directly and as ``torch.ops.<ns>.<name>``.

- ``custom_op(name, fn=None, /, *, mutates_args, device_types=None, schema=None)`` wraps a
  function into an operator (a ``CustomOpDef``) whose schema is inferred from its type
  annotations (``infer_schema``); ``register_kernel``, ``register_autograd`` (gradients flow
  through nptorch's autograd), ``register_fake``, ``register_autocast``, ``register_vmap``
  and ``set_kernel_enabled`` on it, or as module functions for any operator.
- ``Library(ns, kind)`` with ``define(schema)`` and ``impl(name, fn, dispatch_key)``, and the
  module-level ``define`` and ``impl`` (also as decorators), for operators written as schema
  strings.

Operators run eagerly: a call binds its arguments to the schema and runs the kernel that
PyTorch's dispatcher would pick for the device of its tensors (see ``_dispatch``). Fake
impls and vmap rules are validated and kept, never run (there are no fake tensors, and
``torch.vmap`` calls operators per slice). Not provided: ``opcheck`` (its tests need
FakeTensor and ``torch.compile``), ``register_torch_dispatch``, ``triton_op``/``wrap_triton``,
``get_kernel``, ``Library.fallback`` and ``Library.impl(..., with_keyset=True)``; nptorch has
no ``torch.Tag``, so ``tags`` are stored but change nothing.
"""
from ._dispatch import fallthrough_kernel
from .custom_op import CustomOpDef, custom_op
from .infer_schema import infer_schema
from .library import Library, define, impl
from .registration import (get_ctx, impl_abstract, register_autocast, register_autograd,
                           register_fake, register_kernel, register_vmap)

__all__ = ["Library", "impl", "define", "fallthrough_kernel", "impl_abstract",
           "register_autocast", "register_autograd", "register_fake", "register_kernel",
           "register_vmap", "get_ctx", "custom_op", "CustomOpDef", "infer_schema"]
