"""RandomBrightness: add a random offset to each image during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.preprocessing.affine_transform import symmetric_factor
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import (
    batch_draw_shape,
    seed_argument,
    value_range_argument,
)


class RandomBrightness(BaseImagePreprocessingLayer):
    """Randomly shift the brightness of each image during training, as Keras 3 does.

    One ``delta`` per image is drawn uniformly from ``[lower, upper]`` and scaled by the
    width of ``value_range``; the image becomes ``clip(x + delta, *value_range)``.
    ``factor`` is a number ``f`` in ``[-1, 1]`` (giving ``(-|f|, |f|)``) or a pair of such
    numbers (sorted). With ``training=False`` the layer is the identity (inputs cast to the
    layer's dtype). Called directly with no ``training`` argument it adjusts, like Keras.

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"rgb_delta": (N, 1, 1, 1)}`` (already scaled to ``value_range``; zeros when
    not training, as Keras) and ``transform_images(images, transformation)`` adds and
    clips; ``call`` is the two in turn.

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

    channels = None
    cast_at_inference = True

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomBrightness '{self.name}'"
        self.factor = symmetric_factor(label, "factor", factor)
        self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any]:
        """One offset per image; ``seed`` (an int or a SeedGenerator) replaces the layer's
        own stream for this draw."""
        spatial_axes(len(images.shape), self.data_format, self.label)
        if not training:
            return {"rgb_delta": ops.zeros(batch_draw_shape(images), dtype=self.compute_dtype)}
        low, high = (float(v) for v in self.value_range)
        draw = uniform(batch_draw_shape(images), self.factor[0], self.factor[1],
                       dtype=self.compute_dtype, seed=self._stream(seed))
        return {"rgb_delta": ops.convert_to_tensor(draw, dtype=self.compute_dtype)
                * (high - low)}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """``clip(images + rgb_delta, *value_range)``; the identity (cast to the layer's
        dtype) when not training."""
        images = ops.cast(ops.convert_to_tensor(images), self.compute_dtype)
        if not training or transformation is None:
            return images
        delta = ops.cast(ops.convert_to_tensor(transformation["rgb_delta"]), images.dtype)
        low, high = (float(v) for v in self.value_range)
        return ops.clip(images + delta, low, high)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomBrightness"]
