"""AffineAugmentationLayer: the split augmentation API shared by the random affine layers.

RandomTranslation, RandomRotation, RandomZoom and RandomShear each draw their per-image
parameters in ``get_random_transformation`` (a dict with Keras 3's keys) and say in
``affine_matrix`` how those parameters become ``(N, 8)`` transforms. Everything else — the
argument checks, reading the batch geometry, applying the matrices through
:func:`~gpulayers.layers.preprocessing.affine_transform.affine_transform` in
``transform_images`` and the ``call`` that draws then applies (from
:class:`~gpulayers.layers.preprocessing.color_ops.BaseImagePreprocessingLayer`) — is here once.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.preprocessing.affine_transform import (
    affine_transform,
    fill_and_interpolation,
)
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.bounding_boxes import clip_to_image_size, convert_format
from gpulayers.layers.preprocessing.color_ops import image_count
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import seed_argument


class AffineAugmentationLayer(BaseImagePreprocessingLayer):
    """Base of the random affine layers (see the module docstring).

    ``call(images, training)`` is ``transform_images(images, get_random_transformation(images))``
    while training and the identity (inputs cast to the layer's dtype) otherwise; any channel
    count is accepted. Subclasses implement ``get_random_transformation`` and
    ``affine_matrix``.
    """

    channels = None
    cast_at_inference = True

    def _resampling_arguments(self, fill_mode: Any, interpolation: Any, fill_value: Any,
                              seed: Any, data_format: Any) -> None:
        """Check and store the arguments every affine layer takes (ValueError naming the
        layer); also creates the layer's seed stream."""
        fill_and_interpolation(self.label, fill_mode, interpolation)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)
        self.seed = seed_argument(self.label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(self.label, data_format)

    def batch_geometry(self, images: Any) -> tuple[int, int, int]:
        """``(batch, height, width)`` of a rank-3 image (batch 1) or a rank-4 batch."""
        shape = tuple(images.shape)
        h_axis, w_axis = spatial_axes(len(shape), self.data_format, self.label)
        return image_count(images), int(shape[h_axis]), int(shape[w_axis])

    def affine_matrix(self, transformation: dict[str, Any], height: int,
                      width: int) -> Tensor:
        """The ``(N, 8)`` (or ``(8,)``) transforms that ``transformation`` stands for, for
        images of ``height x width``."""
        raise NotImplementedError

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """Resample ``images`` (rank 3 or 4) with the drawn ``transformation``; the identity
        (cast to the layer's dtype) when not training or ``transformation`` is None. The
        same transformation always gives the same output."""
        return self._resample(images, transformation, training, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks: Tensor, transformation: Any,
                                     training: bool = True) -> Tensor:
        """The masks moved like the images, with nearest interpolation (so class ids stay
        class ids); cast to the layer's dtype."""
        return self._resample(segmentation_masks, transformation, training, "nearest")

    def _resample(self, images: Tensor, transformation: Any, training: bool,
                  interpolation: str) -> Tensor:
        images = ops.cast(ops.convert_to_tensor(images), self.compute_dtype)
        if not training or transformation is None:
            return images
        _, height, width = self.batch_geometry(images)
        matrix = self.affine_matrix(transformation, height, width)
        return affine_transform(images, matrix, interpolation, self.fill_mode,
                                self.fill_value, self.data_format, self.label)

    def box_image_size(self, transformation: dict[str, Any]) -> tuple[int, int]:
        """``(height, width)`` of the images a transformation was drawn for."""
        shape = transformation["input_shape"]
        h_axis, w_axis = spatial_axes(len(shape), self.data_format, self.label)
        return int(shape[h_axis]), int(shape[w_axis])

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """The boxes (in ``bounding_box_format``) moved like the images, clipped to the image;
        boxes left empty get label -1. Subclasses say how in ``move_boxes``."""
        if not training or transformation is None:
            return bounding_boxes
        height, width = self.box_image_size(transformation)
        return self.move_boxes(dict(bounding_boxes), transformation, height, width)

    def move_boxes(self, bounding_boxes: dict[str, Any], transformation: dict[str, Any],
                   height: int, width: int) -> dict[str, Any]:
        """``bounding_boxes`` (a copy, in the layer's format) after ``transformation``."""
        raise NotImplementedError

    def clipped_boxes(self, bounding_boxes: dict[str, Any], box_format: str, height: int,
                      width: int, dtype: Any = None) -> dict[str, Any]:
        """``bounding_boxes`` (moved, in ``box_format``) clipped to the image and converted
        back to the layer's ``bounding_box_format``: the last step of every ``move_boxes``."""
        relative = box_format.startswith("rel_")
        clipped = clip_to_image_size(bounding_boxes, None if relative else height,
                                     None if relative else width, box_format)
        clipped["boxes"] = convert_format(clipped["boxes"], box_format,
                                          self.bounding_box_format, height, width,
                                          dtype=dtype or "float32")
        return clipped

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}


__all__ = ["AffineAugmentationLayer"]
