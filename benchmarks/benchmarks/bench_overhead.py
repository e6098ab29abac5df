"""Per-op overhead: long chains of elementwise ops on a tiny tensor, where the time is all Python,
graph building and dispatch, and none of it arithmetic."""
from . import load

N_OPS = 100


def chain(x, n_ops=N_OPS):
    """``n_ops`` elementwise ops on ``x``, cycling through mul, add, tanh and sub."""
    for _ in range(n_ops // 4):
        x = (x * 1.01 + 0.5).tanh() - 0.25
    return x


def make_input(lib):
    lib.manual_seed(0)
    return lib.rand(16, dtype=lib.float32, requires_grad=True)


class ElementwiseChain:
    params = ["nptorch", "torch"]
    param_names = ["impl"]

    def setup(self, impl):
        self.x = make_input(load(impl))

    def time_chain_forward(self, impl):
        chain(self.x)

    def time_chain_forward_backward(self, impl):
        chain(self.x).sum().backward()
