"""``torch.backends.cpu``: the vector instructions that the CPU offers to nptorch's kernels
(NumPy dispatches its loops on them), named as PyTorch names its CPU capability."""
import platform

__all__ = ["get_cpu_capability"]


def _features():
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_features__
    return {name for name, present in __cpu_features__.items() if present}


def get_cpu_capability():
    """The CPU capability as PyTorch reports it: ``"AVX512"`` (AVX-512 VL, BW and DQ with FMA),
    ``"AVX2"`` (with FMA) or ``"DEFAULT"`` on x86; ``"VSX"`` on POWER, ``"Z VECTOR"`` on
    s390x, ``"DEFAULT"`` elsewhere."""
    features = _features()
    machine = platform.machine().lower()
    if machine.startswith(("ppc", "powerpc")):
        return "VSX" if "VSX" in features else "DEFAULT"
    if machine.startswith("s390"):
        return "Z VECTOR" if "VX" in features else "DEFAULT"
    if {"AVX512VL", "AVX512BW", "AVX512DQ", "FMA3"} <= features:
        return "AVX512"
    if {"AVX2", "FMA3"} <= features:
        return "AVX2"
    return "DEFAULT"
