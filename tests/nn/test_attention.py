"""scaled_dot_product_attention and MultiheadAttention against PyTorch: outputs, attention
weights, the gradients of every input and parameter, masks of every kind, initialisation,
parameter names, gradcheck and error messages."""
import itertools
import re
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn as nn
import nptorch.nn.functional as F
from nptorch.autograd import gradcheck

from helpers import check_close_to_torch

E, H, L, S, N = 8, 2, 4, 5, 3


def _copy_weights(torch, ours, theirs):
    """Copy our parameters into PyTorch's module; the names (and order) must agree."""
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n == tn and tuple(p.shape) == tuple(tp.shape)
        with torch.no_grad():
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))


def _leaves(torch, arrays, device):
    """The same arrays as (our leaves on ``device``, their leaves); float arrays require grad. Repeated
    arrays become the same tensor (self-attention passes one tensor three times)."""
    ours, theirs, made = [], [], {}
    for a in arrays:
        if a is None:
            ours.append(None)
            theirs.append(None)
            continue
        if id(a) not in made:
            grad = a.dtype.kind == "f"
            made[id(a)] = (nptorch.tensor(a, requires_grad=grad, device=device),
                           torch.tensor(a, requires_grad=grad))
        ours.append(made[id(a)][0])
        theirs.append(made[id(a)][1])
    return ours, theirs


def _compare(torch, ours_fn, theirs_fn, arrays, params=(), tol=1e-5, device="cpu"):
    """Run both (ours on ``device``), compare every output, then backpropagate the same random
    upstream gradients and compare the gradients of every float input and of the parameters
    ``params`` (pairs)."""
    ours_in, theirs_in = _leaves(torch, arrays, device)
    outs, touts = ours_fn(*ours_in), theirs_fn(*theirs_in)
    outs = outs if isinstance(outs, tuple) else (outs,)
    touts = touts if isinstance(touts, tuple) else (touts,)
    rng = np.random.default_rng(7)
    loss, tloss = 0, 0
    for i, (o, t) in enumerate(zip(outs, touts)):
        assert (o is None) == (t is None), f"output {i}"
        if o is None:
            continue
        assert tuple(o.shape) == tuple(t.shape) and str(o.dtype)[8:] == str(t.dtype)[6:]
        check_close_to_torch(o, t, f"output {i}", tol)
        g = rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype)
        loss = loss + (o * nptorch.tensor(g, device=device)).sum()
        tloss = tloss + (t * torch.tensor(g)).sum()
    loss.backward()
    tloss.backward()
    for i, (a, b) in enumerate(zip(ours_in, theirs_in)):
        if a is not None and a.requires_grad:
            assert (a.grad is None) == (b.grad is None), f"grad of input {i}"
            if b.grad is not None:
                check_close_to_torch(a.grad, b.grad, f"grad of input {i}", tol)
    for (name, p), (_, tp) in params:
        check_close_to_torch(p.grad, tp.grad, f"grad of {name}", tol)
    return outs


def _randn(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed + len(shape)).standard_normal(shape).astype(dtype)


# -- scaled_dot_product_attention ----------------------------------------------------------
def _sdpa_masks(Lq, Sk):
    rng = np.random.default_rng(3)
    keep = rng.random((Lq, Sk)) > 0.3
    keep[:, 0] = True  # no fully masked row
    return {"none": None, "bool": keep, "bool_bcast": keep[None, None],
            "float": rng.standard_normal((2, 1, Lq, Sk)).astype(np.float32)}


@pytest.mark.parametrize("mask", ["none", "bool", "bool_bcast", "float"])
@pytest.mark.parametrize("shape", [(2, 3), (3,), ()])
def test_sdpa_matches_pytorch(torch, device, shape, mask):
    m = _sdpa_masks(L, S)[mask]
    if m is not None and m.ndim > len(shape) + 2:
        m = m.reshape(m.shape[-2:]) if mask != "float" else m[0, 0]
    arrays = [_randn(*shape, L, 6), _randn(*shape, S, 6, seed=1), _randn(*shape, S, 7, seed=2), m]
    _compare(torch, lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
             lambda q, k, v, m: torch.nn.functional.scaled_dot_product_attention(
                 q, k, v, attn_mask=m), arrays, device=device)


@pytest.mark.parametrize("lq, sk", [(4, 4), (3, 5), (5, 3)])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_causal_and_scale(torch, device, lq, sk, scale):
    arrays = [_randn(2, 2, lq, 4), _randn(2, 2, sk, 4, seed=1), _randn(2, 2, sk, 3, seed=2)]
    _compare(torch, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                                                  scale=scale),
             lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
                 q, k, v, is_causal=True, scale=scale), arrays, device=device)


def test_sdpa_grouped_query_attention_and_broadcast(torch):
    arrays = [_randn(2, 6, L, 4), _randn(2, 2, S, 4, seed=1), _randn(2, 2, S, 3, seed=2)]
    _compare(torch, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
             lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
                 q, k, v, enable_gqa=True), arrays)
    # key and value heads of size 1 broadcast without gqa
    arrays = [_randn(2, 3, L, 4), _randn(2, 1, S, 4, seed=1), _randn(1, 1, S, 3, seed=2)]
    _compare(torch, F.scaled_dot_product_attention,
             torch.nn.functional.scaled_dot_product_attention, arrays)


def test_sdpa_fully_masked_row_gives_zeros(torch):
    keep = np.ones((L, S), bool)
    keep[1] = False
    arrays = [_randn(2, L, 4), _randn(2, S, 4, seed=1), _randn(2, S, 3, seed=2), keep]
    out = _compare(torch, lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
                   lambda q, k, v, m: torch.nn.functional.scaled_dot_product_attention(
                       q, k, v, m), arrays)[0]
    assert np.all(out.detach().numpy()[:, 1] == 0)
    fmask = np.where(keep, 0.0, -np.inf).astype(np.float32)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(*(nptorch.tensor(a) for a in arrays[:3]),
                                       nptorch.tensor(fmask)).numpy(), out.detach().numpy())


def test_sdpa_dropout_always_applies():
    nptorch.manual_seed(0)
    q, k = nptorch.randn(2, S, 4), nptorch.randn(2, S, 4)
    eye = nptorch.eye(S).expand(2, S, S)  # the output is the (dropped out) weight matrix
    weights = F.scaled_dot_product_attention(q, k, eye).numpy()
    dropped = F.scaled_dot_product_attention(q, k, eye, dropout_p=0.5).numpy()
    kept = dropped != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(dropped[kept], weights[kept] / 0.5, rtol=1e-5)
    assert np.all(F.scaled_dot_product_attention(q, k, eye, dropout_p=1.0).numpy() == 0)


def test_sdpa_gradcheck():
    rng = np.random.default_rng(0)
    q, k, v = (nptorch.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    mask = nptorch.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    assert gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                     (q, k, v, mask))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                                                   scale=0.7), (q, k, v))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"attn_mask": np.ones((L, S), bool), "is_causal": True}, RuntimeError,
     "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"),
    ({"attn_mask": np.ones((L, S), np.int64)}, RuntimeError,
     "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
     "attn_mask.dtype: long int and  query.dtype: float instead."),
    ({"attn_mask": np.ones((L, S), np.float64)}, RuntimeError,
     "attn_mask.dtype: double and  query.dtype: float"),
    ({"dropout_p": 1.5}, RuntimeError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
])
def test_sdpa_errors(torch, kwargs, error, message):
    q, k, v = _randn(2, L, 4), _randn(2, S, 4), _randn(2, S, 4)
    for lib in (nptorch, torch):
        args = {n: lib.tensor(a) if isinstance(a, np.ndarray) else a for n, a in kwargs.items()}
        with pytest.raises(error, match=re.escape(message)):
            lib.nn.functional.scaled_dot_product_attention(lib.tensor(q), lib.tensor(k),
                                                           lib.tensor(v), **args)


def test_sdpa_input_errors():
    q = nptorch.randn(3, 4)
    with pytest.raises(RuntimeError, match=re.escape(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            "1 key.dim: 2 and value.dim: 2 instead.")):
        F.scaled_dot_product_attention(q[0], q, q)
    with pytest.raises(RuntimeError, match=re.escape(
            "Expected query, key, and value to have the same dtype, but got query.dtype: float "
            "key.dtype: double and value.dtype: float instead.")):
        F.scaled_dot_product_attention(q, q.double(), q)


# -- MultiheadAttention --------------------------------------------------------------------
CONFIGS = {"default": {}, "kv_dims": {"kdim": 3, "vdim": 6}, "no_bias": {"bias": False},
           "bias_kv_zero_attn": {"add_bias_kv": True, "add_zero_attn": True}}
MASKS = ["none", "bool2d", "float2d", "bool3d", "float3d", "kpm_bool", "kpm_float", "both",
         "causal"]


def _make_mha(torch, config, **kwargs):
    ours = nn.MultiheadAttention(E, H, **CONFIGS[config], **kwargs)
    theirs = torch.nn.MultiheadAttention(E, H, **CONFIGS[config], **kwargs)
    _copy_weights(torch, ours, theirs)
    return ours, theirs


def _mha_masks(kind, batched):
    """(attn_mask, key_padding_mask, is_causal) as arrays; no row is fully masked."""
    rng = np.random.default_rng(5)
    b = N if batched else 1
    bool2d = rng.random((L, S)) < 0.3
    bool2d[:, 0] = False
    kpm = np.zeros((b, S) if batched else (S,), bool)
    kpm[..., -2:] = True
    causal = np.triu(np.ones((L, S), bool), 1)
    return {"none": (None, None, False), "bool2d": (bool2d, None, False),
            "float2d": (rng.standard_normal((L, S)).astype(np.float32), None, False),
            "bool3d": (np.broadcast_to(bool2d, (b * H, L, S)).copy(), None, False),
            "float3d": (rng.standard_normal((b * H, L, S)).astype(np.float32), None, False),
            "kpm_bool": (None, kpm, False),
            "kpm_float": (None, np.where(kpm, -1e4, 0.5).astype(np.float32), False),
            "both": (bool2d, kpm, False), "causal": (causal, None, True)}[kind]


def _mha_case(torch, config, batch_first, mask, need_weights, average=True, batched=True,
              self_attn=True, training=True, device="cpu"):
    ours, theirs = _make_mha(torch, config, batch_first=batch_first)
    ours.to(device)
    if not training:
        ours.eval(), theirs.eval()
    kdim, vdim = CONFIGS[config].get("kdim", E), CONFIGS[config].get("vdim", E)
    lead = ((N, L) if batch_first else (L, N)) if batched else (L,)
    slead = ((N, S) if batch_first else (S, N)) if batched else (S,)
    attn_mask, kpm, is_causal = _mha_masks(mask, batched)
    if self_attn and kdim == vdim == E and S == L:
        q = _randn(*lead, E)
        k = v = q
    else:
        q, k, v = _randn(*lead, E), _randn(*slead, kdim, seed=1), _randn(*slead, vdim, seed=2)

    def run(module):
        return lambda q, k, v, m, p: module(q, k, v, key_padding_mask=p, attn_mask=m,
                                            need_weights=need_weights,
                                            average_attn_weights=average, is_causal=is_causal)

    outs = _compare(torch, run(ours), run(theirs), [q, k, v, attn_mask, kpm],
                    params=list(zip(ours.named_parameters(), theirs.named_parameters())),
                    device=device)
    assert (outs[1] is None) == (not need_weights)
    return outs


@pytest.mark.parametrize("config, batch_first, mask, need_weights", list(itertools.product(
    CONFIGS, [False, True], MASKS, [True, False])))
def test_mha_matches_pytorch(torch, device, config, batch_first, mask, need_weights):
    _mha_case(torch, config, batch_first, mask, need_weights, self_attn=False, device=device)


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_self_attention(torch, mask, need_weights):
    global S
    saved, S = S, L  # self-attention: one tensor as query, key and value
    try:
        _mha_case(torch, "default", True, mask, need_weights)
        _mha_case(torch, "default", False, mask, need_weights, training=False)
    finally:
        S = saved


@pytest.mark.parametrize("config", ["default", "kv_dims", "bias_kv_zero_attn"])
@pytest.mark.parametrize("mask", ["none", "bool2d", "bool3d", "kpm_bool", "both", "causal"])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched(torch, config, mask, need_weights):
    for batch_first in (False, True):  # ignored for unbatched input
        _mha_case(torch, config, batch_first, mask, need_weights, batched=False, self_attn=False)


@pytest.mark.parametrize("batched", [True, False])
def test_mha_weights_per_head(torch, batched):
    out, weights = _mha_case(torch, "default", False, "kpm_bool", True, average=False,
                             batched=batched, self_attn=False)
    assert tuple(weights.shape) == ((N, H, L, S) if batched else (H, L, S))
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1, rtol=1e-5)


def test_mha_eval_without_grad_matches_pytorch_fast_path(torch):
    ours, theirs = _make_mha(torch, "default", batch_first=True)
    ours.eval(), theirs.eval()
    x, kpm = _randn(N, L, E), np.zeros((N, L), bool)
    kpm[0, -1] = True
    with nptorch.no_grad(), torch.no_grad():
        for need in (True, False):
            o = ours(*[nptorch.tensor(x)] * 3, key_padding_mask=nptorch.tensor(kpm),
                     need_weights=need)
            t = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(kpm),
                       need_weights=need)
            check_close_to_torch(o[0], t[0], "output")
            if need:
                check_close_to_torch(o[1], t[1], "weights")


@nptorch.no_grad()
def test_mha_dropout_in_training_only():
    m = nn.MultiheadAttention(E, H, dropout=0.5)
    x = nptorch.randn(L, N, E)
    base = m.eval()(x, x, x)[1]
    m.train()
    nptorch.manual_seed(1)
    a = m(x, x, x)[1]
    nptorch.manual_seed(1)
    b = m(x, x, x)[1]
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # the generator drives the mask
    assert not np.allclose(a.numpy(), base.numpy())
    np.testing.assert_allclose(m.eval()(x, x, x)[1].numpy(), base.numpy())


def test_mha_functional_static_kv(torch):
    ours, theirs = _make_mha(torch, "default")
    q, k = _randn(L, N, E), _randn(S, N, E, seed=1)
    sk, sv = _randn(N * H, S, E // H, seed=2), _randn(N * H, S, E // H, seed=3)

    def run(lib, m):
        return lambda q, k, sk, sv: lib.nn.functional.multi_head_attention_forward(
            q, k, k, E, H, m.in_proj_weight, m.in_proj_bias, None, None, False, 0.0,
            m.out_proj.weight, m.out_proj.bias, static_k=sk, static_v=sv)

    _compare(torch, run(nptorch, ours), run(torch, theirs), [q, k, sk, sv],
             params=list(zip(ours.named_parameters(), theirs.named_parameters())))


def test_mha_gradcheck():
    m = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True).double()
    rng = np.random.default_rng(0)
    q, k, v = (nptorch.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((3, 2, 4), (2, 2, 3), (2, 2, 5)))
    mask = nptorch.tensor([[False, True], [False, False], [True, False]])
    assert gradcheck(lambda q, k, v: m(q, k, v, attn_mask=mask), (q, k, v))
    params = [p.detach().requires_grad_() for p in m.parameters()]
    names = [n for n, _ in m.named_parameters()]
    assert names == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                     "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"]

    def by_params(wq, wk, wv, b, bk, bv, wo, bo):
        return F.multi_head_attention_forward(
            q, k, v, 4, 2, None, b, bk, bv, True, 0.0, wo, bo, attn_mask=mask,
            use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv)

    assert gradcheck(by_params, params)
    s = nn.MultiheadAttention(4, 2).double()
    x = nptorch.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    kpm = nptorch.tensor([[False, False, True], [False, False, False]])
    assert gradcheck(lambda x: s(x, x, x, key_padding_mask=kpm, need_weights=False)[0], (x,))


def test_mha_parameters_and_init(torch):
    m = nn.MultiheadAttention(E, H, kdim=3, vdim=6, add_bias_kv=True)
    assert list(m.state_dict()) == list(torch.nn.MultiheadAttention(
        E, H, kdim=3, vdim=6, add_bias_kv=True).state_dict())
    assert m.in_proj_weight is None and m.q_proj_weight.shape == (E, E)
    assert m.k_proj_weight.shape == (E, 3) and m.v_proj_weight.shape == (E, 6)
    assert m.bias_k.shape == (1, 1, E) and np.any(m.bias_k.detach().numpy() != 0)
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    d = nn.MultiheadAttention(E, H, bias=False)
    assert list(d.state_dict()) == ["in_proj_weight", "out_proj.weight"]
    assert d.q_proj_weight is None and d.bias_k is None and d.in_proj_bias is None
    bound = np.sqrt(6 / (E + 3 * E))  # xavier_uniform_ on (3E, E)
    w = d.in_proj_weight.detach().numpy()
    assert w.shape == (3 * E, E) and np.abs(w).max() <= bound and w.std() > bound / 3
    assert (m.head_dim, m.batch_first, m._qkv_same_embed_dim, d._qkv_same_embed_dim) == (
        E // H, False, False, True)
    assert repr(m) == repr(torch.nn.MultiheadAttention(E, H, kdim=3, vdim=6, add_bias_kv=True))
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(m.out_proj, nn.Linear)


def test_mha_mismatched_mask_types_warn():
    m = nn.MultiheadAttention(E, H)
    x = nptorch.randn(L, N, E)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask "
                                         "is deprecated. Use same type for both instead."):
        m(x, x, x, attn_mask=nptorch.zeros(L, L), key_padding_mask=nptorch.zeros(N, L).bool())


def _mha_error_cases():
    q, k = nptorch.randn(L, N, E), nptorch.randn(S, N, E)
    b = nptorch.bool
    return [
        ((q, k, k), {"key_padding_mask": nptorch.zeros(N + 1, S, dtype=b)}, AssertionError,
         f"Expected key_padded_mask.shape[0] to be {N}, but got {N + 1}"),
        ((q, k, k), {"key_padding_mask": nptorch.zeros(N, S - 1, dtype=b)}, AssertionError,
         f"Expected key_padded_mask.shape[1] to be {S}, but got {S - 1}"),
        ((q, k, k), {"key_padding_mask": nptorch.zeros(N, S, dtype=nptorch.int64)},
         AssertionError, "only bool and floating types of key_padding_mask are supported"),
        ((q, k, k), {"attn_mask": nptorch.zeros(L, S, dtype=nptorch.int64)}, AssertionError,
         "only bool and floating types of attn_mask are supported"),
        ((q, k, k), {"attn_mask": nptorch.zeros(3, 4)}, RuntimeError,
         "The shape of the 2D attn_mask is nptorch.Size([3, 4]), but should be (4, 5)."),
        ((q, k, k), {"attn_mask": nptorch.zeros(3, L, S)}, RuntimeError,
         f"The shape of the 3D attn_mask is nptorch.Size([3, 4, 5]), but should be "
         f"({N * H}, 4, 5)."),
        ((q, k, k), {"attn_mask": nptorch.zeros(1, 1, L, S)}, AssertionError,
         "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
         "4-D tensor instead"),
        ((q, k, k), {"is_causal": True}, RuntimeError,
         "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
         "method `generate_square_subsequent_mask` to create this mask."),
        ((q, k, nptorch.randn(S + 1, N, E)), {}, AssertionError,
         "key shape nptorch.Size([5, 3, 8]) does not match value shape nptorch.Size([6, 3, 8])"),
        ((q, nptorch.randn(S, N + 1, E), nptorch.randn(S, N + 1, E)), {}, RuntimeError,
         "shape '[5, 6, 4]' is invalid for input of size 160"),
        ((nptorch.randn(L, N, E - 1),) * 3, {}, AssertionError,
         f"was expecting embedding dimension of {E}, but got {E - 1}"),
        ((q, k[0], k[0]), {}, AssertionError,
         "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found 2-D and 2-D "
         "tensors respectively"),
        ((q[0], k, k), {}, AssertionError,
         "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found 3-D and "
         "3-D tensors respectively"),
        ((q, k, k), {"key_padding_mask": nptorch.zeros(S, dtype=b)}, AssertionError,
         "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but found "
         "1-D tensor instead"),
        ((q[:, 0], k[:, 0], k[:, 0]), {"key_padding_mask": nptorch.zeros(1, S, dtype=b)},
         AssertionError, "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` "
                         "or 1-D but found 2-D tensor instead"),
        ((q[:, 0], k[:, 0], k[:, 0]), {"attn_mask": nptorch.zeros(3, L, S)}, AssertionError,
         "Expected `attn_mask` shape to be (2, 4, 5) but got nptorch.Size([3, 4, 5])"),
        ((q[:, 0], k[:, 0], k[:, 0]), {"attn_mask": nptorch.zeros(1, 1, L, S)}, AssertionError,
         "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
         "4-D tensor instead"),
        ((q[None], k[None], k[None]), {}, AssertionError,
         "query should be unbatched 2D or batched 3D tensor but received 4-D query tensor"),
    ]


@pytest.mark.parametrize("case", range(len(_mha_error_cases())))
def test_mha_errors(torch, case):
    args, kwargs, error, message = _mha_error_cases()[case]
    m = nn.MultiheadAttention(E, H)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=re.escape(message)):
            m(*args, **kwargs)
        # PyTorch raises the same (its Size prints as torch.Size)
        tm = torch.nn.MultiheadAttention(E, H)
        targs = [torch.from_numpy(a.numpy()) for a in args]
        tkw = {n: torch.from_numpy(v.numpy()) if hasattr(v, "numpy") else v
               for n, v in kwargs.items()}
        with pytest.raises(error, match=re.escape(message.replace("nptorch.", "torch."))):
            tm(*targs, **tkw)


def test_mha_constructor_and_functional_errors():
    with pytest.raises(AssertionError, match="^embed_dim must be divisible by num_heads$"):
        nn.MultiheadAttention(8, 3)
    with pytest.raises(ValueError, match=re.escape(
            "embed_dim and num_heads must be greater than 0, got embed_dim=0 and num_heads=2 "
            "instead")):
        nn.MultiheadAttention(0, 2)
    m = nn.MultiheadAttention(E, H, kdim=3, vdim=3, add_bias_kv=True)
    q, k = nptorch.randn(L, N, E), nptorch.randn(S, N, 3)
    fwd = F.multi_head_attention_forward

    def call(**kw):
        args = dict(query=q, key=k, value=k, embed_dim_to_check=E, num_heads=H,
                    in_proj_weight=None, in_proj_bias=m.in_proj_bias, bias_k=None, bias_v=None,
                    add_zero_attn=False, dropout_p=0.0, out_proj_weight=m.out_proj.weight,
                    out_proj_bias=m.out_proj.bias, use_separate_proj_weight=True,
                    q_proj_weight=m.q_proj_weight, k_proj_weight=m.k_proj_weight,
                    v_proj_weight=m.v_proj_weight)
        args.update(kw)
        return fwd(**args)

    cases = [
        ({"num_heads": 3}, "embed_dim 8 not divisible by num_heads 3"),
        ({"use_separate_proj_weight": False}, "use_separate_proj_weight is False but "
                                              "in_proj_weight is None"),
        ({"k_proj_weight": None}, "use_separate_proj_weight is True but k_proj_weight is None"),
        ({"value": nptorch.randn(S + 1, N, 3)}, "key's sequence and batch dims "
                                                "nptorch.Size([5, 3]) do not match value's "
                                                "nptorch.Size([6, 3])"),
        ({"k_proj_weight": m.q_proj_weight}, "expecting key weights shape of (8, 3), but got "
                                             "nptorch.Size([8, 8])"),
        ({"bias_k": m.bias_k}, "bias_k is set but bias_v is None"),
        ({"bias_v": m.bias_v}, "bias_v is set but bias_k is None"),
        ({"bias_k": m.bias_k, "bias_v": m.bias_v, "static_k": nptorch.zeros(N * H, S, 4)},
         "bias cannot be added to static key."),
        ({"static_k": nptorch.zeros(N * H + 1, S, 4)}, f"expecting static_k.size(0) of {N * H}, "
                                                      f"but got {N * H + 1}"),
        ({"static_v": nptorch.zeros(N * H, S, 3)}, "expecting static_v.size(2) of 4, but got 3"),
    ]
    for kw, message in cases:
        with pytest.raises(AssertionError, match=re.escape(message)):
            call(**kw)
    assert call()[0].shape == (L, N, E)
