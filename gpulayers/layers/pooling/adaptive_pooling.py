"""Adaptive pooling (Keras 3's AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D):
pool to a fixed ``output_size`` whatever the input's spatial size.

Output cell ``i`` of a spatial axis of length ``L`` pooled to ``n`` cells covers input cells
``floor(i * L / n)`` to ``ceil((i + 1) * L / n)`` (exclusive), as in PyTorch and Keras. A box
mean is the mean of the means along each axis, and a box max the max of the maxes, so the axes
are pooled one after another.
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

__all__ = [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
]


def _bins(length: int, cells: int) -> list[tuple[int, int]]:
    return [((i * length) // cells, -((-(i + 1) * length) // cells)) for i in range(cells)]


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
        sizes = (output_size,) * self.rank if isinstance(output_size, int) else output_size
        if (not isinstance(sizes, (list, tuple)) or len(sizes) != self.rank or any(
                isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes)):
            raise ValueError(f"{layer_label(self)}: `output_size` must be a positive integer "
                             f"or a tuple of {self.rank} positive integers. Received: "
                             f"output_size={output_size!r}")
        self.output_size = tuple(sizes)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _spatial_axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs: Tensor) -> Tensor:
        check_input_rank(self, tuple(inputs.shape), self.rank + 2)
        outputs = inputs
        for axis, cells in zip(self._spatial_axes, self.output_size):
            outputs = self._pool_axis(outputs, axis, cells)
        return outputs

    def _pool_axis(self, x: Tensor, axis: int, cells: int) -> Tensor:
        lead = (slice(None),) * axis
        pieces = [self.reduce(x[(*lead, slice(start, end))], axis=axis, keepdims=True)
                  for start, end in _bins(x.shape[axis], cells)]
        return ops.concatenate(pieces, axis=axis)

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
