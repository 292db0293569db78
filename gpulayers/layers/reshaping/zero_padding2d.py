"""ZeroPadding2D: add rows and columns of zeros around an image."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_zero_padding import BaseZeroPadding

__all__ = ["ZeroPadding2D"]


class ZeroPadding2D(BaseZeroPadding):
    """Pad an image with rows of zeros at its top and bottom and columns at its left and right.

    Args:
        padding: an int (the same on all four sides), a tuple of 2 ints
            `(symmetric_height_pad, symmetric_width_pad)`, or a tuple of 2 pairs
            `((top_pad, bottom_pad), (left_pad, right_pad))`.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, height, width, channels)` (channels_last) or
        `(batch, channels, height, width)` (channels_first).
    Output shape: the same with the padded height and width.

    Example: `ZeroPadding2D(((1, 0), (1, 0)))` on a 3x3 image gives a 4x4 image with a zero
    top row, a zero left column and the image in the bottom-right corner::

        ZeroPadding2D(((1, 0), (1, 0)))(ops.ones((1, 3, 3, 1))).shape   # (1, 4, 4, 1)
    """

    def __init__(self, padding: Any = (1, 1),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(2, padding, data_format, **kwargs)
