"""Scaled dot-product attention (Keras 3's ``keras.ops.dot_product_attention``).

Layout as Keras: ``query`` is ``(B, T, N, H)``, ``key`` and ``value`` are ``(B, S, K, H)``
(batch, query length, query heads, head size; key length, key/value heads). ``K == N`` is
multi-head attention; ``N`` a multiple of ``K`` is grouped-query attention (each key/value
head serves ``N // K`` consecutive query heads, as ``repeat_interleave`` does).

Built from differentiable ops (einsum, softmax, where), so gradients flow to query, key,
value and bias.
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.activations import softmax
from gpulayers.ops.casting import cast
from gpulayers.ops.creation import ones
from gpulayers.ops.dtypes import is_float_dtype, result_type, to_operand_tensor
from gpulayers.ops.einsum_ops import einsum
from gpulayers.ops.reordering import tril
from gpulayers.ops.selection import where
from gpulayers.ops.shape import repeat
from gpulayers.ops.unary import tanh

__all__ = ["dot_product_attention"]

_OP = "dot_product_attention"


def _large_negative(dtype: str) -> float:
    """A finite stand-in for -inf (as Keras's torch backend): fully masked rows stay finite
    (uniform weights) instead of turning into NaN."""
    return -0.7 * float(backend.xp().finfo(dtype).max)


def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None,
                          mask: Any = None, scale: float | None = None,
                          is_causal: bool = False, flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> Tensor:
    """``softmax(scale * Q K^T + bias, masked) V`` per head.

    Args:
        query: ``(B, T, N, H)``.  key, value: ``(B, S, K, H)`` with ``N % K == 0``.
        bias: added to the logits; broadcastable to ``(B, N, T, S)``.
        mask: boolean, broadcastable to ``(B, N, T, S)``; True takes part in attention.
            At most one of ``bias`` and ``mask``.
        scale: logit scale; None means ``1 / sqrt(H)``.
        is_causal: query ``t`` attends only to keys ``s <= t`` (combined with ``mask``).
        flash_attention: accepted for compatibility; the exact attention is always computed
            (there is no separate flash kernel here, and the result is the same).
        attn_logits_soft_cap: when given, logits become ``cap * tanh(logits / cap)``.

    Returns:
        ``(B, T, N, H)`` in the promoted dtype of query, key and value.

    Example::

        q = ops.ones((2, 4, 8, 16)); kv = ops.ones((2, 6, 8, 16))
        dot_product_attention(q, kv, kv).shape   # (2, 4, 8, 16)
    """
    query, key, value = (to_operand_tensor(t, _OP) for t in (query, key, value))
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(f"{_OP} only supports 4D inputs. Received: query.shape={query.shape}, "
                         f"key.shape={key.shape}, value.shape={value.shape}.")
    if bias is not None and mask is not None:
        raise ValueError(f"{_OP}: only one of `bias` and `mask` can be provided. Received both.")
    if key.shape != value.shape:
        raise ValueError(f"{_OP}: `key` and `value` must have the same shape. Received: "
                         f"key.shape={key.shape}, value.shape={value.shape}")
    if (query.shape[0] != key.shape[0] or query.shape[3] != key.shape[3]
            or query.shape[2] % key.shape[2]):
        raise ValueError(f"{_OP}: expected query (B, T, N, H) and key (B, S, K, H) with the "
                         f"same B and H and N a multiple of K. Received: "
                         f"query.shape={query.shape}, key.shape={key.shape}")
    dtype = result_type(query, key, value, op_name=_OP)
    if not is_float_dtype(dtype):  # attention is a float computation (Keras's backends fail)
        dtype = backend.floatx()
    query, key, value = (cast(t, dtype) if t.dtype != dtype else t for t in (query, key, value))
    groups = query.shape[2] // key.shape[2]
    if groups > 1:
        key, value = repeat(key, groups, axis=2), repeat(value, groups, axis=2)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    logits = einsum("btnh,bsnh->bnts", query, key) * float(scale)
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = cap * tanh(logits / cap)
    if bias is not None:
        logits = logits + cast(to_operand_tensor(bias, _OP), dtype)
    keep = None
    if mask is not None:
        keep = cast(to_operand_tensor(mask, _OP), "bool")
    if is_causal:
        causal = cast(tril(ones((query.shape[1], key.shape[1]), dtype="int32")), "bool")
        keep = causal if keep is None else keep & causal
    if keep is not None:
        logits = where(keep, logits, _large_negative(dtype))
    weights = softmax(logits, axis=-1)
    return einsum("bnts,bsnh->btnh", weights, value)
