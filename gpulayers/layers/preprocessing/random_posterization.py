"""RandomPosterization: keep only a random number of high bits of each 8-bit colour value."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import randint
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import (
    base_factor,
    image_count,
    transform_value_range,
)

_MAX_BITS = 8


class RandomPosterization(BaseImagePreprocessingLayer):
    """Randomly posterize images during training, as Keras 3 does.

    On the ``[0, 255]`` scale (mapped from ``value_range``) each value is truncated to an
    integer and keeps only its ``b`` most significant bits (``v >> (8 - b) << (8 - b)``),
    then is mapped back; one ``b`` per image is drawn uniformly from the integers in
    ``[lower, upper)`` (``upper`` itself only when ``lower == upper``). ``factor`` is an int
    ``b`` in ``[1, 8]`` (giving ``(1, b)``) or a pair of ints (sorted). With
    ``training=False`` the layer is the identity. Outputs are in the layer's dtype.

    Args:
        factor: an int in [1, 8] or a pair of ints (see above).
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``); sorted.
            Values outside it are clipped before truncation.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format); kept for Keras config compatibility. Images may be rank 3
            or batches of rank 4, any number of channels.
        seed: an int for a reproducible stream of bit counts, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandomPosterization((3, 3))
        y = layer(images, training=True)   # 200 -> 192, 37 -> 32
    """

    channels = None

    def __init__(self, factor: Any, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandomPosterization '{self.name}'"
        values = factor if isinstance(factor, (tuple, list)) else [factor]
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            raise ValueError(f"{label}: `factor` must be an int in [1, 8] or a pair of "
                             f"ints. Received: factor={factor!r}")
        self.factor = base_factor(label, factor, (1, _MAX_BITS))
        if self.factor[0] < 1 or self.factor[1] > _MAX_BITS:
            raise ValueError(f"{label}: `factor` values must lie in [1, 8]. "
                             f"Received: factor={factor!r}")
        self._store_image_arguments(label, data_format, seed, value_range)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Tensor]:
        """``{"shift_factor": (N,)}``: how many low bits each image drops (``8 - b``)."""
        count = image_count(images)
        if self.factor[0] != self.factor[1]:
            bits = ops.convert_to_tensor(randint((count,), self.factor[0], self.factor[1],
                                                 "int32", self._stream(seed)))
        else:
            bits = ops.full((count,), self.factor[0], dtype="int32")
        return {"shift_factor": _MAX_BITS - bits}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        if not training:
            return images
        step = ops.power(2.0, ops.cast(transformation["shift_factor"], self.compute_dtype))
        step = ops.reshape(step, (-1, 1, 1, 1))
        images = transform_value_range(ops.cast(images, self.compute_dtype), self.value_range,
                                       (0, 255))
        # Truncation to 8 bits, then dropping the low bits: floor division by 2 ** shift.
        levels = ops.floor(ops.clip(images, 0.0, 255.0))
        posterized = ops.floor(levels / step) * step
        return transform_value_range(posterized, (0, 255), self.value_range)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


__all__ = ["RandomPosterization"]
