"""Cropping1D: crop a sequence along its time axis."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_cropping import BaseCropping

__all__ = ["Cropping1D"]


class Cropping1D(BaseCropping):
    """Crop (remove) entries at the start and end of the time axis of a sequence.

    Args:
        cropping: an int (the same at both ends) or a tuple `(start, end)`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, axis_to_crop, features)`.
    Output shape: `(batch, cropped_axis, features)`; at least one entry must remain.

    Example::

        Cropping1D((1, 2))(ops.ones((2, 6, 3))).shape      # (2, 3, 3)
    """

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(1, cropping, data_format="channels_last", **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]  # Keras's Cropping1D has no data_format
        return config
