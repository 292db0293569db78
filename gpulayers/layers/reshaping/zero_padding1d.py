"""ZeroPadding1D: add zeros at the start and end of a sequence."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_zero_padding import BaseZeroPadding

__all__ = ["ZeroPadding1D"]


class ZeroPadding1D(BaseZeroPadding):
    """Pad the time axis of a sequence with zeros at its start and end.

    Args:
        padding: an int (the same at both ends) or a tuple `(start, end)`.
        data_format: `"channels_last"` or `"channels_first"` (see the shapes); default
            `backend.image_data_format()`.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, axis_to_pad, features)` (channels_last) or
        `(batch, features, axis_to_pad)` (channels_first).
    Output shape: the same with the padded axis.

    Example::

        ZeroPadding1D((1, 2))(ops.ones((2, 3, 4))).shape      # (2, 6, 4)
    """

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(1, padding, data_format, **kwargs)
