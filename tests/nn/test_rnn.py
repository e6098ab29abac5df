"""RNN, LSTM, GRU and their cells against PyTorch: outputs, final states, every gradient, packed
and unbatched input, dropout, initialisation, names, reprs, gradcheck and error messages."""
import itertools
import re
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck
from nptorch.nn.utils import rnn as rnn_utils

from helpers import load_torch_state, check_close_to_torch

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections")

T, B, I, H, P = 5, 3, 4, 6, 3
LENGTHS = [3, 5, 2]  # unsorted, longest not first
KINDS = {"rnn_tanh": ("RNN", {}), "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
         "lstm": ("LSTM", {}), "lstm_proj": ("LSTM", {"proj_size": P}), "gru": ("GRU", {})}


def _make(torch, kind, dtype=None, device="cpu", **kwargs):
    """(ours, on ``device``, and theirs) with the same configuration and the same weights."""
    name, extra = KINDS[kind]
    ours = getattr(nptorch.nn, name)(I, H, **extra, **kwargs)
    theirs = getattr(torch.nn, name)(I, H, **extra, **kwargs)
    if dtype == "float64":
        ours, theirs = ours.double(), theirs.double()
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n == tn
        with torch.no_grad():
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
    return ours.to(device), theirs


def _pair(torch, array, device="cpu"):
    return (nptorch.tensor(array, requires_grad=True, device=device),
            torch.tensor(array, requires_grad=True))


def _run_both(torch, ours, theirs, x, states, mode, batch_first):
    """Forward both models on input ``mode`` (padded / unbatched / packed / packed_sorted);
    returns [(our tensor, their tensor)] for the padded outputs and the final states."""
    results = []
    for lib, model, xi, si in ((nptorch, ours, x[0], states[0]), (torch, theirs, x[1], states[1])):
        inp = xi
        if mode.startswith("packed"):
            lengths = LENGTHS if mode == "packed" else sorted(LENGTHS, reverse=True)
            inp = lib.nn.utils.rnn.pack_padded_sequence(
                xi, lengths, batch_first=batch_first, enforce_sorted=mode != "packed")
        out, state = model(inp, si)
        if mode.startswith("packed"):
            assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
            out, _ = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
        results.append([out] + (list(state) if isinstance(state, tuple) else [state]))
    return list(zip(*results))


GRID = list(itertools.product(KINDS, [1, 2], [False, True], [False, True], [True, False],
                              [False, True], ["padded", "unbatched", "packed", "packed_sorted"]))
# batch_first means nothing for unbatched input
GRID = [g for g in GRID if not (g[6] == "unbatched" and g[3])]


@pytest.mark.parametrize("kind, layers, bidirectional, batch_first, bias, with_states, mode", GRID)
def test_layers_match_pytorch(torch, device, kind, layers, bidirectional, batch_first, bias,
                              with_states, mode):
    ours, theirs = _make(torch, kind, num_layers=layers, bidirectional=bidirectional,
                         batch_first=batch_first, bias=bias, device=device)
    rng = np.random.default_rng(1)
    shape = (T, I) if mode == "unbatched" else (B, T, I) if batch_first else (T, B, I)
    x = _pair(torch, rng.standard_normal(shape).astype(np.float32), device)
    batch = () if mode == "unbatched" else (B,)
    D = layers * (2 if bidirectional else 1)
    states = (None, None)
    leaves = []
    if with_states:
        h = _pair(torch, rng.standard_normal((D, *batch, P if kind == "lstm_proj" else H))
                  .astype(np.float32), device)
        leaves.append(h)
        if kind.startswith("lstm"):
            c = _pair(torch, rng.standard_normal((D, *batch, H)).astype(np.float32), device)
            leaves.append(c)
            states = ((h[0], c[0]), (h[1], c[1]))
        else:
            states = h
    pairs = _run_both(torch, ours, theirs, x, states, mode, batch_first)
    loss = [0, 0]
    for k, (o, t) in enumerate(pairs):
        assert tuple(o.shape) == tuple(t.shape)
        check_close_to_torch(o, t, f"output {k}")
        w = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        loss[0] = loss[0] + (o * nptorch.tensor(w, device=device)).sum()
        loss[1] = loss[1] + (t * torch.tensor(w)).sum()
    loss[0].backward()
    loss[1].backward()
    check_close_to_torch(x[0].grad, x[1].grad, "input grad", 1e-4)
    for k, (o, t) in enumerate(leaves):
        check_close_to_torch(o.grad, t.grad, f"state {k} grad", 1e-4)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        check_close_to_torch(p.grad, tp.grad, name, 1e-4)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_float64_and_longer_sequences(torch, device, kind):
    ours, theirs = _make(torch, kind, dtype="float64", num_layers=2, bidirectional=True,
                         device=device)
    x = _pair(torch, np.random.default_rng(0).standard_normal((40, 4, I)), device)
    (o, _), (t, _) = ours(x[0]), theirs(x[1])
    assert o.dtype == nptorch.float64
    check_close_to_torch(o, t, "output", 1e-10)
    o.pow(2).sum().backward()
    t.pow(2).sum().backward()
    check_close_to_torch(x[0].grad, x[1].grad, "input grad", 1e-10)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        check_close_to_torch(p.grad, tp.grad, name, 1e-9)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_empty_batch(torch, device, kind):
    """A batch of no sequences gives empty outputs and states, and zero gradients, as in
    PyTorch (the gradient of a sum over nothing is broadcast and read-only)."""
    ours, theirs = _make(torch, kind, num_layers=2, bidirectional=True, device=device)
    x = _pair(torch, np.zeros((T, 0, I), np.float32), device)
    (o, h), (t, th) = ours(x[0]), theirs(x[1])
    for a, b in [(o, t)] + list(zip(h if isinstance(h, tuple) else [h],
                                    th if isinstance(th, tuple) else [th])):
        assert tuple(a.shape) == tuple(b.shape)
    o.sum().backward()
    t.sum().backward()
    assert tuple(x[0].grad.shape) == (T, 0, I)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        check_close_to_torch(p.grad, tp.grad, name)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gradients_only_where_asked(torch, device, kind):
    """An input without requires_grad and frozen weights get no gradient; the other
    parameters' gradients are PyTorch's."""
    ours, theirs = _make(torch, kind, num_layers=2, device=device)
    for model in (ours, theirs):
        model.weight_ih_l0.requires_grad_(False)
        model.weight_hh_l1.requires_grad_(False)
    x = np.random.default_rng(3).standard_normal((T, B, I)).astype(np.float32)
    (o, _), (t, _) = ours(nptorch.tensor(x, device=device)), theirs(torch.tensor(x))
    o.pow(2).sum().backward()
    t.pow(2).sum().backward()
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        if name in ("weight_ih_l0", "weight_hh_l1"):
            assert p.grad is None and tp.grad is None, name
        else:
            check_close_to_torch(p.grad, tp.grad, name, 1e-4)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_non_finite_recurrent_weight_reaches_the_first_step(torch, device, kind):
    """With the default zero h0, the first step still multiplies it by w_hh: an infinite
    weight gives NaN there (0 * inf), as in PyTorch."""
    ours, theirs = _make(torch, kind, device=device)
    for model, lib in ((ours, nptorch), (theirs, torch)):
        with lib.no_grad():
            model.weight_hh_l0[0, 0] = float("inf")
    x = np.random.default_rng(0).standard_normal((2, B, I)).astype(np.float32)
    (o, _), (t, _) = ours(nptorch.tensor(x, device=device)), theirs(torch.tensor(x))
    o, t = o.detach().cpu().numpy(), t.detach().numpy()
    np.testing.assert_array_equal(np.isnan(o), np.isnan(t))
    assert np.isnan(o[0]).any()


def test_dropout_between_layers_only_in_training(torch):
    # identity layers (relu, W_ih = I, W_hh = 0) on positive input: the output is the dropout
    # mask the second layer's input went through
    model = nptorch.nn.RNN(8, 8, num_layers=2, nonlinearity="relu", bias=False, dropout=0.3)
    with nptorch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(nptorch.eye(8) if name.startswith("weight_ih") else nptorch.zeros(8, 8))
    x = nptorch.rand(50, 20, 8) + 0.5
    out = model(x)[0].detach().numpy()
    zero = out == 0
    assert 0.26 < zero.mean() < 0.34
    np.testing.assert_allclose(out[~zero], x.numpy()[~zero] / 0.7, rtol=1e-5)
    assert not np.array_equal(model(x)[0].detach().numpy(), out)
    model.eval()
    np.testing.assert_allclose(model(x)[0].detach().numpy(), x.numpy(), rtol=1e-6)
    # eval mode matches torch (whose dropout is inactive too)
    ours, theirs = _make(torch, "lstm", num_layers=2, dropout=0.5)
    ours.eval(), theirs.eval()
    xs = _pair(torch, np.random.default_rng(0).standard_normal((T, B, I)).astype(np.float32))
    check_close_to_torch(ours(xs[0])[0], theirs(xs[1])[0], "eval output")
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, "
                                         "but got dropout=0.5 and num_layers=1"):
        nptorch.nn.GRU(2, 3, dropout=0.5)


@pytest.mark.parametrize("kind", list(KINDS))
def test_default_init_range(kind):
    name, extra = KINDS[kind]
    model = getattr(nptorch.nn, name)(10, 16, num_layers=2, bidirectional=True, **extra)
    cell = getattr(nptorch.nn, name + "Cell")(10, 16, **extra) if kind != "lstm_proj" else model
    for module in (model, cell):
        values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
        assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24  # 1 / sqrt(16)
        assert abs(values.mean()) < 0.02 and 0.13 < values.std() < 0.16  # U(-a, a): a / sqrt(3)
        assert all(p.dtype == nptorch.float32 for p in module.parameters())


@pytest.mark.parametrize("name, args, kwargs", [
    ("LSTM", (4, 6), {}),
    ("LSTM", (4, 6, 2), {"bidirectional": True, "proj_size": 2, "bias": False}),
    ("GRU", (4, 6), {"num_layers": 3, "batch_first": True, "dropout": 0.2}),
    ("RNN", (4, 6), {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", (4, 6, 2, "relu"), {}),
    ("LSTMCell", (4, 6), {"bias": False}),
    ("GRUCell", (4, 6), {}),
    ("RNNCell", (4, 6), {"nonlinearity": "relu"}),
])
def test_names_state_dict_and_repr(torch, name, args, kwargs):
    ours = getattr(nptorch.nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    # a torch state_dict loads into ours
    load_torch_state(ours, theirs)
    for (n, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy(), err_msg=n)


def test_state_dict_key_order_example():
    keys = list(nptorch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2).state_dict())
    assert keys[:6] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                        "weight_hr_l0", "weight_ih_l0_reverse"]
    assert keys[-1] == "weight_hr_l1_reverse" and len(keys) == 20


# -- gradcheck ---------------------------------------------------------------------------------
def _double(x):
    return nptorch.tensor(x, dtype=nptorch.float64, requires_grad=True)


@pytest.mark.parametrize("kind, kwargs", [
    ("LSTM", {"bidirectional": True}), ("LSTM", {"proj_size": 2}), ("GRU", {"num_layers": 2}),
    ("RNN", {"bidirectional": True}), ("GRU", {"bias": False}),
])
def test_layer_gradcheck(kind, kwargs):
    rng = np.random.default_rng(0)
    model = getattr(nptorch.nn, kind)(2, 3, **kwargs).double()
    D = model.num_layers * (2 if model.bidirectional else 1)
    x = _double(rng.standard_normal((3, 2, 2)))
    h0 = _double(rng.standard_normal((D, 2, kwargs.get("proj_size") or 3)))
    params = list(model.parameters())
    if kind == "LSTM":
        c0 = _double(rng.standard_normal((D, 2, 3)))
        def f(x, h, c, *_):
            y, (_, c_n) = model(x, (h, c))
            return y.sum(0) + c_n.sum()
        assert gradcheck(f, (x, h0, c0, *params))
    else:
        assert gradcheck(lambda x, h, *_: model(x, h)[0].sum(0) + model(x, h)[1].sum(),
                         (x, h0, *params))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_packed_gradcheck(kind):
    model = getattr(nptorch.nn, kind)(2, 2).double()
    x = _double(np.random.default_rng(0).standard_normal((3, 3, 2)))

    def f(x, *_):
        state = model(rnn_utils.pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False))[1]
        return (state[0] if isinstance(state, tuple) else state).sum(0)
    assert gradcheck(f, (x, *model.parameters()))


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cell_gradcheck(kind):
    rng = np.random.default_rng(0)
    cell = getattr(nptorch.nn, kind)(3, 2).double()
    x, h = _double(rng.standard_normal((2, 3))), _double(rng.standard_normal((2, 2)))
    if kind == "LSTMCell":
        c = _double(rng.standard_normal((2, 2)))
        assert gradcheck(lambda x, h, c, *_: cell(x, (h, c)), (x, h, c, *cell.parameters()))
    else:
        assert gradcheck(lambda x, h, *_: cell(x, h), (x, h, *cell.parameters()))


# -- cells -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, kwargs", [
    ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False}),
    ("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cells_match_pytorch(torch, device, kind, kwargs, batched, with_state):
    ours = getattr(nptorch.nn, kind)(I, H, **kwargs)
    theirs = getattr(torch.nn, kind)(I, H, **kwargs)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        with torch.no_grad():
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
    ours.to(device)
    rng = np.random.default_rng(0)
    batch = (B,) if batched else ()
    x = _pair(torch, rng.standard_normal(batch + (I,)).astype(np.float32), device)
    leaves = [x]
    states = (None, None)
    if with_state:
        h = _pair(torch, rng.standard_normal(batch + (H,)).astype(np.float32), device)
        leaves.append(h)
        if kind == "LSTMCell":
            c = _pair(torch, rng.standard_normal(batch + (H,)).astype(np.float32), device)
            leaves.append(c)
            states = ((h[0], c[0]), (h[1], c[1]))
        else:
            states = h
    o, t = ours(x[0], states[0]), theirs(x[1], states[1])
    o, t = (o if isinstance(o, tuple) else (o,)), (t if isinstance(t, tuple) else (t,))
    loss_o, loss_t = 0, 0
    for a, b in zip(o, t):
        assert tuple(a.shape) == tuple(b.shape)
        check_close_to_torch(a, b, "output")
        w = rng.standard_normal(tuple(b.shape)).astype(np.float32)
        loss_o = loss_o + (a * nptorch.tensor(w, device=device)).sum()
        loss_t = loss_t + (b * torch.tensor(w)).sum()
    loss_o.backward()
    loss_t.backward()
    for k, (a, b) in enumerate(leaves):
        check_close_to_torch(a.grad, b.grad, f"leaf {k}", 1e-4)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        check_close_to_torch(p.grad, tp.grad, name, 1e-4)


# -- errors ------------------------------------------------------------------------------------
DROPOUT_MESSAGE = ("dropout should be a number in range [0, 1] representing the probability of an "
                   "element being zeroed")
ERRORS = [
    (lambda l: l.nn.LSTM(4, 6)(l.zeros(3, 2, 5)), RuntimeError,
     "input.size(-1) must be equal to input_size. Expected 4, got 5"),
    (lambda l: l.nn.GRU(4, 6, 2)(l.zeros(3, 3, 4), l.zeros(1, 3, 6)), RuntimeError,
     "Expected hidden size (2, 3, 6), got [1, 3, 6]"),
    (lambda l: l.nn.RNN(4, 6, bidirectional=True)(l.zeros(3, 3, 4), l.zeros(2, 2, 6)), RuntimeError,
     "Expected hidden size (2, 3, 6), got [2, 2, 6]"),
    (lambda l: l.nn.LSTM(4, 6, 2)(l.zeros(3, 3, 4), (l.zeros(1, 3, 6), l.zeros(2, 3, 6))),
     RuntimeError, "Expected hidden[0] size (2, 3, 6), got [1, 3, 6]"),
    (lambda l: l.nn.LSTM(4, 6, 2)(l.zeros(3, 3, 4), (l.zeros(2, 3, 6), l.zeros(1, 3, 6))),
     RuntimeError, "Expected hidden[1] size (2, 3, 6), got [1, 3, 6]"),
    (lambda l: l.nn.LSTM(4, 6, proj_size=3)(l.zeros(3, 3, 4), (l.zeros(1, 3, 6), l.zeros(1, 3, 6))),
     RuntimeError, "Expected hidden[0] size (1, 3, 3), got [1, 3, 6]"),
    (lambda l: l.nn.LSTM(4, 6)(l.zeros(3, 3, 4, 1)), ValueError,
     "LSTM: Expected input to be 2D or 3D, got 4D instead"),
    (lambda l: l.nn.GRU(4, 6)(l.zeros(3)), ValueError,
     "GRU: Expected input to be 2D or 3D, got 1D instead"),
    (lambda l: l.nn.RNN(4, 6)(l.zeros(3, 3, 4, 1)), ValueError,
     "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    (lambda l: l.nn.RNN(4, 6)(l.zeros(3, 4), l.zeros(1, 3, 6)), RuntimeError,
     "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    (lambda l: l.nn.GRU(4, 6)(l.zeros(3, 2, 4), l.zeros(3, 6)), RuntimeError,
     "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    (lambda l: l.nn.LSTM(4, 6)(l.zeros(3, 4), (l.zeros(1, 3, 6), l.zeros(1, 6))), RuntimeError,
     "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 2-D) tensors"),
    (lambda l: l.nn.LSTM(4, 6)(l.zeros(3, 2, 4), (l.zeros(1, 2, 6), l.zeros(2, 6))), RuntimeError,
     "For batched 3-D input, hx and cx should also be 3-D but got (3-D, 2-D) tensors"),
    (lambda l: l.nn.GRU(4, 6)(l.zeros(0, 2, 4)), RuntimeError,
     "Expected sequence length to be larger than 0 in RNN"),
    (lambda l: l.nn.LSTM(4, 6, dropout=1.5), ValueError, DROPOUT_MESSAGE),
    (lambda l: l.nn.GRU(4, 6, dropout=-0.1), ValueError, DROPOUT_MESSAGE),
    (lambda l: l.nn.GRU(4, 6, dropout=True), ValueError, DROPOUT_MESSAGE),
    (lambda l: l.nn.LSTM(4, 6, proj_size=6), ValueError,
     "proj_size has to be smaller than hidden_size"),
    (lambda l: l.nn.LSTM(4, 6, proj_size=-1), ValueError,
     "proj_size should be a positive integer or zero to disable projections"),
    (lambda l: l.nn.GRU(4, 6, proj_size=2), ValueError,
     "proj_size argument is only supported for LSTM, not RNN or GRU"),
    (lambda l: l.nn.RNN(4, 6, proj_size=2), ValueError,
     "proj_size argument is only supported for LSTM, not RNN or GRU"),
    (lambda l: l.nn.RNN(4, 6, nonlinearity="sigmoid"), ValueError,
     "Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'."),
    (lambda l: l.nn.LSTM(4, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda l: l.nn.LSTM(0, 3), ValueError, "input_size must be greater than zero"),
    (lambda l: l.nn.GRU(4, 6, 0), ValueError, "num_layers must be greater than zero"),
    (lambda l: l.nn.LSTM(4, 6.0), TypeError, "hidden_size should be of type int, got: float"),
    (lambda l: l.nn.LSTM(4.0, 6), TypeError, "input_size should be of type int, got: float"),
    (lambda l: l.nn.GRU(4, 6, bias=1), TypeError, "bias should be of type bool, got: int"),
    (lambda l: l.nn.GRU(4, 6, batch_first=None), TypeError,
     "batch_first should be of type bool, got: NoneType"),
    (lambda l: l.nn.LSTMCell(4, 6)(l.zeros(3, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 4"),
    (lambda l: l.nn.GRUCell(4, 6)(l.zeros(5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 4"),
    (lambda l: l.nn.RNNCell(4, 6)(l.zeros(3, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 4"),
    (lambda l: l.nn.LSTMCell(4, 6)(l.zeros(3, 4), (l.zeros(2, 6), l.zeros(2, 6))), RuntimeError,
     "Input batch size 3 doesn't match hidden0 batch size 2"),
    (lambda l: l.nn.LSTMCell(4, 6)(l.zeros(3, 5), (l.zeros(2, 6), l.zeros(2, 6))), RuntimeError,
     "input has inconsistent input_size: got 5 expected 4"),  # checked before the batch
    (lambda l: l.nn.LSTMCell(4, 6)(l.zeros(3, 4), (l.zeros(3, 6), l.zeros(2, 6))), RuntimeError,
     "Input batch size 3 doesn't match hidden1 batch size 2"),
    (lambda l: l.nn.GRUCell(4, 6)(l.zeros(3, 4), l.zeros(2, 6)), RuntimeError,
     "Input batch size 3 doesn't match hidden0 batch size 2"),
    (lambda l: l.nn.RNNCell(4, 6)(l.zeros(3, 4), l.zeros(6)), RuntimeError,
     "Input batch size 3 doesn't match hidden0 batch size 6"),
    (lambda l: l.nn.GRUCell(4, 6)(l.zeros(3, 4), l.zeros(3, 5)), RuntimeError,
     "hidden0 has inconsistent hidden_size: got 5, expected 6"),
    (lambda l: l.nn.LSTMCell(4, 6)(l.zeros(3, 4), (l.zeros(3, 6), l.zeros(3, 5))), RuntimeError,
     "hidden1 has inconsistent hidden_size: got 5, expected 6"),
    (lambda l: l.nn.GRUCell(4, 6)(l.zeros(4), l.zeros(3, 6)), RuntimeError,
     "hidden0 has inconsistent hidden_size: got 3, expected 6"),
    (lambda l: l.nn.GRUCell(4, 6)(l.zeros(3, 4, 2)), ValueError,
     "GRUCell: Expected input to be 1D or 2D, got 3D instead"),
    (lambda l: l.nn.RNNCell(4, 6)(l.zeros(3, 4), l.zeros(1, 3, 6)), ValueError,
     "RNNCell: Expected hidden to be 1D or 2D, got 3D instead"),
    (lambda l: l.nn.LSTMCell(4, 6)(l.zeros(3, 4), (l.zeros(3, 6), l.zeros(1, 3, 6))), ValueError,
     "LSTMCell: Expected hx[1] to be 1D or 2D, got 3D instead"),
    (lambda l: l.nn.RNNCell(4, 6, nonlinearity="x")(l.zeros(3, 4)), RuntimeError,
     "Unknown nonlinearity: x"),
]


@pytest.mark.parametrize("fn, error, message", ERRORS)
def test_errors_match_pytorch(torch, fn, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error) as theirs:
            fn(torch)
        assert str(theirs.value) == message  # the wording is torch's
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            fn(nptorch)


def test_dtype_mismatch_error():
    with pytest.raises(ValueError, match=r"RNN input dtype \(nptorch.float64\) does not match "
                                         r"weight dtype \(nptorch.float32\)\. Convert input: "
                                         r"input.to\(nptorch.float32\), or convert model: "
                                         r"model.to\(nptorch.float64\)"):
        nptorch.nn.LSTM(4, 6)(nptorch.zeros(3, 2, 4, dtype=nptorch.float64))
