"""ReLU: the rectified linear unit with Keras's ``max_value``, ``negative_slope`` and
``threshold``."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.activations.activation_arguments import non_negative_number
from gpulayers.layers.layer import Layer


class ReLU(Layer):
    """``f(x) = max_value`` for ``x >= max_value``; ``x`` for ``threshold <= x < max_value``;
    ``negative_slope * (x - threshold)`` otherwise (Keras 3's ``activations.relu``).

    Args:
        max_value: the ceiling (a float >= 0), or None (default) for none.
        negative_slope: slope below the threshold (float >= 0, default 0).
        threshold: values below it are damped (float >= 0, default 0).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Shape and mask pass through unchanged.

    Example::

        ReLU(max_value=6.0)(x)         # relu6
        ReLU(negative_slope=0.1)(x)    # a leaky ReLU
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if max_value is not None:
            non_negative_number(self, "max_value", max_value)
        non_negative_number(self, "negative_slope", negative_slope)
        non_negative_number(self, "threshold", threshold)
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        return ops.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                        threshold=self.threshold)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


__all__ = ["ReLU"]
