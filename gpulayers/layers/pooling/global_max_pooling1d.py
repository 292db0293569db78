"""GlobalMaxPooling1D (alias GlobalMaxPool1D): the maximum over all 1D spatial positions."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.pooling.base_global_pooling import BaseGlobalMaxPooling


class GlobalMaxPooling1D(BaseGlobalMaxPooling):
    """Global max pooling for 1D spatial data (steps): the maximum of
    each feature over every spatial position.

    Args:
        data_format: ``'channels_last'`` or ``'channels_first'``; None (default) means
            ``backend.image_data_format()``.
        keepdims: keep the spatial dims with size 1 (default False).
        **kwargs: base Layer arguments (name, dtype, trainable, ...).

    Input shape:
        channels_last: ``(batch, steps, features)``
        channels_first: ``(batch, features, steps)``

    Output shape: ``(batch, features)``; with ``keepdims=True``
        ``(batch, 1, features)`` (channels_last) or
        ``(batch, features, 1)`` (channels_first).

    Example::

        GlobalMaxPooling1D()(x).shape        # x of shape (2, 3, 4) -> (2, 4)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims,
                         **kwargs)


GlobalMaxPool1D = GlobalMaxPooling1D

__all__ = ["GlobalMaxPool1D", "GlobalMaxPooling1D"]
