"""AutoContrast: stretch each image channel to span the whole value range."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    transform_value_range,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import value_range_argument


class AutoContrast(BaseImagePreprocessingLayer):
    """Stretch every channel of every image to span ``value_range``, as Keras 3 does.

    Each channel's minimum maps to ``value_range[0]`` and its maximum to
    ``value_range[1]`` (linearly, in between); constant channels and NaN results keep
    their input values. Deterministic, and applied whatever ``training`` says. Outputs are
    in the layer's dtype; any number of channels.

    Args:
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``); sorted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = AutoContrast(value_range=(0, 1))
        layer([[[0.2], [0.4], [0.6]]])   # -> [[[0.], [0.5], [1.]]]
    """

    channels = None
    applies_at_inference = True

    def __init__(self, value_range: Any = (0, 255), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"AutoContrast '{self.name}'"
        self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.data_format = data_format_argument(label, data_format)

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        original = ops.cast(images, self.compute_dtype)
        images = transform_value_range(original, self.value_range, (0, 255))
        axes = spatial_axes(images.ndim, self.data_format, self.label)
        low = ops.min(images, axis=axes, keepdims=True)
        high = ops.max(images, axis=axes, keepdims=True)
        # A constant channel has no contrast to stretch (Keras gets NaN there and keeps the
        # input); dividing by a safe 1 avoids the division by zero.
        flat = ops.logical_not(high > low)
        scale = 255.0 / ops.where(flat, 1.0, high - low)
        results = ops.clip(images * scale - low * scale, 0.0, 255.0)
        results = transform_value_range(results, (0, 255), self.value_range)
        return ops.where(ops.logical_or(flat, ops.isnan(results)), original, results)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range}


__all__ = ["AutoContrast"]
