"""RandomContrast: scale each image's deviation from its mean by a random factor."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.image_ops import (  # re-exported: layers import them here
    data_format_argument,
    seed_argument,
    spatial_axes,
    value_range_argument,
)


def batch_draw_shape(images: Any) -> tuple[int, ...]:
    """``(1, 1, 1)`` for one image, ``(N, 1, 1, 1)`` for a batch: one draw per image."""
    return (1, 1, 1) if len(images.shape) == 3 else (int(images.shape[0]), 1, 1, 1)


class RandomContrast(BaseImagePreprocessingLayer):
    """Randomly adjust the contrast of each image during training, as Keras 3 does.

    Each image (every channel separately) becomes ``(x - mean) * c + mean``, ``mean`` taken
    over its height and width, with one ``c`` per image drawn uniformly from
    ``[1 - lower, 1 + upper]``; the result is clipped to ``value_range``. ``factor`` is a
    number ``f`` in ``[0, 1]`` (Keras 3 keeps ``(lower, upper) = (0, f)``) or a pair, kept
    sorted as ``(lower, upper)``; ``factor=(-f, f)`` therefore always gives ``c = 1 + f``.
    With ``training=False`` the layer is the identity (inputs cast to the layer's dtype).
    Called directly with no ``training`` argument it adjusts, like Keras.

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns ``{"contrast_factor": (N, 1, 1, 1)}`` (zeros when not training, as Keras) and
    ``transform_images(images, transformation)`` applies it; ``call`` is the two in turn.

    Args:
        factor: a number in [0, 1] or a pair of numbers (see above).
        value_range: ``(low, high)`` the outputs are clipped to (default ``(0, 255)``).
        seed: an int for a reproducible stream of factors, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomContrast(0.2, seed=1)
        y = layer(images, training=True)
    """

    channels = None
    cast_at_inference = True

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomContrast '{self.name}'"
        self.factor = _contrast_factor(label, factor)
        self.value_range = value_range_argument(label, value_range)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any]:
        """One factor per image; ``seed`` (an int or a SeedGenerator) replaces the layer's
        own stream for this draw."""
        spatial_axes(len(images.shape), self.data_format, self.label)
        shape = batch_draw_shape(images)
        if not training:
            return {"contrast_factor": ops.zeros(shape, dtype=self.compute_dtype)}
        draw = uniform(shape, 1.0 - self.factor[0], 1.0 + self.factor[1],
                       dtype=self.compute_dtype, seed=self._stream(seed))
        return {"contrast_factor": ops.convert_to_tensor(draw, dtype=self.compute_dtype)}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """``clip((x - mean) * contrast_factor + mean, *value_range)`` per image and
        channel; the identity (cast to the layer's dtype) when not training."""
        images = ops.cast(ops.convert_to_tensor(images), self.compute_dtype)
        if not training or transformation is None:
            return images
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, self.label)
        factor = ops.cast(ops.convert_to_tensor(transformation["contrast_factor"]),
                          images.dtype)
        mean = ops.mean(images, axis=(h_axis, w_axis), keepdims=True)
        outputs = (images - mean) * factor + mean
        return ops.clip(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


def _contrast_factor(label: str, factor: Any) -> tuple[float, float]:
    message = (f"{label}: `factor` must be a number in [0, 1] or a pair of numbers. "
               f"Received: factor={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                   for v in factor):
            raise ValueError(message)
        if factor[0] > 1 or factor[1] < 0:
            raise ValueError(message)
        lower, upper = sorted(float(v) for v in factor)
        return lower, upper
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (
            0 <= factor <= 1):
        raise ValueError(message)
    return 0.0, float(factor)


__all__ = ["RandomContrast", "batch_draw_shape", "seed_argument", "value_range_argument"]
