"""Solarization: invert the pixels above a random threshold, after a random brightening."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    base_factor,
    transform_value_range,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.random_contrast import (
    batch_draw_shape,
    seed_argument,
    value_range_argument,
)


class Solarization(BaseImagePreprocessingLayer):
    """Randomly solarize images during training, as Keras 3 does.

    On the ``[0, 255]`` scale (mapped from ``value_range``) each image gets
    ``y = clip(x + a, 0, 255)`` and every pixel with ``y >= t`` becomes ``255 - y``, with one
    addition ``a`` and one threshold ``t`` per image drawn uniformly from
    ``[lower, upper * 255]`` of ``addition_factor`` and ``threshold_factor`` (as Keras 3.15
    draws them: the lower bound is *not* scaled by 255). Each factor is a number ``f`` in
    ``[0, 1]`` (giving ``(0, f)``) or a pair of such numbers (sorted). The defaults
    (``0.0``) invert every pixel. With ``training=False`` the layer is the identity (inputs
    cast to the layer's dtype). Any number of channels.

    Args:
        addition_factor: a number or pair in [0, 1] (see above).
        threshold_factor: a number or pair in [0, 1] (see above).
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``); sorted.
        seed: an int for a reproducible stream of draws, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format); kept for Keras config compatibility. Images may be rank 3
            or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = Solarization(threshold_factor=(0.5, 0.5), value_range=(0, 1), seed=1)
        y = layer(images, training=True)
    """

    channels = None
    cast_at_inference = True

    def __init__(self, addition_factor: Any = 0.0, threshold_factor: Any = 0.0,
                 value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"Solarization '{self.name}'"
        self.addition_factor = _unit_factor(label, addition_factor, "addition_factor")
        self.threshold_factor = _unit_factor(label, threshold_factor, "threshold_factor")
        self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any]:
        """``{"additions", "thresholds"}``, each ``(N, 1, 1, 1)`` on the 0-255 scale."""
        shape, seed = batch_draw_shape(images), self._stream(seed)
        return {name: uniform(shape, factor[0], factor[1] * 255, dtype=self.compute_dtype,
                              seed=seed)
                for name, factor in (("additions", self.addition_factor),
                                     ("thresholds", self.threshold_factor))}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        images = ops.cast(images, self.compute_dtype)
        if not training:
            return images
        additions = ops.cast(transformation["additions"], self.compute_dtype)
        thresholds = ops.cast(transformation["thresholds"], self.compute_dtype)
        results = ops.clip(transform_value_range(images, self.value_range, (0, 255))
                           + additions, 0.0, 255.0)
        results = ops.where(results < thresholds, results, 255.0 - results)
        return transform_value_range(results, (0, 255), self.value_range)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


def _unit_factor(label: str, factor: Any, name: str) -> tuple[float, float]:
    lower, upper = base_factor(label, factor, (0, 1), name)
    if lower < 0 or upper > 1:
        raise ValueError(f"{label}: `{name}` values must lie in [0, 1]. "
                         f"Received: {name}={factor!r}")
    return lower, upper


__all__ = ["Solarization"]
