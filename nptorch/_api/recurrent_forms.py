"""PyTorch's functional recurrent forms: one step (``lstm_cell``, ``gru_cell``,
``rnn_tanh_cell``, ``rnn_relu_cell``) and stacked layers over a flat list of weights (``lstm``,
``gru``, ``rnn_tanh``, ``rnn_relu``) on a padded batch ``(input, hx, params, ...)`` or on the
steps of a packed one ``(data, batch_sizes, hx, params, ...)``.

They run the cells and the layer loop of ``nn.modules.rnn`` (this module sits above ``nn``:
the package namespace loads it after ``nn``).
"""
import numpy as np

from .._tensor import Tensor
from ..nn.modules import rnn as _rnn
from ._checks import type_error
from .reduction import scalar_type_name

# -- cells -----------------------------------------------------------------------------------
def _check_cell(name, input, hx, w_ih, w_hh, gates):
    """PyTorch's checks of a cell's arguments, in its order."""
    if gates == 4:
        if not isinstance(hx, (tuple, list)):
            raise type_error(name, "hx", "tuple of Tensors", hx, 2)
        if len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
    elif not isinstance(hx, Tensor):
        raise type_error(name, "hx", "Tensor", hx, 2)
    _rnn.check_cell_input(input, w_ih.size(1))
    hidden = w_hh.size(1)
    for which, w in (("ih", w_ih), ("hh", w_hh)):
        if w.size(0) != gates * hidden:
            raise RuntimeError(f"weight_{which} first dim must be {gates} * hidden_size = "
                               f"{gates * hidden}, but got {w.size(0)}")
    for label, state in enumerate(hx if gates == 4 else (hx,)):
        _rnn.check_cell_hidden(input, state, hidden, label)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step of a batch (B, I) from ``hx = (h, c)``: ``(h', c')``."""
    _check_cell("lstm_cell", input, hx, w_ih, w_hh, 4)
    return _rnn.lstm_cell(input, hx[0], hx[1], w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step of a batch (B, I) from the state ``hx`` (B, H): the new state."""
    _check_cell("gru_cell", input, hx, w_ih, w_hh, 3)
    return _rnn.gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step ``tanh(input W_ih^T + b_ih + hx W_hh^T + b_hh)``."""
    _check_cell("rnn_tanh_cell", input, hx, w_ih, w_hh, 1)
    return _rnn.rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, "tanh")


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step ``relu(input W_ih^T + b_ih + hx W_hh^T + b_hh)``."""
    _check_cell("rnn_relu_cell", input, hx, w_ih, w_hh, 1)
    return _rnn.rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, "relu")


# -- layers ----------------------------------------------------------------------------------
def _states(mode, hx):
    """``(h0, c0 or None)`` from ``hx``: a pair for the LSTM, one tensor otherwise."""
    if mode != "LSTM":
        return hx, None
    if len(hx) != 2:
        raise RuntimeError("lstm expects two hidden states")
    return hx[0], hx[1]


def _weights(params, has_biases, count, projected):
    """The flat ``params`` (per layer and direction: w_ih, w_hh, then b_ih, b_hh when
    ``has_biases``, then w_hr when ``projected``) as ``count`` tuples
    ``(w_ih, w_hh, b_ih, b_hh, w_hr)``."""
    params = list(params)
    per = 2 + 2 * bool(has_biases) + projected
    if len(params) != per * count:
        raise RuntimeError(f"got an incorrect number of RNN parameters: expected {per * count} "
                           f"({per} per layer and direction), got {len(params)}")
    weights = []
    for k in range(count):
        group = params[k * per:(k + 1) * per]
        biases = tuple(group[2:4]) if has_biases else (None, None)
        weights.append((group[0], group[1]) + biases + ((group[-1] if projected else None),))
    return weights


def _check_layers(x, h0, c0, weights, mode, count, num_layers, dropout, train):
    """The checks of the modules (sizes, dtypes, sequence length) and of PyTorch's dropout."""
    if num_layers < 1:
        raise RuntimeError(f"num_layers must be greater than zero, got {num_layers}")
    w_ih, _, _, _, w_hr = weights[0]
    if x.dtype != w_ih.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(x)} and {scalar_type_name(w_ih)}")
    if x.shape[-1] != w_ih.size(1):
        raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                           f"{w_ih.size(1)}, got {x.shape[-1]}")
    if x.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    hidden = w_ih.size(0) // _rnn._GATES[mode]
    h_shape = (count, x.shape[1], hidden if w_hr is None else w_hr.size(0))
    if c0 is None:
        _rnn.RNNBase._check_state(h0, h_shape, "Expected hidden size {}, got {}")
    else:
        _rnn.RNNBase._check_state(h0, h_shape, "Expected hidden[0] size {}, got {}")
        _rnn.RNNBase._check_state(c0, h_shape[:2] + (hidden,), "Expected hidden[1] size {}, got {}")
    for state in (h0, c0):
        if state is not None and state.dtype != x.dtype:
            raise RuntimeError(f"Expected the hidden states to have the input's dtype "
                               f"{x.dtype}, but got {state.dtype}")
    if train and num_layers > 1 and dropout != 0 and not 0 <= dropout <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout:g}")


def _layers(mode, name, input, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
            bidirectional, batch_first):
    """Check and run the stacked layers over a padded input, or over packed steps when
    ``batch_sizes`` is given."""
    h0, c0 = _states(mode, hx)
    directions = 2 if bidirectional else 1
    # as in PyTorch, an LSTM is projected when its two states differ in size
    projected = c0 is not None and h0.shape[-1] != c0.shape[-1]
    weights = _weights(params, has_biases, num_layers * directions, projected)
    if batch_sizes is None:
        if input.dim() != 3:
            raise IndexError(f"{name}: Expected input to be 3-D (sequence, batch, features), "
                             f"got {input.dim()}-D")
        x, lengths = (input.transpose(0, 1) if batch_first else input), None
    else:
        _check_batch_sizes(input, batch_sizes)
        x, lengths = _rnn.unpack(input, batch_sizes)
    _check_layers(x, h0, c0, weights, mode, num_layers * directions, num_layers, dropout, train)
    y, h_n, c_n = _rnn.run_layers(mode, x, h0, c0, weights, lengths, directions,
                                  dropout if train else 0.0)
    if batch_sizes is not None:
        y = _rnn.repack(y, batch_sizes)
    elif batch_first:
        y = y.transpose(0, 1)
    return (y, h_n, c_n) if mode == "LSTM" else (y, h_n)


def _check_batch_sizes(data, batch_sizes):
    if batch_sizes._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(batch_sizes)}")
    sizes = batch_sizes._host()
    if sizes.ndim != 1 or not sizes.size or sizes[-1] < 1 or (np.diff(sizes) > 0).any():
        raise RuntimeError("batch_sizes must be a 1-D tensor of positive, non-increasing sizes, "
                           f"got {sizes.tolist()}")
    if data.dim() != 2 or data.shape[0] != sizes.sum():
        raise RuntimeError(f"Expected packed data of shape (sum(batch_sizes) = {sizes.sum()}, "
                           f"input_size), got {list(data.shape)}")


def _input_form(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                batch_first):
    """The padded form's arguments by name."""
    return dict(locals(), batch_sizes=None)


def _data_form(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
               bidirectional):
    """The packed form's arguments by name (``data`` as ``input``)."""
    bound = dict(locals(), batch_first=False)
    bound["input"] = bound.pop("data")
    return bound


def _bind(mode, name, args, kwargs):
    """The arguments of a call by name, for whichever of the two forms its types fit."""
    pair = mode == "LSTM"
    for form in (_input_form, _data_form):
        try:
            bound = form(*args, **kwargs)
        except TypeError:
            continue
        fits = (isinstance(bound["input"], Tensor)
                and isinstance(bound["hx"], (tuple, list) if pair else Tensor)
                and isinstance(bound["params"], (tuple, list))
                and (bound["batch_sizes"] is None or isinstance(bound["batch_sizes"], Tensor)))
        if fits:
            return bound
    hx = "tuple of Tensors" if pair else "Tensor"
    got = ", ".join(type(a).__name__ for a in args)
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n * (Tensor data, Tensor batch_sizes, {hx} hx, tuple of Tensors params, bool "
        f"has_biases, int num_layers, float dropout, bool train, bool bidirectional)\n * (Tensor "
        f"input, {hx} hx, tuple of Tensors params, bool has_biases, int num_layers, float "
        f"dropout, bool train, bool bidirectional, bool batch_first)\n")


def _layer_function(mode, what):
    name = mode.lower()

    def layers(*args, **kwargs):
        return _layers(mode, name, **_bind(mode, name, args, kwargs))

    layers.__name__ = layers.__qualname__ = name
    returns = "(output, h_n, c_n)" if mode == "LSTM" else "(output, h_n)"
    layers.__doc__ = (
        f"Stacked {what} layers over a flat list of weights, as the modules hold them: "
        f"``{name}(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, "
        f"batch_first)`` on a padded batch, or ``{name}(data, batch_sizes, hx, params, "
        f"has_biases, num_layers, dropout, train, bidirectional)`` on the steps of a packed "
        f"one; returns ``{returns}``.")
    return layers


lstm = _layer_function("LSTM", "LSTM")
gru = _layer_function("GRU", "GRU")
rnn_tanh = _layer_function("RNN_TANH", "Elman (tanh)")
rnn_relu = _layer_function("RNN_RELU", "Elman (relu)")

FUNCTIONS = {f.__name__: f for f in (lstm_cell, gru_cell, rnn_tanh_cell, rnn_relu_cell, lstm,
                                     gru, rnn_tanh, rnn_relu)}
