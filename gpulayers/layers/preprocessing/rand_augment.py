"""RandAugment, and the machinery it shares with AugMix for composing augmentation layers.

A composite layer owns one instance of each augmentation layer it may apply (built by
:func:`build_augmentation_layers` with the composite's ``factor``, ``value_range``,
``interpolation`` and ``data_format``, as Keras 3 builds them) and uses each through Keras
3's split API: ``get_random_transformation(images, seed=composite_stream)`` draws the
layer's parameters for a batch from the composite's own seed stream, and
``transform_images(images, transformation)`` applies them, any number of times with the
same result.
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, randint
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.affine_transform import AFFINE_INTERPOLATIONS
from gpulayers.layers.preprocessing.auto_contrast import AutoContrast
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.color_ops import base_factor
from gpulayers.layers.preprocessing.equalization import Equalization
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.random_brightness import RandomBrightness
from gpulayers.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from gpulayers.layers.preprocessing.random_contrast import (
    RandomContrast,
    seed_argument,
    value_range_argument,
)
from gpulayers.layers.preprocessing.random_posterization import RandomPosterization
from gpulayers.layers.preprocessing.random_rotation import RandomRotation
from gpulayers.layers.preprocessing.random_sharpness import RandomSharpness
from gpulayers.layers.preprocessing.random_shear import RandomShear
from gpulayers.layers.preprocessing.random_translation import RandomTranslation
from gpulayers.layers.preprocessing.solarization import Solarization

# Keras 3.15's RandAugment list; the position is the op index drawn by the layer.
RAND_AUGMENT_LAYERS = ("random_shear", "random_translation", "random_rotation",
                       "random_brightness", "random_color_degeneration", "random_contrast",
                       "random_sharpness", "random_posterization", "solarization",
                       "auto_contrast", "equalization")


def composite_arguments(label: str, value_range: Any, factor: Any, interpolation: Any,
                        seed: Any) -> tuple[tuple, tuple[float, float], str, int | None]:
    """The checked ``(value_range, factor, interpolation, seed)`` of a composite layer:
    ``factor`` a number in [0, 1] (giving ``(0, f)``) or a pair, as Keras's ``_set_factor``
    with bounds (0, 1)."""
    value_range = value_range_argument(label, value_range)
    factor = base_factor(label, factor, (0, 1))
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"{label}: unknown `interpolation` {interpolation!r}. Expected one "
                         f"of {AFFINE_INTERPOLATIONS}.")
    return value_range, factor, interpolation, seed_argument(label, seed)


def count_argument(label: str, name: str, value: Any, minimum: int) -> int:
    """An int ``>= minimum``, else ValueError naming the layer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{label}: `{name}` must be an int >= {minimum}. Received: "
                         f"{name}={value!r}")
    return value


def build_augmentation_layers(owner: Layer, names: tuple[str, ...], factor: tuple,
                              value_range: tuple, interpolation: str, seed: int | None,
                              data_format: str) -> None:
    """Create the layers ``names`` as attributes of ``owner`` (``owner.random_shear``, ...),
    configured as Keras 3's RandAugment and AugMix configure them."""
    common = {"data_format": data_format, "dtype": owner.dtype_policy.name}
    geometric = {"interpolation": interpolation, "seed": seed, **common}
    colour = {"value_range": value_range, "seed": seed, **common}
    factories = {
        "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, **geometric),
        "random_translation": lambda: RandomTranslation(factor, factor, **geometric),
        "random_rotation": lambda: RandomRotation(factor, **geometric),
        "random_brightness": lambda: RandomBrightness(factor, **colour),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor, **colour),
        "random_contrast": lambda: RandomContrast(factor, **colour),
        "random_sharpness": lambda: RandomSharpness(factor, **colour),
        "random_posterization": lambda: RandomPosterization(
            max(1, int(8 * factor[1])), **colour),
        "solarization": lambda: Solarization(factor, factor, **colour),
        "auto_contrast": lambda: AutoContrast(value_range, **common),
        "equalization": lambda: Equalization(value_range, **common),
    }
    for name in names:
        setattr(owner, name, factories[name]())


class RandAugment(BaseImagePreprocessingLayer):
    """RandAugment (Cubuk et al., 2019): ``num_ops`` augmentations picked at random, as in
    Keras 3.

    Per call, ``num_ops`` op indices are drawn (with repetition, one set for the whole
    batch) among RandomShear, RandomTranslation, RandomRotation, RandomBrightness,
    RandomColorDegeneration, RandomContrast, RandomSharpness, RandomPosterization,
    Solarization, AutoContrast and Equalization, each built with ``factor`` (RandomPosterization
    keeps ``max(1, int(8 * upper))`` bits at most), ``value_range`` and ``interpolation``;
    every chosen layer draws its parameters once per call (an op picked twice is applied
    twice with the same parameters) and the ops run in order. With ``training=False`` the
    layer is the identity (inputs cast to the layer's dtype). Outputs are in the layer's
    dtype and have the input's shape.

    Args:
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``).
        num_ops: how many ops to apply in sequence (default 2), an int >= 0.
        factor: the strength, a number in [0, 1] (giving ``(0, f)``) or a pair (default 0.5).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``, for the geometric ops.
        seed: an int for a reproducible stream of ops and parameters, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global image
            data format). Images may be rank 3 or batches of rank 4, with 1 or 3 channels.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = RandAugment(value_range=(0, 255), num_ops=2, factor=0.5, seed=1)
        y = layer(images, training=True)
    """

    channels = (1, 3)
    cast_at_inference = True

    def __init__(self, value_range: Any = (0, 255), num_ops: int = 2, factor: Any = 0.5,
                 interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"RandAugment '{self.name}'"
        self.value_range, self.factor, self.interpolation, self.seed = composite_arguments(
            label, value_range, factor, interpolation, seed)
        self.num_ops = count_argument(label, "num_ops", num_ops, 0)
        self.data_format = data_format_argument(label, data_format)
        self.generator = SeedGenerator(seed)
        build_augmentation_layers(self, RAND_AUGMENT_LAYERS, self.factor, self.value_range,
                                  self.interpolation, self.seed, self.data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """``{"layer_idxes": (num_ops,), "transforms": {name: parameters}}`` (None when not
        training); only the chosen layers draw parameters."""
        if not training:
            return None
        seed = self._stream(seed)
        indices = randint((self.num_ops,), 0, len(RAND_AUGMENT_LAYERS), "int32", seed)
        transforms = {}
        for index in ops.convert_to_numpy(indices).tolist():
            name = RAND_AUGMENT_LAYERS[index]
            if name not in transforms:
                transforms[name] = getattr(self, name).get_random_transformation(
                    images, training=True, seed=seed)
        return {"layer_idxes": indices, "transforms": transforms}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        images = ops.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        for index in ops.convert_to_numpy(transformation["layer_idxes"]).tolist():
            name = RAND_AUGMENT_LAYERS[index]
            images = getattr(self, name).transform_images(
                images, transformation["transforms"][name], training=True)
        return ops.cast(images, self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}


__all__ = ["RAND_AUGMENT_LAYERS", "RandAugment", "build_augmentation_layers",
           "composite_arguments", "count_argument"]
