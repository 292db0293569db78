"""MaxNumBoundingBoxes: pad or truncate the bounding boxes of a batch to a fixed count."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument


class MaxNumBoundingBoxes(BaseImagePreprocessingLayer):
    """Give every example exactly ``max_number`` bounding boxes (Keras 3 semantics).

    Takes Keras's dict input; ``bounding_boxes["boxes"]`` ``(B, N, 4)`` and ``["labels"]``
    ``(B, N)`` are cut to the first ``max_number`` boxes, or padded with ``fill_value``
    (boxes and labels alike) up to it. Images, labels and segmentation masks pass unchanged,
    in training and inference alike.

    Args:
        max_number: the number of boxes in the output.
        fill_value: the padding value of ``boxes`` and ``labels`` (default -1).
        **kwargs: ``bounding_box_format``, ``data_format`` and base Layer arguments.

    Example::

        layer = MaxNumBoundingBoxes(max_number=10, bounding_box_format="xyxy")
        out = layer({"images": images,
                     "bounding_boxes": {"boxes": boxes, "labels": labels}})
        out["bounding_boxes"]["boxes"].shape   # (batch, 10, 4)
    """

    channels = None
    applies_at_inference = True

    def __init__(self, max_number: int, fill_value: int = -1, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(max_number, bool) or not isinstance(max_number, int) or max_number < 1:
            raise ValueError(f"{self.label}: `max_number` must be a positive int. "
                             f"Received: max_number={max_number!r}")
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.data_format = data_format_argument(self.label, data_format)

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        return images

    def transform_bounding_boxes(self, bounding_boxes: dict[str, Any], transformation: Any,
                                 training: bool = True) -> dict[str, Any]:
        """``boxes`` ``(B, max_number, 4)`` and ``labels`` ``(B, max_number)``."""
        boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
        labels = ops.convert_to_tensor(bounding_boxes["labels"])
        missing = max(self.max_number - int(boxes.shape[1]), 0)
        boxes = ops.pad(boxes[:, :self.max_number], [[0, 0], [0, missing], [0, 0]],
                        constant_values=self.fill_value)
        labels = ops.pad(labels[:, :self.max_number], [[0, 0], [0, missing]],
                         constant_values=self.fill_value)
        return {**bounding_boxes, "boxes": boxes, "labels": labels}

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not isinstance(input_shape, dict) or "bounding_boxes" not in input_shape:
            return input_shape
        extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"{self.label}: unsupported keys in `bounding_boxes`: "
                           f"{sorted(extra)}; only 'boxes' and 'labels' are supported.")
        boxes = list(input_shape["bounding_boxes"]["boxes"])
        labels = list(input_shape["bounding_boxes"]["labels"])
        boxes[1] = labels[1] = self.max_number
        return {**input_shape, "bounding_boxes": {"boxes": boxes, "labels": labels}}

    def get_config(self) -> dict[str, Any]:
        # Keras 3.15 leaves `fill_value` out of its config (so a round trip loses it);
        # it is kept here.
        return {**super().get_config(), "max_number": self.max_number,
                "fill_value": self.fill_value}


__all__ = ["MaxNumBoundingBoxes"]
