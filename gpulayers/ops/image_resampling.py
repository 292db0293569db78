"""Image geometry on tensors, shared by ``gpulayers.ops.image`` and the image layers: the
spatial axes of an image batch, crops and resizing.

Resizing follows Keras 3 / TF ``resize`` with half-pixel centers and no antialiasing:
bilinear samples source position ``(i + 0.5) * in / out - 0.5`` (clamped at 0) and blends
its two neighbours; nearest takes ``floor((i + 0.5) * in / out)``.
"""

from __future__ import annotations

import math
from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor

__all__ = ["INTERPOLATIONS", "aspect_ratio_crop_box", "crop", "resize", "spatial_axes"]

INTERPOLATIONS = ("bilinear", "nearest")

_INT_RANGES = {"uint8": (0, 255), "int8": (-128, 127), "uint16": (0, 65535),
               "int16": (-32768, 32767), "int32": (-2**31, 2**31 - 1),
               "uint32": (0, 2**32 - 1), "int64": (-2**63, 2**63 - 1)}


def spatial_axes(ndim: int, data_format: str, layer_name: str) -> tuple[int, int]:
    """The (height, width) axes of a rank-3 image or rank-4 batch, as non-negative ints."""
    if ndim not in (3, 4):
        raise ValueError(f"{layer_name}: expected a rank-3 image or a rank-4 batch of "
                         f"images. Received an input of rank {ndim}")
    offset = ndim - 3
    if data_format == "channels_first":
        return offset + 1, offset + 2
    return offset, offset + 1


def crop(images: Tensor, h_axis: int, w_axis: int, h_start: int, w_start: int,
         height: int, width: int) -> Tensor:
    """``images[..., h_start:h_start + height, w_start:w_start + width, ...]``."""
    key: list[Any] = [slice(None)] * images.ndim
    key[h_axis] = slice(h_start, h_start + height)
    key[w_axis] = slice(w_start, w_start + width)
    return images[tuple(key)]


def aspect_ratio_crop_box(height: int, width: int, target_height: int,
                          target_width: int) -> tuple[int, int, int, int]:
    """The largest centered box of the target aspect ratio: (h_start, w_start, h, w)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return (int(float(height - crop_height) / 2), int(float(width - crop_width) / 2),
            crop_height, crop_width)


def resize(images: Tensor, height: int, width: int, interpolation: str, data_format: str,
           crop_to_aspect_ratio: bool = False, layer_name: str = "resize") -> Tensor:
    """Resize a rank-3 image or rank-4 batch to ``(height, width)``.

    Integer images are resized in float32, rounded and saturated back to their dtype.
    """
    h_axis, w_axis = spatial_axes(images.ndim, data_format, layer_name)
    if crop_to_aspect_ratio:
        h_start, w_start, crop_h, crop_w = aspect_ratio_crop_box(
            images.shape[h_axis], images.shape[w_axis], height, width)
        images = crop(images, h_axis, w_axis, h_start, w_start, crop_h, crop_w)
    dtype = images.dtype
    is_float = "float" in dtype
    work = images if dtype in ("float32", "float64") else _math.cast(images, "float32")
    for axis, size in ((h_axis, height), (w_axis, width)):
        work = _resize_axis(work, axis, size, interpolation)
    if is_float:
        return _math.cast(work, dtype) if work.dtype != dtype else work
    low, high = _INT_RANGES.get(dtype, (None, None))
    work = _math.round(work)
    if low is not None:
        work = _math.clip(work, float(low), float(high))
    return _math.cast(work, dtype)


def _resize_axis(x: Tensor, axis: int, size: int, interpolation: str) -> Tensor:
    length = x.shape[axis]
    if length == size:
        return x
    scale = length / size
    if interpolation == "nearest":
        index = [min(int(math.floor((i + 0.5) * scale)), length - 1) for i in range(size)]
        return _shape.take(x, index, axis=axis)
    lower, upper, fraction = [], [], []
    for i in range(size):
        source = max((i + 0.5) * scale - 0.5, 0.0)
        base = min(int(math.floor(source)), length - 1)
        lower.append(base)
        upper.append(min(base + 1, length - 1))
        fraction.append(source - base)
    weight_shape = [1] * x.ndim
    weight_shape[axis] = size
    weight = _shape.reshape(_math.convert_to_tensor(fraction, dtype=x.dtype), weight_shape)
    below = _shape.take(x, lower, axis=axis)
    above = _shape.take(x, upper, axis=axis)
    return below + (above - below) * weight
