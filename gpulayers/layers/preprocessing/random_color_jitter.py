"""RandomColorJitter: random brightness, contrast, saturation and hue, in that order."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.random_brightness import RandomBrightness
from gpulayers.layers.preprocessing.random_contrast import (
    RandomContrast,
    seed_argument,
    value_range_argument,
)
from gpulayers.layers.preprocessing.random_hue import RandomHue
from gpulayers.layers.preprocessing.random_saturation import RandomSaturation


class RandomColorJitter(BaseImagePreprocessingLayer):
    """Randomly jitter the colours of images during training, as Keras 3 does.

    Applies, in order, :class:`RandomBrightness`, :class:`RandomContrast`,
    :class:`RandomSaturation` and :class:`RandomHue` with the given factors (each ``None``
    factor skips its step), all with ``value_range``. Every draw comes from this layer's
    own seed stream, in that order. With ``training=False`` the layer is the identity.
    Outputs are in the layer's dtype.

    Args:
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``).
        brightness_factor: ``factor`` of RandomBrightness, or None.
        contrast_factor: ``factor`` of RandomContrast, or None.
        saturation_factor: ``factor`` of RandomSaturation, or None (needs RGB images).
        hue_factor: ``factor`` of RandomHue, or None (needs RGB images).
        seed: an int for a reproducible stream of draws, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format), passed to every step. Images may be rank 3 or batches of
            rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomColorJitter(value_range=(0, 1), brightness_factor=0.1,
                                  contrast_factor=0.2, hue_factor=0.1, seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, value_range: Any = (0, 255), brightness_factor: Any = None,
                 contrast_factor: Any = None, saturation_factor: Any = None,
                 hue_factor: Any = None, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomColorJitter '{self.name}'"
        self.value_range = value_range_argument(label, value_range)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)
        self.channels = None if saturation_factor is None and hue_factor is None else (3,)
        self.steps = []
        for cls, factor in ((RandomBrightness, brightness_factor),
                            (RandomContrast, contrast_factor),
                            (RandomSaturation, saturation_factor), (RandomHue, hue_factor)):
            if factor is None:
                continue
            try:
                step = cls(factor, value_range=self.value_range, seed=seed,
                           data_format=self.data_format, dtype=self.compute_dtype)
            except ValueError as error:
                raise ValueError(f"{label}: {error}") from None
            # Keras draws every step's randomness from the jitter's own generator.
            step.generator = self.generator
            self.steps.append(step)

    def transform_images(self, images: Tensor, transformation: Any = None,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        images = ops.cast(images, self.compute_dtype)
        for step in self.steps:
            images = step(images, training=True)
        return images

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor,
                "hue_factor": self.hue_factor, "seed": self.seed}


__all__ = ["RandomColorJitter"]
