"""RandomElasticTransform: warp images along a smooth random displacement field."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, normal, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.affine_transform import AFFINE_INTERPOLATIONS
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import (
    seed_argument,
    value_range_argument,
)
from gpulayers.layers.preprocessing.random_erasing import draw_apply_mask, unit_range

# The deterministic warp lives in the ops layer (keras.ops.image uses it too); re-exported.
from gpulayers.ops.image_warps import elastic_transform

ELASTIC_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(Layer):
    """Elastic deformation of images during training (Keras 3's RandomElasticTransform).

    Each call draws a distortion ``d`` in ``scale``; with ``alpha = 0.1 * d * max(H, W)``
    and ``sigma = 0.05 * d * min(H, W)``, every image gets its own smooth random
    displacement field (see :func:`elastic_transform`) and is resampled along it. Each
    image is deformed with a probability drawn in ``factor``; results are clipped to
    ``value_range``. With ``training=False``, or when ``scale`` or ``factor`` is 0, the
    layer is the identity (inputs cast to the layer's dtype).

    Args:
        factor: the deformation probability: a number ``f`` in [0, 1] (drawn in
            ``(0, f)``) or a pair ``(min, max)``. Default 1.0.
        scale: the distortion range: a number ``s`` in [0, 1] (drawn in ``(0, s)``) or a
            pair. Default 1.0.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: ``"reflect"`` (default, ``d c b a | a b c d``), ``"mirror"``
            (``c d c b | a b c d``), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: the value of points outside the image for ``fill_mode="constant"``.
        value_range: ``(low, high)`` the outputs are clipped to. Default ``(0, 255)``.
        seed: an int for a reproducible stream of deformations, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomElasticTransform(factor=(1, 1), scale=0.5, seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, factor: Any = 1.0, scale: Any = 1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0,
                 value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomElasticTransform '{self.name}'"
        self.factor = unit_range(label, "factor", factor)
        self.scale = unit_range(label, "scale", scale)
        if interpolation not in AFFINE_INTERPOLATIONS:
            raise ValueError(f"{label}: unknown `interpolation` {interpolation!r}. Expected "
                             f"one of {AFFINE_INTERPOLATIONS}.")
        if fill_mode not in ELASTIC_FILL_MODES:
            raise ValueError(f"{label}: unknown `fill_mode` {fill_mode!r}. Expected one of "
                             f"{ELASTIC_FILL_MODES}.")
        self.interpolation, self.fill_mode = interpolation, fill_mode
        self.fill_value = float(fill_value)
        self.value_range = value_range_argument(label, value_range)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        images = ops.cast(inputs, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format,
                                      f"RandomElasticTransform '{self.name}'")
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return images
        input_shape = tuple(images.shape)
        if images.ndim == 3:
            images = ops.expand_dims(images, 0)
            h_axis, w_axis = h_axis + 1, w_axis + 1
        batch, height, width = images.shape[0], images.shape[h_axis], images.shape[w_axis]
        apply = ops.reshape(draw_apply_mask(batch, self.factor, self.generator),
                            (-1, 1, 1, 1))
        distortion = float(uniform((), self.scale[0], self.scale[1], dtype=self.compute_dtype,
                                   seed=self.generator))
        alpha = max(height, width) * 0.1 * distortion
        sigma = min(height, width) * 0.05 * distortion
        noise_x, noise_y = (normal((batch, height, width), dtype=self.compute_dtype,
                                   seed=self.generator) for _ in range(2))
        warped = elastic_transform(images, noise_x, noise_y, alpha, sigma,
                                   self.interpolation, self.fill_mode, self.fill_value,
                                   self.data_format)
        outputs = ops.clip(ops.where(apply, warped, images), float(self.value_range[0]),
                           float(self.value_range[1]))
        return ops.reshape(outputs, input_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}


__all__ = ["ELASTIC_FILL_MODES", "RandomElasticTransform", "elastic_transform"]
