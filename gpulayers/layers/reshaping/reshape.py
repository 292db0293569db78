"""Reshape: give each sample a new shape with the same number of entries."""

from __future__ import annotations

import math
import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.layer import Layer

__all__ = ["Reshape"]


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (the batch axis is kept).

    Args:
        target_shape: a tuple of positive ints (batch excluded); one entry may be -1, inferred
            from the sample size.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: ``(batch, ...)`` with ``prod(target_shape)`` entries per sample.
    Output shape: ``(batch, *target_shape)``. A size mismatch raises ValueError naming the
    layer, the input shape and the target shape.

    Example::

        Reshape((3, 4))(ops.ones((2, 12))).shape          # (2, 3, 4)
        Reshape((-1, 2, 2))(ops.ones((2, 3, 4))).shape    # (2, 3, 2, 2)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        values = tuple(target_shape) if isinstance(target_shape, (list, tuple)) else None
        if values is None or not all(
                isinstance(d, numbers.Integral) and not isinstance(d, bool) and (d >= 1 or d == -1)
                for d in values) or sum(d == -1 for d in values) > 1:
            raise ValueError(f"{owner(self)}: `target_shape` must be a tuple of positive ints "
                             "with at most one -1 (the batch axis excluded). Received: "
                             f"target_shape={target_shape!r}")
        self.target_shape = tuple(int(d) for d in values)
        self.built = True

    def _resolved(self, sample_shape: tuple) -> tuple[int | None, ...]:
        """``target_shape`` with -1 replaced (None when the sample size is unknown)."""
        known = math.prod(d for d in self.target_shape if d != -1)
        if any(d is None for d in sample_shape):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(sample_shape)
        fits = size % known == 0 if -1 in self.target_shape else size == known
        if not fits:
            raise ValueError(
                f"{owner(self)}: cannot reshape samples of shape {sample_shape} ({size} "
                f"entries) to target_shape {self.target_shape} ("
                f"{'a multiple of ' if -1 in self.target_shape else ''}{known} entries)")
        return tuple(size // known if d == -1 else d for d in self.target_shape)

    def call(self, inputs: Tensor) -> Tensor:
        return ops.reshape(inputs, (inputs.shape[0], *self._resolved(tuple(inputs.shape[1:]))))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if not shape:
            raise ValueError(f"{owner(self)}: expected inputs with a batch axis. "
                             f"Received input shape {shape}")
        return (shape[0], *self._resolved(shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}
