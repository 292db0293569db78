"""CenterCrop: crop the central ``height x width`` window of images (Keras 3 semantics)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.image_ops import (
    crop,
    data_format_argument,
    image_shape_with,
    resize,
    size_argument,
    spatial_axes,
)


class CenterCrop(Layer):
    """Crop the center of images to ``(height, width)``.

    Where an image is smaller than the target in either dimension, it is instead cropped to
    the target's aspect ratio and resized (bilinear), as Keras's ``smart_resize`` does, so
    the output always has the target size. Inputs are cast to the layer's dtype.

    Args:
        height: output height. width: output width.
        data_format: ``"channels_last"`` (images ``(H, W, C)``, batches ``(N, H, W, C)``) or
            ``"channels_first"`` (``(C, H, W)`` / ``(N, C, H, W)``); default the global
            image data format.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = CenterCrop(224, 224)
        y = layer(images)                 # (N, 256, 256, 3) -> (N, 224, 224, 3)
    """

    def __init__(self, height: int, width: int, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height = size_argument(f"CenterCrop '{self.name}'", "height", height)
        self.width = size_argument(f"CenterCrop '{self.name}'", "width", width)
        self.data_format = data_format_argument(f"CenterCrop '{self.name}'", data_format)

    def call(self, inputs: Tensor) -> Tensor:
        label = f"CenterCrop '{self.name}'"
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, label)
        h_diff = images.shape[h_axis] - self.height
        w_diff = images.shape[w_axis] - self.width
        if h_diff >= 0 and w_diff >= 0:
            return crop(images, h_axis, w_axis, h_diff // 2, w_diff // 2, self.height,
                        self.width)
        return resize(images, self.height, self.width, "bilinear", self.data_format,
                      crop_to_aspect_ratio=True, layer_name=label)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return image_shape_with(input_shape, self.height, self.width, self.data_format,
                                f"CenterCrop '{self.name}'")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}


__all__ = ["CenterCrop"]
