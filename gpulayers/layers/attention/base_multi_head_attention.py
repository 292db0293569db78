"""What MultiHeadAttention and GroupedQueryAttention share: the ``layer(query, value, key)``
call, the inputs' Keras masks merged into one attention mask, and the masked softmax."""

from __future__ import annotations

from typing import Any

from gpulayers import initializers, ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.attention.attention import causal_mask, symbolic_outputs_with_scores
from gpulayers.layers.keras_tensor import is_symbolic
from gpulayers.layers.layer import Layer

__all__ = ["BaseMultiHeadAttention"]


def _shape_of(tensor: Any) -> tuple:
    return tuple(tensor.shape if hasattr(tensor, "shape") else ops.convert_to_tensor(
        tensor).shape)


class BaseMultiHeadAttention(Layer):
    """Base of attention layers called as ``layer(query, value, key=None, ...)``.

    Subclasses build from the three shapes (``build(query_shape, value_shape, key_shape)``)
    and set ``sliding_window``, ``dropout``, ``_inverse_sqrt_key_dim``, the kernel/bias
    options (``set_weight_options``) and, in ``build``, ``_shapes``,
    ``_axes`` (the attention axes of the projected tensors), ``_dot_equation`` (key, query ->
    scores), ``_combine_equation`` (scores, value -> heads), ``_softmax`` and
    ``_dropout_layer``. They define ``_check_shapes``, ``_scores_shape`` and
    ``_attend(query, value, key, attention_mask, training) -> (output, scores)``.
    """

    sliding_window: int | None = None
    dropout: float = 0.0
    _shapes: tuple | None = None  # (query, value, key) shapes the layer was built for

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Keras builds from all three shapes; the base class only sees the query's.
        if not args and "query" in kwargs:
            args = (kwargs.pop("query"),)
        if len(args) > 1 and "value" not in kwargs:
            kwargs["value"] = args[1]
            args = args[:1] + args[2:]
        if len(args) > 1 and "key" not in kwargs:
            kwargs["key"] = args[1]
            args = args[:1] + args[2:]
        if not args or kwargs.get("value") is None:
            raise ValueError(f"{owner(self)}: call it as layer(query, value, key=None, ...)")
        shapes = [None if t is None else tuple(_shape_of(t))
                  for t in (args[0], kwargs["value"], kwargs.get("key"))]
        if not self.built:
            self.build(*shapes)
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
        if kwargs.get("return_attention_scores") and is_symbolic((args, kwargs)):
            return symbolic_outputs_with_scores(self, args, kwargs,
                                                self.compute_output_shape(*shapes),
                                                self._scores_shape(*shapes))
        return super().__call__(*args, **kwargs)

    def _checked_shapes(self, query_shape: Any, value_shape: Any,
                        key_shape: Any) -> tuple[tuple, tuple, tuple]:
        """The three shapes as tuples (value defaults to query, key to value), checked by
        the subclass's ``_check_shapes``."""
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        return query_shape, value_shape, key_shape

    def _check_shapes(self, query_shape: tuple, value_shape: tuple,
                      key_shape: tuple) -> None:
        raise NotImplementedError

    def _check_built_shapes(self, query_shape: tuple, value_shape: tuple,
                            key_shape: tuple) -> None:
        if self._shapes is None:
            return
        for what, got, expected in zip(("query", "value", "key"),
                                       (query_shape, value_shape, key_shape), self._shapes):
            if got[-1] != expected[-1] or len(got) != len(expected):
                raise ValueError(f"{owner(self)}: was built for {what} shape {expected} "
                                 f"(feature dim {expected[-1]}), received {what} shape {got}")

    def _sublayer_kwargs(self) -> dict[str, Any]:
        """Arguments of the EinsumDense projections: the layer's weight options, with fresh
        initializer instances per projection so seeded ones do not repeat values."""
        return {
            "kernel_initializer": initializers.deserialize(
                initializers.serialize(self.kernel_initializer)),
            "bias_initializer": initializers.deserialize(
                initializers.serialize(self.bias_initializer)),
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
            "kernel_constraint": self.kernel_constraint,
            "bias_constraint": self.bias_constraint, "dtype": self.dtype_policy.name,
        }

    def _scores_shape(self, query_shape: tuple, value_shape: tuple, key_shape: Any) -> tuple:
        raise NotImplementedError

    def _attend(self, query: Tensor, value: Tensor, key: Tensor, attention_mask: Any,
                training: Any) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    # -- computation -----------------------------------------------------------------------
    def _attention_mask(self, query: Tensor, value: Tensor, query_mask: Any, value_mask: Any,
                        key_mask: Any, attention_mask: Any, use_causal_mask: bool) -> Any:
        auto = None
        for mask, axis in ((query_mask, -1), (value_mask, -2), (key_mask, -2)):
            if mask is not None:
                mask = ops.expand_dims(ops.cast(ops.convert_to_tensor(mask), "bool"), axis)
                auto = mask if auto is None else ops.logical_and(auto, mask)
        if use_causal_mask:
            mask = causal_mask(query.shape[1], value.shape[1])
            auto = mask if auto is None else ops.logical_and(auto, mask)
        if self.sliding_window is not None:
            rows = ops.reshape(ops.arange(query.shape[1], dtype="int32"), (1, -1, 1))
            cols = ops.reshape(ops.arange(value.shape[1], dtype="int32"), (1, 1, -1))
            mask = ops.less(ops.abs(rows - cols), self.sliding_window)
            auto = mask if auto is None else ops.logical_and(auto, mask)
        if attention_mask is not None:
            attention_mask = ops.cast(ops.convert_to_tensor(attention_mask), "bool")
        if auto is not None:
            attention_mask = auto if attention_mask is None else ops.logical_and(
                attention_mask, auto)
        return attention_mask

    def _compute_attention(self, query: Tensor, key: Tensor, value: Tensor,
                           attention_mask: Any, training: Any) -> tuple[Tensor, Tensor]:
        """Projected query, key and value -> (weighted values, attention probabilities)."""
        query = query * self._inverse_sqrt_key_dim
        scores = ops.einsum(self._dot_equation, key, query)
        if attention_mask is not None:
            # The mask lacks the heads axis (and any other batch-like axes): broadcast it.
            expansion_axis = -len(self._axes) * 2 - 1
            for _ in range(scores.ndim - attention_mask.ndim):
                attention_mask = ops.expand_dims(attention_mask, axis=expansion_axis)
        scores = self._softmax(scores, mask=attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def call(self, query: Tensor, value: Any, key: Any = None, query_mask: Any = None,
             value_mask: Any = None, key_mask: Any = None, attention_mask: Any = None,
             return_attention_scores: bool = False, training: Any = None,
             use_causal_mask: bool = False) -> Any:
        value = self._as_input(value)
        key = value if key is None else self._as_input(key)
        self._check_shapes(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key is not value:
            key_mask = getattr(key, "_keras_mask", None)
        attention_mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                              attention_mask, use_causal_mask)
        # The masks are handled here: the projections must not see (and warn about) them.
        saved = [(t, t._keras_mask) for t in (query, value, key)
                 if getattr(t, "_keras_mask", None) is not None]
        for tensor, _ in saved:
            tensor._keras_mask = None
        try:
            output, scores = self._attend(query, value, key, attention_mask, training)
        finally:
            for tensor, mask in saved:
                tensor._keras_mask = mask
        if query_mask is not None:
            output._keras_mask = ops.cast(ops.convert_to_tensor(query_mask), "bool")
        if return_attention_scores:
            return output, scores
        return output

    def _as_input(self, tensor: Any) -> Tensor:
        mask = getattr(tensor, "_keras_mask", None)
        tensor = ops.convert_to_tensor(tensor)
        if "float" in tensor.dtype and tensor.dtype != self.compute_dtype:
            tensor = ops.cast(tensor, self.compute_dtype)
            tensor._keras_mask = mask
        return tensor
