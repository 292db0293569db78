"""The affine transform of bounding boxes (Keras 3's
``keras.utils.bounding_boxes.affine_transform``).

The four corners of every ``xyxy`` box go through the forward version of the affine map that
the random affine layers apply to images (rotation, translation, scale and shear about a
centre), and the result is the axis-aligned box around them.
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor


def _inverse_affine_matrix(center_x: Any, center_y: Any, angle: Tensor, translate_x: Any,
                           translate_y: Any, scale: Any, shear_x: Any, shear_y: Any,
                           height: Any, width: Any) -> Tensor:
    """``(B, 2, 3)`` point maps, written as torchvision's inverse affine matrix with every
    parameter negated (so it maps input points to output points, as Keras builds it)."""
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    rot = angle * (math.pi / 180.0)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    sx, sy = shear_x * (math.pi / 180.0), shear_y * (math.pi / 180.0)
    cos_sy, tan_sx = ops.cos(sy), ops.tan(sx)
    a = ops.cos(rot - sy) / cos_sy
    b = a * tan_sx + ops.sin(rot)
    c = -ops.sin(rot - sy) / cos_sy
    d = ops.cos(rot) - c * tan_sx
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    rows = [ops.stack([a0, a1, a2], axis=-1), ops.stack([b0, b1, b2], axis=-1)]
    return ops.stack(rows, axis=1)


def affine_transform(boxes: Any, angle: Any, translate_x: Any, translate_y: Any, scale: Any,
                     shear_x: Any, shear_y: Any, height: Any, width: Any,
                     center_x: Any = None, center_y: Any = None,
                     bounding_box_format: str = "xyxy") -> Tensor:
    """Move ``(B, N, 4)`` ``xyxy`` boxes with per-image affine parameters (each ``(B,)``).

    Args:
        boxes: ``(B, N, 4)`` boxes in pixels.
        angle: rotation in degrees; translate_x, translate_y: fractions of ``width - 1`` and
            ``height - 1``; scale: zoom factor; shear_x, shear_y: shear angles in degrees.
        height, width: the image size.
        center_x, center_y: the centre as fractions of the size (default 0.5).
        bounding_box_format: only ``"xyxy"`` (as in Keras).

    Returns:
        ``(B, N, 4)`` boxes enclosing the transformed corners (not clipped).
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError("affine_transform supports 'xyxy' boxes only")
    center_x = 0.5 if center_x is None else center_x
    center_y = 0.5 if center_y is None else center_y
    angle = ops.convert_to_tensor(angle)
    matrix = _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale,
                                    shear_x, shear_y, height, width)
    boxes = ops.cast(ops.convert_to_tensor(boxes), matrix.dtype)
    x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
    xs = ops.stack([x1, x2, x2, x1], axis=-1)                       # (B, N, 4 corners)
    ys = ops.stack([y1, y1, y2, y2], axis=-1)
    corners = ops.stack([xs, ys, ops.ones_like(xs)], axis=-1)       # (B, N, 4, 3)
    moved = ops.einsum("bnkj,bij->bnki", corners, matrix)          # (B, N, 4, 2)
    return ops.concatenate([ops.amin(moved, axis=2), ops.amax(moved, axis=2)], axis=-1)


__all__ = ["affine_transform"]
