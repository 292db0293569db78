"""CenterCrop: crop the central ``height x width`` window of images (Keras 3 semantics),
moving bounding boxes and segmentation masks with them."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
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


class CenterCrop(BaseImagePreprocessingLayer):
    """Crop the center of images to ``(height, width)``.

    Where an image is smaller than the target in either dimension, it is instead cropped to
    the target's aspect ratio and resized (bilinear), as Keras's ``smart_resize`` does, so
    the output always has the target size. Inputs are cast to the layer's dtype. The layer
    is deterministic and applies whatever ``training`` says.

    Also takes Keras's dict ``{"images", "labels", "bounding_boxes": {"boxes", "labels"},
    "segmentation_masks"}``: boxes are clipped to the crop window (and rescaled when the
    image is resized), boxes left with no area get label -1; masks go through the same
    crop (or bilinear resize, as in Keras) as the images.

    Args:
        height: output height. width: output width.
        data_format: ``"channels_last"`` (images ``(H, W, C)``, batches ``(N, H, W, C)``) or
            ``"channels_first"`` (``(C, H, W)`` / ``(N, C, H, W)``); default the global
            image data format.
        bounding_box_format: format of ``inputs["bounding_boxes"]["boxes"]`` (e.g.
            ``"xyxy"``); needed only when boxes are passed.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = CenterCrop(224, 224)
        y = layer(images)                 # (N, 256, 256, 3) -> (N, 224, 224, 3)
    """

    channels = None
    applies_at_inference = True

    def __init__(self, height: int, width: int, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height = size_argument(self.label, "height", height)
        self.width = size_argument(self.label, "width", width)
        self.data_format = data_format_argument(self.label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, tuple]:
        """``{"input_shape": shape}`` of the images (nothing random), as in Keras."""
        images = images["images"] if isinstance(images, dict) else images
        return {"input_shape": tuple(images.shape)}

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        images = ops.cast(images, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, self.label)
        h_diff = images.shape[h_axis] - self.height
        w_diff = images.shape[w_axis] - self.width
        if h_diff >= 0 and w_diff >= 0:
            return crop(images, h_axis, w_axis, h_diff // 2, w_diff // 2, self.height,
                        self.width)
        return resize(images, self.height, self.width, "bilinear", self.data_format,
                      crop_to_aspect_ratio=True, layer_name=self.label)

    def transform_segmentation_masks(self, segmentation_masks: Tensor,
                                     transformation: Any = None,
                                     training: bool = True) -> Tensor:
        # Keras moves masks exactly like images (bilinear when resizing, cast to dtype).
        return self.transform_images(segmentation_masks, transformation, training)

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """Boxes (``(B, N, 4)`` in ``bounding_box_format``) of images of shape
        ``transformation["input_shape"]``, moved to the output image."""
        shape = transformation["input_shape"]
        offset = 1 if self.data_format == "channels_first" else 0
        height, width = shape[-3 + offset], shape[-2 + offset]
        if height >= self.height and width >= self.width:
            window = ((height - self.height) // 2, (width - self.width) // 2, self.height,
                      self.width)
        else:  # the image was cropped to the target aspect ratio, then resized
            window = aspect_ratio_crop_box(height, width, self.height, self.width)
        return through_window(bounding_boxes, self.bounding_box_format, (height, width),
                              window, (self.height, self.width))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return image_shape_with(input_shape, self.height, self.width, self.data_format,
                                self.label)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "data_format": self.data_format}


__all__ = ["CenterCrop"]
