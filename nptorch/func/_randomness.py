"""The ``randomness`` modes of ``vmap`` (and ``jacfwd``), applied to the default CPU generator.

``'different'`` lets every call draw its own numbers; ``'same'`` starts every call from the
generator state of the start, so all calls draw the same numbers; ``'error'`` raises when a
call draws random numbers. Generators passed explicitly to random ops are not watched.
"""
from ..random import default_generator

_MODES = ("error", "different", "same")


def check_randomness(randomness):
    if randomness not in _MODES:
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _state_bytes():
    return default_generator.get_state().numpy().tobytes()


def under_randomness(func, randomness):
    """``func`` with its calls from now on run under ``randomness``."""
    if randomness == "different":
        return func
    state = default_generator.get_state()
    start = state.numpy().tobytes()

    def call(*args, **kwargs):
        if randomness == "same":
            default_generator.set_state(state)
        out = func(*args, **kwargs)
        if randomness == "error" and _state_bytes() != start:
            raise RuntimeError("vmap: called random operation while in randomness error mode. "
                               "Please either use the 'same' or 'different' randomness flags on "
                               "vmap or perform the randomness operation out of vmap")
        return out
    return call
