"""RandomPerspective: move the image corners at random and resample (a projective warp)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.affine_transform import (
    affine_transform,
    fill_and_interpolation,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import seed_argument
from gpulayers.layers.preprocessing.random_erasing import draw_apply_mask, unit_range

# The corner-shift homography lives in the ops layer (keras.ops.image uses it); re-exported.
from gpulayers.ops.image_warps import corner_shift_transforms


class RandomPerspective(Layer):
    """Apply a random perspective warp to each image during training (Keras 3).

    Per image, each corner ``p`` of the image moves to ``p * (1 + u)`` with ``u`` drawn in
    ``[-scale / 2, scale / 2)`` per coordinate (the top-left corner stays), and the image
    is resampled through the projective transform that takes the moved corners back to the
    original ones (:func:`corner_shift_transforms`); points outside the image read
    ``fill_value``. Each image is warped with a probability drawn in ``factor``. With
    ``training=False`` the layer is the identity (inputs cast to the layer's dtype).

    Args:
        factor: the warp probability: a number ``f`` in [0, 1] (drawn in ``(0, f)``) or a
            pair ``(min, max)``. Default 1.0.
        scale: how far corners move, a number in [0, 1]. Default 1.0.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_value: the value of points outside the image.
        seed: an int for a reproducible stream of warps, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomPerspective(factor=(1, 1), scale=0.3, seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, factor: Any = 1.0, scale: float = 1.0,
                 interpolation: str = "bilinear", fill_value: float = 0.0,
                 seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomPerspective '{self.name}'"
        self.factor = unit_range(label, "factor", factor)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not (
                0.0 <= scale <= 1.0):
            raise ValueError(f"{label}: `scale` must be a number in [0, 1]. Received: "
                             f"scale={scale!r}")
        self.scale = scale
        fill_and_interpolation(label, "constant", interpolation)
        self.interpolation = interpolation
        self.fill_value = float(fill_value)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        label = f"RandomPerspective '{self.name}'"
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, label)
        if not training:
            return images
        batch = 1 if images.ndim == 3 else images.shape[0]
        apply = draw_apply_mask(batch, self.factor, self.generator)
        shifts = uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale,
                         dtype="float32", seed=self.generator)
        transforms = corner_shift_transforms(shifts, images.shape[h_axis],
                                             images.shape[w_axis])
        warped = affine_transform(images, transforms, self.interpolation, "constant",
                                  self.fill_value, self.data_format, label)
        apply = ops.reshape(apply, (-1,) + (1,) * (images.ndim - 1))
        return ops.where(apply, warped, images)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}


__all__ = ["RandomPerspective", "corner_shift_transforms"]
