"""MaxPooling3D (alias MaxPool3D): maximum over windows of 3D spatial data."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """Max pooling for 3D spatial data (depth, height, width): the maximum of each
    ``pool_size`` window, windows ``strides`` apart.

    Args:
        pool_size: int or tuple of 3 ints, the window size. Default (2, 2, 2).
        strides: int or tuple of 3 ints, or None (default) for ``pool_size``.
        padding: ``'valid'`` (default, no padding) or ``'same'`` (output size
            ``ceil(n / stride)``), case-insensitive.
            Padded cells never win the max.
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

        layer = MaxPooling3D(pool_size=2)
        layer(x).shape      # x of shape (2, 4, 4, 4, 3) -> (2, 2, 2, 2, 3)
    """

    def __init__(self, pool_size: int | tuple[int, ...] = (2, 2, 2),
                 strides: int | tuple[int, ...] | None = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


MaxPool3D = MaxPooling3D

__all__ = ["MaxPool3D", "MaxPooling3D"]
