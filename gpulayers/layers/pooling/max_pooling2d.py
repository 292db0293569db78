"""MaxPooling2D (alias MaxPool2D): maximum over windows of 2D spatial data."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """Max pooling for 2D spatial data (height, width): the maximum of each
    ``pool_size`` window, windows ``strides`` apart.

    Args:
        pool_size: int or tuple of 2 ints, the window size. Default (2, 2).
        strides: int or tuple of 2 ints, or None (default) for ``pool_size``.
        padding: ``'valid'`` (default, no padding) or ``'same'`` (output size
            ``ceil(n / stride)``), case-insensitive.
            Padded cells never win the max.
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

        layer = MaxPooling2D(pool_size=(2, 3))
        layer(x).shape      # x of shape (2, 6, 6, 3) -> (2, 3, 2, 3)
    """

    def __init__(self, pool_size: int | tuple[int, ...] = (2, 2),
                 strides: int | tuple[int, ...] | None = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


MaxPool2D = MaxPooling2D

__all__ = ["MaxPool2D", "MaxPooling2D"]
