"""What the backend shims share: the flag checks and the verbose scopes of libraries that
nptorch does not have."""


def check_bool(value, setter):
    """PyTorch's error for a non-bool flag value (``setter`` names its C++ setter)."""
    if not isinstance(value, bool):
        raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")
    return value


class UnavailableVerbose:
    """``verbose(level)``: PyTorch's on-demand verbose logging of a library; turning it on
    fails, as in a PyTorch built without that library (level 0 is a no-op)."""

    LIBRARY = ""

    def __init__(self, level):
        self.level = level

    def __enter__(self):
        if self.level == 0:
            return None
        raise AssertionError(f"Failed to set {self.LIBRARY} into verbose mode. Please consider "
                             "to disable this verbose scope.")

    def __exit__(self, exc_type, exc_val, exc_tb):
        return False
