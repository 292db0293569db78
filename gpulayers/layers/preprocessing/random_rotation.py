"""RandomRotation: rotate each image by a random angle during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.affine_transform import (
    affine_transform,
    fill_and_interpolation,
    rotation_transforms,
    symmetric_factor,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import (
    seed_argument,
    value_range_argument,
)


class RandomRotation(Layer):
    """Rotate each image about its center by a random angle during training (Keras 3).

    The angle (in fractions of a full turn, ``factor * 360`` degrees, counter-clockwise for
    positive values as displayed) is drawn per image from ``[lower, upper]``: ``factor`` is
    a number ``f`` (giving ``(-|f|, |f|)``) or a sorted pair, within ``[-1, 1]``;
    ``factor=(0.25, 0.25)`` always rotates by 90 degrees. Pixels are resampled through
    :func:`~gpulayers.layers.preprocessing.affine_transform.affine_transform`. With
    ``training=False`` the layer is the identity (inputs cast to the layer's dtype).

    Args:
        factor: a number or a pair of numbers in [-1, 1] (see above).
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for a reproducible stream of angles, or None.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        value_range: optional ``(low, high)``; accepted for API compatibility and kept in
            the config (Keras 3.15's RandomRotation takes none); it does not change results.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomRotation(0.1, fill_mode="constant", seed=1)
        y = layer(images, training=True)   # each image turned by up to +-36 degrees
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, value_range: Any = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomRotation '{self.name}'"
        self.factor = symmetric_factor(label, "factor", factor)
        fill_and_interpolation(label, fill_mode, interpolation)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)
        self.value_range = (None if value_range is None
                            else value_range_argument(label, value_range))
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        label = f"RandomRotation '{self.name}'"
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, label)
        if not training:
            return images
        batch = 1 if images.ndim == 3 else images.shape[0]
        angles = uniform((batch,), self.factor[0] * 360.0, self.factor[1] * 360.0,
                         dtype="float32", seed=self.generator)
        transforms = rotation_transforms(angles, images.shape[h_axis], images.shape[w_axis])
        return affine_transform(images, transforms, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format, label)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "factor": self.factor,
                  "data_format": self.data_format, "fill_mode": self.fill_mode,
                  "fill_value": self.fill_value, "interpolation": self.interpolation,
                  "seed": self.seed}
        if self.value_range is not None:
            config["value_range"] = self.value_range
        return config


__all__ = ["RandomRotation"]
