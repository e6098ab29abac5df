"""nn.functional: attention (``scaled_dot_product_attention``, ``multi_head_attention_forward``).

Both are compositions of differentiable Tensor ops, so every gradient (of any order) comes
from those ops. Masks follow PyTorch: in ``scaled_dot_product_attention`` a boolean True takes
part in attention; in ``multi_head_attention_forward`` a boolean True is masked out. Float
masks are added to the scores in both.
"""
import math
import warnings

from ... import _api, _dtype
from ..._dtype import cpp_type_name
from ..._tensor import Tensor
from .activation import softmax
from .dropout import dropout
from .linear import linear
from .vision import pad
from ...amp._policy import autocast_op

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward", "_canonical_mask",
           "_none_or_dtype"]



def _bool_to_additive(mask, dtype, masked):
    """A float mask of ``dtype``: -inf where the boolean ``mask`` equals ``masked``, else 0."""
    keep_out = mask if masked else mask.logical_not()
    return _api.creation.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill_(
        keep_out, float("-inf"))


def _attention(q, k, v, mask, dropout_p, scale, safe):
    """softmax(q k^T * scale + mask) v and the weights; ``safe`` gives fully masked rows zero
    weights (PyTorch's math kernel) rather than NaN (its explicit-weights path)."""
    scores = (q * scale) @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores + mask
    if safe:
        dead = (scores == float("-inf")).all(-1, keepdim=True)
        if bool(dead.any()):
            # softmax over finite values keeps the masked-out gradient finite
            weights = softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)
        else:
            weights = softmax(scores, -1)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, p=dropout_p)
    return weights @ v, weights


def _repeat_heads(x, heads):
    """``x.repeat_interleave(heads // x.size(-3), -3)`` for grouped-query attention."""
    if x.dim() < 3 or x.size(-3) == heads:
        return x
    lead, (h, s, e) = tuple(x.shape[:-3]), tuple(x.shape[-3:])
    r = heads // h
    return x.unsqueeze(-3).expand(*lead, h, r, s, e).reshape(*lead, h * r, s, e)


@autocast_op("scaled_dot_product_attention")
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + bias) @ value, with optional mask and dropout.

    Args:
        attn_mask: boolean (True takes part in attention) or float (added to the scores),
            broadcastable to ``(N, ..., Hq, L, S)``.
        dropout_p: dropout probability on the attention weights; always applied when > 0.
        is_causal: a lower triangular (upper-left aligned) mask; excludes ``attn_mask``.
        scale: defaults to ``1 / sqrt(E)``.
        enable_gqa: repeat the ``H`` key/value heads to the ``Hq`` query heads.

    Shape:
        query ``(N, ..., Hq, L, E)``, key ``(N, ..., H, S, E)``, value ``(N, ..., H, S, Ev)``;
        output ``(N, ..., Hq, L, Ev)``.
    """
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, but "
                           f"got query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: "
                           f"{value.dim()} instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {cpp_type_name(query)} key.dtype: {cpp_type_name(key)} and "
                           f"value.dtype: {cpp_type_name(value)} instead.")
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool_, _dtype.float32, query.dtype):
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, "
                           f"but got attn_mask.dtype: {cpp_type_name(attn_mask)} and  query.dtype: "
                           f"{cpp_type_name(query)} instead.")
    if dropout_p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        attn_mask = _api.creation.ones((query.size(-2), key.size(-2)), dtype=_dtype.bool_,
                                       device=query.device).tril()
    if attn_mask is not None and attn_mask.dtype == _dtype.bool_:
        attn_mask = _bool_to_additive(attn_mask, query.dtype, masked=False)
    if enable_gqa and query.dim() >= 3:
        key, value = _repeat_heads(key, query.size(-3)), _repeat_heads(value, query.size(-3))
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    return _attention(query, key, value, attn_mask, dropout_p, scale, safe=True)[0]


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """``mask`` as an additive float mask of ``target_type`` (boolean True becomes -inf)."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _dtype.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=2)
    return mask if is_float else _bool_to_additive(mask, target_type, masked=True)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched; raises PyTorch's errors for inconsistent ranks."""
    if query.dim() not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be "
                             f"{query.dim()}-D but found {key.dim()}-D and {value.dim()}-D tensors "
                             "respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor "
                             "instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or "
                                 f"3-D but found {attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and attn_mask.shape != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{attn_mask.shape}")
    return batched


def _in_projection(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v):
    """The three input projections, with PyTorch's checks of the weight and bias shapes."""
    eq, ek, ev = query.size(-1), key.size(-1), value.size(-1)
    for name, w, b, e in (("query", w_q, b_q, eq), ("key", w_k, b_k, ek), ("value", w_v, b_v, ev)):
        if w.shape != (eq, e):
            raise AssertionError(f"expecting {name} weights shape of {(eq, e)}, but got {w.shape}")
        if b is not None and b.shape != (eq,):
            raise AssertionError(f"expecting {name} bias shape of {(eq,)}, but got {b.shape}")
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _in_projection_packed(query, key, value, w, b):
    """The projections with weights packed as ``(3E, E)``: one matmul for self-attention and
    one for key and value when they are the same tensor."""
    if key is value:
        if query is key:
            return linear(query, w, b).chunk(3, -1)
        e = query.size(-1)
        w_q, w_kv = w.split([e, 2 * e])
        b_q, b_kv = (None, None) if b is None else b.split([e, 2 * e])
        return (linear(query, w_q, b_q), *linear(key, w_kv, b_kv).chunk(2, -1))
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None,) * 3 if b is None else b.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _check_static(name, static, rows, head_dim):
    if static.size(0) != rows:
        raise AssertionError(f"expecting {name}.size(0) of {rows}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """The forward pass of :class:`~nptorch.nn.MultiheadAttention`.

    Shape:
        query ``(L, N, E)`` or ``(L, E)``; key ``(S, N, Ek)``; value ``(S, N, Ev)``;
        key_padding_mask ``(N, S)`` or ``(S)``; attn_mask ``(L, S)`` or ``(N * num_heads, L, S)``
        (boolean True is masked out, floats are added).
        Returns the output ``(L, N, E)`` and, when ``need_weights``, the weights ``(N, L, S)``
        (``(N, num_heads, L, S)`` without ``average_attn_weights``), else None.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone drives the attention
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                                 b_q, b_k, b_v)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)

    if attn_mask is not None:
        correct = ((tgt_len, src_len) if attn_mask.dim() == 2
                   else (bsz * num_heads, tgt_len, src_len))
        if attn_mask.shape != correct:
            raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is "
                               f"{attn_mask.shape}, but should be {correct}.")
        if attn_mask.dim() == 2:
            attn_mask = attn_mask.unsqueeze(0)

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _api.shape.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _api.shape.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # heads become part of the batch: (N * num_heads, length, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = _check_static("static_k", static_k, bsz * num_heads, head_dim)
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = _check_static("static_v", static_v, bsz * num_heads, head_dim)

    if add_zero_attn:
        zeros = _api.creation.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype,
                                    device=k.device)
        k = _api.shape.cat([k, zeros], dim=1)
        v = _api.shape.cat([v, zeros], dim=1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))

    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.reshape(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0
    if need_weights:
        out, weights = _attention(q, k, v, attn_mask, dropout_p, math.sqrt(1.0 / head_dim),
                                  safe=False)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        weights = None
    out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights
