"""BatchNorm2d(64) + ReLU, forward + backward in training mode on (32, 64, 32, 32) float32, against
PyTorch (run with ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` for single-thread numbers)."""
from . import load

N, C, H, W = 32, 64, 32, 32


class BatchNorm2dReLU:
    params = ["nptorch", "torch"]
    param_names = ["impl"]

    def setup(self, impl):
        lib = load(impl)
        lib.manual_seed(0)
        self.layer = lib.nn.Sequential(lib.nn.BatchNorm2d(C), lib.nn.ReLU())
        self.x = lib.randn(N, C, H, W, requires_grad=True)

    def time_forward(self, impl):
        self.layer(self.x)

    def time_forward_backward(self, impl):
        self.layer(self.x).sum().backward()
