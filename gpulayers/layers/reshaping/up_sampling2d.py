"""UpSampling2D: upsample an image by repeating or interpolating rows and columns."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_up_sampling import BaseUpSampling

__all__ = ["UpSampling2D"]


class UpSampling2D(BaseUpSampling):
    """Upsample an image: each row repeated `size[0]` times and each column `size[1]` times
    (`'nearest'`), or linear interpolation with half-pixel centers (`'bilinear'`, as Keras 3's
    `ops.image.resize`).

    Args:
        size: a positive int or a tuple of 2 positive ints, the factors for rows and columns.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        interpolation: `"nearest"` (default) or `"bilinear"` (case-insensitive).
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, rows, cols, channels)` (channels_last) or
        `(batch, channels, rows, cols)` (channels_first).
    Output shape: `(batch, rows * size[0], cols * size[1], channels)` (or channels first).

    Example::

        UpSampling2D((2, 3), interpolation="bilinear")(ops.ones((1, 4, 4, 2))).shape
        # (1, 8, 12, 2)
    """

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(2, size, data_format, interpolation, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self._sizes, "data_format": self.data_format,
                "interpolation": self.interpolation}
