"""UnitNormalization: scale each sample to unit L2 norm along some axes."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer
from gpulayers.layers.normalization.normalization_arguments import (
    axis_argument,
    check_axes_in_range,
    resolve_axes,
)

_EPSILON = 1e-12  # Keras 3's fixed lower bound on the norm


class UnitNormalization(Layer):
    """``y = x / max(||x||_2, 1e-12)``, the L2 norm taken over ``axis`` of each sample.

    Args:
        axis: an int or a list of ints (default ``-1``): the axes the norm is taken over.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any tensor. Output: same shape; masks pass through. No weights.

    Example::

        y = UnitNormalization()(x)       # every row of y has unit L2 norm
    """

    def __init__(self, axis: int | list[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis_argument(self, axis)
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        axes = resolve_axes(self, self.axis, inputs.shape)
        return ops.normalize(inputs, axis=axes, order=2, epsilon=_EPSILON)

    def compute_output_shape(self, input_shape: Any) -> Any:
        check_axes_in_range(self, self.axis, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


__all__ = ["UnitNormalization"]
