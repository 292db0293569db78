"""MultiHeadAttention (Keras 3): EinsumDense projections, scaled dot products, masked softmax."""

from __future__ import annotations

import math
import string
from typing import Any

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
from gpulayers.layers.regularization.dropout import Dropout

__all__ = ["MultiHeadAttention"]


def _proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """Keras's projection einsum, e.g. ``'abc,cde->abde'`` with bias axes ``'de'``."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def _partial_shape(output_rank: int, known_last_dims: list) -> list:
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


def _attention_equations(rank: int, attn_axes: tuple[int, ...]) -> tuple[str, str, int]:
    """Keras's query-key and combine equations for projected tensors of ``rank``
    (batch, <other axes>, <attention axes>, heads, channels)."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_dims = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class MultiHeadAttention(BaseMultiHeadAttention):
    """Multi-head attention as in "Attention is all you Need" (Keras 3 layout and results).

    ``query``, ``key`` and ``value`` are projected per head by EinsumDense sublayers named
    ``query``, ``key``, ``value``; the scaled dot products ``q.k / sqrt(key_dim)`` are
    softmaxed over the attention axes (masked positions get probability 0), dropped out
    during training, used to weigh ``value``, and the heads are projected back by
    ``attention_output``.

    Args:
        num_heads: number of heads (a positive int).
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default key_dim).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: the output's trailing shape (an int or tuple); default the query's
            feature dim.
        attention_axes: axes attention is applied over (default: all but batch, heads and
            features, i.e. the sequence axis of a rank-3 input).
        sliding_window: optional positive int: query i only attends to keys j with
            ``|i - j| < sliding_window``.
        flash_attention: accepted for Keras compatibility (a fused kernel is not used).
        use_gate: Keras's gated attention; only False is supported.
        kernel_initializer / bias_initializer / kernel_regularizer / bias_regularizer /
            kernel_constraint / bias_constraint: for the projections.
        activity_regularizer: penalty on the layer's output.
        seed: an int seeding the dropout.

    Call arguments:
        query ``(B, T, dim)``, value ``(B, S, dim_v)``, key ``(B, S, dim_k)`` (default value).
        query_mask / value_mask / key_mask: booleans ``(B, T)`` / ``(B, S)``; default the
            tensors' Keras masks (e.g. from ``Embedding(mask_zero=True)``). An explicit
            query_mask is used too (Keras 3.15 drops it and only uses the query's own mask).
        attention_mask: booleans ``(B, T, S)``, True where query i may attend to key j.
        return_attention_scores: also return the probabilities ``(B, heads, T, S)``.
        training: applies the dropout when True.
        use_causal_mask: position i only attends to positions j <= i.

    Output: ``(B, T, *output_shape)`` (default ``(B, T, dim)``); its mask is the query's.
    Weights (Keras order): query kernel ``(dim, heads, key_dim)``, bias ``(heads, key_dim)``;
    key kernel/bias; value kernel ``(dim_v, heads, value_dim)``, bias; attention_output
    kernel ``(heads, value_dim, dim)``, bias ``(dim,)``.

    Example::

        mha = MultiHeadAttention(num_heads=2, key_dim=8)
        out, scores = mha(query, value, return_attention_scores=True)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, sliding_window: int | None = None,
                 flash_attention: bool | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 use_gate: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = owner(self)
        self.supports_masking = True
        self.num_heads = positive_int(who, "num_heads", num_heads)
        self.key_dim = positive_int(who, "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else positive_int(
            who, "value_dim", value_dim)
        self.dropout = float(dropout)
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"{who}: `dropout` must be a float in [0, 1). "
                             f"Received: dropout={dropout!r}")
        self.use_bias = bool(use_bias)
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else output_shape
            if not isinstance(output_shape, (list, tuple)):
                raise ValueError(f"{who}: `output_shape` must be an int, list or tuple. "
                                 f"Received: output_shape={output_shape!r}")
            output_shape = tuple(positive_int(who, "output_shape", d) for d in output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"{who}: `attention_axes` must be an int, list or tuple. "
                             f"Received: attention_axes={attention_axes!r}")
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        set_weight_options(self, who, "kernel", kernel_initializer, kernel_regularizer,
                           kernel_constraint)
        set_weight_options(self, who, "bias", bias_initializer, bias_regularizer,
                           bias_constraint)
        if use_gate:
            raise ValueError(f"{who}: gated attention (use_gate=True) is not supported")
        self.sliding_window = None if sliding_window is None else positive_int(
            who, "sliding_window", sliding_window)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self.key_dim))

    # -- building --------------------------------------------------------------------------
    def _projection(self, input_shape: tuple, heads_dim: int, name: str) -> EinsumDense:
        equation, bias_axes, rank = _proj_equation(len(input_shape) - 1, 1, 2)
        layer = EinsumDense(equation, output_shape=_partial_shape(rank - 1, [self.num_heads,
                                                                             heads_dim]),
                            bias_axes=bias_axes if self.use_bias else None,
                            name=name, **self._sublayer_kwargs())
        layer._build_once(input_shape)
        return layer

    def _check_shapes(self, query_shape: tuple, value_shape: tuple,
                      key_shape: tuple) -> None:
        who = owner(self)
        if len(query_shape) < 3 or not len(query_shape) == len(value_shape) == len(key_shape):
            raise ValueError(f"{who}: query, value and key must have the same rank, at least 3 "
                             f"(batch, steps, features). Received: query_shape={query_shape}, "
                             f"value_shape={value_shape}, key_shape={key_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{who}: all dimensions of `value` and `key`, except the last "
                             f"one, must be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        self._check_built_shapes(query_shape, value_shape, key_shape)

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        query_shape, value_shape, key_shape = self._checked_shapes(query_shape, value_shape,
                                                                   key_shape)
        self._query_dense = self._projection(query_shape, self.key_dim, "query")
        self._key_dense = self._projection(key_shape, self.key_dim, "key")
        self._value_dense = self._projection(value_shape, self.value_dim, "value")
        rank = len(query_shape) + 1
        axes = tuple(range(1, rank - 2)) if self.attention_axes is None else tuple(
            a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
        if not all(1 <= a < rank - 2 for a in axes):
            raise ValueError(f"{owner(self)}: attention_axes={self.attention_axes} must be "
                             f"axes of the query other than batch and features (query "
                             f"shape {query_shape})")
        self._axes = axes
        self._dot_equation, self._combine_equation, scores_rank = _attention_equations(
            rank, axes)
        self._softmax = Softmax(axis=tuple(range(scores_rank - len(axes), scores_rank)),
                                dtype=self.dtype_policy, name="softmax")
        self._dropout_layer = Dropout(self.dropout, seed=self.seed, dtype=self.dtype_policy,
                                      name="dropout")
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = _proj_equation(len(query_shape) - 1, 2,
                                                       len(output_shape))
        self._output_dense = EinsumDense(
            equation, output_shape=_partial_shape(out_rank - 1, list(output_shape)),
            bias_axes=bias_axes if self.use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        projected = list(self._query_dense.compute_output_shape(query_shape))
        projected[-1] = self.value_dim
        self._output_dense._build_once(tuple(projected))
        self._shapes = (query_shape, value_shape, key_shape)
        self.built = True

    @property
    def query_dense(self) -> EinsumDense:
        return self._query_dense

    @property
    def key_dense(self) -> EinsumDense:
        return self._key_dense

    @property
    def value_dense(self) -> EinsumDense:
        return self._value_dense

    @property
    def output_dense(self) -> EinsumDense:
        return self._output_dense

    def _scores_shape(self, query_shape: tuple, value_shape: tuple, key_shape: Any) -> tuple:
        rank = len(query_shape) + 1
        projected_q = (*query_shape[:-1], self.num_heads, self.key_dim)
        projected_v = (*value_shape[:-1], self.num_heads, self.value_dim)
        batch_dims = [i for i in range(rank) if i not in self._axes and i != rank - 1]
        return tuple([projected_q[i] for i in batch_dims] + [projected_q[i] for i in self._axes]
                     + [projected_v[i] for i in self._axes])

    # -- computation -----------------------------------------------------------------------
    def _attend(self, query: Tensor, value: Tensor, key: Tensor, attention_mask: Any,
                training: Any) -> tuple[Tensor, Tensor]:
        output, scores = self._compute_attention(
            self._query_dense(query), self._key_dense(key), self._value_dense(value),
            attention_mask, training)
        return self._output_dense(output), scores

    def compute_output_shape(self, query_shape: Any, value_shape: Any = None,
                             key_shape: Any = None) -> tuple:
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError(f"{owner(self)}: all dimensions of `value` and `key`, except "
                                 f"the last one, must be equal. Received: value_shape="
                                 f"{value_shape} and key_shape={key_shape}")
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
            "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
            "use_gate": False, "output_shape": self._output_shape,
            "attention_axes": self.attention_axes, "sliding_window": self.sliding_window,
            **weight_options_config(self),
            "seed": self.seed,
        }
