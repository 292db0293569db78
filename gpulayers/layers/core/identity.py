"""Identity: a placeholder layer that returns its input unchanged."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.layer import Layer

__all__ = ["Identity"]


class Identity(Layer):
    """Return the input unchanged (same tensor, same mask): a placeholder, e.g. where a
    model definition optionally inserts a layer.

    Args:
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: any. Output shape: the input shape.

    Example::

        Identity()(x) is x          # True
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
