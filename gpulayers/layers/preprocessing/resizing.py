"""Resizing: resize images to ``height x width`` (Keras 3 / TF half-pixel-center semantics)."""

from __future__ import annotations

from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.image_ops import (
    INTERPOLATIONS,
    data_format_argument,
    image_shape_with,
    resize,
    size_argument,
)


class Resizing(Layer):
    """Resize images to ``(height, width)``.

    Bilinear and nearest interpolation use half-pixel centers without antialiasing, as
    Keras 3 (and TF's ``resize``) do. Float images keep their dtype; integer images are
    resized in float32, rounded and saturated back to their dtype, as in Keras.

    Args:
        height: output height. width: output width.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        crop_to_aspect_ratio: first crop the largest centered window with the target
            aspect ratio, so the image is not distorted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        pad_to_aspect_ratio / fill_mode / fill_value / antialias: accepted so Keras configs
            load; only the defaults (no padding, no antialiasing) are supported.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = Resizing(128, 128, interpolation="nearest")
        y = layer(images)                 # (N, 256, 512, 3) -> (N, 128, 128, 3)
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, data_format: str | None = None,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
                 fill_value: float = 0.0, antialias: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"Resizing '{self.name}'"
        if pad_to_aspect_ratio or antialias:
            raise ValueError(f"{label}: `pad_to_aspect_ratio` and `antialias` are not "
                             "supported (only their default False)")
        self.height = size_argument(label, "height", height)
        self.width = size_argument(label, "width", width)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{label}: `interpolation` must be one of {INTERPOLATIONS}. "
                             f"Received: interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor) -> Tensor:
        return resize(inputs, self.height, self.width, self.interpolation, self.data_format,
                      crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                      layer_name=f"Resizing '{self.name}'")

    def compute_output_shape(self, input_shape: Any) -> Any:
        return image_shape_with(input_shape, self.height, self.width, self.data_format,
                                f"Resizing '{self.name}'")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "data_format": self.data_format}


__all__ = ["Resizing"]
