"""Cropping2D: crop an image along its height and width."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_cropping import BaseCropping

__all__ = ["Cropping2D"]


class Cropping2D(BaseCropping):
    """Crop (remove) rows and columns at the borders of an image.

    Args:
        cropping: an int (the same on all four sides), a tuple of 2 ints
            `(symmetric_height_crop, symmetric_width_crop)`, or a tuple of 2 pairs
            `((top_crop, bottom_crop), (left_crop, right_crop))`.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).
    Output shape: the same with the cropped height and width (each at least 1).

    Example::

        Cropping2D(((2, 2), (4, 4)))(ops.ones((2, 28, 28, 3))).shape   # (2, 24, 20, 3)
    """

    def __init__(self, cropping: Any = ((0, 0), (0, 0)),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(2, cropping, data_format, **kwargs)
