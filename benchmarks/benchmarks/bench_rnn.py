"""LSTM and GRU layers (one layer, sequence 35, batch 32, 128 -> 256) forward + backward over the
same implementations as bench_conv. Run with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for
single-thread numbers (torch then runs on one thread too).

``python -m benchmarks.bench_rnn`` (in ``benchmarks/``) prints the single-thread table of both
layers, the best of interleaved rounds in one process."""
import numpy as np

from .bench_conv import ImplBenchmark, interleaved_table, require_single_thread, setup_impl, sync

T, N, I, H = 35, 32, 128, 256


class LSTM(ImplBenchmark):
    timeout = 300
    layer = "LSTM"

    def setup(self, impl):
        self.lib, self.device, self.undo = setup_impl(impl)
        self.lib.manual_seed(0)
        self.rnn = getattr(self.lib.nn, self.layer)(I, H).to(self.device)
        self.x = self.lib.randn(T, N, I, device=self.device, requires_grad=True)

    def time_forward(self, impl):
        with self.lib.no_grad():
            self.rnn(self.x)
        sync(self.lib, self.device)

    def time_forward_backward(self, impl):
        self.rnn(self.x)[0].sum().backward()
        sync(self.lib, self.device)


class GRU(LSTM):
    layer = "GRU"


class LSTMWithoutOneDNN(LSTM):
    """PyTorch's LSTM with oneDNN switched off: its own matmul-plus-elementwise path, the same
    design as nptorch's (by default PyTorch's CPU LSTM runs oneDNN's fused RNN primitive)."""

    params = ("torch",)

    def setup(self, impl):
        super().setup(impl)
        self.onednn_off = self.lib.backends.mkldnn.flags(enabled=False)
        self.onednn_off.__enter__()

    def teardown(self, impl):
        self.onednn_off.__exit__(None, None, None)
        super().teardown(impl)


class LSTMMatrixProducts:
    """The matrix products of the LSTM benchmark alone, in NumPy: the floor under any
    implementation that uses the same BLAS (two per step, plus the input projection and
    the three gradient products over the whole sequence)."""

    def setup(self, impl=None):
        rng = np.random.default_rng(0)
        f32 = np.float32
        self.x = rng.standard_normal((T * N, I), dtype=f32)
        self.w_ih = rng.standard_normal((4 * H, I), dtype=f32)
        self.w_hh = rng.standard_normal((4 * H, H), dtype=f32)
        self.h = rng.standard_normal((H, N), dtype=f32)
        self.dgates = rng.standard_normal((4 * H, T * N), dtype=f32)
        self.hs = rng.standard_normal((H, T * N), dtype=f32)

    def time_forward_backward(self, impl=None):
        self.w_ih @ self.x.T
        for _ in range(T):
            self.w_hh @ self.h
            self.w_hh.T @ self.dgates[:, :N]
        self.dgates.T @ self.w_ih
        self.dgates @ self.x
        self.dgates @ self.hs.T


def main(rounds=7):
    interleaved_table([("LSTM fwd+bwd", LSTM, "time_forward_backward"),
                       ("GRU fwd+bwd", GRU, "time_forward_backward")], rounds)


if __name__ == "__main__":
    require_single_thread()
    main()
