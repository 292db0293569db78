"""ReversibleEmbedding: an Embedding that can also project hidden states back to logits."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.core.embedding import Embedding
from gpulayers.layers.keras_tensor import KerasTensor
from gpulayers.layers.node import Node

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """An Embedding that, called with ``reverse=True``, maps ``(..., output_dim)`` hidden
    states back to ``(..., input_dim)`` logits (language-model heads).

    The reverse projection uses the transposed ``embeddings`` table (tied weights, the
    default) or, with ``tie_weights=False``, a separate trainable ``reverse_embeddings``
    ``(output_dim, input_dim)`` initialized like the table. There is no bias.

    Args:
        input_dim: vocabulary size (largest index + 1).
        output_dim: size of each embedding vector.
        tie_weights: whether the reverse projection reuses ``embeddings``.
        embeddings_initializer / embeddings_regularizer / embeddings_constraint /
            mask_zero: as :class:`Embedding` (the regularizer and constraint only apply to
            ``embeddings``, as in Keras).
        reverse_dtype: optional dtype (e.g. ``'float32'``) the reverse matmul runs in;
            default the layer's compute dtype.
        logit_soft_cap: optional positive float ``c``: reverse logits become
            ``c * tanh(logits / c)``.
        **kwargs: base Layer arguments (name, dtype, weights, ...).

    Call arguments:
        inputs: integer indices ``(batch, ...)``, or with ``reverse=True`` hidden states
            ``(batch, ..., output_dim)``.
        reverse: project back to logits instead of looking up embeddings.

    Output: ``(batch, ..., output_dim)``; with reverse ``(batch, ..., input_dim)`` (no mask).
    Weights (Keras order): ``embeddings`` ``(input_dim, output_dim)``, then, when untied,
    ``reverse_embeddings`` ``(output_dim, input_dim)``.

    Example::

        embedding = ReversibleEmbedding(100, 32)
        hidden = embedding(token_ids)                 # (batch, steps, 32)
        logits = embedding(hidden, reverse=True)      # (batch, steps, 100)
    """

    def __init__(self, input_dim: int, output_dim: int, tie_weights: bool = True,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False,
                 reverse_dtype: Any = None, logit_soft_cap: float | None = None,
                 **kwargs: Any) -> None:
        # Embedding builds at once when given ``weights``; build needs tie_weights first,
        # so the weights are set here, after it is known.
        weights = kwargs.pop("weights", None)
        self.tie_weights = bool(tie_weights)
        self.reverse_embeddings: Any = None
        self._reversing = False
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        who = owner(self)
        if reverse_dtype is not None and "float" not in str(reverse_dtype):
            raise ValueError(f"{who}: `reverse_dtype` must be a float dtype or None. "
                             f"Received: reverse_dtype={reverse_dtype!r}")
        self.reverse_dtype = reverse_dtype
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool) or not isinstance(
                logit_soft_cap, (int, float)) or logit_soft_cap <= 0):
            raise ValueError(f"{who}: `logit_soft_cap` must be a positive number or None. "
                             f"Received: logit_soft_cap={logit_soft_cap!r}")
        self.logit_soft_cap = logit_soft_cap
        if weights is not None:
            self.build(None)
            self.set_weights(list(weights) if isinstance(weights, (list, tuple)) else [weights])

    def build(self, input_shape: Any = None) -> None:
        super().build(input_shape)
        if not self.tie_weights and self.reverse_embeddings is None:
            self.reverse_embeddings = self.add_weight(name="reverse_embeddings",
                                                      shape=(self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The reverse output carries no mask, whatever mask the hidden states carry.
        self._reversing = bool(kwargs.get("reverse"))
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self._reversing = False

    def _symbolic_call(self, args: tuple, kwargs: dict[str, Any]) -> Any:
        if not kwargs.get("reverse"):
            return super()._symbolic_call(args, kwargs)
        self._build_once(None)
        shape = self.compute_output_shape(tuple(args[0].shape), reverse=True)
        output = KerasTensor(shape, self.reverse_dtype or self.compute_dtype,
                             f"{self.name}_output")
        Node(self, args, kwargs, output)
        return output

    def call(self, inputs: Tensor, reverse: bool = False) -> Tensor:
        if not reverse:
            return super().call(inputs)
        if inputs.ndim < 1 or inputs.shape[-1] != self.output_dim:
            raise ValueError(f"{owner(self)}: with reverse=True the inputs must be hidden "
                             f"states (..., output_dim={self.output_dim}). Received: "
                             f"inputs.shape={tuple(inputs.shape)}")
        if "float" not in inputs.dtype:
            raise TypeError(f"{owner(self)}: with reverse=True the inputs must be floats. "
                            f"Received: inputs.dtype={inputs.dtype}")
        kernel = ops.transpose(self.embeddings) if self.tie_weights else (
            self.reverse_embeddings)
        dtype = self.reverse_dtype or self.compute_dtype
        inputs = inputs if inputs.dtype == dtype else ops.cast(inputs, dtype)
        kernel = kernel if kernel.dtype == dtype else ops.cast(kernel, dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = ops.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None if self._reversing else super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape: Any, reverse: bool = False) -> tuple:
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
