"""AveragePooling3D (alias AvgPool3D): mean over windows of 3D spatial data."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    """Average pooling for 3D spatial data (depth, height, width): the mean of each
    ``pool_size`` window, windows ``strides`` apart.

    Args:
        pool_size: int or tuple of 3 ints, the window size.
        strides: int or tuple of 3 ints, or None (default) for ``pool_size``.
        padding: ``'valid'`` (default, no padding) or ``'same'`` (output size
            ``ceil(n / stride)``), case-insensitive.
            Padded cells are left out of each mean (the divisor counts the valid
            cells of the window), as in Keras.
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input shape:
        channels_last: ``(batch, depth, height, width, channels)``
        channels_first: ``(batch, channels, depth, height, width)``

    Output shape:
        channels_last: ``(batch, pooled_depth, pooled_height, pooled_width, channels)``
        channels_first: ``(batch, channels, pooled_depth, pooled_height, pooled_width)``
        with each pooled size
        ``(n - pool) // stride + 1`` ('valid') or ``(n - 1) // stride + 1`` ('same').

    Example::

        layer = AveragePooling3D(pool_size=2)
        layer(x).shape      # x of shape (2, 4, 4, 4, 3) -> (2, 2, 2, 2, 3)
    """

    def __init__(self, pool_size: int | tuple[int, ...],
                 strides: int | tuple[int, ...] | None = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


AvgPool3D = AveragePooling3D

__all__ = ["AvgPool3D", "AveragePooling3D"]
