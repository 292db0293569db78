"""LeakyReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` otherwise."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.activations.activation_arguments import non_negative_number
from gpulayers.layers.layer import Layer


class LeakyReLU(Layer):
    """Leaky rectified linear unit: ``f(x) = x`` for ``x >= 0``, ``negative_slope * x``
    otherwise.

    Args:
        negative_slope: the slope for negative inputs (float >= 0, default 0.3 as Keras 3).
        **kwargs: base Layer arguments (name, dtype, trainable, ...). The Keras 2 spelling
            ``alpha=`` is accepted for ``negative_slope``.

    Shape and mask pass through unchanged.

    Example::

        LeakyReLU(negative_slope=0.1)(x)
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # Keras 2 name
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        non_negative_number(self, "negative_slope", negative_slope)
        self.negative_slope = negative_slope
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


__all__ = ["LeakyReLU"]
