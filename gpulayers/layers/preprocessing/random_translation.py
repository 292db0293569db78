"""RandomTranslation: shift each image by a random offset during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.affine_transform import (
    affine_transform,
    fill_and_interpolation,
    symmetric_factor,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import seed_argument


class RandomTranslation(Layer):
    """Translate each image by a random offset during training (Keras 3 semantics).

    Per image, a vertical shift ``dy = u * height`` and a horizontal shift
    ``dx = v * width`` are drawn with ``u`` uniform in the height range and ``v`` in the
    width range; output pixel ``(x, y)`` samples the input at ``(x - dx, y - dy)`` (positive
    values move the content down / right). Each factor is a number ``f`` (giving
    ``(-|f|, |f|)``) or a sorted pair, within ``[-1, 1]``; ``(0.2, 0.2)`` always shifts by
    20%. With ``training=False`` the layer is the identity (inputs cast to the layer's
    dtype).

    Args:
        height_factor: vertical range, as a fraction of the height (see above).
        width_factor: horizontal range, as a fraction of the width.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for a reproducible stream of shifts, or None.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomTranslation(0.1, 0.1, fill_mode="constant", seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomTranslation '{self.name}'"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = symmetric_factor(
            label, "height_factor", height_factor)
        self.width_lower, self.width_upper = symmetric_factor(
            label, "width_factor", width_factor)
        fill_and_interpolation(label, fill_mode, interpolation)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        label = f"RandomTranslation '{self.name}'"
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, label)
        if not training:
            return images
        batch = 1 if images.ndim == 3 else images.shape[0]
        dy = ops.convert_to_tensor(uniform((batch,), self.height_lower, self.height_upper,
                                           dtype="float32", seed=self.generator))
        dx = ops.convert_to_tensor(uniform((batch,), self.width_lower, self.width_upper,
                                           dtype="float32", seed=self.generator))
        dy, dx = dy * float(images.shape[h_axis]), dx * float(images.shape[w_axis])
        ones, zeros = ops.ones_like(dx), ops.zeros_like(dx)
        transforms = ops.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)
        return affine_transform(images, transforms, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format, label)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}


__all__ = ["RandomTranslation"]
