"""Adaptive pooling (Keras 3's AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D):
pool to a fixed ``output_size`` whatever the input's spatial size.

The bins and the pooling are :func:`gpulayers.ops.adaptive_pooling.adaptive_pool`'s (the
same arithmetic as ``ops.adaptive_average_pool`` / ``ops.adaptive_max_pool``).
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer
from gpulayers.layers.pooling.pooling_arguments import (
    check_input_rank,
    layer_label,
    standardize_data_format,
)
from gpulayers.ops.adaptive_pooling import adaptive_pool, adaptive_pool_sizes

__all__ = [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
]


class BaseAdaptivePooling(Layer):
    """Pool each spatial axis to ``output_size`` cells with ``reduce`` (ops.mean or ops.max).

    Args:
        output_size: an int (every spatial axis) or one int per spatial axis.
        data_format: ``'channels_last'`` or ``'channels_first'``; None means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments (name, dtype, ...).
    """

    rank = 2
    reduce = staticmethod(ops.mean)

    def __init__(self, output_size: Any, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.output_size = adaptive_pool_sizes(layer_label(self), output_size, self.rank)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _spatial_axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs: Tensor) -> Tensor:
        check_input_rank(self, tuple(inputs.shape), self.rank + 2)
        return adaptive_pool(inputs, self.output_size, self._spatial_axes, self.reduce)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape)
        for axis, cells in zip(self._spatial_axes, self.output_size):
            shape[axis] = cells
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Adaptive average pooling of ``(batch, steps, channels)`` to ``output_size`` steps.

    Example: ``AdaptiveAveragePooling1D(4)(x)`` with x ``(2, 10, 3)`` -> ``(2, 4, 3)``.
    """

    rank = 1


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive average pooling of images to ``output_size`` (an int or (height, width)).

    Example: ``AdaptiveAveragePooling2D(7)(x)`` with x ``(2, 30, 30, 8)`` -> ``(2, 7, 7, 8)``.
    """

    rank = 2


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive average pooling of volumes to ``output_size`` (an int or 3 ints)."""

    rank = 3


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive max pooling of ``(batch, steps, channels)`` to ``output_size`` steps."""

    rank = 1
    reduce = staticmethod(ops.max)


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive max pooling of images to ``output_size`` (an int or (height, width))."""

    rank = 2
    reduce = staticmethod(ops.max)


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Adaptive max pooling of volumes to ``output_size`` (an int or 3 ints)."""

    rank = 3
    reduce = staticmethod(ops.max)
