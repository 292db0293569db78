"""Warps built on :mod:`gpulayers.ops.image_sampling`: projective transforms from point
correspondences (``keras.ops.image.perspective_transform``, RandomPerspective) and the
elastic displacement field (``keras.ops.image.elastic_transform``,
RandomElasticTransform).

Example::

    transforms = homography_transforms(start_points, end_points)   # (N, 8)
    warped = image_sampling.affine_transform(images, transforms)
"""

from __future__ import annotations

from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor
from gpulayers.ops.gaussian_filter import gaussian_blur
from gpulayers.ops.image_sampling import sample_images
from gpulayers.ops.linear_solvers import solve

__all__ = ["corner_shift_transforms", "elastic_transform", "homography_transforms"]


def homography_transforms(start_points: Any, end_points: Any) -> Tensor:
    """``(N, 8)`` projective transforms taking each ``end_points[n]`` (4 ``(x, y)`` points)
    to ``start_points[n]``: the transform that, applied to an image, moves the start points
    to the end points (Keras's ``compute_homography_matrix``; the 8x8 system is solved in
    at least float32)."""
    start = _math.convert_to_tensor(start_points)
    end = _math.convert_to_tensor(end_points)
    dtype = "float64" if "float64" in (start.dtype, end.dtype) else "float32"
    start, end = _math.cast(start, dtype), _math.cast(end, dtype)
    rows = []
    for i in range(4):
        x, y = end[:, i, 0], end[:, i, 1]
        sx, sy = start[:, i, 0], start[:, i, 1]
        one, zero = _math.ones_like(x), _math.zeros_like(x)
        rows.append(_shape.stack([x, y, one, zero, zero, zero, -sx * x, -sx * y], axis=-1))
        rows.append(_shape.stack([zero, zero, zero, x, y, one, -sy * x, -sy * y], axis=-1))
    matrix = _shape.stack(rows, axis=1)
    target = _shape.reshape(start, (start.shape[0], 8))
    return solve(matrix, target)


def corner_shift_transforms(shifts: Any, height: int, width: int) -> Tensor:
    """``(N, 8)`` projective transforms for corners moved by relative ``shifts`` ``(N, 4, 2)``.

    The corners ``(0, 0), (W-1, 0), (0, H-1), (W-1, H-1)`` (as ``(x, y)``) move to
    ``corner * (1 + shift)``; the transform maps each *output* pixel back to the input
    point, so the moved corners sample the original ones (Keras's
    ``compute_homography_matrix(start, end)``). It is found in closed form: the map from
    the unit square to the moved quadrilateral (Heckbert), inverted through its adjugate,
    then scaled to the image.
    """
    shifts = _math.cast(_math.convert_to_tensor(shifts), "float64")
    w, h = float(width - 1), float(height - 1)
    corners = _math.convert_to_tensor([[0.0, 0.0], [w, 0.0], [0.0, h], [w, h]],
                                      dtype="float64")
    end = corners + corners * shifts
    # unit-square corners (0,0), (1,0), (1,1), (0,1) -> end points 0, 1, 3, 2
    x0, x1, x2, x3 = end[:, 0, 0], end[:, 1, 0], end[:, 3, 0], end[:, 2, 0]
    y0, y1, y2, y3 = end[:, 0, 1], end[:, 1, 1], end[:, 3, 1], end[:, 2, 1]
    dx1, dx2, dx3 = x1 - x2, x3 - x2, x0 - x1 + x2 - x3
    dy1, dy2, dy3 = y1 - y2, y3 - y2, y0 - y1 + y2 - y3
    det = dx1 * dy2 - dx2 * dy1
    g = (dx3 * dy2 - dx2 * dy3) / det
    k = (dx1 * dy3 - dx3 * dy1) / det
    a, b, c = x1 - x0 + g * x1, x3 - x0 + k * x3, x0
    d, e, f = y1 - y0 + g * y1, y3 - y0 + k * y3, y0
    # adjugate of [[a, b, c], [d, e, f], [g, k, 1]]: the inverse up to scale
    inverse = [e - f * k, c * k - b, b * f - c * e,
               f * g - d, a - c * g, c * d - a * f,
               d * k - e * g, b * g - a * k, a * e - b * d]
    scales = (w, w, w, h, h, h, 1.0, 1.0)
    transform = _shape.stack([inverse[i] * scales[i] / inverse[8] for i in range(8)], axis=1)
    return _math.cast(transform, "float32")


def elastic_transform(images: Tensor, noise_x: Any, noise_y: Any, alpha: float,
                      sigma: float, interpolation: str = "bilinear",
                      fill_mode: str = "reflect", fill_value: float = 0.0,
                      data_format: str = "channels_last") -> Tensor:
    """Warp a float ``(N, H, W, C)`` batch (or channels_first) along a displacement field.

    Keras 3's ``ops.image.elastic_transform`` given its standard-normal draws ``noise_x``
    and ``noise_y`` (each ``(N, H, W)``): each field is ``sigma * noise`` blurred by a
    Gaussian of width ``sigma`` over ``int(6 * sigma) | 1`` taps, and output pixel
    ``(x, y)`` samples the input at ``(x + alpha * dx, y + alpha * dy)``.
    """
    taps = int(6 * sigma) | 1
    fields = []
    for noise in (noise_x, noise_y):
        field = _shape.expand_dims(_math.convert_to_tensor(noise, dtype=images.dtype) * sigma,
                                   -1)
        fields.append(gaussian_blur(field, (taps, taps), (sigma, sigma))[..., 0])
    if data_format == "channels_first":
        images = _shape.transpose(images, (0, 2, 3, 1))
    height, width = images.shape[1], images.shape[2]
    xs = _shape.reshape(_math.arange(width, dtype=images.dtype), (1, 1, width))
    ys = _shape.reshape(_math.arange(height, dtype=images.dtype), (1, height, 1))
    output = sample_images(images, xs + alpha * fields[0], ys + alpha * fields[1],
                           interpolation, fill_mode, fill_value)
    if data_format == "channels_first":
        return _shape.transpose(output, (0, 3, 1, 2))
    return output
