"""RandomSharpness: sharpen or blur each image by a random amount during training."""

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
    channel_axis,
    image_count,
)

# The 3x3 smoothing kernel of PIL's ImageEnhance.Sharpness (and Keras): centre 5/13,
# neighbours 1/13 each.
_EDGE, _CENTRE = 1.0 / 13.0, 5.0 / 13.0


class RandomSharpness(BaseImagePreprocessingLayer):
    """Randomly change the sharpness of images during training, as Keras 3 does.

    Each image is blended with its smoothed version (a 3x3 kernel, centre ``5/13``,
    neighbours ``1/13``, zero padding at the borders): ``x + (1 - s) * (smooth - x)``
    with ``s = 2 f`` and ``f`` drawn uniformly per image from ``factor``'s range, then
    clipped to ``value_range``. ``f = 0.5`` keeps the image, ``0`` gives the smoothed one,
    ``1`` sharpens. ``factor`` is a number ``f`` in ``[0, 1]`` (giving ``(0, f)``) or a pair
    (sorted). With ``training=False`` the layer is the identity (inputs cast to the layer's
    dtype). Any number of channels.

    Args:
        factor: a number in [0, 1] or a pair of numbers (see above).
        value_range: ``(low, high)`` the outputs are clipped to (default ``(0, 255)``);
            sorted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        seed: an int for a reproducible stream of factors, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomSharpness((0.5, 1.0), seed=1)
        y = layer(images, training=True)   # never blurrier than the input
    """

    channels = None
    cast_at_inference = True

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomSharpness '{self.name}'"
        self.factor = base_factor(label, factor, (0, 1))
        self._store_image_arguments(label, data_format, seed, value_range)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any]:
        """``{"factor": (N,)}``: each image's ``f`` (the sharpness is ``2 f``)."""
        return {"factor": uniform((image_count(images),), self.factor[0], self.factor[1],
                                  dtype="float32", seed=self._stream(seed))}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        images = ops.cast(images, self.compute_dtype)
        if not training:
            return images
        sharpness = ops.reshape(ops.cast(transformation["factor"], self.compute_dtype) * 2.0,
                                (-1, 1, 1, 1))
        channels = images.shape[channel_axis(images.ndim, self.data_format)]
        row = [_EDGE, _EDGE, _EDGE]
        kernel = ops.convert_to_tensor([row, [_EDGE, _CENTRE, _EDGE], row],
                                       dtype=self.compute_dtype)
        kernel = ops.tile(ops.reshape(kernel, (3, 3, 1, 1)), (1, 1, channels, 1))
        smooth = ops.depthwise_conv(images, kernel, padding="same",
                                    data_format=self.data_format)
        outputs = blend(images, smooth, 1.0 - sharpness)
        return ops.clip(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomSharpness"]
