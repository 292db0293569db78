"""AveragePooling2D (alias AvgPool2D): mean over windows of 2D spatial data."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Average pooling for 2D spatial data (height, width): the mean of each
    ``pool_size`` window, windows ``strides`` apart.

    Args:
        pool_size: int or tuple of 2 ints, the window size.
        strides: int or tuple of 2 ints, or None (default) for ``pool_size``.
        padding: ``'valid'`` (default, no padding) or ``'same'`` (output size
            ``ceil(n / stride)``), case-insensitive.
            Padded cells are left out of each mean (the divisor counts the valid
            cells of the window), as in Keras.
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input shape:
        channels_last: ``(batch, height, width, channels)``
        channels_first: ``(batch, channels, height, width)``

    Output shape:
        channels_last: ``(batch, pooled_height, pooled_width, channels)``
        channels_first: ``(batch, channels, pooled_height, pooled_width)``
        with each pooled size
        ``(n - pool) // stride + 1`` ('valid') or ``(n - 1) // stride + 1`` ('same').

    Example::

        layer = AveragePooling2D(pool_size=(2, 3))
        layer(x).shape      # x of shape (2, 6, 6, 3) -> (2, 3, 2, 3)
    """

    def __init__(self, pool_size: int | tuple[int, ...],
                 strides: int | tuple[int, ...] | None = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)


AvgPool2D = AveragePooling2D

__all__ = ["AvgPool2D", "AveragePooling2D"]
