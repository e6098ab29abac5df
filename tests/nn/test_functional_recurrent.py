"""The functional recurrent forms (``lstm_cell`` ..., ``lstm`` / ``gru`` / ``rnn_tanh`` /
``rnn_relu`` over flat weights, padded and packed) against PyTorch with the same weights:
outputs, final states, every gradient, float64 gradcheck and errors."""
import itertools
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

from helpers import check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")

T, B, I, H, P = 5, 3, 4, 6, 3
_GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


# -- cells -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(_GATES))
@pytest.mark.parametrize("biases", ["both", "none", "ih", "hh"])
def test_cells_match_pytorch(kind, biases):
    g = _GATES[kind] * H
    specs = [(B, I), (B, H)] + ([(B, H)] if kind == "lstm" else []) + [(g, I), (g, H)]
    specs += [(g,)] * {"both": 2, "none": 0, "ih": 1, "hh": 1}[biases]

    def fn(lib, x, h, *rest):
        if kind == "lstm":
            hx, rest = (h, rest[0]), rest[1:]
        else:
            hx = h
        w_ih, w_hh, *b = rest
        b_ih = b[0] if biases in ("both", "ih") else None
        b_hh = b[-1] if biases in ("both", "hh") else None
        return getattr(lib, kind + "_cell")(x, hx, w_ih, w_hh, b_ih, b_hh)
    check_op(fn, *specs, low=-1.0, high=1.0)


def test_cells_take_keywords_and_a_list_of_states():
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s).astype(np.float32)
              for s in [(B, I), (B, H), (B, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,)]]
    results = []
    for lib in (nptorch, torch):
        x, h, c, w_ih, w_hh, b_ih, b_hh = (lib.tensor(a) for a in arrays)
        results.append(lib.lstm_cell(input=x, hx=[h, c], w_ih=w_ih, w_hh=w_hh, b_ih=b_ih,
                                     b_hh=b_hh))
    assert isinstance(results[0], tuple) and len(results[0]) == 2
    for o, t in zip(*results):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def _cell_args(lib, kind, x=(B, I), h=(B, H), w_ih=None, w_hh=None, states=None):
    g = _GATES[kind]
    w_ih = w_ih or (g * H, I)
    w_hh = w_hh or (g * H, H)
    hx = [lib.zeros(*h), lib.zeros(*h)] if kind == "lstm" else lib.zeros(*h)
    if states is not None:
        hx = states(lib)
    return lib.zeros(*x), hx, lib.zeros(*w_ih), lib.zeros(*w_hh)


_CELL_ERRORS = [
    ("lstm", {"states": lambda lib: [lib.zeros(B, H)]}),
    ("lstm", {"states": lambda lib: lib.zeros(B, H)}),
    ("lstm", {"states": lambda lib: None}),
    ("lstm", {"states": lambda lib: [lib.zeros(B, H), lib.zeros(B - 1, H)]}),
    ("lstm", {"states": lambda lib: [lib.zeros(B, H), lib.zeros(B, H - 1)]}),
    ("gru", {"states": lambda lib: None}),
    ("gru", {"states": lambda lib: (lib.zeros(B, H),)}),
    ("gru", {"x": (B, I + 1)}),
    ("gru", {"h": (B - 1, H)}),
    ("gru", {"h": (B, H + 1)}),
    ("gru", {"x": (I,), "h": (H,)}),
    ("gru", {"x": (I,)}),
    ("rnn_tanh", {"w_ih": (2 * H, I)}),
    ("rnn_relu", {"w_hh": (H - 1, H)}),
    ("lstm", {"w_ih": (3 * H, I)}),
    ("lstm", {"w_hh": (4 * H, H - 1)}),
    ("lstm", {"x": (B, I + 1), "w_ih": (3 * H, I)}),
    ("rnn_tanh", {"w_ih": (H,)}),
]


@pytest.mark.parametrize("kind,change", _CELL_ERRORS)
def test_cell_errors_match_pytorch(kind, change):
    check_same_error_as_torch(lambda lib: getattr(lib, kind + "_cell")(
        *_cell_args(lib, kind, **change)))


def test_cell_dtype_mismatch_raises_runtime_error():
    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match="same dtype"):
            x, hx, w_ih, w_hh = _cell_args(lib, "gru")
            lib.gru_cell(x.double(), hx, w_ih, w_hh)


# -- layers ----------------------------------------------------------------------------------
_MODULES = {"lstm": ("LSTM", {}), "lstm_proj": ("LSTM", {"proj_size": P}), "gru": ("GRU", {}),
            "rnn_tanh": ("RNN", {}), "rnn_relu": ("RNN", {"nonlinearity": "relu"})}


def _flat_weights(kind, layers, bidirectional, bias, dtype=np.float32):
    """PyTorch's flat weights of a module so configured (as arrays), in the module's order."""
    name, extra = _MODULES[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = getattr(torch.nn, name)(I, H, num_layers=layers, bidirectional=bidirectional,
                                         bias=bias, **extra)
    return [w.detach().numpy().astype(dtype) for w in module._flat_weights]


def _function(kind):
    return "lstm" if kind.startswith("lstm") else kind


def _states(kind, layers, bidirectional, batch, rng, dtype=np.float32):
    d = layers * (2 if bidirectional else 1)
    h = rng.standard_normal((d, batch, P if kind == "lstm_proj" else H)).astype(dtype)
    if not kind.startswith("lstm"):
        return [h]
    return [h, rng.standard_normal((d, batch, H)).astype(dtype)]


def _run(lib, kind, arrays, n_states, layers, bidirectional, batch_first, bias, dropout=0.0,
         train=False, batch_sizes=None, device="cpu"):
    """``lib.<kind>`` on leaf tensors made from ``arrays`` (input, states, weights) on
    ``device``: returns (outputs, leaves)."""
    leaves = [lib.tensor(a, requires_grad=True, device=device) for a in arrays]
    x, states, params = leaves[0], leaves[1:1 + n_states], leaves[1 + n_states:]
    hx = tuple(states) if kind.startswith("lstm") else states[0]
    fn = getattr(lib, _function(kind))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if batch_sizes is None:
            out = fn(x, hx, params, bias, layers, dropout, train, bidirectional, batch_first)
        else:
            out = fn(x, lib.tensor(batch_sizes), hx, params, bias, layers, dropout, train,
                     bidirectional)
    return out, leaves


def _compare(kind, arrays, n_states, *args, device="cpu", **kwargs):
    ours, our_leaves = _run(nptorch, kind, arrays, n_states, *args, device=device, **kwargs)
    theirs, their_leaves = _run(torch, kind, arrays, n_states, *args, **kwargs)
    assert isinstance(ours, tuple) and len(ours) == len(theirs) == (3 if kind.startswith("lstm")
                                                                   else 2)
    rng = np.random.default_rng(5)
    seeds = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in theirs]
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.detach().cpu().numpy(), t.detach().numpy(), rtol=1e-4,
                                   atol=1e-5)
    nptorch.autograd.backward(list(ours), [nptorch.tensor(s, device=device) for s in seeds])
    torch.autograd.backward(list(theirs), [torch.tensor(s) for s in seeds])
    for i, (o, t) in enumerate(zip(our_leaves, their_leaves)):
        np.testing.assert_allclose(o.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=f"gradient of leaf {i}")


_GRID = [g for g in itertools.product(_MODULES, [1, 2], [False, True], [False, True],
                                      [True, False])]


@pytest.mark.parametrize("kind,layers,bidirectional,batch_first,bias", _GRID)
def test_layers_match_pytorch(device, kind, layers, bidirectional, batch_first, bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I)).astype(np.float32)
    states = _states(kind, layers, bidirectional, B, rng)
    weights = _flat_weights(kind, layers, bidirectional, bias)
    _compare(kind, [x] + states + weights, len(states), layers, bidirectional, batch_first, bias,
             device=device)


@pytest.mark.parametrize("kind", list(_MODULES))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_layers_match_pytorch(device, kind, bidirectional):
    lengths = [5, 3, 3, 1]
    batch_sizes = np.array([sum(n > t for n in lengths) for t in range(max(lengths))])
    rng = np.random.default_rng(3)
    data = rng.standard_normal((sum(lengths), I)).astype(np.float32)
    states = _states(kind, 2, bidirectional, len(lengths), rng)
    weights = _flat_weights(kind, 2, bidirectional, True)
    _compare(kind, [data] + states + weights, len(states), 2, bidirectional, False, True,
             batch_sizes=batch_sizes, device=device)


def test_packed_form_agrees_with_the_module():
    lengths = [4, 2, 1]
    rng = np.random.default_rng(4)
    module = nptorch.nn.GRU(I, H, num_layers=2, bidirectional=True)
    padded = nptorch.tensor(rng.standard_normal((4, 3, I)).astype(np.float32))
    packed = nptorch.nn.utils.rnn.pack_padded_sequence(padded, lengths)
    h0 = nptorch.zeros(4, 3, H)
    expected, expected_h = module(packed, h0)
    out, h_n = nptorch.gru(packed.data, packed.batch_sizes, h0, list(module.parameters()), True,
                           2, 0.0, False, True)
    np.testing.assert_allclose(out.detach().numpy(), expected.data.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(h_n.detach().numpy(), expected_h.detach().numpy(), rtol=1e-6)


def test_parameters_may_come_as_a_tuple_and_arguments_as_keywords():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    weights = _flat_weights("gru", 1, False, True)
    results = []
    for lib in (nptorch, torch):
        results.append(lib.gru(lib.tensor(x), lib.zeros(1, B, H),
                               tuple(lib.tensor(w) for w in weights), has_biases=True,
                               num_layers=1, dropout=0.0, train=False, bidirectional=False,
                               batch_first=False))
    for o, t in zip(*results):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_dropout_between_layers_in_training():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    states = _states("lstm", 2, False, B, rng)
    weights = _flat_weights("lstm", 2, False, True)
    # p = 1 drops the whole output of the first layer: deterministic, as in PyTorch
    _compare("lstm", [x] + states + weights, 2, 2, False, False, True, dropout=1.0, train=True)
    # without train, or with one layer, no dropout
    _compare("gru", [x] + states[:1] + _flat_weights("gru", 2, False, True), 1, 2, False, False,
             True, dropout=0.7, train=False)


def test_dropout_draws_the_masks_of_the_module():
    rng = np.random.default_rng(8)
    module = nptorch.nn.RNN(I, H, num_layers=3, dropout=0.5)
    x = nptorch.tensor(rng.standard_normal((T, B, I)).astype(np.float32))
    h0 = nptorch.zeros(3, B, H)
    nptorch.manual_seed(11)
    expected, _ = module(x, h0)
    nptorch.manual_seed(11)
    out, _ = nptorch.rnn_tanh(x, h0, list(module.parameters()), True, 3, 0.5, True, False, False)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())


@pytest.mark.parametrize("kind", list(_MODULES))
def test_layers_gradcheck(kind):
    rng = np.random.default_rng(9)
    layers = 1 if kind == "lstm_proj" else 2  # (the projected LSTM's many weights are slow)
    x = rng.standard_normal((3, 2, I))
    states = _states(kind, layers, True, 2, rng, np.float64)
    weights = _flat_weights(kind, layers, True, True, np.float64)
    leaves = [nptorch.tensor(a, requires_grad=True) for a in [x] + states + weights]
    n = len(states)

    def fn(x, *rest):
        hx = tuple(rest[:n]) if kind.startswith("lstm") else rest[0]
        return getattr(nptorch, _function(kind))(x, hx, list(rest[n:]), True, layers, 0.0,
                                                 False, True, False)
    assert gradcheck(fn, leaves, eps=1e-6, atol=1e-5, rtol=1e-3)


def _layer_call(kind="gru", x=(T, B, I), layers=1, bidirectional=False, bias=True,
                states=None, weights=None, dropout=0.0, train=False):
    def call(lib):
        params = [lib.tensor(w) for w in (weights or _flat_weights(kind, layers, bidirectional,
                                                                   bias))]
        d = layers * (2 if bidirectional else 1)
        hx = states(lib) if states else (
            (lib.zeros(d, B, H), lib.zeros(d, B, H)) if kind == "lstm" else lib.zeros(d, B, H))
        return getattr(lib, kind)(lib.zeros(*x), hx, params, bias, layers, dropout, train,
                                  bidirectional, False)
    return call


@pytest.mark.parametrize("call", [
    _layer_call("lstm", states=lambda lib: (lib.zeros(1, B, H),)),
    _layer_call("lstm", states=lambda lib: [lib.zeros(1, B, H)] * 3),
    _layer_call("rnn_relu", x=(0, B, I)),
    _layer_call("gru", layers=2, dropout=1.5, train=True),
    _layer_call("rnn_tanh", layers=2, dropout=-0.5, train=True),
], ids=["lstm-one-state", "lstm-three-states", "empty-sequence", "dropout-high", "dropout-low"])
def test_layer_errors_match_pytorch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("call", [
    _layer_call("lstm", states=lambda lib: lib.zeros(1, B, H)),
    _layer_call("gru", states=lambda lib: (lib.zeros(1, B, H),)),
    _layer_call("gru", states=lambda lib: None),
    lambda lib: lib.gru(lib.zeros(T, B, I), lib.zeros(1, B, H), [], True, 1, 0.0, False, False),
    lambda lib: lib.rnn_tanh(lib.zeros(T, B, I), lib.zeros(1, B, H), lib.zeros(3), True, 1, 0.0,
                             False, False, False),
], ids=["lstm-tensor-state", "gru-tuple-state", "gru-no-state", "missing", "params-tensor"])
def test_calls_fitting_neither_form_raise_type_errors(call):
    for lib in (torch, nptorch):
        with pytest.raises(TypeError, match="received an invalid combination of arguments"):
            call(lib)


def test_dropout_is_only_checked_where_applied():
    for lib in (nptorch, torch):
        for dropout, train, layers in [(1.5, False, 2), (-0.5, True, 1)]:
            _layer_call("gru", layers=layers, dropout=dropout, train=train)(lib)


def test_wrong_number_of_parameters():
    with pytest.raises(RuntimeError, match="got an incorrect number of RNN parameters"):
        _layer_call("gru", weights=_flat_weights("gru", 1, False, True)[:3])(torch)
    for kind, weights, bias in [("gru", _flat_weights("gru", 1, False, True)[:3], True),
                                ("lstm", _flat_weights("lstm", 2, False, True), False),
                                ("rnn_tanh", _flat_weights("rnn_tanh", 1, False, True), True)]:
        with pytest.raises(RuntimeError, match="got an incorrect number of RNN parameters"):
            _layer_call(kind, bias=bias, layers=2 if kind == "rnn_tanh" else 1,
                        weights=weights)(nptorch)


def test_layer_shape_errors_name_the_expected_sizes():
    """PyTorch raises (or reads out of bounds) with messages of its internals here; nptorch
    raises its modules' errors."""
    cases = [
        (_layer_call("gru", x=(B, I)), IndexError, "Expected input to be 3-D"),
        (_layer_call("gru", x=(T, B, I + 1)), RuntimeError,
         "input.size\\(-1\\) must be equal to input_size. Expected 4, got 5"),
        (_layer_call("gru", states=lambda lib: lib.zeros(2, B, H)), RuntimeError,
         "Expected hidden size \\(1, 3, 6\\), got \\[2, 3, 6\\]"),
        (_layer_call("lstm", states=lambda lib: (lib.zeros(1, B, H), lib.zeros(1, B - 1, H))),
         RuntimeError, "Expected hidden\\[1\\] size \\(1, 3, 6\\), got \\[1, 2, 6\\]"),
        (_layer_call("lstm", bidirectional=True,
                     weights=_flat_weights("lstm", 1, False, True)), RuntimeError,
         "incorrect number of RNN parameters"),
        (_layer_call("rnn_tanh", states=lambda lib: lib.zeros(1, B, H, dtype=lib.float64)),
         RuntimeError, "hidden states to have the input's dtype"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call(nptorch)


def test_packed_batch_sizes_are_checked():
    weights = [nptorch.tensor(w) for w in _flat_weights("gru", 1, False, True)]
    h0 = nptorch.zeros(1, 3, H)
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        nptorch.gru(nptorch.zeros(6, I), nptorch.tensor([3.0, 2.0, 1.0]), h0, weights, True, 1,
                    0.0, False, False)
    with pytest.raises(RuntimeError, match="non-increasing"):
        nptorch.gru(nptorch.zeros(6, I), nptorch.tensor([1, 2, 3]), h0, weights, True, 1, 0.0,
                    False, False)
    with pytest.raises(RuntimeError, match="sum\\(batch_sizes\\) = 6"):
        nptorch.gru(nptorch.zeros(7, I), nptorch.tensor([3, 2, 1]), h0, weights, True, 1, 0.0,
                    False, False)
