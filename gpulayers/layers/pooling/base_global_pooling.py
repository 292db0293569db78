"""BaseGlobalPooling: max or mean over every spatial dim, for 1D, 2D and 3D inputs.

GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D are thin subclasses that pick the
rank and the reduction.
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


class BaseGlobalPooling(Layer):
    """Reduce all ``pool_dimensions`` spatial dims with ``_reduce`` (max or mean).

    Args:
        pool_dimensions: number of spatial dims (1, 2 or 3).
        data_format: ``'channels_last'`` (``(batch, *spatial, channels)``) or
            ``'channels_first'`` (``(batch, channels, *spatial)``); None means
            ``backend.image_data_format()``.
        keepdims: keep the spatial dims with size 1 (default False: output
            ``(batch, channels)``).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).
    """

    def __init__(self, pool_dimensions: int, data_format: str | None = None,
                 keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(keepdims, bool):
            raise ValueError(f"{layer_label(self)}: `keepdims` must be True or False. "
                             f"Received: keepdims={keepdims!r}")
        self.pool_dimensions = pool_dimensions
        self.data_format = standardize_data_format(self, data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        """The axes reduced: ``(1, ..., rank)`` for channels_last, ``(2, ..., rank + 1)``
        for channels_first."""
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.pool_dimensions))

    def call(self, inputs: Tensor) -> Tensor:
        check_input_rank(self, tuple(inputs.shape), self.pool_dimensions + 2)
        return self._reduce(inputs, self.spatial_axes)

    def _reduce(self, inputs: Tensor, axes: tuple[int, ...]) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define _reduce")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = check_input_rank(self, input_shape, self.pool_dimensions + 2)
        ones = (1,) * self.pool_dimensions
        if self.data_format == "channels_last":
            return (shape[0], *ones, shape[-1]) if self.keepdims else (shape[0], shape[-1])
        return (shape[0], shape[1], *ones) if self.keepdims else (shape[0], shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class BaseGlobalMaxPooling(BaseGlobalPooling):
    """Global pooling by the maximum over the spatial dims."""

    def _reduce(self, inputs: Tensor, axes: tuple[int, ...]) -> Tensor:
        return ops.max(inputs, axis=axes, keepdims=self.keepdims)


class BaseGlobalAveragePooling(BaseGlobalPooling):
    """Global pooling by the mean over the spatial dims."""

    def _reduce(self, inputs: Tensor, axes: tuple[int, ...]) -> Tensor:
        return ops.mean(inputs, axis=axes, keepdims=self.keepdims)
