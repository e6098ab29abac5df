"""nptorch next to PyTorch CPU in one run: time per call and peak memory of every benchmark.

    python benchmarks/compare.py [--threads 1 all] [--repeat 5] [--rounds 3] [--only NAME ...]
    python benchmarks/compare.py --device cuda [--repeat 5] [--rounds 3] [--only NAME ...]

Each measurement runs in its own process, so that thread settings apply before NumPy or
PyTorch load and peak memory belongs to one benchmark. Columns: ``reference`` (nptorch with
NPTORCH_PURE_PYTHON=1: the pure-NumPy twins of every compiled part), ``cython`` (nptorch as
installed) and ``torch``; ratios are cython/torch and reference/cython. A row measures its
implementations ``--rounds`` times in turn and keeps each one's best, so that a slow spell of a
shared machine does not fall on one of them alone.

``--device cuda`` measures the GPU cases instead, at GPU-sized batches: ``cupy`` (nptorch on
CuPy with its CUDA kernels) next to ``torch`` on CUDA, and nptorch's own CPU time (all cores)
for the convolution.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))

# (label, module, class, method); the classes are the asv benchmarks in benchmarks/benchmarks
CASES = [
    ("per-op overhead (100 ops, us/op)", "bench_overhead", "ElementwiseChain",
     "time_chain_forward_backward"),
    ("MLP 784-256-64-10 step, b64", "bench_training", "MLPStep", "time_step"),
    ("LeNet step, b64", "bench_training", "LeNetStep", "time_step"),
    ("Conv2d 64->64 32x32 fwd+bwd, N32", "bench_conv", "Conv2d", "time_forward_backward"),
    ("MaxPool2d(2) fwd+bwd, N32 C64", "bench_pool", "MaxPool2d", "time_forward_backward"),
    ("BatchNorm2d+ReLU fwd+bwd", "bench_batchnorm", "BatchNorm2dReLU", "time_forward_backward"),
    ("LSTM 128->256 seq35 b32 fwd+bwd", "bench_rnn", "LSTM", "time_forward_backward"),
    ("GRU 128->256 seq35 b32 fwd+bwd", "bench_rnn", "GRU", "time_forward_backward"),
]
IMPLS = ("reference", "cython", "torch")

# What bounds a benchmark's time, measured after its row: (label, class of the same module, impl)
CONTEXT = {
    "bench_conv.Conv2d": [
        ("its Winograd matrix products alone, NumPy (floor of the CPU twins' algorithm)",
         "Conv2dMatrixProducts", "cython"),
    ],
    "bench_rnn.LSTM": [
        ("its matrix products alone, NumPy (floor of a BLAS-based LSTM)", "LSTMMatrixProducts",
         "cython"),
        ("PyTorch with oneDNN off (its matmul path; default is oneDNN's fused RNN)",
         "LSTMWithoutOneDNN", "torch"),
    ],
}

# (label, module, class, method, module constants to override): the CPU benchmarks at GPU sizes
GPU_CASES = [
    ("LeNet step, b256", "bench_training", "LeNetStep", "time_step", {"BATCH": 256}),
    ("Conv2d 64->64 32x32 fwd+bwd, N128", "bench_conv", "Conv2d", "time_forward_backward",
     {"N": 128}),
    ("LSTM 256->512 seq35 b128 fwd+bwd", "bench_rnn", "LSTM", "time_forward_backward",
     {"N": 128, "I": 256, "H": 512}),
]
GPU_IMPLS = ("cupy", "torch-cuda")


def worker(module, cls, method, impl, repeat, sizes="{}"):
    """Time one benchmark in this process; print seconds per call and peak RSS as JSON."""
    sys.path.insert(0, HERE)
    import importlib
    mod = importlib.import_module(f"benchmarks.{module}")
    for name, value in json.loads(sizes).items():  # the benchmarks read them in setup
        setattr(mod, name, value)
    if impl == "torch-cuda":  # the benchmarks' own setup_impl gives torch on the CPU
        from benchmarks import load
        mod.setup_impl = lambda impl: (load("torch"), "cuda", lambda: None)
        impl = "torch"
    bench = getattr(mod, cls)()
    params = getattr(bench, "params", [])
    arg = impl if impl in params else ("nptorch" if impl != "torch" else "torch")
    if impl == "torch":
        import torch
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    bench.setup(arg)
    run = getattr(bench, method)
    try:
        run(arg)  # warm-up
        timer = timeit.Timer(lambda: run(arg))
        number, _ = timer.autorange()
        seconds = min(timer.repeat(repeat=repeat, number=number)) / number
    finally:
        if hasattr(bench, "teardown"):
            bench.teardown(arg)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scale = 100 if module == "bench_overhead" else 1  # the chain reports time per op
    print(json.dumps({"seconds": seconds / scale, "peak_mb": peak_mb}))


def measure(case, impl, threads, repeat, sizes=None):
    _, module, cls, method = case[:4]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    if impl == "reference":
        env["NPTORCH_PURE_PYTHON"] = "1"
    done = subprocess.run([sys.executable, __file__, "--worker", module, cls, method, impl,
                           str(repeat), json.dumps(sizes or {})], env=env, capture_output=True,
                          text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return None, reason
    return json.loads(lines[-1]), None


def _row(case, impls, threads, repeat, rounds, sizes=None):
    """Measure ``case`` with every impl, ``rounds`` times in turn, keeping each impl's fastest:
    the results, the seconds of those that ran, and ``ratio(a, b)``, the text of
    seconds[a] / seconds[b] ("-" where one is missing)."""
    results = {}
    for _ in range(rounds):
        for impl in impls:
            result, error = measure(case, impl, threads, repeat, sizes)
            kept = results.get(impl, (None, None))[0]
            if kept is None or (result and result["seconds"] < kept["seconds"]):
                results[impl] = (result, error)
    seconds = {i: r[0]["seconds"] for i, r in results.items() if r[0]}

    def ratio(a, b):
        return f"{seconds[a] / seconds[b]:.2f}" if a in seconds and b in seconds else "-"
    return results, seconds, ratio


def _print_errors(results):
    for impl, (_, error) in results.items():
        if error:
            print(f"<!-- {impl}: {error} -->")


def table(threads, repeat, rounds, only):
    print(f"\n## {threads} thread(s)\n")
    print("| benchmark | reference | cython | torch | cython/torch | reference/cython | peak MB cython / torch |")
    print("|---|---|---|---|---|---|---|")
    notes = []
    for case in CASES:
        if only and not any(o.lower() in case[0].lower() for o in only):
            continue
        results, seconds, ratio = _row(case, IMPLS, threads, repeat, rounds)
        cells = [_time(seconds.get(i), case) for i in IMPLS]
        memory = " / ".join(f"{results[i][0]['peak_mb']:.0f}" if results[i][0] else "-"
                            for i in ("cython", "torch"))
        print(f"| {case[0]} | " + " | ".join(cells) +
              f" | {ratio('cython', 'torch')} | {ratio('reference', 'cython')} | {memory} |",
              flush=True)
        _print_errors(results)
        notes.extend(_rates(case, seconds, threads, repeat))
        notes.extend(_context(case, threads, repeat))
    for line in notes:
        print(line)


def gpu_table(repeat, rounds, only):
    """The GPU cases: nptorch on CuPy, PyTorch on CUDA, and nptorch's CPU time for the conv."""
    threads = os.cpu_count()
    print("\n## GPU\n")
    print("| benchmark | cupy | torch cuda | cupy/torch | cython (CPU) | cython/cupy |")
    print("|---|---|---|---|---|---|")
    for case in GPU_CASES:
        if only and not any(o.lower() in case[0].lower() for o in only):
            continue
        impls = GPU_IMPLS + (("cython",) if case[1] == "bench_conv" else ())
        results, seconds, ratio = _row(case, impls, threads, repeat, rounds, case[4])
        cells = [_time(seconds.get(i), case) for i in GPU_IMPLS + ("cython",)]
        print(f"| {case[0]} | {cells[0]} | {cells[1]} | {ratio('cupy', 'torch-cuda')} | "
              f"{cells[2]} | {ratio('cython', 'cupy')} |", flush=True)
        _print_errors(results)


def _rates(case, seconds, threads, repeat):
    """GFLOP/s of a benchmark whose class gives its ``flops``, next to this machine's sgemm rate
    at the same thread count (the ceiling of a matmul-bound kernel)."""
    import importlib
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    flops = getattr(getattr(importlib.import_module(f"benchmarks.{case[1]}"), case[2]), "flops", None)
    if flops is None or not seconds:
        return []
    bench_conv = importlib.import_module("benchmarks.bench_conv")
    sgemm, _ = measure(("sgemm", "bench_conv", "Sgemm", "time_matmul"), "cython", threads, repeat)
    rates = ", ".join(f"{impl} {flops / s / 1e9:.1f}" for impl, s in seconds.items())
    ceiling = f"{bench_conv.SGEMM_FLOPS / sgemm['seconds'] / 1e9:.1f}" if sgemm else "-"
    return [f"\n{case[0]}: GFLOP/s {rates}; sgemm {bench_conv.SGEMM_N}^3 (ceiling) {ceiling}"]


def _context(case, threads, repeat):
    """The CONTEXT lines of ``case``: time of each bounding measurement."""
    lines = []
    for label, cls, impl in CONTEXT.get(f"{case[1]}.{case[2]}", []):
        result, error = measure((label, case[1], cls, case[3]), impl, threads, repeat)
        lines.append(f"\n{case[0]}: {label}: {_time(result and result['seconds'], case)}"
                     + (f" ({error})" if error else ""))
    return lines


def _time(seconds, case):
    if seconds is None:
        return "-"
    if case[1] == "bench_overhead":
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.2f} ms"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        module, cls, method, impl, repeat = sys.argv[2:7]
        worker(module, cls, method, impl, int(repeat), *sys.argv[7:8])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", nargs="+", default=["1", "all"],
                        help="thread counts to measure ('all' = every core)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timings within one process (best kept)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="processes per implementation, taken in turn (best kept)")
    parser.add_argument("--only", nargs="*", default=[], help="substrings of benchmark names")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cpu: the CPU table per thread count; cuda: the GPU table")
    args = parser.parse_args()
    import platform
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    if args.device == "cuda":
        import nptorch
        if not nptorch.cuda.is_available():
            raise SystemExit("--device cuda: no CUDA GPU is available to nptorch (CuPy)")
        print(f"GPU: {nptorch.cuda.get_device_name(0)}")
        gpu_table(args.repeat, args.rounds, args.only)
        return
    for threads in args.threads:
        table(os.cpu_count() if threads == "all" else int(threads), args.repeat, args.rounds,
              args.only)


if __name__ == "__main__":
    main()
