"""AugMix: a random convex mix of several random augmentation chains with the original."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, randint
from gpulayers.layers.preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from gpulayers.layers.preprocessing.image_ops import data_format_argument
from gpulayers.layers.preprocessing.mix_up import sample_beta
from gpulayers.layers.preprocessing.rand_augment import (
    build_augmentation_layers,
    composite_arguments,
    count_argument,
)

# Keras 3.15's lists; a drawn index equal to the list's length means "no op at this depth".
AUG_MIX_LAYERS_ALL = ("random_shear", "random_translation", "random_rotation",
                      "random_posterization", "solarization", "auto_contrast", "equalization",
                      "random_brightness", "random_color_degeneration", "random_contrast",
                      "random_sharpness")
AUG_MIX_LAYERS = AUG_MIX_LAYERS_ALL[:7]


def sample_dirichlet(shape: tuple[int, ...], alpha: float, seed: SeedGenerator) -> Tensor:
    """Draws from the symmetric Dirichlet(alpha, ..., alpha) over the last axis of
    ``shape``, by stick breaking: component ``k`` of ``K`` takes the fraction
    ``Beta(alpha, (K - 1 - k) * alpha)`` of what the earlier ones left."""
    *batch, size = shape
    remaining = ops.ones(tuple(batch), dtype="float32")
    parts = []
    for k in range(size - 1):
        stick = sample_beta(tuple(batch), alpha, (size - 1 - k) * alpha, seed)
        parts.append(remaining * stick)
        remaining = remaining - parts[-1]
    parts.append(remaining)
    return ops.stack(parts, axis=-1)


class AugMix(BaseImagePreprocessingLayer):
    """AugMix (Hendrycks et al., 2020), as in Keras 3.

    Per call (one draw for the whole batch): ``num_chains`` chains each apply up to
    ``chain_depth`` ops, every depth picking one of the augmentation layers or none
    uniformly at random (each op drawing its own parameters); the chain outputs are mixed
    with Dirichlet(``alpha``) weights ``w`` and the mix is blended with the input by a
    Beta(``alpha``, ``alpha``) weight ``m``: ``clip(m x + (1 - m) sum_c w_c chain_c(x),
    *value_range)``. The ops are RandomShear, RandomTranslation, RandomRotation,
    RandomPosterization, Solarization, AutoContrast and Equalization, plus RandomBrightness,
    RandomColorDegeneration, RandomContrast and RandomSharpness when ``all_ops``, each built
    with ``factor`` as RandAugment builds them. With ``training=False`` the layer is the
    identity (inputs cast to the layer's dtype). Outputs are in the layer's dtype.

    Args:
        value_range: ``(low, high)`` of the pixel values (default ``(0, 255)``).
        num_chains: how many chains are mixed (default 3), an int >= 1.
        chain_depth: the most ops per chain (default 3), an int >= 0.
        factor: the strength, a number in [0, 1] (giving ``(0, f)``) or a pair (default 0.3).
        alpha: the Beta and Dirichlet concentration (default 1.0), > 0.
        all_ops: also use the four colour ops above (default True).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``, for the geometric ops.
        seed: an int for a reproducible stream of chains and parameters, or None.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global image
            data format). Images may be rank 3 or batches of rank 4 (1 or 3 channels when
            ``all_ops``).
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        layer = AugMix(value_range=(0, 255), num_chains=3, chain_depth=3, seed=1)
        y = layer(images, training=True)
    """

    cast_at_inference = True

    def __init__(self, value_range: Any = (0, 255), num_chains: int = 3,
                 chain_depth: int = 3, factor: Any = 0.3, alpha: float = 1.0,
                 all_ops: bool = True, interpolation: str = "bilinear",
                 seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"AugMix '{self.name}'"
        self.value_range, self.factor, self.interpolation, self.seed = composite_arguments(
            label, value_range, factor, interpolation, seed)
        self.num_chains = count_argument(label, "num_chains", num_chains, 1)
        self.chain_depth = count_argument(label, "chain_depth", chain_depth, 0)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise ValueError(f"{label}: `alpha` must be a positive number. Received: "
                             f"alpha={alpha!r}")
        self.alpha = alpha
        self.all_ops = bool(all_ops)
        self.data_format = data_format_argument(label, data_format)
        self.generator = SeedGenerator(seed)
        self._augment_layers = AUG_MIX_LAYERS_ALL if self.all_ops else AUG_MIX_LAYERS
        # RandomColorDegeneration needs RGB (or grey) images
        self.channels = (1, 3) if self.all_ops else None
        build_augmentation_layers(self, self._augment_layers, self.factor, self.value_range,
                                  self.interpolation, self.seed, self.data_format)

    def get_random_transformation(self, images: Any, training: bool = True,
                                  seed: Any = None) -> dict[str, Any] | None:
        """``{"chain_mixing_weights": (num_chains,), "weight_sample": (),
        "chain_transforms": [[{"layer_name", "transformation"}, ...] per chain]}`` (the
        Keras 3 keys), or None when not training."""
        if not training:
            return None
        seed = self._stream(seed)
        weights = sample_dirichlet((self.num_chains,), float(self.alpha), seed)
        weight_sample = sample_beta((), float(self.alpha), float(self.alpha), seed)
        picks = randint((self.num_chains, self.chain_depth), 0, len(self._augment_layers) + 1,
                        "int32", seed)
        chains = []
        for row in ops.convert_to_numpy(picks).tolist():
            names = [self._augment_layers[i] for i in row if i < len(self._augment_layers)]
            chains.append([{"layer_name": name,
                            "transformation": getattr(self, name).get_random_transformation(
                                images, training=True, seed=seed)} for name in names])
        return {"chain_mixing_weights": weights, "weight_sample": weight_sample,
                "chain_transforms": chains}

    def transform_images(self, images: Tensor, transformation: Any,
                         training: bool = True) -> Tensor:
        images = ops.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        weights = ops.cast(transformation["chain_mixing_weights"], self.compute_dtype)
        weight = ops.cast(transformation["weight_sample"], self.compute_dtype)
        mixed = ops.zeros_like(images)
        for index, chain in enumerate(transformation["chain_transforms"]):
            chained = images
            for step in chain:
                chained = getattr(self, step["layer_name"]).transform_images(
                    chained, step["transformation"], training=True)
            mixed = mixed + ops.cast(chained, self.compute_dtype) * weights[index]
        outputs = weight * images + (1.0 - weight) * mixed
        low, high = (float(v) for v in self.value_range)
        return ops.cast(ops.clip(outputs, low, high), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}


__all__ = ["AUG_MIX_LAYERS", "AUG_MIX_LAYERS_ALL", "AugMix", "sample_dirichlet"]
