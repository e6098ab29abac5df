"""LSTM and GRU layers (one layer, sequence 35, batch 32, 128 -> 256) forward + backward over the
same implementations as bench_conv. Run with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for
single-thread numbers (torch then runs on one thread too)."""
from .bench_conv import ImplBenchmark, setup_impl, sync

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
