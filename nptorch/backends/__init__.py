"""PyTorch compatibility shims: settings scripts set that have no effect here."""
import types

cudnn = types.SimpleNamespace(benchmark=False, deterministic=False, enabled=True,
                              allow_tf32=False, is_available=lambda: False)
