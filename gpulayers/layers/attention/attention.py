"""Attention (Luong, dot-product) and AdditiveAttention (Bahdanau): one base, two scores."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.keras_tensor import KerasTensor, is_symbolic
from gpulayers.layers.layer import Layer
from gpulayers.layers.node import Node
from gpulayers.layers.regularization.dropout import Dropout

__all__ = ["AdditiveAttention", "Attention", "BaseDenseAttention"]


def causal_mask(t_q: int, t_v: int) -> Tensor:
    """``(1, Tq, Tv)`` booleans, True where query position i may attend to key position j
    (j <= i), as Keras builds it from two cumulative sums."""
    ones = ops.ones((1, t_q, t_v), dtype="int32")
    return ops.greater_equal(ops.cumsum(ones, axis=-2), ops.cumsum(ones, axis=-1))


def symbolic_outputs_with_scores(layer: Layer, args: tuple, kwargs: dict, output_shape: tuple,
                                 scores_shape: tuple) -> tuple:
    """A symbolic call returning ``(output, attention_scores)``: two KerasTensors and the
    graph node recording the call."""
    outputs = (KerasTensor(tuple(output_shape), layer.dtype, f"{layer.name}_output_0"),
               KerasTensor(tuple(scores_shape), layer.dtype, f"{layer.name}_output_1"))
    Node(layer, args, kwargs, outputs)
    return outputs


def _as_bool(mask: Any) -> Tensor:
    mask = ops.convert_to_tensor(mask)
    return mask if mask.dtype == "bool" else ops.cast(mask, "bool")


class BaseDenseAttention(Layer):
    """Shared part of Attention and AdditiveAttention: input checks, masking, softmax,
    dropout on the attention distribution and the weighted sum of ``value``. Subclasses
    define ``build`` (their weights) and ``_calculate_scores(query, key)``."""

    def __init__(self, use_scale: bool = False, dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.dropout = float(dropout)
        self.seed = seed
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"{owner(self)}: `dropout` must be a float in [0, 1). "
                             f"Received: dropout={dropout!r}")
        self._dropout_layer = Dropout(self.dropout, seed=seed, name=f"{self.name}_dropout")
        self.supports_masking = True
        self.scale: Any = None
        self.concat_score_weight: Any = None

    # -- checks ----------------------------------------------------------------------------
    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        who = owner(self)
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{who}: must be called on a list of inputs, namely [query, value] "
                             f"or [query, value, key]. Received: inputs={inputs!r}")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{who}: accepts an inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}")
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(f"{who}: the mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask!r}")
            if not 2 <= len(mask) <= 3:
                raise ValueError(f"{who}: accepts a mask list of length 2 or 3. "
                                 f"Received length: {len(mask)}")

    def _validate_shapes(self, shapes: list[tuple]) -> None:
        who = owner(self)
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if len(query) < 3 or not len(query) == len(value) == len(key):
            raise ValueError(f"{who}: query, value and key must have the same rank, at least 3 "
                             f"(batch, steps, features). Received shapes: "
                             f"{[tuple(s) for s in shapes]}")
        if None not in (query[-1], key[-1]) and query[-1] != key[-1]:
            raise ValueError(f"{who}: query and key must have the same feature dimension. "
                             f"Received: query.shape={tuple(query)}, key.shape={tuple(key)}")
        if None not in (value[-2], key[-2]) and value[-2] != key[-2]:
            raise ValueError(f"{who}: value and key must have the same number of steps. "
                             f"Received: value.shape={tuple(value)}, key.shape={tuple(key)}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            self._validate_inputs(args[0], kwargs.get("mask"))
        if args and kwargs.get("return_attention_scores") and is_symbolic((args, kwargs)):
            shapes = [tuple(t.shape) for t in args[0]]
            self._build_once(shapes)
            key = shapes[2] if len(shapes) > 2 else shapes[1]
            return symbolic_outputs_with_scores(self, args, kwargs,
                                                self.compute_output_shape(shapes),
                                                (*shapes[0][:-1], key[-2]))
        return super().__call__(*args, **kwargs)

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        self._validate_shapes([tuple(s) for s in input_shape])
        self._build_scores(tuple(input_shape[0]))
        self.built = True

    def _build_scores(self, query_shape: tuple) -> None:
        raise NotImplementedError

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        raise NotImplementedError

    # -- computation -----------------------------------------------------------------------
    def _apply_scores(self, scores: Tensor, value: Tensor, scores_mask: Any,
                      training: Any) -> tuple[Tensor, Tensor]:
        if scores_mask is not None:
            padding = ops.logical_not(scores_mask)
            if padding.ndim == 2:
                padding = ops.expand_dims(padding, axis=-2)
            # Keras subtracts a large number (65504., float16's max, or 1e9) from padding.
            max_value = 65504.0 if scores.dtype == "float16" else 1.0e9
            scores = ops.where(padding, scores - max_value, scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = self._dropout_layer(weights, training=True)
        return ops.matmul(weights, value), weights

    def call(self, inputs: Any, mask: Any = None, training: Any = False,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        self._validate_inputs(inputs, mask)
        inputs = [ops.convert_to_tensor(t) for t in inputs]
        self._validate_shapes([tuple(t.shape) for t in inputs])
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        v_mask = None if v_mask is None else _as_bool(v_mask)
        scores = self._calculate_scores(query, key)
        scores_mask = v_mask
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1])
            scores_mask = causal if v_mask is None else ops.logical_and(
                ops.expand_dims(v_mask, axis=-2), causal)
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if q_mask is not None:
            output = ops.where(ops.expand_dims(_as_bool(q_mask), axis=-1), output, 0.0)
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale, "dropout": self.dropout,
                "seed": self.seed}


class Attention(BaseDenseAttention):
    """Dot-product attention layer, a.k.a. Luong-style attention (Keras 3).

    Args:
        use_scale: if True, a trainable scalar ``scale`` (initialized to 1) multiplies the
            scores.
        score_mode: ``"dot"`` (query . key) or ``"concat"`` (``concat_score_weight *
            sum(tanh(query + key))``, with a trainable scalar weight initialized to 1).
        dropout: fraction of the attention distribution dropped during training.
        seed: an int seeding the dropout.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``, of shapes ``(batch, Tq, dim)``,
            ``(batch, Tv, value_dim)`` and ``(batch, Tv, dim)`` (key defaults to value).
        mask: ``[query_mask, value_mask]``: booleans ``(batch, Tq)`` / ``(batch, Tv)``; taken
            from the inputs' Keras masks when not given. Value positions that are False get
            ``score - 1e9`` before the softmax; output rows with a False query mask are 0.
        training: applies the dropout when True.
        return_attention_scores: also return the attention distribution ``(batch, Tq, Tv)``.
        use_causal_mask: position i may only attend to positions j <= i.

    Output: ``(batch, Tq, value_dim)``; its mask is the query mask.
    Weights (Keras order): ``scale`` (if use_scale), then ``concat_score_weight`` (concat).

    Example::

        out, scores = Attention()([query, value], return_attention_scores=True)
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{owner(self)}: invalid value for argument score_mode. Expected "
                             f"one of {{'dot', 'concat'}}. Received: score_mode={score_mode!r}")
        self.score_mode = score_mode

    def _build_scores(self, query_shape: tuple) -> None:
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores if self.scale is None else scores * self.scale
        summed = ops.expand_dims(query, axis=-2) + ops.expand_dims(key, axis=-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * ops.sum(ops.tanh(summed), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "score_mode": self.score_mode}


class AdditiveAttention(BaseDenseAttention):
    """Additive attention layer, a.k.a. Bahdanau-style attention (Keras 3):
    ``scores = sum(scale * tanh(query + key), axis=-1)``.

    Args:
        use_scale: if True (default), a trainable ``scale`` vector of shape ``(dim,)``
            (glorot-uniform initialized) weighs the features of the tanh.
        dropout: fraction of the attention distribution dropped during training.
        seed: an int seeding the dropout.

    Call arguments, masks and outputs as :class:`Attention`.
    Weights: ``scale`` of shape ``(dim,)`` when use_scale.

    Example::

        out = AdditiveAttention()([query, value, key])
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def _build_scores(self, query_shape: tuple) -> None:
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(query_shape[-1],),
                                         initializer="glorot_uniform")

    def _calculate_scores(self, query: Tensor, key: Tensor) -> Tensor:
        summed = ops.tanh(ops.expand_dims(query, axis=-2) + ops.expand_dims(key, axis=-3))
        if self.scale is not None:
            summed = self.scale * summed
        return ops.sum(summed, axis=-1)
