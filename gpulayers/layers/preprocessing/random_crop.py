"""RandomCrop: crop a random ``height x width`` window of images during training."""

from __future__ import annotations

import random as _python_random
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.image_ops import (
    aspect_ratio_crop_box,
    crop,
    data_format_argument,
    image_shape_with,
    resize,
    size_argument,
    spatial_axes,
)


class RandomCrop(BaseImagePreprocessingLayer):
    """Crop a random ``(height, width)`` window during training (the same window for every
    image of the batch), exactly as Keras 3 does:

    * training, image larger than the target in both dimensions: a uniformly random window;
    * training, otherwise: the window starting at the corner of the largest centered box of
      the target aspect ratio, resized (bilinear) to the target where it falls short;
    * ``training=False``: the identity (no crop, as in Keras 3).

    Called directly with no ``training`` argument outside a training context, it crops,
    like Keras (whose call defaults to ``training=True``); models pass ``training=False``
    at inference.

    Keras 3's split API: ``get_random_transformation(images, training=True, seed=None)``
    returns the window's corner ``(h_start, w_start)`` (a tuple, as Keras) and
    ``transform_images(images, transformation)`` crops (and resizes) there; ``call`` is
    the two in turn.

    Args:
        height: crop height. width: crop width.
        seed: an int for a reproducible stream of crops; None draws one (stored in the
            config, as Keras does).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomCrop(24, 24, seed=3)
        y = layer(images, training=True)   # (N, 32, 32, 3) -> (N, 24, 24, 3)
    """

    channels = None

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomCrop '{self.name}'"
        self.height = size_argument(label, "height", height)
        self.width = size_argument(label, "width", width)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"{label}: `seed` must be an int or None. Received: {seed!r}")
        self.seed = seed if seed is not None else _python_random.randint(1, 10**9)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> tuple[int, int]:
        """The window corner ``(h_start, w_start)``: random while training on images larger
        than the target, else the centered aspect-ratio box (no draw); ``seed`` (an int or
        a SeedGenerator) replaces the layer's own stream for this draw."""
        h_axis, w_axis = spatial_axes(len(images.shape), self.data_format, self.label)
        in_height, in_width = int(images.shape[h_axis]), int(images.shape[w_axis])
        if training and in_height > self.height and in_width > self.width:
            seed = self._stream(seed)
            return (_random_start(in_height - self.height + 1, seed),
                    _random_start(in_width - self.width + 1, seed))
        h_start, w_start, _, _ = aspect_ratio_crop_box(in_height, in_width, self.height,
                                                       self.width)
        return h_start, w_start

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """The ``height x width`` window at ``transformation = (h_start, w_start)`` (resized
        bilinearly where the image falls short), cast to the layer's dtype; ``images``
        unchanged when not training."""
        images = ops.convert_to_tensor(images)
        if not training:
            return images
        images = ops.cast(images, self.compute_dtype)
        h_axis, w_axis = spatial_axes(images.ndim, self.data_format, self.label)
        h_start, w_start = (int(ops.convert_to_numpy(v)) for v in transformation)
        images = crop(images, h_axis, w_axis, h_start, w_start, self.height, self.width)
        if images.shape[h_axis] != self.height or images.shape[w_axis] != self.width:
            images = resize(images, self.height, self.width, "bilinear", self.data_format,
                            layer_name=self.label)
        return images

    def compute_output_shape(self, input_shape: Any) -> Any:
        return image_shape_with(input_shape, self.height, self.width, self.data_format,
                                f"RandomCrop '{self.name}'")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}


def _random_start(limit: int, generator: Any) -> int:
    """An int drawn uniformly from ``[0, limit)`` (a float draw truncated, as Keras)."""
    draw = float(ops.convert_to_numpy(uniform((), 0.0, float(limit), seed=generator)))
    return min(int(draw), limit - 1)


__all__ = ["RandomCrop"]
