"""GroupQueryAttention (Keras 3): query heads share fewer key/value heads (Ainslie et al.)."""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.activations.softmax import Softmax
from gpulayers.layers.argument_checks import (
    owner,
    positive_int,
    set_weight_options,
    weight_options_config,
)
from gpulayers.layers.attention.base_multi_head_attention import BaseMultiHeadAttention
from gpulayers.layers.core.einsum_dense import EinsumDense
from gpulayers.layers.layer import unique_name
from gpulayers.layers.regularization.dropout import Dropout

__all__ = ["GroupQueryAttention"]


class GroupQueryAttention(BaseMultiHeadAttention):
    """Grouped-query attention: ``num_key_value_heads`` key/value heads, each shared by
    ``num_query_heads // num_key_value_heads`` query heads (1 is multi-query attention,
    ``num_query_heads`` is multi-head attention).

    ``query``, ``key`` and ``value`` are projected by EinsumDense sublayers named ``query``
    (``num_query_heads`` heads), ``key`` and ``value`` (``num_key_value_heads`` heads); each
    key/value head is repeated for its group of query heads; ``softmax(q.k / sqrt(head_dim))``
    (masked positions get probability 0, dropped out during training) weighs ``value``, and
    ``attention_output`` projects the heads back to the query's feature dim.

    Args:
        head_dim: size of each attention head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key/value heads; must divide num_query_heads.
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        sliding_window: optional positive int: query i only attends to keys j with
            ``|i - j| < sliding_window``.
        flash_attention: accepted for Keras compatibility (no fused kernel is used); as in
            Keras, True refuses dropout and returning the attention scores.
        kernel_initializer / bias_initializer / kernel_regularizer / bias_regularizer /
            kernel_constraint / bias_constraint: for the projections.
        activity_regularizer: penalty on the layer's output.
        use_gate: if True, a sigmoid projection of the query (sublayer ``gate``) multiplies
            the attended heads before the output projection (gated attention).
        seed: an int seeding the dropout.

    Call arguments:
        query ``(B, T, dim)``, value ``(B, S, dim_v)``, key ``(B, S, dim_k)`` (default value).
        query_mask / value_mask / key_mask: booleans ``(B, T)`` / ``(B, S)``; default the
            tensors' Keras masks (e.g. from ``Embedding(mask_zero=True)``).
        attention_mask: booleans ``(B, T, S)``, True where query i may attend to key j.
        return_attention_scores: also return the probabilities ``(B, num_query_heads, T, S)``.
        training: applies the dropout when True.
        use_causal_mask: position i only attends to positions j <= i.

    Output: ``(B, T, dim)``; its mask is the query's.
    Weights (Keras order): query kernel ``(dim, num_query_heads, head_dim)``, bias
    ``(num_query_heads, head_dim)``; key kernel ``(dim_k, num_key_value_heads, head_dim)``,
    bias; [gate kernel/bias as query's]; value kernel/bias as key's; attention_output kernel
    ``(num_query_heads, head_dim, dim)``, bias ``(dim,)``.

    Example::

        gqa = GroupQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)
        out, scores = gqa(query, value, return_attention_scores=True)
    """

    def __init__(self, head_dim: int, num_query_heads: int, num_key_value_heads: int,
                 dropout: float = 0.0, use_bias: bool = True, sliding_window: int | None = None,
                 flash_attention: bool | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 use_gate: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        # Keras's class is GroupedQueryAttention: its layers are named after that.
        kwargs["name"] = kwargs.get("name") or unique_name("grouped_query_attention")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = owner(self)
        self.supports_masking = True
        self.head_dim = positive_int(who, "head_dim", head_dim)
        self.num_query_heads = positive_int(who, "num_query_heads", num_query_heads)
        self.num_key_value_heads = positive_int(who, "num_key_value_heads",
                                                num_key_value_heads)
        if self.num_query_heads % self.num_key_value_heads:
            raise ValueError(f"{who}: `num_query_heads` must be divisible by "
                             f"`num_key_value_heads`. Received: num_query_heads="
                             f"{num_query_heads}, num_key_value_heads={num_key_value_heads}")
        self.num_repeats = self.num_query_heads // self.num_key_value_heads
        self.dropout = float(dropout)
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"{who}: `dropout` must be a float in [0, 1). "
                             f"Received: dropout={dropout!r}")
        self._flash_attention = bool(flash_attention)
        if self._flash_attention and self.dropout > 0.0:
            raise ValueError(f"{who}: dropout is not supported when flash attention is "
                             f"enabled. Received: dropout={dropout!r}, flash_attention=True")
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self.sliding_window = None if sliding_window is None else positive_int(
            who, "sliding_window", sliding_window)
        set_weight_options(self, who, "kernel", kernel_initializer, kernel_regularizer,
                           kernel_constraint)
        set_weight_options(self, who, "bias", bias_initializer, bias_regularizer,
                           bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self.head_dim))

    # -- building --------------------------------------------------------------------------
    def _projection(self, equation: str, heads: int, bias_axes: str, name: str,
                    input_shape: tuple, activation: Any = None) -> EinsumDense:
        layer = EinsumDense(equation, output_shape=(None, heads, self.head_dim),
                            bias_axes=bias_axes if self.use_bias else None,
                            activation=activation, name=name, **self._sublayer_kwargs())
        layer._build_once(input_shape)
        return layer

    def _check_shapes(self, query_shape: tuple, value_shape: tuple,
                      key_shape: tuple) -> None:
        who = owner(self)
        if not len(query_shape) == len(value_shape) == len(key_shape) == 3:
            raise ValueError(f"{who}: query, value and key must have rank 3 (batch, steps, "
                             f"features). Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}, key_shape={key_shape}")
        if value_shape[1] != key_shape[1]:
            raise ValueError(f"{who}: all dimensions of `value` and `key`, except the last "
                             f"one, must be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        self._check_built_shapes(query_shape, value_shape, key_shape)

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        # Einsum letters: b batch, q query steps, k key steps, m features, u query heads,
        # v key/value heads, h head_dim.
        query_shape, value_shape, key_shape = self._checked_shapes(query_shape, value_shape,
                                                                   key_shape)
        self._query_dense = self._projection("bqm,muh->bquh", self.num_query_heads, "uh",
                                             "query", query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", self.num_key_value_heads, "vh",
                                           "key", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("bqm,muh->bquh", self.num_query_heads, "uh",
                                                "gate", query_shape, activation="sigmoid")
        self._value_dense = self._projection("bkm,mvh->bkvh", self.num_key_value_heads, "vh",
                                             "value", value_shape)
        self._axes = (1,)
        self._dot_equation = "bkuh,bquh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy, name="softmax")
        self._dropout_layer = Dropout(self.dropout, seed=self.seed, dtype=self.dtype_policy,
                                      name="dropout")
        self._output_dense = EinsumDense(
            "bquh,uhm->bqm", output_shape=(None, query_shape[-1]),
            bias_axes="m" if self.use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        self._output_dense._build_once((None, None, self.num_query_heads, self.head_dim))
        self._shapes = (query_shape, value_shape, key_shape)
        self.built = True

    def _scores_shape(self, query_shape: tuple, value_shape: tuple, key_shape: Any) -> tuple:
        return (query_shape[0], self.num_query_heads, query_shape[1], value_shape[1])

    # -- computation -----------------------------------------------------------------------
    def call(self, query: Tensor, value: Any, key: Any = None, query_mask: Any = None,
             value_mask: Any = None, key_mask: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: Any = None,
             use_causal_mask: bool = False) -> Any:
        if return_attention_scores and self._flash_attention:
            raise ValueError(f"{owner(self)}: returning attention scores is not supported "
                             f"when flash attention is enabled (flash_attention=True)")
        return super().call(query, value, key, query_mask, value_mask, key_mask,
                            attention_mask, return_attention_scores, training, use_causal_mask)

    def _attend(self, query: Tensor, value: Tensor, key: Tensor, attention_mask: Any,
                training: Any) -> tuple[Tensor, Tensor]:
        # Each key/value head serves num_repeats consecutive query heads.
        key = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        output, scores = self._compute_attention(self._query_dense(query), key, value,
                                                 attention_mask, training)
        if self.use_gate:
            output = output * self._gate_dense(query)
        return self._output_dense(output), scores

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None,
                             key_shape: Any = None) -> tuple:
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"{owner(self)}: the last dimension of `query_shape` and "
                             f"`value_shape` must be equal. Received: query_shape="
                             f"{query_shape}, value_shape={value_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{owner(self)}: all dimensions of `value` and `key`, except "
                             f"the last one, must be equal. Received: value_shape="
                             f"{value_shape} and key_shape={key_shape}")
        return query_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
            "use_gate": self.use_gate, "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            **weight_options_config(self),
            "seed": self.seed,
        }
