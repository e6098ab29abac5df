"""Time nptorch against PyTorch in one process, single-threaded, and print microseconds per op.

    python benchmarks/compare.py [--repeat 7]

Each entry of CASES is (name, ops per call, make) where ``make(lib)`` returns
``{"forward": fn, "forward+backward": fn}`` for the library module ``lib``. Add a case by adding
an entry.
"""
import os

# Before numpy and torch are imported: one thread, so that timings on a busy machine are stable.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import timeit  # noqa: E402

from benchmarks.bench_overhead import N_OPS, chain, make_input  # noqa: E402


def make_chain(lib):
    x = make_input(lib)
    return {
        "forward": lambda: chain(x),
        "forward+backward": lambda: chain(x).sum().backward(),
    }


CASES = [
    ("elementwise chain, 16 x float32", N_OPS, make_chain),
]

IMPLS = ("nptorch", "torch")


def best_seconds(fn, repeat):
    """Best time of one call over ``repeat`` rounds of enough calls to fill about 0.2 s."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds per measurement (best is kept)")
    args = parser.parse_args()

    libs = {}
    for impl in IMPLS:
        try:
            libs[impl] = importlib.import_module(impl)
        except ImportError as exc:
            print(f"{impl} is unavailable ({exc}): its column stays empty")
    if "torch" in libs:
        libs["torch"].set_num_threads(1)

    header = f"{'case':<34} {'mode':<17}" + "".join(f"{impl + ' us/op':>15}" for impl in IMPLS)
    print(header + f"{'ratio':>8}")
    print("-" * (len(header) + 8))
    for name, n_ops, make in CASES:
        fns = {impl: make(lib) for impl, lib in libs.items()}
        for mode in ("forward", "forward+backward"):
            us = {impl: best_seconds(fns[impl][mode], args.repeat) / n_ops * 1e6 for impl in fns}
            cells = "".join(f"{us[impl]:>15.2f}" if impl in us else f"{'-':>15}" for impl in IMPLS)
            ratio = f"{us['nptorch'] / us['torch']:>8.2f}" if len(us) == len(IMPLS) else f"{'-':>8}"
            print(f"{name:<34} {mode:<17}{cells}{ratio}")
    print("ratio = nptorch / torch; lower is better for nptorch")


if __name__ == "__main__":
    main()
