"""RandomHue: rotate each image's HSV hue by a random amount during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
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
    transform_value_range,
)
from gpulayers.layers.preprocessing.random_contrast import value_range_argument


class RandomHue(BaseImagePreprocessingLayer):
    """Randomly shift the hue of RGB images during training, as Keras 3 does.

    Each image is mapped from ``value_range`` to ``[0, 1]``, converted to HSV, its hue
    shifted by ``delta = ±f / 2`` (``f`` drawn uniformly from ``factor``'s range, the sign
    a coin flip; hue wraps around), converted back, clipped to ``[0, 1]`` and mapped back
    to ``value_range``. ``factor`` is a number ``f`` in ``[0, 1]`` (giving ``(0, f)``) or a
    pair (sorted); ``0`` leaves the image as is, ``1`` shifts the hue by half a turn.
    With ``training=False`` the layer is the identity. Outputs are in the layer's dtype.

    Args:
        factor: a number in [0, 1] or a pair of numbers (see above).
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4, with 3 channels.
        seed: an int for a reproducible stream of shifts, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomHue(0.2, value_range=(0, 1), seed=1)
        y = layer(images, training=True)   # hue moved by up to a tenth of a turn
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomHue '{self.name}'"
        self.factor = base_factor(label, factor, (0, 1))
        self.value_range = value_range_argument(label, value_range)
        self._store_image_arguments(label, data_format, seed)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Tensor]:
        """``{"factor": (N,)}``: the hue shift of each image, in turns."""
        count, seed = image_count(images), self._stream(seed)
        flip = ops.convert_to_tensor(uniform((count,), dtype="float32", seed=seed))
        draw = uniform((count,), self.factor[0], self.factor[1], dtype="float32", seed=seed)
        sign = ops.where(flip > 0.5, -1.0, 1.0)
        return {"factor": sign * ops.convert_to_tensor(draw) * 0.5}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        images = transform_value_range(ops.cast(images, self.compute_dtype), self.value_range,
                                       (0, 1))
        delta = ops.reshape(ops.cast(transformation["factor"], images.dtype), (-1, 1, 1))
        hsv = rgb_to_hsv(images, self.data_format)
        hue = channel(hsv, 0, self.data_format) + delta
        hue = ops.where(hue > 1.0, hue - 1.0, hue)
        hue = ops.where(hue < 0.0, hue + 1.0, hue)
        rgb = hsv_to_rgb(replace_channel(hsv, 0, hue, self.data_format), self.data_format)
        rgb = transform_value_range(ops.clip(rgb, 0.0, 1.0), (0, 1), self.value_range)
        return ops.cast(rgb, self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomHue"]
