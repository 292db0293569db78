"""RandomColorDegeneration: blend each image towards its grayscale version by a random
amount during training."""

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
    blend,
    image_count,
    rgb_to_grayscale,
)


class RandomColorDegeneration(BaseImagePreprocessingLayer):
    """Randomly reduce (or boost) the colour of RGB images during training, as Keras 3 does.

    Each image becomes ``clip(x + f * (grey - x), *value_range)``, ``grey`` its luma
    (see :class:`RandomGrayscale`) and ``f`` drawn uniformly per image from ``factor``'s
    range: ``0`` keeps the image, ``1`` makes it grey, negative values exaggerate colour.
    ``factor`` is a number ``f`` in ``[-1, 1]`` (Keras 3 keeps ``(-|f|, |f|)``) or a pair
    (sorted). With ``training=False`` the layer is the identity. Outputs are in the layer's
    dtype.

    Args:
        factor: a number in [-1, 1] or a pair of numbers (see above).
        value_range: ``(low, high)`` the outputs are clipped to (default ``(0, 255)``);
            sorted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4, with 3 (or 1)
            channels.
        seed: an int for a reproducible stream of factors, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomColorDegeneration((0.0, 0.5), seed=1)
        y = layer(images, training=True)   # each image up to half way to grey
    """

    channels = (1, 3)

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomColorDegeneration '{self.name}'"
        self.factor = base_factor(label, factor, (-1, 1))
        self._store_image_arguments(label, data_format, seed, value_range)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any]:
        """``{"factor": (N, 1, 1, 1)}``: each image's blend factor."""
        return {"factor": uniform((image_count(images), 1, 1, 1), self.factor[0],
                                  self.factor[1], dtype="float32",
                                  seed=self._stream(seed))}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        images = ops.cast(images, self.compute_dtype)
        factor = ops.cast(transformation["factor"], self.compute_dtype)
        outputs = blend(images, rgb_to_grayscale(images, self.data_format), factor)
        return ops.clip(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomColorDegeneration"]
