"""BasePooling: the one implementation behind MaxPooling1D/2D/3D and AveragePooling1D/2D/3D.

Each concrete layer is a docstring and a constructor passing ``pool_dimensions`` and
``pool_mode``; the arithmetic is ``ops.max_pool`` / ``ops.average_pool``.
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
    positive_int_tuple,
    standardize_data_format,
    standardize_padding,
)

_POOL_MODES = ("max", "average")


class BasePooling(Layer):
    """Max or average pooling over ``pool_dimensions`` (1, 2 or 3) spatial dims.

    Args:
        pool_size: window size, an int (every spatial dim) or a tuple of ``pool_dimensions``.
        strides: step between windows, int or tuple; None (default) means ``pool_size``.
        pool_dimensions: number of spatial dims (1, 2 or 3).
        pool_mode: ``'max'`` or ``'average'``.
        padding: ``'valid'`` (no padding) or ``'same'`` (output size ``ceil(n / stride)``;
            padded cells never count: not in the max, not in the mean), case-insensitive.
        data_format: ``'channels_last'`` (``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Output size along each spatial dim ``n``: ``(n - pool) // stride + 1`` for 'valid',
    ``(n - 1) // stride + 1`` for 'same'.
    """

    def __init__(self, pool_size: int | tuple[int, ...], strides: int | tuple[int, ...] | None,
                 pool_dimensions: int, pool_mode: str = "max", padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        if pool_mode not in _POOL_MODES:
            raise ValueError(f"{layer_label(self)}: `pool_mode` must be 'max' or 'average'. "
                             f"Received: pool_mode={pool_mode!r}")
        self.pool_dimensions = pool_dimensions
        self.pool_mode = pool_mode
        self.pool_size = positive_int_tuple(self, "pool_size", pool_size, pool_dimensions)
        self.strides = self.pool_size if strides is None else positive_int_tuple(
            self, "strides", strides, pool_dimensions)
        self.padding = standardize_padding(self, padding)
        self.data_format = standardize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def call(self, inputs: Tensor) -> Tensor:
        self.compute_output_shape(tuple(inputs.shape))  # errors name this layer, not the op
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(inputs, pool_size=self.pool_size, strides=self.strides,
                    padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = check_input_rank(self, input_shape, self.pool_dimensions + 2)
        channels_last = self.data_format == "channels_last"
        spatial = shape[1:-1] if channels_last else shape[2:]
        pooled = tuple(self._pooled_size(n, k, s, shape)
                       for n, k, s in zip(spatial, self.pool_size, self.strides))
        if channels_last:
            return (shape[0], *pooled, shape[-1])
        return (shape[0], shape[1], *pooled)

    def _pooled_size(self, size: int | None, pool: int, stride: int, shape: tuple) -> int | None:
        if size is None:
            return None
        if self.padding == "same":
            return (size - 1) // stride + 1
        if size < pool:
            raise ValueError(
                f"{layer_label(self)}: with padding='valid' every spatial dim must be at least "
                f"the pool size {self.pool_size}. Received an input of shape {shape} "
                f"({self.data_format}), which would give an empty output; use padding='same' "
                "or a smaller pool_size.")
        return (size - pool) // stride + 1

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}
