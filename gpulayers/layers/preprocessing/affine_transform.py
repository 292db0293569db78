"""The affine-transform core shared by RandomTranslation, RandomRotation and RandomZoom.

:func:`affine_transform` follows Keras 3's ``ops.image.affine_transform``: each image has an
8-vector ``[a0, a1, a2, b0, b1, b2, c0, c1]`` that maps an *output* pixel ``(x, y)`` to the
*input* point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with
``k = c0 x + c1 y + 1`` (for affine transforms ``c0 = c1 = 0`` and ``k = 1``). The input is
sampled there with ``"nearest"`` (round half to even) or ``"bilinear"`` interpolation;
neighbours outside the image are read according to ``fill_mode``:

* ``"reflect"``: ``d c b a | a b c d | d c b a`` (reflection about the edge);
* ``"wrap"``: ``a b c d | a b c d | a b c d``;
* ``"nearest"``: ``a a a a | a b c d | d d d d``;
* ``"constant"``: ``k k k k | a b c d | k k k k`` with ``k = fill_value``.

Also here: the factor, fill-mode and interpolation argument checks of those layers, and
the rotation matrix Keras builds (``_compute_affine_matrix`` with no shear or scale).
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.preprocessing.image_ops import spatial_axes

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")

_INT_RANGES = {"uint8": (0, 255), "int8": (-128, 127), "uint16": (0, 65535),
               "int16": (-32768, 32767), "int32": (-2**31, 2**31 - 1)}


def fill_and_interpolation(label: str, fill_mode: Any, interpolation: Any) -> None:
    """Raise ValueError (naming ``label``) for an unknown fill mode or interpolation."""
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{label}: unknown `fill_mode` {fill_mode!r}. Expected one of "
                         f"{FILL_MODES}.")
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"{label}: unknown `interpolation` {interpolation!r}. Expected "
                         f"one of {AFFINE_INTERPOLATIONS}.")


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


def affine_transform(images: Tensor, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0,
                     data_format: str = "channels_last",
                     label: str = "affine_transform") -> Tensor:
    """Apply one transform per image (``transform`` of shape ``(8,)`` or ``(N, 8)``) to a
    rank-3 image or rank-4 batch; the output has the input's shape and dtype."""
    fill_and_interpolation(label, fill_mode, interpolation)
    images = ops.convert_to_tensor(images)
    spatial_axes(images.ndim, data_format, label)
    transform = ops.convert_to_tensor(transform, dtype="float32")
    if transform.ndim == 1:
        transform = ops.reshape(transform, (1, -1))
    if transform.ndim != 2 or transform.shape[1] != 8:
        raise ValueError(f"{label}: `transform` must have shape (8,) or (N, 8). "
                         f"Received shape {tuple(transform.shape)}")
    unbatched = images.ndim == 3
    if unbatched:
        images = ops.expand_dims(images, 0)
    if data_format == "channels_first":
        images = ops.transpose(images, (0, 2, 3, 1))
    batch, height, width, channels = images.shape
    if transform.shape[0] not in (1, batch):
        raise ValueError(f"{label}: got {transform.shape[0]} transforms for a batch of "
                         f"{batch} images")
    input_dtype = images.dtype
    work_dtype = "float64" if input_dtype == "float64" else "float32"

    a0, a1, a2, b0, b1, b2, c0, c1 = (
        ops.reshape(ops.cast(transform[:, i], work_dtype), (-1, 1, 1)) for i in range(8))
    ys = ops.reshape(ops.arange(height, dtype=work_dtype), (1, height, 1))
    xs = ops.reshape(ops.arange(width, dtype=work_dtype), (1, 1, width))
    k = c0 * xs + c1 * ys + 1.0
    x_in = ops.broadcast_to((a0 * xs + a1 * ys + a2) / k, (batch, height, width))
    y_in = ops.broadcast_to((b0 * xs + b1 * ys + b2) / k, (batch, height, width))
    output = sample_images(ops.cast(images, work_dtype), x_in, y_in, interpolation,
                           fill_mode, fill_value)
    if data_format == "channels_first":
        output = ops.transpose(output, (0, 3, 1, 2))
    if unbatched:
        output = ops.reshape(output, output.shape[1:])
    if "float" not in input_dtype:
        output = ops.round(output)
        if input_dtype in _INT_RANGES:
            output = ops.clip(output, *(float(v) for v in _INT_RANGES[input_dtype]))
    return ops.cast(output, input_dtype) if output.dtype != input_dtype else output


def sample_images(images: Tensor, x_in: Tensor, y_in: Tensor, interpolation: str,
                  fill_mode: str, fill_value: float) -> Tensor:
    """Sample a float ``(N, H, W, C)`` batch at the input points ``(x_in, y_in)`` (each
    ``(N, H', W')``): ``output[n, i, j] = images[n, y_in[n, i, j], x_in[n, i, j]]`` with
    ``interpolation`` between pixels and ``fill_mode`` outside the image (Keras's
    ``map_coordinates`` per image and channel). ``fill_mode`` may also be ``"mirror"``
    (``c d c b | a b c d | c b a b``), which only RandomElasticTransform accepts."""
    batch, height, width, channels = images.shape
    out_height, out_width = x_in.shape[1], x_in.shape[2]
    points = out_height * out_width
    flat = ops.reshape(images, (batch, height * width, channels))
    result = None
    for y_index, y_weight in _nodes(y_in, interpolation):
        for x_index, x_weight in _nodes(x_in, interpolation):
            source = (_fix_index(y_index, height, fill_mode) * width
                      + _fix_index(x_index, width, fill_mode))
            source = ops.reshape(ops.cast(source, "int64"), (batch, points, 1))
            source = ops.broadcast_to(source, (batch, points, channels))
            values = ops.take_along_axis(flat, source, axis=1)
            if fill_mode == "constant":
                inside = ops.logical_and(
                    ops.logical_and(ops.greater_equal(y_index, 0.0),
                                    ops.less(y_index, float(height))),
                    ops.logical_and(ops.greater_equal(x_index, 0.0),
                                    ops.less(x_index, float(width))))
                inside = ops.reshape(inside, (batch, points, 1))
                values = ops.where(inside, values, ops.full_like(values, fill_value))
            weight = None if y_weight is None else ops.reshape(
                y_weight * x_weight, (batch, points, 1))
            term = values if weight is None else values * weight
            result = term if result is None else result + term
    return ops.reshape(result, (batch, out_height, out_width, channels))


def _nodes(coordinate: Tensor, interpolation: str) -> list[tuple[Tensor, Any]]:
    """Integer-valued (float) sample positions with their weights (None: weight 1)."""
    if interpolation == "nearest":
        return [(ops.round(coordinate), None)]
    lower = ops.floor(coordinate)
    upper_weight = coordinate - lower
    return [(lower, 1.0 - upper_weight), (lower + 1.0, upper_weight)]


def _fix_index(index: Tensor, size: int, fill_mode: str) -> Tensor:
    """An integer-valued position mapped into ``[0, size)`` according to ``fill_mode``."""
    if fill_mode == "wrap":
        return ops.mod(index, float(size))
    if fill_mode == "mirror":
        if size == 1:
            return ops.zeros_like(index)
        period = float(2 * (size - 1))
        return ops.abs(ops.mod(index + (size - 1), period) - (size - 1))
    if fill_mode == "reflect":
        folded = ops.mod(index, float(2 * size))
        return ops.where(ops.greater_equal(folded, float(size)),
                         float(2 * size - 1) - folded, folded)
    return ops.clip(index, 0.0, float(size - 1))


__all__ = ["AFFINE_INTERPOLATIONS", "FILL_MODES", "affine_transform",
           "fill_and_interpolation", "rotation_transforms", "sample_images",
           "symmetric_factor"]
