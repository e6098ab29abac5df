"""MaxPool2d(2) forward + backward over the same implementations as bench_conv."""
from .bench_conv import ImplBenchmark, setup_impl, sync

N, C, H, W = 32, 64, 32, 32


class MaxPool2d(ImplBenchmark):

    def setup(self, impl):
        self.lib, self.device, self.undo = setup_impl(impl)
        self.lib.manual_seed(0)
        self.pool = self.lib.nn.MaxPool2d(2)
        self.x = self.lib.randn(N, C, H, W, device=self.device, requires_grad=True)

    def time_forward(self, impl):
        self.pool(self.x)
        sync(self.lib, self.device)

    def time_forward_backward(self, impl):
        self.pool(self.x).sum().backward()
        sync(self.lib, self.device)


class AvgPool2d(MaxPool2d):
    def setup(self, impl):
        super().setup(impl)
        self.pool = self.lib.nn.AvgPool2d(2)
