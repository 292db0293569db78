"""RandomGrayscale: turn a random subset of the images grey during training."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import uniform
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    image_count,
    rgb_to_grayscale,
)


class RandomGrayscale(BaseImagePreprocessingLayer):
    """Randomly convert RGB images to grayscale during training, as Keras 3 does.

    Each image is converted with probability ``factor``: every channel becomes the luma
    ``0.2989 R + 0.587 G + 0.114 B`` (the channel count is kept). Integer images stay
    integers (the luma is truncated). With ``training=False`` the layer is the identity.

    Args:
        factor: probability in [0, 1] of converting an image (default 0.5).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 or batches of rank 4, with 3 (or 1)
            channels.
        seed: an int for a reproducible stream of draws, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomGrayscale(factor=0.2, seed=1)
        y = layer(images, training=True)   # about one image in five turned grey
    """

    channels = (1, 3)

    def __init__(self, factor: float = 0.5, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomGrayscale '{self.name}'"
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (
                0 <= factor <= 1):
            raise ValueError(f"{label}: `factor` must be a number between 0 and 1. "
                             f"Received: factor={factor!r}")
        self.factor = factor
        self._store_image_arguments(label, data_format, seed)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> Tensor:
        """A ``(N, 1, 1, 1)`` boolean mask: which images are converted."""
        draw = uniform((image_count(images),), 0.0, 1.0, dtype="float32",
                       seed=self._stream(seed))
        return ops.reshape(ops.convert_to_tensor(draw) < self.factor, (-1, 1, 1, 1))

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        grey = rgb_to_grayscale(images, self.data_format)
        return ops.where(transformation, grey, images)

    def get_config(self) -> dict[str, Any]:
        # Keras 3.15 leaves `seed` out of this layer's config; we keep it so a clone draws
        # the same stream.
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


__all__ = ["RandomGrayscale"]
