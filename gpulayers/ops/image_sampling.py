"""Sampling images at arbitrary points: the machinery behind ``keras.ops.image``'s
``map_coordinates``, ``affine_transform``, ``perspective_transform`` and
``elastic_transform``, and the RandomTranslation / RandomRotation / RandomZoom /
RandomPerspective / RandomElasticTransform layers.

An *affine transform* is an 8-vector ``[a0, a1, a2, b0, b1, b2, c0, c1]`` that maps an
*output* pixel ``(x, y)`` to the *input* point ``((a0 x + a1 y + a2) / k,
(b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1`` (for affine transforms
``c0 = c1 = 0`` and ``k = 1``). The input is sampled there with ``"nearest"`` (round half
to even) or ``"bilinear"`` interpolation (``order`` 0 or 1); neighbours outside the image
are read according to ``fill_mode``:

* ``"reflect"``: ``d c b a | a b c d | d c b a`` (reflection about the edge);
* ``"mirror"``: ``c d c b | a b c d | c b a b`` (reflection about the edge pixel);
* ``"wrap"``: ``a b c d | a b c d | a b c d``;
* ``"nearest"``: ``a a a a | a b c d | d d d d``;
* ``"constant"``: ``k k k k | a b c d | k k k k`` with ``k = fill_value``.

Everything is built from differentiable ops: gradients reach the images and, through the
interpolation weights, the sample coordinates.
"""

from __future__ import annotations

import itertools
from typing import Any

import gpulayers.ops.math as _math
import gpulayers.ops.shape as _shape
from gpulayers.autodiff import Tensor
from gpulayers.ops.image_resampling import spatial_axes

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
MAP_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")

_INT_RANGES = {"uint8": (0, 255), "int8": (-128, 127), "uint16": (0, 65535),
               "int16": (-32768, 32767), "int32": (-2**31, 2**31 - 1)}


def fill_and_interpolation(label: str, fill_mode: Any, interpolation: Any,
                           fill_modes: tuple[str, ...] = FILL_MODES) -> None:
    """Raise ValueError (naming ``label``) for an unknown fill mode or interpolation."""
    if fill_mode not in fill_modes:
        raise ValueError(f"{label}: unknown `fill_mode` {fill_mode!r}. Expected one of "
                         f"{fill_modes}.")
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"{label}: unknown `interpolation` {interpolation!r}. Expected "
                         f"one of {AFFINE_INTERPOLATIONS}.")


def affine_transform(images: Tensor, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0,
                     data_format: str = "channels_last",
                     label: str = "affine_transform",
                     fill_modes: tuple[str, ...] = FILL_MODES) -> Tensor:
    """Apply one transform per image (``transform`` of shape ``(8,)`` or ``(N, 8)``) to a
    rank-3 image or rank-4 batch; the output has the input's shape and dtype (integer
    images are rounded and saturated back)."""
    fill_and_interpolation(label, fill_mode, interpolation, fill_modes)
    images = _math.convert_to_tensor(images)
    spatial_axes(images.ndim, data_format, label)
    transform = _math.convert_to_tensor(transform)
    if "float" not in transform.dtype:
        transform = _math.cast(transform, "float32")
    if transform.ndim == 1:
        transform = _shape.reshape(transform, (1, -1))
    if transform.ndim != 2 or transform.shape[1] != 8:
        raise ValueError(f"{label}: `transform` must have shape (8,) or (N, 8). "
                         f"Received shape {tuple(transform.shape)}")
    unbatched = images.ndim == 3
    if unbatched:
        images = _shape.expand_dims(images, 0)
    if data_format == "channels_first":
        images = _shape.transpose(images, (0, 2, 3, 1))
    batch, height, width, _ = images.shape
    if transform.shape[0] not in (1, batch):
        raise ValueError(f"{label}: got {transform.shape[0]} transforms for a batch of "
                         f"{batch} images")
    input_dtype = images.dtype
    work_dtype = "float64" if input_dtype == "float64" else "float32"

    a0, a1, a2, b0, b1, b2, c0, c1 = (
        _shape.reshape(_math.cast(transform[:, i], work_dtype), (-1, 1, 1)) for i in range(8))
    ys = _shape.reshape(_math.arange(height, dtype=work_dtype), (1, height, 1))
    xs = _shape.reshape(_math.arange(width, dtype=work_dtype), (1, 1, width))
    k = c0 * xs + c1 * ys + 1.0
    x_in = _shape.broadcast_to((a0 * xs + a1 * ys + a2) / k, (batch, height, width))
    y_in = _shape.broadcast_to((b0 * xs + b1 * ys + b2) / k, (batch, height, width))
    output = sample_images(_math.cast(images, work_dtype), x_in, y_in, interpolation,
                           fill_mode, fill_value)
    if data_format == "channels_first":
        output = _shape.transpose(output, (0, 3, 1, 2))
    if unbatched:
        output = _shape.reshape(output, output.shape[1:])
    return restore_dtype(output, input_dtype)


def restore_dtype(output: Tensor, dtype: str) -> Tensor:
    """Cast a float result back to ``dtype``; integers are rounded and saturated first."""
    if "float" not in dtype:
        output = _math.round(output)
        if dtype in _INT_RANGES:
            output = _math.clip(output, *(float(v) for v in _INT_RANGES[dtype]))
    return _math.cast(output, dtype) if output.dtype != dtype else output


def sample_images(images: Tensor, x_in: Tensor, y_in: Tensor, interpolation: str,
                  fill_mode: str, fill_value: float) -> Tensor:
    """Sample a float ``(N, H, W, C)`` batch at the input points ``(x_in, y_in)`` (each
    ``(N, H', W')``): ``output[n, i, j] = images[n, y_in[n, i, j], x_in[n, i, j]]`` with
    ``interpolation`` between pixels and ``fill_mode`` outside the image (Keras's
    ``map_coordinates`` per image and channel)."""
    batch, height, width, channels = images.shape
    out_height, out_width = x_in.shape[1], x_in.shape[2]
    points = out_height * out_width
    flat = _shape.reshape(images, (batch, height * width, channels))
    result = None
    for y_index, y_weight in _nodes(y_in, interpolation):
        for x_index, x_weight in _nodes(x_in, interpolation):
            source = (_fix_index(y_index, height, fill_mode) * width
                      + _fix_index(x_index, width, fill_mode))
            source = _shape.reshape(_math.cast(source, "int64"), (batch, points, 1))
            source = _shape.broadcast_to(source, (batch, points, channels))
            values = _shape.take_along_axis(flat, source, axis=1)
            if fill_mode == "constant":
                inside = _math.logical_and(_inside(y_index, height), _inside(x_index, width))
                inside = _shape.reshape(inside, (batch, points, 1))
                values = _shape.where(inside, values, _math.full_like(values, fill_value))
            weight = None if y_weight is None else _shape.reshape(
                y_weight * x_weight, (batch, points, 1))
            term = values if weight is None else values * weight
            result = term if result is None else result + term
    return _shape.reshape(result, (batch, out_height, out_width, channels))


def map_coordinates(inputs: Tensor, coordinates: list[Tensor], order: int,
                    fill_mode: str = "constant", fill_value: float = 0.0) -> Tensor:
    """Sample an N-d array at the points ``coordinates`` (one float tensor per input axis,
    all of one shape S); returns an array of shape S: linear (``order=1``) or nearest
    (``order=0``) interpolation, ``fill_mode`` beyond the edges. Float work, result in
    ``inputs``' dtype (integers rounded)."""
    dtype = inputs.dtype
    work = inputs if "float" in dtype else _math.cast(inputs, "float32")
    flat = _shape.reshape(work, (-1,))
    sizes = inputs.shape
    strides = [int(_math_prod(sizes[axis + 1:])) for axis in range(len(sizes))]
    interpolation = "nearest" if order == 0 else "bilinear"
    per_axis = [_nodes(coordinate, interpolation) for coordinate in coordinates]
    result = None
    for combination in itertools.product(*per_axis):
        source, inside, weight = None, None, None
        for axis, (index, node_weight) in enumerate(combination):
            offset = _fix_index(index, sizes[axis], fill_mode) * float(strides[axis])
            source = offset if source is None else source + offset
            if fill_mode == "constant":
                valid = _inside(index, sizes[axis])
                inside = valid if inside is None else _math.logical_and(inside, valid)
            if node_weight is not None:
                weight = node_weight if weight is None else weight * node_weight
        values = _shape.take(flat, _math.cast(source, "int64"))
        if inside is not None:
            values = _shape.where(inside, values, _math.full_like(values, fill_value))
        term = values if weight is None else values * _math.cast(weight, values.dtype)
        result = term if result is None else result + term
    return restore_dtype(result, dtype)


def _math_prod(values: Any) -> int:
    product = 1
    for value in values:
        product *= int(value)
    return product


def _inside(index: Tensor, size: int) -> Tensor:
    return _math.logical_and(_math.greater_equal(index, 0.0), _math.less(index, float(size)))


def _nodes(coordinate: Tensor, interpolation: str) -> list[tuple[Tensor, Any]]:
    """Integer-valued (float) sample positions with their weights (None: weight 1)."""
    if interpolation == "nearest":
        return [(_math.round(coordinate), None)]
    lower = _math.floor(coordinate)
    upper_weight = coordinate - lower
    return [(lower, 1.0 - upper_weight), (lower + 1.0, upper_weight)]


def _fix_index(index: Tensor, size: int, fill_mode: str) -> Tensor:
    """An integer-valued position mapped into ``[0, size)`` according to ``fill_mode``."""
    if fill_mode == "wrap":
        return _math.mod(index, float(size))
    if fill_mode == "mirror":
        if size == 1:
            return _math.zeros_like(index)
        period = float(2 * (size - 1))
        return _math.abs(_math.mod(index + (size - 1), period) - (size - 1))
    if fill_mode == "reflect":
        folded = _math.mod(index, float(2 * size))
        return _shape.where(_math.greater_equal(folded, float(size)),
                            float(2 * size - 1) - folded, folded)
    return _math.clip(index, 0.0, float(size - 1))


__all__ = ["AFFINE_INTERPOLATIONS", "FILL_MODES", "MAP_FILL_MODES", "affine_transform",
           "fill_and_interpolation", "map_coordinates", "restore_dtype", "sample_images"]
