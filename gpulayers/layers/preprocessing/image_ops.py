"""Image helpers shared by the image preprocessing layers: argument checks naming the layer,
plus the tensor geometry (spatial axes, crops, resizing) that lives in
:mod:`gpulayers.ops.image_resampling` (ops must not import layers) and is re-exported here.
"""

from __future__ import annotations

from typing import Any

from gpulayers.backend.config import standardize_data_format
from gpulayers.ops.image_resampling import (
    INTERPOLATIONS,
    aspect_ratio_crop_box,
    crop,
    resize,
    spatial_axes,
)


def seed_argument(label: str, seed: Any) -> int | None:
    """``seed`` checked: an int or None, else ValueError naming the layer."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"{label}: `seed` must be an int or None. Received: seed={seed!r}")
    return seed


def value_range_argument(label: str, value_range: Any) -> tuple[float, float]:
    """``value_range`` checked: a pair of numbers, else ValueError naming the layer."""
    if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float))
                   for v in value_range)):
        raise ValueError(f"{label}: `value_range` must be a pair of numbers. Received: "
                         f"value_range={value_range!r}")
    return tuple(value_range)


def data_format_argument(layer_name: str, data_format: str | None) -> str:
    """``data_format`` resolved (None -> global default) and checked, naming the layer."""
    try:
        return standardize_data_format(data_format)
    except ValueError as error:
        raise ValueError(f"{layer_name}: {error}") from None


def size_argument(layer_name: str, name: str, value: Any) -> int:
    """A positive int size (``height`` or ``width``), else ValueError naming the layer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{layer_name}: `{name}` must be a positive int. Received: "
                         f"{name}={value!r}")
    return value


def image_shape_with(input_shape: Any, height: int, width: int, data_format: str,
                     layer_name: str) -> tuple:
    """``input_shape`` with its spatial sizes replaced by ``height`` and ``width``."""
    shape = list(input_shape)
    h_axis, w_axis = spatial_axes(len(shape), data_format, layer_name)
    shape[h_axis], shape[w_axis] = height, width
    return tuple(shape)


__all__ = ["INTERPOLATIONS", "aspect_ratio_crop_box", "crop", "data_format_argument",
           "image_shape_with", "resize", "seed_argument", "size_argument", "spatial_axes",
           "value_range_argument"]
