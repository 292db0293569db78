"""UpSampling3D: upsample a volume by repeating entries along its three spatial axes."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_up_sampling import BaseUpSampling

__all__ = ["UpSampling3D"]


class UpSampling3D(BaseUpSampling):
    """Upsample a volume: each entry of the three spatial axes repeated `size` times.

    Args:
        size: a positive int or a tuple of 3 positive ints, the factors per spatial axis.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, dim1, dim2, dim3, channels)` (channels_last) or
        `(batch, channels, dim1, dim2, dim3)` (channels_first).
    Output shape: each spatial axis multiplied by its factor.

    Example::

        UpSampling3D(2)(ops.ones((1, 2, 2, 2, 3))).shape      # (1, 4, 4, 4, 3)
    """

    def __init__(self, size: Any = (2, 2, 2),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(3, size, data_format, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self._sizes, "data_format": self.data_format}
