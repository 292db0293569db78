"""Embedding: turn non-negative integer indices into dense vectors of fixed size."""

from __future__ import annotations

from typing import Any

from gpulayers import backend, constraints, initializers, ops, regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import (
    lookup,
    owner,
    positive_int,
    refuse_quantization,
)
from gpulayers.layers.layer import Layer

__all__ = ["Embedding"]


class Embedding(Layer):
    """Map each integer index ``i`` in ``[0, input_dim)`` to row ``i`` of a learned table.

    Args:
        input_dim: positive int, the vocabulary size (largest index + 1).
        output_dim: positive int, the size of each embedding vector.
        embeddings_initializer: initializer of the table (default ``'uniform'``, i.e.
            ``RandomUniform(-0.05, 0.05)``).
        embeddings_regularizer: optional penalty on the table.
        embeddings_constraint: optional projection of the table after updates.
        mask_zero: whether index 0 is padding: the layer then outputs the mask
            ``inputs != 0`` for downstream layers (so index 0 cannot be a real token and
            ``input_dim`` should be the vocabulary size + 1).
        weights: optional initial table, ``[array]`` or the array itself, shape
            ``(input_dim, output_dim)``; the layer is built at once.
        input_length: the Keras 1/2 sequence length; it only sets the model input shape
            ``(batch, input_length)`` when no ``input_shape`` is given (Keras 3 drops it).
        quantization_config: accepted for Keras 3 configs; must be None.
        **kwargs: base Layer arguments (name, dtype, activity_regularizer, ...).

    Input shape: integer tensor of any shape ``(batch, ...)``; float inputs are cast to int32.
    Output shape: ``(batch, ..., output_dim)``.
    Weights: ``embeddings`` ``(input_dim, output_dim)``. Its gradient adds the output
    gradients of repeated indices into their row (a scatter-add).

    Example::

        Embedding(1000, 64, mask_zero=True)(ops.convert_to_tensor([[4, 2, 0]])).shape
        # (1, 3, 64); the output carries the mask [[True, True, False]]
    """

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False,
                 weights: Any = None, input_length: int | None = None,
                 quantization_config: Any = None, **kwargs: Any) -> None:
        if input_length is not None and not any(
                key in kwargs for key in ("input_shape", "batch_input_shape")):
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.autocast = False  # integer inputs; the table is read as stored, as in Keras
        who = owner(self)
        refuse_quantization(who, quantization_config)
        self.input_dim = positive_int(who, "input_dim", input_dim)
        self.output_dim = positive_int(who, "output_dim", output_dim)
        if input_length is not None:
            positive_int(who, "input_length", input_length)
        self.embeddings_initializer = lookup(who, "embeddings_initializer", initializers.get,
                                             embeddings_initializer)
        self.embeddings_regularizer = lookup(who, "embeddings_regularizer", regularizers.get,
                                             embeddings_regularizer)
        self.embeddings_constraint = lookup(who, "embeddings_constraint", constraints.get,
                                            embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings: Any = None
        if weights is not None:
            self.build(None)
            is_list = isinstance(weights, (list, tuple)) and len(weights) == 1
            self.set_weights(list(weights) if is_list else [weights])

    def build(self, input_shape: Any = None) -> None:
        if self.embeddings is None:
            self.embeddings = self.add_weight(name="embeddings",
                                              shape=(self.input_dim, self.output_dim),
                                              initializer=self.embeddings_initializer,
                                              regularizer=self.embeddings_regularizer,
                                              constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dtype not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        if inputs.size:  # on the GPU read at the next host sync, not here (deferred_checks)
            backend.deferred_checks.check(
                ops.any(ops.logical_or(inputs < 0, inputs >= self.input_dim)).data,
                lambda: ValueError(
                    f"{owner(self)}: indices must be in [0, input_dim={self.input_dim}). "
                    f"Received indices in [{int(ops.min(inputs))}, {int(ops.max(inputs))}]"))
        outputs = ops.take(self.embeddings, inputs, axis=0)
        return outputs if outputs.dtype == self.compute_dtype else ops.cast(
            outputs, self.compute_dtype)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero, "quantization_config": None,
        }
