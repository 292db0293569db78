"""Equalization: histogram-equalize every channel of every image."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    channel_histograms,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.random_contrast import value_range_argument


class Equalization(BaseImagePreprocessingLayer):
    """Histogram equalization of each channel of each image, as Keras 3 computes it.

    On the ``[0, 255]`` scale (mapped from ``value_range``), a channel's values are counted
    in ``bins`` equal bins; each value is replaced by ``round(255 * (cdf - cdf_min) /
    (n - cdf_min))`` of its bin (``cdf`` the cumulative count, ``cdf_min`` the count of the
    first non-empty bin, ``n`` the pixel count), then mapped back to ``value_range``.
    Channels whose values all fall in one bin are left as they are. As in Keras 3.15 the
    layer is applied when training and is the identity with ``training=False`` (called
    directly with no ``training`` argument it equalizes). Outputs are in the layer's dtype.

    Unlike Keras 3.15, which pools the histogram of a channel over the whole batch, each
    image gets its own histogram, so an image's result does not depend on the rest of its
    batch (the two agree for single images and batches of one).

    Args:
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``); sorted.
        bins: number of histogram bins, a positive int (default 256).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4, any number of
            channels.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = Equalization()
        y = layer(images)
    """

    channels = None

    def __init__(self, value_range: Any = (0, 255), bins: int = 256,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"Equalization '{self.name}'"
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise ValueError(f"{label}: `bins` must be a positive int. Received: "
                             f"bins={bins!r}")
        self.bins = bins
        self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.data_format = data_format_argument(label, data_format)

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        images = ops.cast(images, self.compute_dtype)
        if not training:
            return images
        if self.data_format == "channels_last":
            images = ops.transpose(images, (0, 3, 1, 2))
        count, channels, height, width = images.shape
        low, high = (float(v) for v in self.value_range)
        scale = 255.0 / (high - low)
        values = ops.reshape(images, (count, channels, height * width)) * scale - low * scale
        equalized = _equalize(values, self.bins)
        equalized = equalized * ((high - low) / 255.0) + low
        equalized = ops.reshape(ops.cast(equalized, self.compute_dtype),
                                (count, channels, height, width))
        if self.data_format == "channels_last":
            equalized = ops.transpose(equalized, (0, 2, 3, 1))
        return equalized

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


def _equalize(values: Tensor, bins: int) -> Tensor:
    """Equalize ``(N, C, P)`` values on the 0-255 scale, per image and channel."""
    values = ops.cast(values, "float32")
    # The bin of a value is computed twice, in two float orders, exactly as Keras does
    # (for the histogram, then for the lookup); they can differ at bin edges.
    histogram_bins = ops.clip(ops.cast(values * float(bins - 1) / 255.0, "int32"), 0,
                              bins - 1)
    histogram = channel_histograms(histogram_bins, bins)
    cdf = ops.cumsum(histogram, axis=-1)
    cdf_min = ops.min(ops.where(cdf > 0, cdf, float("inf")), axis=-1, keepdims=True)
    denominator = cdf[..., -1:] - cdf_min
    denominator = ops.where(denominator == 0, 1.0, denominator)
    table = ops.clip(ops.round((cdf - cdf_min) * 255.0 / denominator), 0.0, 255.0)
    lookup_bins = ops.cast(ops.clip((values / 255.0) * float(bins - 1), 0.0, bins - 1),
                           "int32")
    lookup = ops.take_along_axis(table, lookup_bins, axis=-1)
    used_bins = ops.sum(ops.cast(histogram > 0, "int32"), axis=-1, keepdims=True)
    return ops.where(used_bins <= 1, values, lookup)


__all__ = ["Equalization"]
