"""GlobalMaxPooling2D (alias GlobalMaxPool2D): the maximum over all 2D spatial positions."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_global_pooling import BaseGlobalMaxPooling


class GlobalMaxPooling2D(BaseGlobalMaxPooling):
    """Global max pooling for 2D spatial data (height, width): the maximum of
    each channel over every spatial position.

    Args:
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        keepdims: keep the spatial dims with size 1 (default False).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input shape:
        channels_last: ``(batch, height, width, channels)``
        channels_first: ``(batch, channels, height, width)``

    Output shape: ``(batch, channels)``; with ``keepdims=True``
        ``(batch, 1, 1, channels)`` (channels_last) or
        ``(batch, channels, 1, 1)`` (channels_first).

    Example::

        GlobalMaxPooling2D()(x).shape        # x of shape (2, 4, 5, 3) -> (2, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims,
                         **kwargs)


GlobalMaxPool2D = GlobalMaxPooling2D

__all__ = ["GlobalMaxPool2D", "GlobalMaxPooling2D"]
