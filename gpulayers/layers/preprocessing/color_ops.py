"""Colour machinery shared by the colour augmentation layers, built from ``gpulayers.ops``.

* :func:`rgb_to_grayscale`, :func:`rgb_to_hsv` and :func:`hsv_to_rgb` (Keras 3's
  ``keras.ops.image`` formulas) live in :mod:`gpulayers.ops.color_space` and are re-exported.
* :func:`blend` moves images towards a degenerate version (``x + f * (d - x)``).
* :func:`channel_histograms` counts, per image and channel, how many pixels fall in each bin.
* :func:`base_factor` reads a ``factor`` argument as Keras's image layers do.
* the layers' common ``call`` is :class:`BaseImagePreprocessingLayer`
  (``base_image_preprocessing_layer.py``).
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.ops.color_space import (
    GRAYSCALE_WEIGHTS,
    channel_axis,
    hsv_to_rgb,
    rgb_to_grayscale,
    rgb_to_hsv,
)


def check_channels(label: str, images: Any, data_format: str, allowed: tuple[int, ...]) -> None:
    """ValueError naming the layer unless the channel count is one of ``allowed``."""
    channels = images.shape[channel_axis(len(images.shape), data_format)]
    if channels not in allowed:
        expected = " or ".join(str(n) for n in allowed)
        raise ValueError(f"{label}: expected images with {expected} channels "
                         f"({data_format}). Received an input of shape {tuple(images.shape)}")


def replace_channel(images: Tensor, index: int, channel: Tensor, data_format: str) -> Tensor:
    """``images`` with channel ``index`` (of three) replaced by ``channel``."""
    axis = channel_axis(images.ndim, data_format)
    planes = ops.unstack(images, axis=axis)
    planes[index] = channel
    return ops.stack(planes, axis=axis)


def channel(images: Tensor, index: int, data_format: str) -> Tensor:
    """Channel ``index`` of ``images`` without its channel axis."""
    return ops.unstack(images, axis=channel_axis(images.ndim, data_format))[index]


def blend(images: Tensor, degenerate: Tensor, factor: Any) -> Tensor:
    """``images + factor * (degenerate - images)``: 0 keeps the image, 1 gives ``degenerate``,
    values outside [0, 1] extrapolate."""
    return images + factor * (degenerate - images)


def transform_value_range(images: Tensor, source: Any, target: Any) -> Tensor:
    """Map values linearly from ``source = (low, high)`` to ``target`` (as is when equal)."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    unit = (images - float(source[0])) / (float(source[1]) - float(source[0]))
    return unit * (float(target[1]) - float(target[0])) + float(target[0])


def channel_histograms(indices: Tensor, bins: int) -> Tensor:
    """Per image and channel bin counts: ``(N, C, P)`` integer bin indices in ``[0, bins)``
    -> ``(N, C, bins)`` float counts (``P`` pixels each)."""
    count, channels, pixels = indices.shape
    image_index = ops.broadcast_to(ops.reshape(ops.arange(count, dtype="int32"),
                                               (count, 1, 1)), indices.shape)
    channel_index = ops.broadcast_to(ops.reshape(ops.arange(channels, dtype="int32"),
                                                 (1, channels, 1)), indices.shape)
    rows = ops.reshape(ops.stack([image_index, channel_index, ops.cast(indices, "int32")],
                                 axis=-1), (-1, 3))
    ones = ops.ones((count * channels * pixels,), dtype="float32")
    return ops.scatter(rows, ones, (count, channels, bins))


def base_factor(label: str, factor: Any, bounds: tuple[float, float],
                name: str = "factor") -> tuple[float, float]:
    """``(lower, upper)`` as Keras's ``_set_factor``: a number ``f`` within ``bounds`` gives
    ``(max(-|f|, bounds[0]), |f|)``; a pair is kept sorted (rejected only when its first
    value exceeds the upper bound or its second lies below the lower one)."""
    message = (f"{label}: `{name}` must be a number (or a list of two numbers) in the range "
               f"[{bounds[0]}, {bounds[1]}]. Received: {name}={factor!r}")

    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(number(v) for v in factor):
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if not number(factor) or factor < bounds[0] or factor > bounds[1]:
        raise ValueError(message)
    return max(-abs(factor), bounds[0]), abs(factor)


def image_count(images: Any) -> int:
    """1 for a rank-3 image, the batch size for a rank-4 batch."""
    return 1 if len(images.shape) == 3 else images.shape[0]


__all__ = ["GRAYSCALE_WEIGHTS", "base_factor", "blend", "channel",
           "channel_axis", "channel_histograms", "check_channels", "hsv_to_rgb",
           "image_count", "replace_channel", "rgb_to_grayscale", "rgb_to_hsv",
           "transform_value_range"]
