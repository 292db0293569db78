"""Colour-space conversions on tensors, shared by ``gpulayers.ops.image`` and the colour layers.

:func:`rgb_to_grayscale` (weights 0.2989, 0.587, 0.114), :func:`rgb_to_hsv` and
:func:`hsv_to_rgb` follow Keras 3's ``keras.ops.image`` (the dm_pix formulas): hue,
saturation and value all in ``[0, 1]`` for RGB in ``[0, 1]``; value keeps the RGB scale.
"""

from __future__ import annotations

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor

__all__ = ["GRAYSCALE_WEIGHTS", "channel_axis", "hsv_to_rgb", "rgb_to_grayscale", "rgb_to_hsv"]

GRAYSCALE_WEIGHTS = (0.2989, 0.587, 0.114)
_EPS = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23,
        "float64": 2.0 ** -52}


def channel_axis(ndim: int, data_format: str) -> int:
    """The channel axis of a rank-3 image or rank-4 batch (non-negative)."""
    return ndim - 3 if data_format == "channels_first" else ndim - 1


def rgb_to_grayscale(images: Tensor, data_format: str) -> Tensor:
    """Luma of RGB images with the channel axis kept (size 1); 1-channel images as they are.

    The luma is computed in floating point and cast back to the input dtype (integers
    truncate), as Keras does.
    """
    axis = channel_axis(images.ndim, data_format)
    if images.shape[axis] == 1:
        return images
    red, green, blue = _shape.unstack(images, axis=axis)
    work = "float32" if "float" not in images.dtype else images.dtype
    luma = sum(weight * _math.cast(plane, work)
               for weight, plane in zip(GRAYSCALE_WEIGHTS, (red, green, blue)))
    return _math.cast(_shape.expand_dims(luma, axis), images.dtype)


def rgb_to_hsv(images: Tensor, data_format: str) -> Tensor:
    """Float RGB images -> HSV (hue in [0, 1), saturation in [0, 1], value = max(R, G, B)).

    Example: ``rgb_to_hsv([[[1., 0.5, 0.]]], "channels_last") -> [[[1/12, 1., 1.]]]``.
    """
    axis = channel_axis(images.ndim, data_format)
    eps = _EPS.get(images.dtype, 2.0 ** -23)
    # Values within one ulp of zero count as zero, so near-black pixels get no hue.
    images = _shape.where(_math.abs(images) < eps, 0.0, images)
    red, green, blue = _shape.unstack(images, axis=axis)
    value = _math.maximum(_math.maximum(red, green), blue)
    spread = value - _math.minimum(_math.minimum(red, green), blue)
    safe_value = _shape.where(value > 0, value, 1.0)
    safe_spread = _shape.where(spread > 0, spread, 1.0)
    saturation = _shape.where(value > 0, spread / safe_value, 0.0)
    norm = 1.0 / (6.0 * safe_spread)
    hue = _shape.where(value == green, norm * (blue - red) + 2.0 / 6.0,
                    norm * (red - green) + 4.0 / 6.0)
    hue = _shape.where(value == red, norm * (green - blue), hue)
    wrapped = _math.cast(hue < 0.0, hue.dtype)
    hue = _shape.where(spread > 0, hue, 0.0) + wrapped
    return _shape.stack([hue, saturation, value], axis=axis)


def hsv_to_rgb(images: Tensor, data_format: str) -> Tensor:
    """Float HSV images -> RGB (the inverse of :func:`rgb_to_hsv`; hue taken modulo 1)."""
    axis = channel_axis(images.ndim, data_format)
    hue, saturation, value = _shape.unstack(images, axis=axis)
    sector = _math.mod(hue, 1.0) * 6.0
    red = _math.clip(_math.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = _math.clip(2.0 - _math.abs(sector - 2.0), 0.0, 1.0)
    blue = _math.clip(2.0 - _math.abs(sector - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    return _shape.stack([value * (grey + saturation * plane) for plane in (red, green, blue)],
                     axis=axis)
