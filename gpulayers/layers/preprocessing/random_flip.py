"""RandomFlip: randomly flip images horizontally and/or vertically during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    clip_to_image_size,
    convert_format,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import batch_draw_shape

HORIZONTAL, VERTICAL = "horizontal", "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"
_MODES = (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)


class RandomFlip(BaseImagePreprocessingLayer):
    """Flip each image with probability 1/2 during training.

    As in Keras 3, one coin is drawn per image: in ``"horizontal_and_vertical"`` mode an
    image is either flipped along both axes or left as is. With ``training=False`` the
    layer is the identity (inputs are cast to the layer's dtype). Called directly with no
    ``training`` argument outside a training context, it flips, like Keras (whose call
    defaults to ``training=True``); models pass ``training=False`` at inference.

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"flips": (N, 1, 1, 1) booleans, "input_shape": ...}`` (None when not
    training) and ``transform_images(images, transformation)`` flips the marked images;
    ``call`` is the two in turn. Dict inputs (``bounding_box_format`` set for boxes) get the
    same flips on their boxes and segmentation masks.

    Args:
        mode: ``"horizontal"`` (left-right), ``"vertical"`` (up-down) or
            ``"horizontal_and_vertical"`` (default).
        seed: an int for a reproducible stream of flips, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        flip = RandomFlip("horizontal", seed=1)
        y = flip(images, training=True)   # each image mirrored left-right or unchanged
    """

    channels = None
    cast_at_inference = True

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip '{self.name}': `mode` must be one of {_MODES}. "
                             f"Received: mode={mode!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"RandomFlip '{self.name}': `seed` must be an int or None. "
                             f"Received: seed={seed!r}")
        self.mode = mode
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(f"RandomFlip '{self.name}'", data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """One coin per image; ``seed`` (an int or a SeedGenerator) replaces the layer's
        own stream for this draw."""
        if not training:
            return None
        spatial_axes(len(images.shape), self.data_format, self.label)
        coins = uniform(batch_draw_shape(images), seed=self._stream(seed))
        return {"flips": ops.less_equal(ops.convert_to_tensor(coins), 0.5),
                "input_shape": tuple(images.shape)}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """``images`` (cast to the layer's dtype) with the images marked in ``flips``
        flipped; unchanged when not training."""
        images = ops.cast(ops.convert_to_tensor(images), self.compute_dtype)
        if not training or transformation is None:
            return images
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, self.label)
        flips = ops.convert_to_tensor(transformation["flips"])
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=w_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=h_axis), images)
        return images

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """Mirror the boxes of the flipped images (in relative coordinates, as Keras)."""
        if not training or transformation is None:
            return bounding_boxes
        shape = transformation["input_shape"]
        h_axis, w_axis = spatial_axes(len(shape), self.data_format, self.label)
        height, width = int(shape[h_axis]), int(shape[w_axis])
        boxes = convert_format(ops.convert_to_tensor(bounding_boxes["boxes"]),
                               self.bounding_box_format, "rel_xyxy", height, width)
        flips = ops.reshape(ops.convert_to_tensor(transformation["flips"]), (-1, 1, 1))
        x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            boxes = ops.where(flips, ops.concatenate([1 - x2, y1, 1 - x1, y2], axis=-1), boxes)
        x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            boxes = ops.where(flips, ops.concatenate([x1, 1 - y2, x2, 1 - y1], axis=-1), boxes)
        # Keras clips the relative boxes against the pixel size (a no-op for boxes inside
        # the image) and marks empty boxes with label -1.
        clipped = clip_to_image_size({**bounding_boxes, "boxes": boxes}, height, width, "xyxy")
        clipped["boxes"] = convert_format(clipped["boxes"], "rel_xyxy",
                                          self.bounding_box_format, height, width)
        return clipped

    def transform_segmentation_masks(self, segmentation_masks: Tensor, transformation: Any,
                                     training: bool = True) -> Tensor:
        """The masks flipped like the images (cast to the layer's dtype, as Keras)."""
        return self.transform_images(segmentation_masks, transformation, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode, "seed": self.seed}


__all__ = ["RandomFlip"]
