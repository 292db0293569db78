"""RandomErasing: replace a random box of each image by a constant or by noise.

Also here, shared with the other Keras 3 augmentations that apply to a random subset of a
batch (RandomPerspective, RandomGaussianBlur, RandomElasticTransform) and with CutMix's
boxes: :func:`unit_range`, :func:`draw_apply_mask`, :func:`crop_bounds`, :func:`box_mask`.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, normal, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import (
    seed_argument,
    value_range_argument,
)


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))


def unit_range(label: str, name: str, value: Any) -> tuple[float, float]:
    """Keras's ``[0, 1]`` factor: a number ``f`` in [0, 1] gives ``(0, f)``; a pair is kept
    sorted (Keras rejects it only when ``pair[0] > 1`` or ``pair[1] < 0``)."""
    message = (f"{label}: `{name}` must be a number in [0, 1] or a pair of numbers. "
               f"Received: {name}={value!r}")
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or not all(_is_number(v) for v in value):
            raise ValueError(message)
        if value[0] > 1 or value[1] < 0:
            raise ValueError(message)
        lower, upper = sorted(float(v) for v in value)
        return lower, upper
    if not _is_number(value) or not 0 <= value <= 1:
        raise ValueError(message)
    return 0.0, float(value)


def draw_apply_mask(batch: int, factor: tuple[float, float],
                    generator: SeedGenerator) -> Tensor:
    """``(batch,)`` booleans: whether each image is augmented. As Keras: a probability is
    drawn in ``factor``, then a threshold in [0, 1); the image is augmented when the
    threshold is below the probability (``factor=(1, 1)``: always, ``0``: never)."""
    probability = uniform((batch,), factor[0], factor[1], dtype="float32", seed=generator)
    threshold = uniform((batch,), 0.0, 1.0, dtype="float32", seed=generator)
    return ops.less(ops.convert_to_tensor(threshold), ops.convert_to_tensor(probability))


def crop_bounds(batch: int, length: int, ratio: Tensor, generator: SeedGenerator,
                dtype: str = "float32") -> tuple[Tensor, Tensor]:
    """``(start, end)`` of a random segment of ``ratio * length`` inside ``[0, length]``."""
    crop = ops.cast(ratio * float(length), dtype)
    start = ops.convert_to_tensor(uniform((batch,), 0.0, 1.0, dtype=dtype, seed=generator))
    start = start * (float(length) - crop)
    return start, start + crop


def box_mask(height: int, width: int, x0: Tensor, x1: Tensor, y0: Tensor, y1: Tensor,
             data_format: str, dtype: str = "float32") -> Tensor:
    """Boolean ``(N, H, W, 1)`` (or ``(N, 1, H, W)``): pixel ``(x, y)`` lies in the box
    ``x0 <= x < x1, y0 <= y < y1`` of its image (float bounds, as Keras compares them)."""
    xs = ops.reshape(ops.arange(width, dtype=dtype), (1, 1, width))
    ys = ops.reshape(ops.arange(height, dtype=dtype), (1, height, 1))
    x0, x1, y0, y1 = (ops.reshape(v, (-1, 1, 1)) for v in (x0, x1, y0, y1))
    inside = ops.logical_and(
        ops.logical_and(ops.greater_equal(xs, x0), ops.less(xs, x1)),
        ops.logical_and(ops.greater_equal(ys, y0), ops.less(ys, y1)))
    return ops.expand_dims(inside, 1 if data_format == "channels_first" else -1)


class RandomErasing(Layer):
    """Erase a random box of each image during training (Keras 3's RandomErasing).

    Per image, a box of width ``sqrt(s_x) * W`` and height ``sqrt(s_y) * H`` (``s_x, s_y``
    drawn in ``scale``) is placed uniformly inside the image and filled with ``fill_value``
    (or, when it is None, with normal noise times ``value_range[1]``), clipped to
    ``value_range``. Each image is erased with a probability drawn in ``factor``. With
    ``training=False`` the layer is the identity (inputs cast to the layer's dtype).

    Args:
        factor: the erasing probability: a number ``f`` in [0, 1] (drawn in ``(0, f)``) or
            a pair ``(min, max)``. Default 1.0.
        scale: the range of each side's area fraction ``s``; a number or a pair as for
            ``factor``. Default ``(0.02, 0.33)``.
        fill_value: None (normal noise), a number, or three numbers (one per channel).
        value_range: ``(low, high)`` of the images; fills are clipped to it.
        seed: an int for a reproducible stream of boxes, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomErasing(factor=1.0, scale=(0.1, 0.2), fill_value=0.0, seed=1)
        y = layer(images, training=True)   # each image has a black box
    """

    def __init__(self, factor: Any = 1.0, scale: Any = (0.02, 0.33), fill_value: Any = None,
                 value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomErasing '{self.name}'"
        self.factor = unit_range(label, "factor", factor)
        self.scale = unit_range(label, "scale", scale)
        if not (fill_value is None or _is_number(fill_value) or (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3
                and all(_is_number(v) for v in fill_value))):
            raise ValueError(f"{label}: `fill_value` must be None, a number or three "
                             f"numbers. Received: fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = value_range_argument(label, value_range)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format,
                                      f"RandomErasing '{self.name}'")
        if not training:
            return images
        input_shape = tuple(images.shape)
        unbatched = images.ndim == 3
        if unbatched:
            images = ops.expand_dims(images, 0)
            h_axis, w_axis = h_axis + 1, w_axis + 1
        batch, height, width = images.shape[0], images.shape[h_axis], images.shape[w_axis]
        sides = ops.sqrt(ops.convert_to_tensor(uniform(
            (batch, 2), self.scale[0], self.scale[1], dtype=self.compute_dtype,
            seed=self.generator)))
        x0, x1 = crop_bounds(batch, width, sides[:, 0], self.generator, self.compute_dtype)
        y0, y1 = crop_bounds(batch, height, sides[:, 1], self.generator, self.compute_dtype)
        mask = box_mask(height, width, x0, x1, y0, y1, self.data_format, self.compute_dtype)
        apply = ops.reshape(draw_apply_mask(batch, self.factor, self.generator),
                            (-1, 1, 1, 1))
        fill = self._fill(images, input_shape)
        outputs = ops.where(ops.logical_and(mask, apply), fill, images)
        return ops.reshape(outputs, input_shape) if unbatched else outputs

    def _fill(self, images: Tensor, input_shape: tuple) -> Tensor:
        low, high = (float(v) for v in self.value_range)
        if self.fill_value is None:
            noise = normal(input_shape, dtype=self.compute_dtype, seed=self.generator)
            fill = ops.reshape(ops.convert_to_tensor(noise), images.shape) * high
        elif isinstance(self.fill_value, (tuple, list)):
            # one value per channel, on the channel axis of either data format
            shape = (1, 3, 1, 1) if self.data_format == "channels_first" else (1, 1, 1, 3)
            fill = ops.reshape(ops.convert_to_tensor(
                [float(v) for v in self.fill_value], dtype=self.compute_dtype), shape)
        else:
            fill = ops.full((1, 1, 1, 1), float(self.fill_value), dtype=self.compute_dtype)
        return ops.clip(fill, low, high)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomErasing", "box_mask", "crop_bounds", "draw_apply_mask", "unit_range"]
