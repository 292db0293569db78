"""RandomSaturation: scale each image's HSV saturation by a random factor during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import epsilon
from gpulayers.backend.random import uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    base_factor,
    channel,
    hsv_to_rgb,
    image_count,
    replace_channel,
    rgb_to_hsv,
)


class RandomSaturation(BaseImagePreprocessingLayer):
    """Randomly adjust the saturation of RGB images during training, as Keras 3 does.

    One ``f`` per image is drawn uniformly from ``factor``'s range; the image's HSV
    saturation is multiplied by ``f / (1 - f + epsilon)`` (so ``f = 0.5`` keeps it,
    ``0`` makes the image grey, values near ``1`` saturate it) and clipped to
    ``value_range``, then converted back to RGB. ``factor`` is a number ``f`` in
    ``[-1, 1]`` (Keras 3 keeps ``(-|f|, |f|)``, so negative draws also give grey images) or
    a pair (sorted); pass ``(f, f)`` for a fixed factor. With ``training=False`` the layer is
    the identity. Outputs are in the layer's dtype (float).

    Note: as in Keras 3.15, the saturation is clipped to ``value_range`` rather than to
    ``[0, 1]``, so with ``value_range=(0, 255)`` a factor above 1 can push pixels outside the
    input's range.

    Args:
        factor: a number in [-1, 1] or a pair of numbers (see above).
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``); sorted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4, with 3 channels.
        seed: an int for a reproducible stream of factors, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomSaturation((0.3, 0.7), seed=1)
        y = layer(images, training=True)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomSaturation '{self.name}'"
        self.factor = base_factor(label, factor, (-1, 1))
        self._store_image_arguments(label, data_format, seed, value_range)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Tensor]:
        """``{"factor": (N,)}``: the saturation multipliers ``f / (1 - f + epsilon)``."""
        draw = ops.convert_to_tensor(uniform((image_count(images),), self.factor[0],
                                             self.factor[1], dtype="float32",
                                             seed=self._stream(seed)))
        return {"factor": draw / (1.0 - draw + epsilon())}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        factor = ops.reshape(ops.cast(transformation["factor"], self.compute_dtype), (-1, 1, 1))
        hsv = rgb_to_hsv(ops.cast(images, self.compute_dtype), self.data_format)
        saturation = ops.clip(channel(hsv, 1, self.data_format) * factor,
                              float(self.value_range[0]), float(self.value_range[1]))
        return hsv_to_rgb(replace_channel(hsv, 1, saturation, self.data_format),
                          self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomSaturation"]
