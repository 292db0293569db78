"""RandomRotation: rotate each image by a random angle during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import uniform
from gpulayers.layers.preprocessing.affine_augmentation import AffineAugmentationLayer
from gpulayers.layers.preprocessing.affine_transform import (
    rotation_transforms,
    symmetric_factor,
)
from gpulayers.layers.preprocessing.bounding_boxes.affine import (
    affine_transform as affine_boxes,
)
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    convert_format,
)
from gpulayers.layers.preprocessing.random_contrast import value_range_argument


class RandomRotation(AffineAugmentationLayer):
    """Rotate each image about its center by a random angle during training (Keras 3).

    The angle (in fractions of a full turn, ``factor * 360`` degrees, counter-clockwise for
    positive values as displayed) is drawn per image from ``[lower, upper]``: ``factor`` is
    a number ``f`` (giving ``(-|f|, |f|)``) or a sorted pair, within ``[-1, 1]``;
    ``factor=(0.25, 0.25)`` always rotates by 90 degrees. Pixels are resampled through
    :func:`~gpulayers.layers.preprocessing.affine_transform.affine_transform`. With
    ``training=False`` the layer is the identity (inputs cast to the layer's dtype).

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"angle": (N,) degrees, "rotation_matrix": (N, 8), "image_height",
    "image_width", "batch_size"}`` and ``transform_images(images, transformation)``
    applies its ``rotation_matrix``; ``call`` is the two in turn.

    Args:
        factor: a number or a pair of numbers in [-1, 1] (see above).
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for a reproducible stream of angles, or None.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        value_range: optional ``(low, high)``; accepted for API compatibility and kept in
            the config (Keras 3.15's RandomRotation takes none); it does not change results.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomRotation(0.1, fill_mode="constant", seed=1)
        y = layer(images, training=True)   # each image turned by up to +-36 degrees
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, value_range: Any = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomRotation '{self.name}'"
        self.factor = symmetric_factor(label, "factor", factor)
        self._resampling_arguments(fill_mode, interpolation, fill_value, seed, data_format)
        self.value_range = (None if value_range is None
                            else value_range_argument(label, value_range))

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """One angle per image (None when not training); ``seed`` (an int or a
        SeedGenerator) replaces the layer's own stream for this draw."""
        if not training:
            return None
        batch, height, width = self.batch_geometry(images)
        angles = ops.convert_to_tensor(uniform(
            (batch,), self.factor[0] * 360.0, self.factor[1] * 360.0, dtype="float32",
            seed=self._stream(seed)))
        matrix = rotation_transforms(angles, height, width)
        if len(images.shape) == 3:  # Keras keeps one (8,) matrix for a single image
            matrix = ops.reshape(matrix, (8,))
        return {"angle": angles, "rotation_matrix": matrix, "image_height": height,
                "image_width": width, "batch_size": batch}

    def affine_matrix(self, transformation: dict[str, Any], height: int,
                      width: int) -> Tensor:
        return transformation["rotation_matrix"]

    def box_image_size(self, transformation: dict[str, Any]) -> tuple[int, int]:
        return int(transformation["image_height"]), int(transformation["image_width"])

    def move_boxes(self, bounding_boxes: dict[str, Any], transformation: dict[str, Any],
                   height: int, width: int) -> dict[str, Any]:
        """Rotate the box corners about the image centre, take their enclosing box, clip."""
        boxes = convert_format(bounding_boxes["boxes"], self.bounding_box_format, "xyxy",
                               height, width)
        angle = ops.reshape(ops.cast(transformation["angle"], "float32"), (-1,))
        zeros, ones = ops.zeros_like(angle), ops.ones_like(angle)
        bounding_boxes["boxes"] = affine_boxes(boxes, angle, zeros, zeros, ones, zeros, zeros,
                                               height, width)
        return self.clipped_boxes(bounding_boxes, "xyxy", height, width)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "factor": self.factor}
        if self.value_range is not None:
            config["value_range"] = self.value_range
        return config


__all__ = ["RandomRotation"]
