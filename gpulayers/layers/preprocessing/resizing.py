"""Resizing: resize images to ``height x width`` (Keras 3 / TF half-pixel-center semantics),
moving bounding boxes and segmentation masks with them."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    clip_to_image_size,
    convert_format,
)
from gpulayers.layers.preprocessing.image_ops import (
    INTERPOLATIONS,
    data_format_argument,
    image_shape_with,
    resize,
    size_argument,
)


class Resizing(BaseImagePreprocessingLayer):
    """Resize images to ``(height, width)``.

    Bilinear and nearest interpolation use half-pixel centers without antialiasing, as
    Keras 3 (and TF's ``resize``) do. Float images keep their dtype; integer images are
    resized in float32, rounded and saturated back to their dtype, as in Keras. The layer
    is deterministic and applies whatever ``training`` says.

    Also takes Keras's dict ``{"images", "labels", "bounding_boxes": {"boxes", "labels"},
    "segmentation_masks"}``: boxes are scaled (and, with ``crop_to_aspect_ratio``, shifted)
    like the image and clipped to it; boxes that were all 0 or all -1 (padding) come out as
    zeros; masks are resized with nearest interpolation.

    Args:
        height: output height. width: output width.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        crop_to_aspect_ratio: first crop the largest centered window with the target
            aspect ratio, so the image is not distorted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        pad_to_aspect_ratio / fill_mode / fill_value / antialias: accepted so Keras configs
            load; only the defaults (no padding, no antialiasing) are supported.
        bounding_box_format: format of ``inputs["bounding_boxes"]["boxes"]`` (e.g.
            ``"xyxy"``); needed only when boxes are passed.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = Resizing(128, 128, interpolation="nearest")
        y = layer(images)                 # (N, 256, 512, 3) -> (N, 128, 128, 3)
        out = Resizing(64, 64, bounding_box_format="xyxy")(
            {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}})
    """

    channels = None
    applies_at_inference = True

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, data_format: str | None = None,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
                 fill_value: float = 0.0, antialias: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = self.label
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

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> tuple[int, int]:
        """The input's ``(height, width)`` (nothing random), which the boxes need."""
        images = images["images"] if isinstance(images, dict) else images
        shape = tuple(images.shape)
        offset = 1 if self.data_format == "channels_first" else 0
        return shape[-3 + offset], shape[-2 + offset]

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        return resize(images, self.height, self.width, self.interpolation, self.data_format,
                      crop_to_aspect_ratio=self.crop_to_aspect_ratio, layer_name=self.label)

    def transform_segmentation_masks(self, segmentation_masks: Tensor,
                                     transformation: Any = None,
                                     training: bool = True) -> Tensor:
        # Nearest, so class ids are never blended (as Keras does).
        return resize(segmentation_masks, self.height, self.width, "nearest",
                      self.data_format, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                      layer_name=self.label)

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """Boxes (``(B, N, 4)`` in ``bounding_box_format``) of images of size
        ``transformation == (input_height, input_width)``, moved to the resized image."""
        input_height, input_width = transformation
        boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
        # Keras's padding rows (all 0 or all -1) stay zeros rather than being rescaled.
        padding = ops.logical_or(ops.all(ops.equal(boxes, -1), axis=-1),
                                 ops.all(ops.equal(boxes, 0), axis=-1))
        result = convert_format(dict(bounding_boxes), self.bounding_box_format, "xyxy",
                                height=input_height, width=input_width)
        result["boxes"] = self._move_xyxy(result["boxes"], input_height, input_width)
        result = clip_to_image_size(result, height=self.height, width=self.width)
        moved = result["boxes"]
        result["boxes"] = ops.where(ops.expand_dims(padding, -1), ops.zeros_like(moved), moved)
        return convert_format(result, "xyxy", self.bounding_box_format, height=self.height,
                              width=self.width)

    def _move_xyxy(self, boxes: Tensor, input_height: int, input_width: int) -> Tensor:
        """Scale ``xyxy`` boxes to the output; with ``crop_to_aspect_ratio``, scale to the
        uncropped size then shift by Keras's (floored) crop offset."""
        scale_y = self.height / input_height
        scale_x = self.width / input_width
        top = left = 0.0
        if self.crop_to_aspect_ratio:
            source_ratio = input_width / input_height
            if source_ratio > self.width / self.height:
                new_height, new_width = float(self.height), self.height * source_ratio
            else:
                new_height, new_width = self.width / source_ratio, float(self.width)
            scale_y, scale_x = new_height / input_height, new_width / input_width
            top, left = (new_height - self.height) // 2, (new_width - self.width) // 2
        factor = ops.convert_to_tensor([scale_x, scale_y, scale_x, scale_y], dtype=boxes.dtype)
        shift = ops.convert_to_tensor([left, top, left, top], dtype=boxes.dtype)
        return boxes * factor - shift

    def compute_output_shape(self, input_shape: Any) -> Any:
        return image_shape_with(input_shape, self.height, self.width, self.data_format,
                                self.label)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "data_format": self.data_format}


__all__ = ["Resizing"]
