"""``torch.backends.opt_einsum``: nptorch's einsum does not use the opt_einsum package (it
contracts without path optimisation), so ``is_available()`` is False, ``enabled`` False and
``strategy`` None, as in a PyTorch without opt_einsum; ``flags`` and ``set_flags`` check what
they set as PyTorch does.
"""
import contextlib

enabled = False
strategy = None


def is_available():
    """Whether einsum computes its contraction path with opt_einsum: not in nptorch."""
    return False


def get_opt_einsum():
    """The opt_einsum package when einsum uses it, else None."""
    return None


def _set_enabled(_enabled):
    if not is_available() and _enabled:
        raise ValueError(
            f"opt_einsum is not available, so setting `enabled` to {_enabled} will not reap the "
            "benefits of calculating an optimal path for einsum. torch.einsum will fall back to "
            "contracting from left to right. To enable this optimal path calculation, please "
            "install opt-einsum.")
    global enabled
    enabled = _enabled


def _set_strategy(_strategy):
    if not is_available():
        raise ValueError(
            f"opt_einsum is not available, so setting `strategy` to {_strategy} will not be "
            "meaningful. torch.einsum will bypass path calculation and simply contract from left "
            "to right. Please install opt_einsum or unset `strategy`.")
    if not enabled:
        raise ValueError(
            f"opt_einsum is not enabled, so setting a `strategy` to {_strategy} will not be "
            "meaningful. torch.einsum will bypass path calculation and simply contract from left "
            "to right. Please set `enabled` to `True` as well or unset `strategy`.")
    if _strategy not in ["auto", "greedy", "optimal"]:
        raise ValueError("`strategy` must be one of the following: [auto, greedy, optimal] but "
                         f"is {_strategy}")
    global strategy
    strategy = _strategy


def set_flags(_enabled=None, _strategy=None):
    """Set ``enabled`` and ``strategy``; returns their previous values."""
    orig_flags = (enabled, None if not is_available() else strategy)
    if _enabled is not None:
        _set_enabled(_enabled)
    if _strategy is not None:
        _set_strategy(_strategy)
    return orig_flags


@contextlib.contextmanager
def flags(enabled=None, strategy=None):
    """Set the flags inside the block and restore them after it."""
    orig_flags = set_flags(enabled, strategy)
    try:
        yield
    finally:
        set_flags(*orig_flags)
