"""Built-in autograd Functions; the only callers of the kernels in ``nptorch._ops``."""
