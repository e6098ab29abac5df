"""Transformer, its encoder/decoder stacks and layers against PyTorch: outputs and every input
and parameter gradient across masks, batch_first, norm_first, activations and unbatched input;
parameter names, reprs, initialisation, copies, the inference zero padding and errors."""
import re
import warnings

import numpy as np
import pytest
from test_attention import _compare, _copy_weights, _randn

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F

D, NH, FF, S, T, N = 8, 2, 12, 5, 4, 3

pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:Support for mismatched")]


def _activation(lib, name):
    return {"relu": "relu", "gelu": "gelu", "F.gelu": lib.nn.functional.gelu,
            "module": lib.nn.GELU(approximate="tanh"),
            "lambda": lambda x: lib.nn.functional.relu(x) * 0.5}[name]


def _pair(torch, cls, *args, activation="relu", **kwargs):
    ours = getattr(nn, cls)(*args, activation=_activation(nptorch, activation), **kwargs)
    theirs = getattr(torch.nn, cls)(*args, activation=_activation(torch, activation), **kwargs)
    _copy_weights(torch, ours, theirs)
    return ours, theirs


def _masks(kind, length, batched=True):
    """(attn mask, key padding mask) arrays; no row is fully masked."""
    rng = np.random.default_rng(2)
    pad = np.zeros((N, length) if batched else (length,), bool)
    pad[..., -1] = True
    causal = np.triu(np.full((length, length), -np.inf, np.float32), 1)
    return {"none": (None, None), "causal": (causal, None), "bool": (np.triu(
        np.ones((length, length), bool), 1), None), "float": (rng.standard_normal(
            (length, length)).astype(np.float32), None), "padding": (None, pad),
        "both": (causal, pad)}[kind]


def _shape(length, batch_first, batched):
    return ((N, length, D) if batch_first else (length, N, D)) if batched else (length, D)


def _params(ours, theirs):
    return list(zip(ours.named_parameters(), theirs.named_parameters()))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask", ["none", "causal", "bool", "float", "padding", "both"])
def test_encoder_layer_matches_pytorch(torch, norm_first, batch_first, mask):
    ours, theirs = _pair(torch, "TransformerEncoderLayer", D, NH, FF, 0.0,
                         batch_first=batch_first, norm_first=norm_first)
    src_mask, pad = _masks(mask, S)
    causal = mask == "causal"
    _compare(torch, lambda x, m, p: ours(x, src_mask=m, src_key_padding_mask=p, is_causal=causal),
             lambda x, m, p: theirs(x, src_mask=m, src_key_padding_mask=p, is_causal=causal),
             [_randn(*_shape(S, batch_first, True)), src_mask, pad], _params(ours, theirs))


@pytest.mark.parametrize("activation", ["gelu", "F.gelu", "module", "lambda"])
@pytest.mark.parametrize("batched", [True, False])
def test_encoder_layer_activations_unbatched_and_eval(torch, activation, batched):
    ours, theirs = _pair(torch, "TransformerEncoderLayer", D, NH, FF, 0.1,
                         activation=activation, bias=activation != "lambda")
    ours.eval(), theirs.eval()
    src_mask, pad = _masks("padding", S, batched)
    _compare(torch, lambda x, p: ours(x, src_key_padding_mask=p),
             lambda x, p: theirs(x, src_key_padding_mask=p),
             [_randn(*_shape(S, False, batched)), pad], _params(ours, theirs))
    assert ours.activation_relu_or_gelu == theirs.activation_relu_or_gelu


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask", ["none", "causal", "padding", "both"])
def test_decoder_layer_matches_pytorch(torch, norm_first, batch_first, mask):
    ours, theirs = _pair(torch, "TransformerDecoderLayer", D, NH, FF, 0.0, activation="gelu",
                         batch_first=batch_first, norm_first=norm_first)
    tgt_mask, tgt_pad = _masks(mask, T)
    mem_mask, mem_pad = (None, None) if mask == "causal" else (
        np.zeros((T, S), np.float32), _masks("padding", S)[1])
    causal = mask == "causal"

    def run(m):
        return lambda x, mem, a, b, c, d: m(x, mem, tgt_mask=a, memory_mask=b,
                                            tgt_key_padding_mask=c,
                                            memory_key_padding_mask=d, tgt_is_causal=causal)

    _compare(torch, run(ours), run(theirs),
             [_randn(*_shape(T, batch_first, True)), _randn(*_shape(S, batch_first, True), seed=1),
              tgt_mask, mem_mask, tgt_pad, mem_pad], _params(ours, theirs))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("mask", ["none", "causal", "padding", "both"])
def test_transformer_matches_pytorch(torch, batch_first, mask):
    ours, theirs = _pair(torch, "Transformer", D, NH, 2, 2, FF, 0.0, batch_first=batch_first)
    src_mask, src_pad = _masks(mask, S)
    tgt_mask, tgt_pad = _masks(mask, T)

    def run(m):
        return lambda s, t, a, b, c, d: m(s, t, src_mask=a, tgt_mask=b, src_key_padding_mask=c,
                                          tgt_key_padding_mask=d, memory_key_padding_mask=c)

    _compare(torch, run(ours), run(theirs),
             [_randn(*_shape(S, batch_first, True)), _randn(*_shape(T, batch_first, True), seed=1),
              src_mask, tgt_mask, src_pad, tgt_pad], _params(ours, theirs))


def test_transformer_unbatched_norm_first_and_causal_flags(torch):
    ours, theirs = _pair(torch, "Transformer", D, NH, 1, 2, FF, 0.0, norm_first=True)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(T).numpy()

    def run(m):
        return lambda s, t, b: m(s, t, tgt_mask=b, tgt_is_causal=True, src_is_causal=False)

    _compare(torch, run(ours), run(theirs), [_randn(S, D), _randn(T, D, seed=1), tgt_mask],
             _params(ours, theirs))


@pytest.mark.parametrize("train", [True, False])
def test_encoder_stack_with_norm(torch, train):
    ours, theirs = _pair(torch, "TransformerEncoderLayer", D, NH, FF, 0.0, batch_first=True)
    ours = nn.TransformerEncoder(ours, 3, nn.LayerNorm(D), enable_nested_tensor=False)
    theirs = torch.nn.TransformerEncoder(theirs, 3, torch.nn.LayerNorm(D),
                                         enable_nested_tensor=False)
    ours.train(train), theirs.train(train)
    with torch.no_grad():
        for p in theirs.parameters():  # make the copies differ
            p.add_(torch.randn(p.shape) * 0.1)
    _copy_back(ours, theirs)
    src_mask, pad = _masks("both", S)
    _compare(torch, lambda x, m, p: ours(x, mask=m, src_key_padding_mask=p),
             lambda x, m, p: theirs(x, mask=m, src_key_padding_mask=p),
             [_randn(N, S, D), src_mask, pad], _params(ours, theirs))


def _copy_back(ours, theirs):
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        p.data = nptorch.tensor(tp.detach().numpy().copy())


@pytest.mark.parametrize("left_aligned", [True, False])
def test_encoder_inference_zeroes_padding_as_pytorch(torch, left_aligned):
    """PyTorch's nested-tensor inference path returns zeros at the padded positions."""
    layer, tlayer = _pair(torch, "TransformerEncoderLayer", D, NH, FF, batch_first=True)
    ours, theirs = nn.TransformerEncoder(layer, 2), torch.nn.TransformerEncoder(tlayer, 2)
    assert ours.use_nested_tensor and theirs.use_nested_tensor
    ours.eval(), theirs.eval()
    x, pad = _randn(N, S, D), np.zeros((N, S), bool)
    pad[1, -2:] = True
    if not left_aligned:
        pad[2, 0] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with nptorch.no_grad(), torch.no_grad():
            out = ours(nptorch.tensor(x), src_key_padding_mask=nptorch.tensor(pad))
            tout = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(pad))
    np.testing.assert_allclose(out.numpy(), tout.numpy(), rtol=1e-4, atol=1e-5)
    assert np.all(out.numpy()[1, -2:] == 0) == left_aligned
    with_grad = ours(nptorch.tensor(x), src_key_padding_mask=nptorch.tensor(pad))
    assert np.all(with_grad.detach().numpy()[1, -2:] != 0)


def test_generate_square_subsequent_mask(torch):
    m = nn.Transformer.generate_square_subsequent_mask(4)
    t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(m.numpy(), t.numpy())
    assert m.dtype == nptorch.float32
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=nptorch.float64).dtype == \
        nptorch.float64


def test_state_dict_reprs_and_copies(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = nn.Transformer(D, NH, 2, 1, FF)
        theirs = torch.nn.Transformer(D, NH, 2, 1, FF)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    for cls in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        a = getattr(nn, cls)(D, NH, FF, bias=False)
        b = getattr(torch.nn, cls)(D, NH, FF, bias=False)
        assert list(a.state_dict()) == list(b.state_dict()) and repr(a) == repr(b)
    layers = ours.encoder.layers
    assert layers[0] is not layers[1] and layers[0].linear1.weight is not layers[1].linear1.weight
    assert ours.encoder.num_layers == 2 and ours.decoder.num_layers == 1
    assert (ours.d_model, ours.nhead, ours.batch_first) == (D, NH, False)


def test_transformer_init():
    model = nn.Transformer(D, NH, 1, 1, FF)
    for name, p in model.named_parameters():
        w = p.detach().numpy()
        if p.dim() > 1:  # xavier_uniform_
            bound = np.sqrt(6 / (w.shape[0] + w.shape[1]))
            assert np.abs(w).max() <= bound and w.std() > bound / 3, name
        elif name.endswith("in_proj_bias") or name.endswith("out_proj.bias"):
            assert np.all(w == 0), name
        elif "norm" in name:
            assert np.all(w == (1 if name.endswith("weight") else 0)), name


def test_nested_tensor_warnings():
    with pytest.warns(UserWarning, match=re.escape(
            "enable_nested_tensor is True, but self.use_nested_tensor is False because "
            "encoder_layer.self_attn.batch_first was not True(use batch_first for better "
            "inference performance)")):
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, NH, FF), 1)
    assert not enc.use_nested_tensor and enc.enable_nested_tensor and enc.mask_check
    with pytest.warns(UserWarning, match="because encoder_layer.norm_first was True"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(D, NH, FF, norm_first=True), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(D, NH, FF), 1, enable_nested_tensor=False)


def test_training_dropout_changes_output():
    layer = nn.TransformerEncoderLayer(D, NH, FF, dropout=0.5)
    x = nptorch.randn(S, N, D)
    with nptorch.no_grad():
        a, b = layer(x), layer(x)
        layer.eval()
        c, d = layer(x), layer(x)
    assert not np.allclose(a.numpy(), b.numpy())
    np.testing.assert_array_equal(c.numpy(), d.numpy())


def test_errors():
    with pytest.raises(RuntimeError, match="^activation should be relu/gelu, not tanh$"):
        nn.TransformerEncoderLayer(D, NH, activation="tanh")
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not elu"):
        nn.TransformerDecoderLayer(D, NH, activation="elu")
    model = nn.Transformer(D, NH, 1, 1, FF)
    with pytest.raises(RuntimeError, match="^the batch number of src and tgt must be equal$"):
        model(nptorch.randn(S, N, D), nptorch.randn(T, N + 1, D))
    with pytest.raises(RuntimeError, match="^the feature number of src and tgt must be equal to "
                                           "d_model$"):
        model(nptorch.randn(S, N, D), nptorch.randn(T, N, D + 1))
    first = nn.Transformer(D, NH, 1, 1, FF, batch_first=True)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        first(nptorch.randn(N, S, D), nptorch.randn(N + 1, T, D))
    layer = nn.TransformerEncoderLayer(D, NH, FF)
    with pytest.raises(AssertionError, match="only bool and floating types of src_mask are "
                                             "supported"):
        layer(nptorch.randn(S, N, D), src_mask=nptorch.zeros(S, S, dtype=nptorch.int64))
    with pytest.warns(UserWarning, match="Support for mismatched src_key_padding_mask and mask"):
        nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)(
            nptorch.randn(S, N, D), mask=nptorch.zeros(S, S),
            src_key_padding_mask=nptorch.zeros(N, S, dtype=nptorch.bool))
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerDecoderLayer(D, 3)
    assert F.relu is nn.TransformerDecoderLayer(D, NH).activation
