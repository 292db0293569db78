"""RandomTranslation: shift each image by a random offset during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import uniform
from gpulayers.layers.preprocessing.affine_augmentation import AffineAugmentationLayer
from gpulayers.layers.preprocessing.affine_transform import symmetric_factor
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    convert_format,
)


def translation_transforms(translations: Any) -> Tensor:
    """``(N, 8)`` transforms for pixel shifts ``translations`` ``(N, 2)`` as ``(dx, dy)``:
    output pixel ``(x, y)`` samples the input at ``(x - dx, y - dy)``."""
    translations = ops.convert_to_tensor(translations, dtype="float32")
    dx, dy = translations[:, 0], translations[:, 1]
    ones, zeros = ops.ones_like(dx), ops.zeros_like(dx)
    return ops.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)


class RandomTranslation(AffineAugmentationLayer):
    """Translate each image by a random offset during training (Keras 3 semantics).

    Per image, a vertical shift ``dy = u * height`` and a horizontal shift
    ``dx = v * width`` are drawn with ``u`` uniform in the height range and ``v`` in the
    width range; output pixel ``(x, y)`` samples the input at ``(x - dx, y - dy)`` (positive
    values move the content down / right). Each factor is a number ``f`` (giving
    ``(-|f|, |f|)``) or a sorted pair, within ``[-1, 1]``; ``(0.2, 0.2)`` always shifts by
    20%. With ``training=False`` the layer is the identity (inputs cast to the layer's
    dtype).

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"translations": (N, 2) pixel shifts (dx, dy), "input_shape": ...}`` and
    ``transform_images(images, transformation)`` applies it; ``call`` is the two in turn.

    Args:
        height_factor: vertical range, as a fraction of the height (see above).
        width_factor: horizontal range, as a fraction of the width.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for a reproducible stream of shifts, or None.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomTranslation(0.1, 0.1, fill_mode="constant", seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomTranslation '{self.name}'"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = symmetric_factor(
            label, "height_factor", height_factor)
        self.width_lower, self.width_upper = symmetric_factor(
            label, "width_factor", width_factor)
        self._resampling_arguments(fill_mode, interpolation, fill_value, seed, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """One shift per image (None when not training); ``seed`` (an int or a
        SeedGenerator) replaces the layer's own stream for this draw."""
        if not training:
            return None
        batch, height, width = self.batch_geometry(images)
        seed = self._stream(seed)
        dy = ops.convert_to_tensor(uniform((batch,), self.height_lower, self.height_upper,
                                           dtype="float32", seed=seed))
        dx = ops.convert_to_tensor(uniform((batch,), self.width_lower, self.width_upper,
                                           dtype="float32", seed=seed))
        return {"translations": ops.stack([dx * float(width), dy * float(height)], axis=1),
                "input_shape": tuple(images.shape)}

    def affine_matrix(self, transformation: dict[str, Any], height: int,
                      width: int) -> Tensor:
        return translation_transforms(transformation["translations"])

    def move_boxes(self, bounding_boxes: dict[str, Any], transformation: dict[str, Any],
                   height: int, width: int) -> dict[str, Any]:
        """Shift the boxes by the drawn pixel translations, then clip (Keras's steps)."""
        boxes = convert_format(bounding_boxes["boxes"], self.bounding_box_format, "xyxy",
                               height, width)
        shift = ops.convert_to_tensor(transformation["translations"], dtype="float32")
        dx, dy = ops.reshape(shift[:, 0], (-1, 1, 1)), ops.reshape(shift[:, 1], (-1, 1, 1))
        x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
        bounding_boxes["boxes"] = ops.concatenate([x1 + dx, y1 + dy, x2 + dx, y2 + dy], -1)
        return self.clipped_boxes(bounding_boxes, "xyxy", height, width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


__all__ = ["RandomTranslation", "translation_transforms"]
