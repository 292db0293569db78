"""ZeroPadding3D: add zeros around a volume."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_zero_padding import BaseZeroPadding

__all__ = ["ZeroPadding3D"]


class ZeroPadding3D(BaseZeroPadding):
    """Pad the three spatial axes of a volume with zeros.

    Args:
        padding: an int (the same everywhere), a tuple of 3 ints (symmetric per axis), or a
            tuple of 3 pairs `((left_dim1, right_dim1), (left_dim2, right_dim2),
            (left_dim3, right_dim3))`.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, dim1, dim2, dim3, channels)` (channels_last) or
        `(batch, channels, dim1, dim2, dim3)` (channels_first).
    Output shape: the same with the padded spatial axes.

    Example::

        ZeroPadding3D(1)(ops.ones((2, 3, 3, 3, 4))).shape      # (2, 5, 5, 5, 4)
    """

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(3, padding, data_format, **kwargs)
