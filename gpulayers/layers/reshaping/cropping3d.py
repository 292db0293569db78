"""Cropping3D: crop a volume along its three spatial axes."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_cropping import BaseCropping

__all__ = ["Cropping3D"]


class Cropping3D(BaseCropping):
    """Crop (remove) entries at the borders of the three spatial axes of a volume.

    Args:
        cropping: an int (the same everywhere), a tuple of 3 ints (symmetric per axis), or a
            tuple of 3 pairs `((left_dim1, right_dim1), (left_dim2, right_dim2),
            (left_dim3, right_dim3))`.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, dim1, dim2, dim3, channels)` (channels_last) or
        `(batch, channels, dim1, dim2, dim3)` (channels_first).
    Output shape: the same with the cropped spatial axes (each at least 1).

    Example::

        Cropping3D(((1, 1), (2, 2), (0, 1)))(ops.ones((2, 5, 6, 4, 3))).shape  # (2, 3, 2, 3, 3)
    """

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(3, cropping, data_format, **kwargs)
