"""PyTorch-like printing of tensors: ``tensor([1., 2.], requires_grad=True)``."""
import numpy as np

from . import _dtype

_PRECISION = 4


def _float_formatter(values):
    finite = values[np.isfinite(values)]
    if finite.size and np.all(finite == np.round(finite)):
        big = np.abs(finite).max()
        if big < 1e8:
            return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    if finite.size:
        absf = np.abs(finite)
        nz = absf[absf > 0]
        hi, lo = absf.max(), (nz.min() if nz.size else 0)
        if hi >= 1e8 or (lo and lo < 1e-4) or (lo and hi / lo > 1000):
            return lambda v: f"{v:.{_PRECISION}e}" if np.isfinite(v) else str(v)
    return lambda v: f"{v:.{_PRECISION}f}" if np.isfinite(v) else str(v)


def _format_values(data):
    """A str of the array in PyTorch's layout: aligned elements, nested brackets."""
    if data.dtype.kind == "f":
        fmt = _float_formatter(data.astype(np.float64))
    elif data.dtype.kind == "b":
        fmt = lambda v: "True" if v else "False"  # noqa: E731
    else:
        fmt = str
    flat = [fmt(v) for v in data.reshape(-1).tolist()]
    width = max((len(s) for s in flat), default=0)
    flat = [s.rjust(width) for s in flat]
    if data.ndim == 0:
        return flat[0]
    return _nest(flat, data.shape, indent=len("tensor("))


def _nest(flat, shape, indent):
    if len(shape) == 1:
        return "[" + ", ".join(flat) + "]"
    step = len(flat) // shape[0] if shape[0] else 0
    parts = [_nest(flat[i * step:(i + 1) * step], shape[1:], indent + 1) for i in range(shape[0])]
    sep = "," + "\n" * (len(shape) - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t):
    data = t._host()
    body = _format_values(data)
    if data.size == 0:
        body = "[]"
    extras = []
    if data.size == 0 and data.ndim != 1:
        extras.append(f"size={tuple(data.shape)}")
    if not t.is_cpu:
        extras.append(f"device='{t.device}'")
    dt = t.dtype
    if dt not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_) or (data.size == 0 and dt is not _dtype.get_default_dtype()):
        extras.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"
