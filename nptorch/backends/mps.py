"""``torch.backends.mps``: nptorch has no Metal (MPS) backend, so scripts that pick their device
with ``mps.is_available()`` choose another one."""

__all__ = ["is_available", "is_built", "is_macos13_or_newer", "is_macos_or_newer"]


def is_built():
    """False: nptorch is not built with MPS support."""
    return False


def is_available():
    """False: there is no MPS device."""
    return False


def is_macos_or_newer(major, minor):
    """Raises, as PyTorch does without an MPS backend."""
    raise RuntimeError("Cannot execute isOnMacOSorNewer() without MPS backend.")


def is_macos13_or_newer(minor=0):
    """Raises, as PyTorch does without an MPS backend."""
    return is_macos_or_newer(13, minor)
