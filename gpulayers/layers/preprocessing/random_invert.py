"""RandomInvert: invert a random subset of the images during training."""

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
    image_count,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.random_contrast import seed_argument, value_range_argument


class RandomInvert(BaseImagePreprocessingLayer):
    """Randomly invert images during training, as Keras 3 does.

    Each image is replaced by ``value_range[1] - x`` when a uniform draw falls below a
    probability itself drawn uniformly from ``factor``'s range. ``factor`` is a number ``p``
    in ``[0, 1]`` (giving ``(0, p)``, i.e. an average probability of ``p / 2``) or a pair
    (sorted); ``(1.0, 1.0)`` always inverts, ``0`` never does. Note that, as in Keras 3.15,
    the inversion subtracts from the upper bound only (``1 - x`` for ``value_range=(-1, 1)``).
    With ``training=False`` the layer is the identity. Outputs are in the layer's dtype.

    Args:
        factor: a number in [0, 1] or a pair of numbers (default 1.0; see above).
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``).
        seed: an int for a reproducible stream of draws, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format); kept for Keras config compatibility. Images may be rank 3
            or batches of rank 4, any number of channels.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomInvert((1.0, 1.0))
        y = layer(images, training=True)   # 255 - images
    """

    channels = None

    def __init__(self, factor: Any = 1.0, value_range: Any = (0, 255),
                 seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomInvert '{self.name}'"
        self.factor = base_factor(label, factor, (0, 1))
        self.value_range = value_range_argument(label, value_range)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Tensor]:
        """``{"apply_inversion": (N,)}`` booleans: which images are inverted."""
        count, seed = image_count(images), self._stream(seed)
        probability = uniform((count,), self.factor[0], self.factor[1], dtype="float32",
                              seed=seed)
        threshold = uniform((count,), 0.0, 1.0, dtype="float32", seed=seed)
        return {"apply_inversion": ops.convert_to_tensor(threshold < probability)}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        images = ops.cast(images, self.compute_dtype)
        apply = ops.reshape(transformation["apply_inversion"], (-1, 1, 1, 1))
        return ops.where(apply, float(self.value_range[1]) - images, images)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomInvert"]
