"""What the compiled kernels (Cython's and CUDA's) rely on, checked in Python before they run.

One function per kernel family, shared by ``CythonOps``, ``CythonRecurrentOps`` and
``CupyOps``; each raises ``ValueError`` naming the kernel and the problem, and returns the sizes
its caller goes on with. Dtypes outside ``FLOATS`` never reach a kernel: the twins hand them to
the reference code.
"""
import numpy as np

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check(condition, message):
    if not condition:
        raise ValueError(message)


def window(name, win, dilated=True):
    check(win.KH > 0 and win.KW > 0 and win.SH > 0 and win.SW > 0 and win.PH >= 0
          and win.PW >= 0 and win.DH > 0 and win.DW > 0 and (dilated or win.DH == win.DW == 1),
          f"{name}: invalid window {tuple(win)}")


def rank4(name, array):
    """``array.shape``, which must have four sizes."""
    check(array.ndim == 4, f"{name}: expected a 4-D array, got shape {array.shape}")
    return array.shape


def output_size(name, OH, OW):
    # the kernels clip every window to the input, so any size is memory-safe
    check(OH >= 0 and OW >= 0, f"{name}: output size ({OH}, {OW}) must not be negative")


def windowed(name, x, OH, OW, win, dilated=True):
    """A forward pass over windows (im2col, pooling): ``x``'s (N, C, H, W)."""
    shape = rank4(name, x)
    window(name, win, dilated)
    output_size(name, OH, OW)
    return shape


def columns(col, H, W, win):
    """col2im's columns (N, C, KH, KW, OH, OW) onto an (H, W) plane."""
    check(col.ndim == 6 and col.shape[2:4] == (win.KH, win.KW),
          f"col2im: expected columns (N, C, {win.KH}, {win.KW}, OH, OW), got {col.shape}")
    window("col2im", win)
    check(H > 0 and W > 0, f"col2im: invalid output size ({H}, {W})")
    output_size("col2im", col.shape[4], col.shape[5])


def avg_pool2d_backward(gy, H, W, win):
    """The gradient of an average pooling of an (H, W) input: its (N, C, OH, OW)."""
    N, C, OH, OW = rank4("avg_pool2d_backward", gy)
    window("avg_pool2d_backward", win, dilated=False)
    check(H > 0 and W > 0, f"avg_pool2d_backward: invalid input size ({H}, {W})")
    output_size("avg_pool2d_backward", OH, OW)
    return N, C, OH, OW


def conv_weight_matches(name, C, w, groups, win, OH, OW):
    """A convolution weight (O, C/groups, KH, KW) for ``C`` input channels, and its window."""
    check(w.ndim == 4 and groups > 0 and C == w.shape[1] * groups
          and w.shape[0] % groups == 0 and w.shape[2:] == (win.KH, win.KW),
          f"{name}: weight {w.shape} does not match {C} channels with {groups} groups")
    window(name, win)
    output_size(name, OH, OW)


def conv2d(x, w, win, groups, OH, OW):
    conv_weight_matches("conv2d", rank4("conv2d", x)[1], w, groups, win, OH, OW)


def direct_output(name, x, OH, OW, win):
    """The output of a stride-1 convolution without dilation of ``x`` (N, C, H, W), as the
    direct kernels compute it: of the size that the padded images give."""
    H, W = x.shape[2:]
    check((OH, OW) == (H + 2 * win.PH - win.KH + 1, W + 2 * win.PW - win.KW + 1)
          and OH > 0 and OW > 0,
          f"{name}: output size ({OH}, {OW}) does not match input {x.shape} and window "
          f"{tuple(win)}")


def conv2d_input(gy, w, H, W, win, groups):
    """The input gradient's sizes: ``(N, O, OH, OW, C)``."""
    N, O, OH, OW = rank4("conv2d_input", gy)
    C = w.shape[1] * groups if w.ndim == 4 else 0
    conv_weight_matches("conv2d_input", C, w, groups, win, OH, OW)
    check(H > 0 and W > 0 and O == w.shape[0],
          f"conv2d_input: invalid sizes {gy.shape} -> ({H}, {W}) for weight {w.shape}")
    return N, O, OH, OW, C


def conv2d_weight(x, gy, win, groups):
    """The weight gradient's sizes: ``(N, C, O, OH, OW)``."""
    N, C = rank4("conv2d_weight", x)[:2]
    O, OH, OW = rank4("conv2d_weight", gy)[1:]
    check(groups > 0 and C % groups == 0 and O % groups == 0 and gy.shape[0] == N,
          f"conv2d_weight: input {x.shape} and gradient {gy.shape} with {groups} groups")
    window("conv2d_weight", win)
    output_size("conv2d_weight", OH, OW)
    return N, C, O, OH, OW


def winograd_tiles(name, planes, tiles, TH, TW):
    """Planes (N, C, H, W) and their transformed tiles (16, C, N*TH*TW), of one dtype."""
    N, C = rank4(name, planes)[:2]
    check(TH >= 0 and TW >= 0 and tiles.shape == (16, C, N * TH * TW)
          and tiles.dtype == planes.dtype,
          f"{name}: expected tiles (16, {C}, {N * TH * TW}) of {planes.dtype} for planes "
          f"{planes.shape} and {TH}x{TW} tiles, got {tiles.shape} of {tiles.dtype}")


def _winograd_cover(name, planes, TH, TW):
    OH, OW = planes.shape[2:]
    check((TH, TW) == (-(-OH // 2), -(-OW // 2)),
          f"{name}: {TH}x{TW} tiles of 2x2 do not cover a {OH}x{OW} plane")


def winograd_output(m, y, bias, TH, TW):
    winograd_tiles("winograd_output", y, m, TH, TW)
    _winograd_cover("winograd_output", y, TH, TW)
    check(bias.shape == (y.shape[1],) and bias.dtype == y.dtype,
          f"winograd_output: expected a bias ({y.shape[1]},) of {y.dtype}, got {bias.shape} "
          f"of {bias.dtype}")


def winograd_output_adjoint(g, v, TH, TW):
    winograd_tiles("winograd_output_adjoint", g, v, TH, TW)
    _winograd_cover("winograd_output_adjoint", g, TH, TW)


def max_pool2d_backward(gy, indices, H, W):
    """Indices that the scatter may follow: gy's shape, int64, each inside the (H, W) plane."""
    rank4("max_pool2d_backward", gy)
    check(indices.shape == gy.shape and indices.dtype == np.int64,
          f"max_pool2d_backward: indices {indices.shape} {indices.dtype} do not match {gy.shape}")
    check(indices.size == 0 or (0 <= int(indices.min()) and int(indices.max()) < H * W),
          f"max_pool2d_backward: an index is outside the ({H}, {W}) plane")
    return gy.shape


def adaptive(name, x, OH, OW):
    """An adaptive pooling input: its (N, C, H, W)."""
    shape = rank4(name, x)
    check(min(shape[2:]) > 0 and OH >= 0 and OW >= 0,
          f"{name}: invalid sizes {shape[2:]} -> ({OH}, {OW})")
    return shape


def adaptive_backward(name, gy, H, W):
    """An adaptive pooling gradient: its (N, C, OH, OW)."""
    N, C, OH, OW = rank4(name, gy)
    check(H > 0 and W > 0 and OH > 0 and OW > 0,
          f"{name}: invalid sizes ({H}, {W}) -> ({OH}, {OW})")
    return N, C, OH, OW


# -- LSTM / GRU: batch-major (T, B, G) gates of G = gates_per_step * H features ----------------
def _same_dtype_and_shapes(name, arrays, shapes):
    dtype = arrays[0].dtype
    for array, shape in zip(arrays, shapes):
        # the messages are formatted only on failure: naming dtypes costs microseconds
        if array.dtype != dtype:
            raise ValueError(f"{name}: mixed dtypes {dtype} and {array.dtype}")
        if array.shape != shape:
            raise ValueError(f"{name}: expected an array of shape {shape}, got {array.shape}")


def _gate_sizes(name, gates, per_step):
    check(gates.ndim == 3 and gates.shape[2] % per_step == 0,
          f"{name}: expected gates of shape (T, B, {per_step} * hidden), got {gates.shape}")
    T, B, G = gates.shape
    return T, B, G, G // per_step


def lstm_recurrence(xw, w_hh, h0, c0):
    """``(T, B, G, H)``."""
    T, B, G, H = sizes = _gate_sizes("lstm_recurrence", xw, 4)
    _same_dtype_and_shapes("lstm_recurrence", (xw, w_hh, h0, c0),
                           (xw.shape, (G, H), (B, H), (B, H)))
    return sizes


def lstm_recurrence_backward(gates, cs, w_hh, dhs, dcs, dh, dc):
    T, B, G, H = sizes = _gate_sizes("lstm_recurrence_backward", gates, 4)
    _same_dtype_and_shapes("lstm_recurrence_backward", (gates, cs, w_hh, dhs, dcs, dh, dc),
                           (gates.shape, (T + 1, B, H), (G, H), (T, B, H), (T, B, H), (B, H),
                            (B, H)))
    return sizes


def lstm_forward(x, w_ih, w_hh, bias, h0, c0):
    """``(T, B, I, H)``; ``bias`` may be None."""
    if x.ndim != 3:
        raise ValueError(f"lstm_forward: expected an input of shape (T, B, I), got {x.shape}")
    T, B, I = x.shape
    if w_hh.ndim != 2 or w_hh.shape[0] % 4:
        raise ValueError(f"lstm_forward: expected w_hh of shape (4 * hidden, hidden), got "
                         f"{w_hh.shape}")
    G, H = w_hh.shape
    arrays, shapes = [x, w_ih, w_hh, h0, c0], [(T, B, I), (G, I), (G, H), (B, H), (B, H)]
    if bias is not None:
        arrays.append(bias)
        shapes.append((G,))
    _same_dtype_and_shapes("lstm_forward", arrays, shapes)
    return T, B, I, H


def lstm_backward(gates, cs, w_ih, w_hh, dhs, dcs, dh, dc):
    """``(T, B, G, H)``."""
    T, B, G, H = sizes = _gate_sizes("lstm_backward", gates, 4)
    I = w_ih.shape[1] if w_ih.ndim == 2 else -1
    _same_dtype_and_shapes("lstm_backward", (gates, cs, w_ih, w_hh, dhs, dcs, dh, dc),
                           (gates.shape, (T + 1, B, H), (G, I), (G, H), (T, B, H), (T, B, H),
                            (B, H), (B, H)))
    return sizes


def gru_forward(xw, w_hh, b_hn, h0):
    T, B, G, H = sizes = _gate_sizes("gru_forward", xw, 3)
    _same_dtype_and_shapes("gru_forward", (xw, w_hh, b_hn, h0), (xw.shape, (G, H), (H,), (B, H)))
    return sizes


def gru_backward(gates, hn, hs, w_hh, dhs, dh):
    T, B, G, H = sizes = _gate_sizes("gru_backward", gates, 3)
    _same_dtype_and_shapes("gru_backward", (gates, hn, hs, w_hh, dhs, dh),
                           (gates.shape, (T, B, H), (T + 1, B, H), (G, H), (T, B, H), (B, H)))
    return sizes
