"""BaseImagePreprocessingLayer: the ``call`` shared by the image augmentation layers.

As in Keras 3, a layer draws one random transformation per batch
(``get_random_transformation``) and applies it with ``transform_images``; ``call`` checks
rank 3 or 4 images (and the channel count), adds and removes the batch axis of a single
image, and is the identity when ``training=False`` (unless the layer always applies).
Colour, geometric and composite layers (RandAugment, AugMix) build on it.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.color_ops import check_channels
from gpulayers.layers.preprocessing.image_ops import (
    data_format_argument,
    seed_argument,
    spatial_axes,
    value_range_argument,
)

__all__ = ["BaseImagePreprocessingLayer"]


class BaseImagePreprocessingLayer(Layer):
    """Base of the image augmentation layers: the shared ``call`` (see the module docstring).

    Subclasses set ``data_format`` and implement ``transform_images(images, transformation)``
    for rank-4 batches and, when random, ``get_random_transformation(images)``.
    ``channels`` lists the accepted channel counts (None: any). ``applies_at_inference``
    makes the transform run whatever ``training`` says; ``cast_at_inference`` casts the
    unchanged inputs to the layer's dtype (Keras does for some layers, not others).
    """

    channels: tuple[int, ...] | None = (3,)
    applies_at_inference = False
    cast_at_inference = False

    @property
    def label(self) -> str:
        """``ClassName 'name'``, the prefix of this layer's error messages."""
        return f"{type(self).__name__} '{self.name}'"

    def call(self, inputs: Tensor, training: bool = True) -> Tensor:
        spatial_axes(inputs.ndim, self.data_format, self.label)
        if self.channels is not None:
            check_channels(self.label, inputs, self.data_format, self.channels)
        if not training and not self.applies_at_inference:
            return ops.cast(inputs, self.compute_dtype) if self.cast_at_inference else inputs
        single = inputs.ndim == 3
        images = ops.expand_dims(inputs, 0) if single else inputs
        outputs = self.transform_images(images, self.get_random_transformation(images))
        return ops.squeeze(outputs, 0) if single else outputs

    def _store_image_arguments(self, label: str, data_format: str | None, seed: int | None,
                               value_range: Any = None) -> None:
        """Check and store the arguments most image layers share: ``data_format`` (None: the
        global one), ``seed`` (with the layer's SeedGenerator) and, when given,
        ``value_range`` (sorted); errors name ``label``."""
        if value_range is not None:
            self.value_range = tuple(sorted(value_range_argument(label, value_range)))
        self.data_format = data_format_argument(label, data_format)
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> Any:
        """The random draw for ``images`` (None for deterministic layers); ``seed`` (an int
        or a SeedGenerator) replaces the layer's own stream for this draw."""
        return None

    def _stream(self, seed: Any) -> Any:
        return self.generator if seed is None else seed

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        """Apply ``transformation`` to a rank-4 batch ``images``."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}
