"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their cells, with PyTorch's parameters.

LSTM and GRU layers (without projections) run their time loops in the compiled kernels
(``nptorch._functions.rnn``); RNN and projected LSTMs step through time with the cell
functions below, which also serve the Cell modules. ``run_layers`` (the stacked layers over a
time-major batch), ``unpack`` / ``repack`` and the cell checks serve the modules and the
top-level functional forms (``nptorch.lstm`` ...) alike.
"""
import math
import warnings

import numpy as np

from ... import _api
from ..._functions.rnn import GRULayer, LSTMLayer
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# -- one time step ---------------------------------------------------------------------------
def _affine(x, w, b):
    y = x @ w.T
    return y if b is None else y + b


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    pre = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """One LSTM step (gates i, f, g, o); with ``w_hr`` the new h is projected."""
    gates = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else h @ w_hr.T), c


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step (gates r, z, n; r scales the recurrent part of n, bias included)."""
    xr, xz, xn = _affine(x, w_ih, b_ih).chunk(3, 1)
    hr, hz, hn = _affine(h, w_hh, b_hh).chunk(3, 1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


# -- layers ----------------------------------------------------------------------------------
def _reverse(x, lengths):
    """Reverse each sequence of x (T, B, *) within its length (all of it when lengths is None)."""
    if lengths is None:
        return x.flip(0)
    T, B = x.shape[0], x.shape[1]
    t = np.arange(T)[:, None]
    index = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    return x[_on(x, index), _on(x, np.arange(B)[None, :])]


def _last(y, lengths):
    """The output at each sequence's last step: y[lengths - 1, b]."""
    if lengths is None:
        return y[-1]
    return y[_on(y, lengths - 1), _on(y, np.arange(y.shape[1]))]


def _on(x, index):
    """A host index array as a tensor on x's device."""
    return _api.creation.tensor(index, device=x.device)


def packed_lengths(batch_sizes):
    """The length of each sequence of a packed batch (longest first), from its batch sizes."""
    sizes = batch_sizes._host()
    return (sizes[None, :] > np.arange(int(sizes[0]))[:, None]).sum(1)


def unpack(data, batch_sizes):
    """Packed steps as a padded batch (T, B, *) and the length of each sequence."""
    padded, _ = pad_packed_sequence(PackedSequence(data, batch_sizes))
    return padded, packed_lengths(batch_sizes)


def repack(y, batch_sizes):
    """The padded outputs y (T, B, *) packed as the steps of ``batch_sizes`` were."""
    return pack_padded_sequence(y, packed_lengths(batch_sizes)).data


def run_layers(mode, x, h0, c0, weights, lengths, directions, dropout):
    """Stacked recurrent layers over x (T, B, I) from the states h0 / c0 (layers * directions,
    B, *): ``(output (T, B, directions * H), h_n, c_n or None)``.

    ``weights`` holds one ``(w_ih, w_hh, b_ih, b_hh, w_hr)`` per layer and direction, layer
    by layer, forward first; ``lengths`` (host ints, or None) the length of each sequence;
    ``dropout`` the probability applied between layers (0 for none).
    """
    num_layers = len(weights) // directions
    h_n, c_n = [], []
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            k = layer * directions + direction
            xs = _reverse(x, lengths) if direction else x
            y, h, c = _run(mode, xs, h0[k], None if c0 is None else c0[k], weights[k], lengths)
            outputs.append(_reverse(y, lengths) if direction else y)
            h_n.append(h)
            c_n.append(c)
        x = outputs[0] if len(outputs) == 1 else _api.shape.cat(outputs, 2)
        if dropout and layer < num_layers - 1:
            x = F.dropout(x, dropout, training=True)
    h_n = _api.shape.stack(h_n)
    c_n = _api.shape.stack(c_n) if mode == "LSTM" else None
    return x, h_n, c_n


def _run(mode, x, h0, c0, params, lengths):
    """One layer, one direction: (outputs (T, B, H), last h, last c or None)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = params
    if mode == "LSTM" and w_hr is None:
        y, cells = LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        return y, _last(y, lengths), _last(cells, lengths)
    if mode == "GRU":
        y = GRULayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh)
        return y, _last(y, lengths), None
    return _step_through(mode, x, h0, c0, params, lengths)


def _step_through(mode, x, h, c, params, lengths):
    """The Python time loop of RNN and projected LSTM layers; finished sequences keep
    their state (so the last state is each sequence's own)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = params
    outputs = []
    for t in range(x.shape[0]):
        if mode == "LSTM":
            h_new, c_new = lstm_cell(x[t], h, c, w_ih, w_hh, b_ih, b_hh, w_hr)
        else:
            h_new = rnn_cell(x[t], h, w_ih, w_hh, b_ih, b_hh,
                             "tanh" if mode == "RNN_TANH" else "relu")
        outputs.append(h_new)
        if lengths is None:
            h, c = h_new, (c_new if mode == "LSTM" else None)
        else:
            running = _api.creation.tensor((t < lengths)[:, None], device=h.device)
            h = _api.math.where(running, h_new, h)
            c = _api.math.where(running, c_new, c) if mode == "LSTM" else None
    return _api.shape.stack(outputs), h, c


def check_cell_input(input, input_size):
    """PyTorch's check of a cell's (2-D) input against ``input_size``."""
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{input_size}")


def check_cell_hidden(input, hx, hidden_size, label):
    """PyTorch's checks of a cell's (2-D) state ``hidden<label>`` against the input's batch and
    ``hidden_size``."""
    if input.size(0) != hx.size(0):
        raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} batch "
                           f"size {hx.size(0)}")
    if hx.size(1) != hidden_size:
        raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, "
                           f"expected {hidden_size}")


class RNNBase(Module):
    """The parameters and the layer/direction loop shared by RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}")
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                layer_input = input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(
                        _api.creation.empty(*shape, dtype=dtype, device=device)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _directions(self):
        return 2 if self.bidirectional else 1

    def _params(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = lambda name: getattr(self, name + suffix, None)  # noqa: E731
        return (get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"),
                get("weight_hr"))

    def _state_shapes(self, batch):
        layers = self.num_layers * self._directions
        h = (layers, batch, self.proj_size or self.hidden_size)
        return h, (layers, batch, self.hidden_size)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s  # torch's repr leaves the RNN's nonlinearity out

    # -- forward ---------------------------------------------------------------------------
    def _prepare(self, input, hx):
        """(x (T, B, I), states, lengths, how to restore the output) from the user's input."""
        if isinstance(input, PackedSequence):
            padded, lengths = unpack(input.data, input.batch_sizes)
            return padded, hx, lengths, ("packed", input, input.sorted_indices)
        if input.dim() not in (2, 3):
            # torch's RNN says "tensor instead", its LSTM and GRU just "instead"
            noun = " tensor" if self.mode.startswith("RNN") else ""
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D{noun} instead")
        batched = input.dim() == 3
        if hx is not None:
            self._check_state_dims(hx, batched)
        if not batched:
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(s.unsqueeze(1) for s in hx) if isinstance(hx, tuple) else hx.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        return input, hx, None, ("batched" if batched else "unbatched", None, None)

    def _check_state_dims(self, hx, batched):
        dim, kind = (3, "batched 3-D") if batched else (2, "unbatched 2-D")
        if self.mode == "LSTM":
            if hx[0].dim() != dim or hx[1].dim() != dim:
                raise RuntimeError(f"For {kind} input, hx and cx should also be {dim}-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        elif hx.dim() != dim:
            raise RuntimeError(f"For {kind} input, hx should also be {dim}-D but got "
                               f"{hx.dim()}-D tensor")

    def _name(self):
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def _initial_states(self, x, hx, order):
        batch = x.shape[1]
        h_shape, c_shape = self._state_shapes(batch)
        lstm = self.mode == "LSTM"
        if hx is None:
            h0 = _api.creation.zeros(*h_shape, dtype=x.dtype, device=x.device)
            c0 = _api.creation.zeros(*c_shape, dtype=x.dtype, device=x.device) if lstm else None
            return h0, c0
        if lstm:
            if not isinstance(hx, tuple) or len(hx) != 2:
                raise RuntimeError("LSTM expects hx to be a tuple (h_0, c_0)")
            h0, c0 = hx
            self._check_state(h0, h_shape, "Expected hidden[0] size {}, got {}")
            self._check_state(c0, c_shape, "Expected hidden[1] size {}, got {}")
        else:
            h0, c0 = hx, None
            self._check_state(h0, h_shape, "Expected hidden size {}, got {}")
        if order is not None:
            index = order.to(h0.device)
            h0 = h0.index_select(1, index)
            c0 = c0.index_select(1, index) if c0 is not None else None
        return h0, c0

    @staticmethod
    def _check_state(state, shape, message):
        if tuple(state.shape) != shape:
            raise RuntimeError(message.format(shape, list(state.shape)))

    def forward(self, input, hx=None):
        x, hx, lengths, (kind, packed, order) = self._prepare(input, hx)
        weight_dtype = self.weight_ih_l0.dtype
        if x.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({x.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({x.dtype})")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        h0, c0 = self._initial_states(x, hx, order)
        weights = [self._params(layer, direction) for layer in range(self.num_layers)
                   for direction in range(self._directions)]
        y, h_n, c_n = run_layers(self.mode, x, h0, c0, weights, lengths, self._directions,
                                 self.dropout if self.training else 0.0)
        return self._restore(y, h_n, c_n, kind, packed)

    def _restore(self, y, h_n, c_n, kind, packed):
        if kind == "packed":
            y = PackedSequence(repack(y, packed.batch_sizes), packed.batch_sizes,
                               packed.sorted_indices, packed.unsorted_indices)
            if packed.unsorted_indices is not None:
                index = packed.unsorted_indices.to(h_n.device)
                h_n = h_n.index_select(1, index)
                c_n = c_n.index_select(1, index) if c_n is not None else None
        elif kind == "unbatched":
            y, h_n = y.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            y = y.transpose(0, 1)
        return y, ((h_n, c_n) if self.mode == "LSTM" else h_n)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        if len(args) > 3:  # positional nonlinearity, as torch accepts
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory layers (gates i, f, g, o; optional projection ``proj_size``)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit layers (gates r, z, n)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# -- cells -----------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Parameters and input checks shared by the cells."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        make = lambda *shape: Parameter(_api.creation.empty(*shape, dtype=dtype, device=device))  # noqa: E731
        self.weight_ih = make(num_chunks * hidden_size, input_size)
        self.weight_hh = make(num_chunks * hidden_size, hidden_size)
        if bias:
            self.bias_ih = make(num_chunks * hidden_size)
            self.bias_hh = make(num_chunks * hidden_size)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batched(self, input, states):
        """Validate; returns (input, states, batched) with a batch dim added when absent."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        name = type(self).__name__
        for i, s in enumerate(states):
            if s is not None and s.dim() not in (1, 2):
                what = f"hx[{i}]" if len(states) == 2 else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {s.dim()}D instead")
        check_cell_input(input, self.input_size)
        shaped = []
        for i, s in enumerate(states):
            if s is None:
                s = _api.creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                                        device=input.device)
            else:
                if not batched:
                    s = s.unsqueeze(0)
                check_cell_hidden(input, s, self.hidden_size, i)
            shaped.append(s)
        return input, shaped, batched


class RNNCell(RNNCellBase):
    """One Elman RNN step."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._batched(input, [hx])
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = rnn_cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                     self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        states = [None, None] if hx is None else list(hx)
        input, (h, c), batched = self._batched(input, states)
        h, c = lstm_cell(input, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._batched(input, [hx])
        h = gru_cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
