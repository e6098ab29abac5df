"""``torch.backends.mkl``: whether nptorch computes with Intel's MKL, which is the case when
the BLAS under NumPy is MKL."""
import functools

import numpy as np

from ._common import UnavailableVerbose

VERBOSE_OFF = 0
VERBOSE_ON = 1


@functools.cache
def is_available():
    """Whether the BLAS that NumPy (and so nptorch's matrix products) uses is MKL."""
    try:
        config = np.show_config(mode="dicts")
    except TypeError:  # NumPy before 1.26 only prints its configuration
        return False
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return "mkl" in str(blas.get("name", "")).lower()


class verbose(UnavailableVerbose):
    """On-demand MKL verbose logging; nptorch cannot switch it on (MKL_VERBOSE can)."""

    LIBRARY = "MKL"

    def __init__(self, enable):
        super().__init__(enable)
        self.enable = enable
