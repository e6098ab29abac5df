"""Conv2d forward + backward: nptorch with the reference (pure NumPy) kernels, with the Cython
kernels, on CuPy, and PyTorch. ``track_gflops`` reports the achieved rate next to the sgemm rate
of this machine (run with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for single-thread numbers).

``python -m benchmarks.bench_conv`` (in ``benchmarks/``) prints the single-thread table of the
convolution and pooling benchmarks, the best of interleaved rounds in one process, with the
ratios of one run (``benchmarks.bench_rnn`` likewise for the recurrent layers).
"""
import timeit

import numpy as np

from . import load

IMPLS = ["reference", "cython", "cupy", "torch"]
N, C, O, H, W, K = 32, 64, 64, 32, 32, 3
# forward, grad of input, grad of weight: three matmuls of 2 * N * O * C * K * K * H * W flops
# by im2col. The CPU twins run this 3x3 convolution by Winograd's F(2x2, 3x3), whose products do
# 2.25x fewer: their rate counted this way (the rate of an im2col convolution of the same time)
# can exceed sgemm's.
FLOPS = 3 * 2 * N * O * C * K * K * H * W


def setup_impl(impl):
    """``(library, device)`` for ``impl``, with the kernels it names switched in; ``undo()``
    restores the default kernels. NotImplementedError (asv: skipped) when unavailable."""
    if impl == "torch":
        return load("torch"), "cpu", lambda: None
    nptorch = load("nptorch")
    from nptorch._ops import use
    device = "cpu"
    if impl == "reference":
        from nptorch._ops.reference import Ops
        ops = Ops()
    elif impl == "cython":
        from nptorch._ops.cython_ops import CythonOps
        ops = CythonOps()
    else:
        if not nptorch.cuda.is_available():
            raise NotImplementedError("no CUDA GPU")
        from nptorch._ops.cupy_ops import CupyOps
        ops, device = CupyOps(), "cuda"
    context = use(ops)
    context.__enter__()
    return nptorch, device, lambda: context.__exit__(None, None, None)


def sync(lib, device):
    if device == "cuda":
        lib.cuda.synchronize()


class ImplBenchmark:
    """Base of the benchmarks over IMPLS: ``setup`` calls setup_impl, ``teardown`` undoes it."""

    params = IMPLS
    param_names = ["impl"]

    @staticmethod
    def undo():
        """Nothing to undo: asv runs teardown even when setup skipped the impl."""

    def teardown(self, impl):
        self.undo()


class Conv2d(ImplBenchmark):
    timeout = 300
    flops = FLOPS  # per forward + backward

    def setup(self, impl):
        self.lib, self.device, self.undo = setup_impl(impl)
        self.lib.manual_seed(0)
        self.layer = self.lib.nn.Conv2d(C, O, K, padding=1).to(self.device)
        self.x = self.lib.randn(N, C, H, W, device=self.device, requires_grad=True)

    def step(self):
        self.layer(self.x).sum().backward()
        sync(self.lib, self.device)

    def time_forward_backward(self, impl):
        self.step()

    def track_gflops(self, impl):
        self.step()  # warm-up
        seconds = min(timeit.repeat(self.step, number=1, repeat=3))
        return FLOPS / seconds / 1e9

    track_gflops.unit = "GFLOP/s"


class Conv2dMatrixProducts:
    """The matrix products of the Conv2d benchmark's Winograd path alone, in NumPy, chunked as
    nptorch chunks them: per chunk, 16 products (O, C) x (C, tiles) for the forward pass and 16
    for the input gradient, and 16 (O, tiles) x (tiles, C) for the weight gradient. The floor
    under both CPU twins, which run this algorithm with the same BLAS."""

    def setup(self, impl=None):
        from nptorch._ops import winograd
        from nptorch._ops.chunked_conv import images_per_chunk

        tiles = (H // 2) * (W // 2)
        self.chunks = -(-N // images_per_chunk(N, 16 * (C + O) * tiles * 4,
                                               winograd.CHUNK_BYTES))
        T = -(-N // self.chunks) * tiles
        rng = np.random.default_rng(0)
        self.u = rng.standard_normal((16, O, C), dtype=np.float32)
        self.v = rng.standard_normal((16, C, T), dtype=np.float32)
        self.m = np.empty((16, O, T), np.float32)

    def time_forward_backward(self, impl=None):
        for _ in range(self.chunks):
            np.matmul(self.u, self.v, out=self.m)  # forward
            np.matmul(self.u, self.v, out=self.m)  # input gradient (the same shapes, C = O)
            np.matmul(self.m, self.v.swapaxes(1, 2))  # weight gradient


SGEMM_N = 1024
SGEMM_FLOPS = 2 * SGEMM_N ** 3


class Sgemm:
    """float32 SGEMM_N x SGEMM_N matmul of NumPy's BLAS: the ceiling of the convolution's rate
    (``benchmarks/compare.py`` times it next to Conv2d with the same threads)."""

    def setup(self, impl=None):
        self.a = np.random.default_rng(0).standard_normal((SGEMM_N, SGEMM_N), dtype=np.float32)
        self.b = self.a.copy()

    def time_matmul(self, impl=None):
        self.a @ self.b


def sgemm_gflops(repeat=5):
    """float32 SGEMM_N x SGEMM_N matmul rate of NumPy's BLAS in GFLOP/s."""
    bench = Sgemm()
    bench.setup()
    bench.time_matmul()
    return SGEMM_FLOPS / min(timeit.repeat(bench.time_matmul, number=1, repeat=repeat)) / 1e9


def track_sgemm_gflops():
    return sgemm_gflops()


track_sgemm_gflops.unit = "GFLOP/s"


def _best_of_rounds(cls, method, impls, rounds):
    """Best seconds per impl of ``cls().<method>``, the impls interleaved round by round so that
    a busy machine slows them alike."""
    best = dict.fromkeys(impls, float("inf"))
    for _ in range(rounds):
        for impl in impls:
            bench = cls()
            try:
                bench.setup(impl)
            except NotImplementedError:
                best.pop(impl, None)
                continue
            try:
                run = getattr(bench, method)
                run(impl)
                best[impl] = min(best[impl], *timeit.repeat(lambda: run(impl), number=1, repeat=3))
            finally:
                bench.teardown(impl)
    return best


def interleaved_table(cases, rounds):
    """Print the best of ``rounds`` interleaved rounds of each case, ``(name, benchmark class,
    method)``, on every CPU implementation with their ratios; returns ``{name: best}``."""
    load("torch").set_num_threads(1)
    impls = [i for i in IMPLS if i != "cupy"]
    rows = {name: _best_of_rounds(cls, method, impls, rounds) for name, cls, method in cases}
    print(f"{'case':<26}" + "".join(f"{i + ' ms':>14}" for i in impls)
          + f"{'cython/torch':>14}{'ref/cython':>12}")
    for name, best in rows.items():
        print(f"{name:<26}" + "".join(f"{best[i] * 1e3:14.2f}" for i in impls)
              + f"{best['cython'] / best['torch']:14.2f}{best['reference'] / best['cython']:12.2f}")
    return rows


def require_single_thread():
    import os

    if any(os.environ.get(v) != "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")):
        raise SystemExit("set OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 first")


def main(rounds=7):
    from .bench_pool import MaxPool2d

    rows = interleaved_table([("Conv2d fwd+bwd", Conv2d, "time_forward_backward"),
                              ("MaxPool2d forward", MaxPool2d, "time_forward"),
                              ("MaxPool2d forward+backward", MaxPool2d,
                               "time_forward_backward")], rounds)
    conv = rows["Conv2d fwd+bwd"]
    print(f"Conv2d GFLOP/s: cython {FLOPS / conv['cython'] / 1e9:.1f}, torch "
          f"{FLOPS / conv['torch'] / 1e9:.1f}; sgemm {SGEMM_N}^3 {sgemm_gflops():.1f}")


if __name__ == "__main__":
    require_single_thread()
    main()
