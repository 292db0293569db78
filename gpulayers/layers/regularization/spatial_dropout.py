"""SpatialDropout1D/2D/3D: drop whole channels of sequences, images and volumes.

Thin subclasses of :class:`BaseSpatialDropout`; each fixes the input rank.

Example::

    x = SpatialDropout2D(0.2)(feature_maps, training=True)   # (batch, h, w, c): per (b, c)
"""

from __future__ import annotations

from typing import Any

from gpulayers.layers.regularization.base_spatial_dropout import BaseSpatialDropout


class SpatialDropout1D(BaseSpatialDropout):
    """Spatial dropout on ``(batch, steps, channels)``: each (sample, channel) sequence is
    dropped as a whole with probability ``rate`` (training only); kept ones are scaled by
    ``1 / (1 - rate)``.

    Args:
        rate: a float in [0, 1). seed: int or None. **kwargs: name, dtype, ...

    Example: ``SpatialDropout1D(0.3)(x, training=True)`` with x of shape (8, 20, 16).
    """

    rank = 1

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("data_format", None)
        return config


class SpatialDropout2D(BaseSpatialDropout):
    """Spatial dropout on ``(batch, h, w, channels)`` (channels_last) or
    ``(batch, channels, h, w)`` (channels_first): whole feature maps are dropped.

    Args:
        rate: a float in [0, 1). data_format: 'channels_last' or 'channels_first' (default
            ``image_data_format()``). seed: int or None. **kwargs: name, dtype, ...

    Example: ``SpatialDropout2D(0.2, data_format="channels_first")(x, training=True)``.
    """

    rank = 2


class SpatialDropout3D(BaseSpatialDropout):
    """Spatial dropout on ``(batch, d1, d2, d3, channels)`` (channels_last) or
    ``(batch, channels, d1, d2, d3)`` (channels_first): whole feature volumes are dropped.

    Args:
        rate: a float in [0, 1). data_format: 'channels_last' or 'channels_first' (default
            ``image_data_format()``). seed: int or None. **kwargs: name, dtype, ...

    Example: ``SpatialDropout3D(0.1)(x, training=True)`` with x of shape (2, 4, 4, 4, 8).
    """

    rank = 3


__all__ = ["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]
