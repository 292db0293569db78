"""The affine-transform core shared by RandomTranslation, RandomRotation and RandomZoom.

:func:`affine_transform` and :func:`sample_images` are defined in
:mod:`gpulayers.ops.image_sampling` (Keras 3's ``ops.image.affine_transform``, described
there) and re-exported here.

Also here: the factor, fill-mode and interpolation argument checks of those layers, and
the rotation matrix Keras builds (``_compute_affine_matrix`` with no shear or scale).
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor

# The sampling machinery lives in the ops layer (keras.ops.image uses it too); re-exported
# here so the layers' imports keep working.
from gpulayers.ops.image_sampling import (
    AFFINE_INTERPOLATIONS,
    FILL_MODES,
    affine_transform,
    fill_and_interpolation,
    sample_images,
)


def symmetric_factor(label: str, name: str, factor: Any,
                     low: float = -1.0, low_inclusive: bool = True) -> tuple[float, float]:
    """``(lower, upper)`` from a number ``f`` (-> ``(-|f|, |f|)``) or a pair (sorted), each
    value within ``[low, 1]`` (``(low, 1]`` when not ``low_inclusive``), as Keras does."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{label}: `{name}` must be a number or a pair of numbers. "
                             f"Received: {name}={factor!r}")
        too_low = value < low if low_inclusive else value <= low
        if value > 1.0 or too_low:
            bracket = "[" if low_inclusive else "("
            raise ValueError(f"{label}: `{name}` values must lie in {bracket}{low}, 1.0]. "
                             f"Received: {name}={factor!r}")
        return float(value)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(f"{label}: `{name}` must be a number or a pair of numbers. "
                             f"Received: {name}={factor!r}")
        lower, upper = sorted(check(value) for value in factor)
        return lower, upper
    value = abs(check(factor))
    return -value, value


def rotation_transforms(angles_degrees: Any, height: int, width: int) -> Tensor:
    """``(N, 8)`` transforms rotating each image about its center by ``angles_degrees``."""
    angle = ops.convert_to_tensor(angles_degrees, dtype="float32") * (math.pi / 180.0)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = ops.cos(angle), ops.sin(angle)
    zeros = ops.zeros_like(angle)
    a2 = cx - cx * cos + cy * sin
    b2 = cy - cx * sin - cy * cos
    return ops.stack([cos, -sin, a2, sin, cos, b2, zeros, zeros], axis=1)


__all__ = ["AFFINE_INTERPOLATIONS", "FILL_MODES", "affine_transform",
           "fill_and_interpolation", "rotation_transforms", "sample_images",
           "symmetric_factor"]
