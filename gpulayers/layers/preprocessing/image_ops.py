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
           "image_shape_with", "resize", "size_argument", "spatial_axes"]
