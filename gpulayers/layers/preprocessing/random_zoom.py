"""RandomZoom: zoom each image in or out by a random factor during training."""

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


class RandomZoom(Layer):
    """Zoom each image about its center by a random factor during training (Keras 3).

    Per image, ``zy = 1 + u`` with ``u`` uniform in the height range and ``zx = 1 + v``
    (``v`` in the width range, or ``zx = zy`` when ``width_factor`` is None); output pixel
    ``(x, y)`` samples the input at ``(zx * x + (W - 1) / 2 * (1 - zx), ...)``, so positive
    factors zoom *out* and negative ones zoom *in*. Each factor is a number ``f`` (giving
    ``(-|f|, |f|)``) or a sorted pair, within ``(-1, 1]``; ``(0.5, 0.5)`` always zooms
    out by half. With ``training=False`` the layer is the identity (inputs cast to the
    layer's dtype).

    Args:
        height_factor: vertical zoom range (see above).
        width_factor: horizontal zoom range, or None to keep the aspect ratio.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for a reproducible stream of zooms, or None.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomZoom(0.2, seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, height_factor: Any, width_factor: Any = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomZoom '{self.name}'"
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = symmetric_factor(
            label, "height_factor", height_factor, low_inclusive=False)
        if width_factor is not None:
            self.width_lower, self.width_upper = symmetric_factor(
                label, "width_factor", width_factor, low_inclusive=False)
        fill_and_interpolation(label, fill_mode, interpolation)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        label = f"RandomZoom '{self.name}'"
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, label)
        if not training:
            return images
        batch = 1 if images.ndim == 3 else images.shape[0]
        zy = ops.convert_to_tensor(uniform((batch,), 1.0 + self.height_lower,
                                           1.0 + self.height_upper, dtype="float32",
                                           seed=self.generator))
        zx = zy
        if self.width_factor is not None:
            zx = ops.convert_to_tensor(uniform((batch,), 1.0 + self.width_lower,
                                               1.0 + self.width_upper, dtype="float32",
                                               seed=self.generator))
        x_offset = (images.shape[w_axis] - 1.0) / 2.0 * (1.0 - zx)
        y_offset = (images.shape[h_axis] - 1.0) / 2.0 * (1.0 - zy)
        zeros = ops.zeros_like(zx)
        transforms = ops.stack([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros],
                               axis=1)
        return affine_transform(images, transforms, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format, label)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}


__all__ = ["RandomZoom"]
