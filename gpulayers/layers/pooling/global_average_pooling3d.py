"""GlobalAveragePooling3D (alias GlobalAvgPool3D): the mean over all 3D spatial positions."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_global_pooling import BaseGlobalAveragePooling


class GlobalAveragePooling3D(BaseGlobalAveragePooling):
    """Global average pooling for 3D spatial data (depth, height, width): the mean of
    each channel over every spatial position.

    Args:
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        keepdims: keep the spatial dims with size 1 (default False).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input shape:
        channels_last: ``(batch, depth, height, width, channels)``
        channels_first: ``(batch, channels, depth, height, width)``

    Output shape: ``(batch, channels)``; with ``keepdims=True``
        ``(batch, 1, 1, 1, channels)`` (channels_last) or
        ``(batch, channels, 1, 1, 1)`` (channels_first).

    Example::

        GlobalAveragePooling3D()(x).shape        # x of shape (2, 3, 4, 5, 6) -> (2, 6)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims,
                         **kwargs)


GlobalAvgPool3D = GlobalAveragePooling3D

__all__ = ["GlobalAvgPool3D", "GlobalAveragePooling3D"]
