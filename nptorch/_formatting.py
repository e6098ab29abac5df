"""PyTorch's printing of tensors: ``tensor([1., 2.], requires_grad=True)``.

The layout rules (fixed or scientific notation, aligned widths, line wrapping, summaries
of large tensors with ``...``) follow ``torch/_tensor_str.py`` so that reprs match exactly.
"""
import math

import numpy as np

from . import _dtype


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set options for printing tensors (``torch.set_printoptions``).

    Args:
        precision: digits after the decimal point (default 4).
        threshold: element count above which the repr is summarised (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``.
        sci_mode: force (True) or forbid (False) scientific notation; None chooses.
    """
    if profile is not None:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict accepted by ``set_printoptions``."""
    return {name: getattr(PRINT_OPTS, name)
            for name in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


class _Formatter:
    """Chooses one notation and width for every element of a tensor."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            self.max_width = max([len(str(v)) for v in values.tolist()] + [1])
            return
        nonzero = values[np.isfinite(values) & (values != 0)]
        if nonzero.size == 0:
            return
        magnitude = np.abs(nonzero).astype(np.float64)
        low, high = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        self.sci_mode = (high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
                         if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode)
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{v:.{p}e}") for v in nonzero.tolist()]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in nonzero.tolist()]  # + 1 for the "."
        else:
            widths = [len(f"{v:.{p}f}") for v in nonzero.tolist()]
        self.max_width = max(widths)

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
            else:
                text = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


def _summarized(data):
    """The elements a summarised repr shows (edge items of every dimension), flattened."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim == 0:
        return data.reshape(1)
    n = data.shape[0]
    if data.ndim == 1:
        return np.concatenate((data[:edge], data[n - edge:])) if n > 2 * edge else data
    if not edge:
        return data[:0].reshape(-1)
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.concatenate([_summarized(data[i]) for i in rows])


def _vector_str(data, indent, summarize, formatter):
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (formatter.max_width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = ([formatter.format(v) for v in data[:edge].tolist()] + [" ..."]
                 + [formatter.format(v) for v in data[-edge:].tolist()])
    else:
        items = [formatter.format(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(data, indent, summarize, formatter):
    if data.ndim == 0:
        return formatter.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, formatter)
    edge, n = PRINT_OPTS.edgeitems, data.shape[0]
    if summarize and n > 2 * edge:
        slices = ([_array_str(data[i], indent + 1, summarize, formatter) for i in range(edge)]
                  + ["..."]
                  + [_array_str(data[i], indent + 1, summarize, formatter)
                     for i in range(n - edge, n)])
    else:
        slices = [_array_str(data[i], indent + 1, summarize, formatter) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(data, indent):
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized(data) if summarize else data.reshape(-1))
    return _array_str(data, indent, summarize, formatter)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t):
    """``repr(t)`` as PyTorch prints it."""
    cls = type(t)
    plain = cls.__name__ in ("Tensor", "Parameter")
    prefix = "tensor(" if plain else f"{cls.__name__}("
    indent = len(prefix)
    data = t._host()
    suffixes = []
    if not t.is_cpu:
        suffixes.append(f"device='{t.device}'")
    dt = t.dtype
    default = _dtype.get_default_dtype()
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
    elif dt not in (default, _dtype.int64, _dtype.bool_):
        suffixes.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + _tensor_str(data, indent), suffixes, indent)
