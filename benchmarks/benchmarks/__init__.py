"""asv benchmarks for nptorch; each ``bench_*.py`` compares nptorch with PyTorch where it can."""
import importlib


def load(impl):
    """The library behind ``impl``; NotImplementedError (asv: skipped) when it is not installed."""
    try:
        return importlib.import_module(impl)
    except ImportError as exc:
        raise NotImplementedError(f"{impl} is not installed") from exc
