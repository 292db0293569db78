"""Boxes through a crop window that is then resized: the box side of CenterCrop, RandomCrop
and any layer that cuts a window out of its images and scales it to a fixed size."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.preprocessing.bounding_boxes.converters import (
    clip_to_image_size,
    convert_format,
    crop,
)


def through_window(bounding_boxes: dict[str, Any], bounding_box_format: str,
                   image_size: tuple[int, int], window: tuple[int, int, int, int],
                   output_size: tuple[int, int]) -> dict[str, Any]:
    """``bounding_boxes`` of an image of ``image_size = (height, width)`` as seen in the
    output image, when the output is the ``window = (top, left, window_height,
    window_width)`` of the input resized to ``output_size = (height, width)``.

    Boxes are shifted into the window, clipped to it, scaled by the resize factors and
    clipped to the output; boxes left with no area get label -1 (Keras's convention).
    ``bounding_box_format`` is that of the input and of the result (relative formats are
    relative to the input and to the output image respectively).

    Example::

        # a 100x200 image; the 50x50 window at row 10, column 20, resized to 25x25
        moved = through_window(boxes, "xyxy", (100, 200), (10, 20, 50, 50), (25, 25))
    """
    (in_height, in_width), (out_height, out_width) = image_size, output_size
    top, left, window_height, window_width = window
    result = convert_format(dict(bounding_boxes), bounding_box_format, "xyxy",
                            height=in_height, width=in_width)
    boxes = crop(result["boxes"], top, left, window_height, window_width)
    if (window_height, window_width) != (out_height, out_width):
        scale = ops.convert_to_tensor([out_width / window_width, out_height / window_height] * 2,
                                      dtype=boxes.dtype)
        boxes = boxes * scale
    result["boxes"] = boxes
    result = clip_to_image_size(result, height=out_height, width=out_width)
    return convert_format(result, "xyxy", bounding_box_format, height=out_height,
                          width=out_width)


__all__ = ["through_window"]
