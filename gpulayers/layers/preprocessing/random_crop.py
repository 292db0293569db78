"""RandomCrop: crop a random ``height x width`` window of images during training."""

from __future__ import annotations

import random as _python_random
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.bounding_boxes.windows import through_window
from gpulayers.layers.preprocessing.image_ops import (
    aspect_ratio_crop_box,
    crop,
    data_format_argument,
    image_shape_with,
    resize,
    size_argument,
    spatial_axes,
)


class RandomCrop(BaseImagePreprocessingLayer):
    """Crop a random ``(height, width)`` window during training (the same window for every
    image of the batch), exactly as Keras 3 does:

    * training, image larger than the target in both dimensions: a uniformly random window;
    * training, otherwise: the window starting at the corner of the largest centered box of
      the target aspect ratio, resized (bilinear) to the target where it falls short;
    * ``training=False``: the identity (no crop, as in Keras 3).

    Called directly with no ``training`` argument outside a training context, it crops,
    like Keras (whose call defaults to ``training=True``); models pass ``training=False``
    at inference.

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns the window's corner ``(h_start, w_start)`` (a tuple, as Keras; it also carries
    the input size, see :class:`CropWindow`) and ``transform_images(images,
    transformation)`` crops (and resizes) there; ``call`` is the two in turn.

    Also takes Keras's dict ``{"images", "labels", "bounding_boxes": {"boxes", "labels"},
    "segmentation_masks"}``: masks go through the same crop (and bilinear resize) as the
    images, as in Keras; boxes are moved into the window, clipped to it and scaled with the
    resize, and boxes left with no area get label -1. (Keras 3.15 shifts x by the row
    offset and y by the column offset and neither clips nor scales; this layer moves the
    boxes with the pixels.)

    Args:
        height: crop height. width: crop width.
        seed: an int for a reproducible stream of crops; None draws one (stored in the
            config, as Keras does).
        bounding_box_format: format of ``inputs["bounding_boxes"]["boxes"]`` (e.g.
            ``"xyxy"``); needed only when boxes are passed.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomCrop(24, 24, seed=3)
        y = layer(images, training=True)   # (N, 32, 32, 3) -> (N, 24, 24, 3)
    """

    channels = None

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomCrop '{self.name}'"
        self.height = size_argument(label, "height", height)
        self.width = size_argument(label, "width", width)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"{label}: `seed` must be an int or None. Received: {seed!r}")
        self.seed = seed if seed is not None else _python_random.randint(1, 10**9)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> CropWindow:
        """The window corner ``(h_start, w_start)``: random while training on images larger
        than the target, else the centered aspect-ratio box (no draw); ``seed`` (an int or
        a SeedGenerator) replaces the layer's own stream for this draw. ``images`` may be
        Keras's dict (its ``"images"`` are used)."""
        images = images["images"] if isinstance(images, dict) else images
        h_axis, w_axis = spatial_axes(len(images.shape), self.data_format, self.label)
        in_height, in_width = int(images.shape[h_axis]), int(images.shape[w_axis])
        if training and in_height > self.height and in_width > self.width:
            seed = self._stream(seed)
            h_start = _random_start(in_height - self.height + 1, seed)
            w_start = _random_start(in_width - self.width + 1, seed)
        else:
            h_start, w_start, _, _ = aspect_ratio_crop_box(in_height, in_width, self.height,
                                                           self.width)
        return CropWindow(h_start, w_start, in_height, in_width)

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """The ``height x width`` window at ``transformation = (h_start, w_start)`` (resized
        bilinearly where the image falls short), cast to the layer's dtype; ``images``
        unchanged when not training."""
        images = ops.convert_to_tensor(images)
        if not training:
            return images
        images = ops.cast(images, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, self.label)
        h_start, w_start = (int(ops.convert_to_numpy(v)) for v in transformation)
        images = crop(images, h_axis, w_axis, h_start, w_start, self.height, self.width)
        if images.shape[h_axis] != self.height or images.shape[w_axis] != self.width:
            images = resize(images, self.height, self.width, "bilinear", self.data_format,
                            layer_name=self.label)
        return images

    def transform_segmentation_masks(self, segmentation_masks: Tensor, transformation: Any,
                                     training: bool = True) -> Tensor:
        # Keras moves masks exactly like images (bilinear when resizing, cast to dtype).
        return self.transform_images(segmentation_masks, transformation, training)

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """Boxes (``(B, N, 4)`` in ``bounding_box_format``) moved with the pixels: into the
        window at ``transformation``, clipped to it, scaled where the window was resized."""
        if not training:
            return bounding_boxes
        if not isinstance(transformation, CropWindow):
            raise ValueError(
                f"{self.label}: transform_bounding_boxes needs the transformation returned "
                "by get_random_transformation (it carries the input image size). Received: "
                f"{transformation!r}")
        h_start, w_start = (int(ops.convert_to_numpy(v)) for v in transformation)
        in_height, in_width = transformation.input_height, transformation.input_width
        # The images are sliced (rows h_start:h_start+height, clipped to the image), then
        # resized to the target where the slice fell short: the boxes follow that window.
        window = (h_start, w_start, min(self.height, in_height - h_start),
                  min(self.width, in_width - w_start))
        return through_window(bounding_boxes, self.bounding_box_format,
                              (in_height, in_width), window, (self.height, self.width))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return image_shape_with(input_shape, self.height, self.width, self.data_format,
                                f"RandomCrop '{self.name}'")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}


class CropWindow(tuple):
    """RandomCrop's transformation: the tuple ``(h_start, w_start)`` Keras returns (it
    unpacks the same way), with the input size it was drawn for as ``input_height`` and
    ``input_width`` (what moving bounding boxes needs)."""

    input_height: int
    input_width: int

    def __new__(cls, h_start: int, w_start: int, input_height: int,
                input_width: int) -> CropWindow:
        window = super().__new__(cls, (h_start, w_start))
        window.input_height, window.input_width = input_height, input_width
        return window

    def __reduce__(self) -> tuple:  # copy and pickle keep the input size
        return CropWindow, (*self, self.input_height, self.input_width)


def _random_start(limit: int, generator: Any) -> int:
    """An int drawn uniformly from ``[0, limit)`` (a float draw truncated, as Keras)."""
    draw = float(ops.convert_to_numpy(uniform((), 0.0, float(limit), seed=generator)))
    return min(int(draw), limit - 1)


__all__ = ["CropWindow", "RandomCrop"]
