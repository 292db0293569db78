"""MaxPooling1D (alias MaxPool1D): maximum over windows of 1D spatial data."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling for 1D spatial data (steps): the maximum of each
    ``pool_size`` window, windows ``strides`` apart.

    Args:
        pool_size: int or tuple of 1 int, the window size. Default 2.
        strides: int or tuple of 1 int, or None (default) for ``pool_size``.
        padding: ``'valid'`` (default, no padding) or ``'same'`` (output size
            ``ceil(n / stride)``), case-insensitive.
            Padded cells never win the max.
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input shape:
        channels_last: ``(batch, steps, features)``
        channels_first: ``(batch, features, steps)``

    Output shape:
        channels_last: ``(batch, pooled_steps, features)``
        channels_first: ``(batch, features, pooled_steps)``
        with each pooled size
        ``(n - pool) // stride + 1`` ('valid') or ``(n - 1) // stride + 1`` ('same').

    Example::

        layer = MaxPooling1D(pool_size=2)
        layer(x).shape      # x of shape (2, 8, 3) -> (2, 4, 3)
    """

    def __init__(self, pool_size: int | tuple[int, ...] = 2,
                 strides: int | tuple[int, ...] | None = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)


MaxPool1D = MaxPooling1D

__all__ = ["MaxPool1D", "MaxPooling1D"]
