"""RandomBrightness: add a random offset to each image during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.affine_transform import symmetric_factor
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import (
    batch_draw_shape,
    seed_argument,
    value_range_argument,
)


class RandomBrightness(Layer):
    """Randomly shift the brightness of each image during training, as Keras 3 does.

    One ``delta`` per image is drawn uniformly from ``[lower, upper]`` and scaled by the
    width of ``value_range``; the image becomes ``clip(x + delta, *value_range)``.
    ``factor`` is a number ``f`` in ``[-1, 1]`` (giving ``(-|f|, |f|)``) or a pair of such
    numbers (sorted). With ``training=False`` the layer is the identity (inputs cast to the
    layer's dtype). Called directly with no ``training`` argument it adjusts, like Keras.

    Args:
        factor: a number or a pair of numbers in [-1, 1] (see above).
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``); sorted.
        seed: an int for a reproducible stream of offsets, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format); kept for Keras config compatibility (one offset per image
            fits either layout). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomBrightness(0.2, value_range=(0, 1), seed=1)
        y = layer(images, training=True)   # each image shifted by up to +-0.2
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomBrightness '{self.name}'"
        self.factor = symmetric_factor(label, "factor", factor)
        self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        images = ops.cast(inputs, self.compute_dtype)
        spatial_axes(images.ndim, self.data_format, f"RandomBrightness '{self.name}'")
        if not training:
            return images
        low, high = (float(v) for v in self.value_range)
        draw = uniform(batch_draw_shape(images), self.factor[0], self.factor[1],
                       dtype=self.compute_dtype, seed=self.generator)
        delta = ops.convert_to_tensor(draw, dtype=self.compute_dtype) * (high - low)
        return ops.clip(images + delta, low, high)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed,
                "data_format": self.data_format}


__all__ = ["RandomBrightness"]
