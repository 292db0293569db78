"""MixUp: blend each image (and its label) with another image of the batch.

Also here, shared with CutMix: the Keras 3 data forms (:func:`split_image_data`,
:func:`join_image_data`) and Beta draws (:func:`sample_beta`).
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.random import SeedGenerator, normal, permutation, uniform
from gpulayers.layers.layer import Layer
from gpulayers.layers.preprocessing.image_ops import data_format_argument, spatial_axes
from gpulayers.layers.preprocessing.random_contrast import seed_argument

_UNSUPPORTED_KEYS = ("bounding_boxes", "segmentation_masks")


def split_image_data(label: str, data: Any) -> tuple[Tensor, Tensor | None]:
    """``(images, labels)`` from plain images or Keras's ``{"images": ..., "labels": ...}``
    (labels None when absent); ValueError naming ``label`` for other dicts."""
    if not isinstance(data, dict):
        return ops.convert_to_tensor(data), None
    if "images" not in data:
        raise ValueError(f"{label}: a dict input needs an 'images' key. Received keys "
                         f"{sorted(data)}")
    unsupported = [key for key in _UNSUPPORTED_KEYS if key in data]
    if unsupported:
        raise ValueError(f"{label}: {unsupported} are not supported; pass 'images' and "
                         "optionally 'labels'")
    labels = data.get("labels")
    return (ops.convert_to_tensor(data["images"]),
            None if labels is None else ops.convert_to_tensor(labels))


def join_image_data(data: Any, images: Tensor, labels: Tensor | None) -> Any:
    """The output in the input's form: images, or a copy of the dict with new values."""
    if not isinstance(data, dict):
        return images
    output = {**data, "images": images}
    if labels is not None:
        output["labels"] = labels
    return output


def sample_beta(shape: tuple[int, ...], concentration1: float, concentration0: float,
                seed: SeedGenerator, dtype: str = "float32") -> Tensor:
    """Draws from Beta(concentration1, concentration0) as ``G1 / (G1 + G2)`` of two Gamma
    draws (Marsaglia and Tsang's method), combined in log space so that tiny
    concentrations (draws of nearly 0 or 1) stay finite."""
    log_first = _log_standard_gamma(shape, float(concentration1), seed)
    log_second = _log_standard_gamma(shape, float(concentration0), seed)
    return ops.cast(ops.sigmoid(log_first - log_second), dtype)


def _log_standard_gamma(shape: tuple[int, ...], alpha: float, seed: SeedGenerator) -> Tensor:
    if not alpha > 0:
        raise ValueError(f"sample_beta: concentrations must be positive. Received {alpha}")
    boosted = alpha < 1.0          # Gamma(a) = Gamma(a + 1) * U ** (1 / a) for a < 1
    d = (alpha + 1.0 if boosted else alpha) - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    result = ops.zeros(shape, dtype="float64")
    pending = ops.ones(shape, dtype="bool")
    while bool(ops.any(pending)):  # redraw the rejected entries, about 2% per round
        x = ops.convert_to_tensor(normal(shape, dtype="float64", seed=seed))
        u = 1.0 - ops.convert_to_tensor(uniform(shape, dtype="float64", seed=seed))
        v = ops.power(1.0 + c * x, 3.0)
        safe_v = ops.maximum(v, 1e-300)
        accept = ops.logical_and(ops.greater(v, 0.0), ops.less(
            ops.log(u), 0.5 * x * x + d - d * safe_v + d * ops.log(safe_v)))
        accept = ops.logical_and(pending, accept)
        result = ops.where(accept, ops.log(d * safe_v), result)
        pending = ops.logical_and(pending, ops.logical_not(accept))
    if boosted:
        u = 1.0 - ops.convert_to_tensor(uniform(shape, dtype="float64", seed=seed))
        result = result + ops.log(u) / alpha
    return result


def mix_labels(labels: Tensor, weight: Tensor, order: Tensor, dtype: str) -> Tensor:
    """``weight * labels + (1 - weight) * labels[order]``, one weight per row."""
    if "float" not in labels.dtype:
        labels = ops.cast(labels, dtype)
    weight = ops.cast(ops.reshape(weight, (-1,) + (1,) * (labels.ndim - 1)), labels.dtype)
    return weight * labels + (1.0 - weight) * ops.take(labels, order, axis=0)


class MixUp(Layer):
    """MixUp (Keras 3): blend each image with a randomly chosen image of the same batch.

    Per call, a permutation ``p`` of the batch and one ``w`` per image drawn from
    Beta(alpha, alpha) give ``images[i] * w[i] + images[p[i]] * (1 - w[i])``; labels, when
    given as ``{"images": ..., "labels": ...}``, are mixed the same way (label rows are
    one-hot or soft class vectors). With ``training=False`` the data pass unchanged.

    Args:
        alpha: the Beta concentration, a positive number; smaller mixes less. Default 0.2.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global
            image data format). Images may be rank 3 (mixed with itself) or rank 4.
        seed: an int for a reproducible stream of mixes, or None.
        **kwargs: base Layer arguments (name, dtype, ...).

    Example::

        mix_up = MixUp(alpha=0.2, seed=1)
        out = mix_up({"images": images, "labels": one_hot_labels}, training=True)
        out["images"], out["labels"]
    """

    def __init__(self, alpha: float = 0.2, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        label = f"MixUp '{self.name}'"
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"{label}: `alpha` must be a positive number. Received: "
                             f"alpha={alpha!r}")
        self.alpha = alpha
        self.seed = seed_argument(label, seed)
        self.generator = SeedGenerator(seed)
        self.data_format = data_format_argument(label, data_format)

    def call(self, inputs: Any, training: bool = True) -> Any:
        label = f"MixUp '{self.name}'"
        images, labels = split_image_data(label, inputs)
        spatial_axes(images.ndim, self.data_format, label)
        if not training:
            return inputs
        unbatched = images.ndim == 3
        batch = 1 if unbatched else images.shape[0]
        order = ops.convert_to_tensor(permutation(batch, seed=self.generator))
        weight = sample_beta((batch,), self.alpha, self.alpha, self.generator, self.compute_dtype)
        work = ops.cast(ops.expand_dims(images, 0) if unbatched else images, self.compute_dtype)
        mixed = ops.reshape(weight, (-1, 1, 1, 1)) * work + ops.reshape(
            1.0 - weight, (-1, 1, 1, 1)) * ops.take(work, order, axis=0)
        if labels is not None:
            labels = mix_labels(ops.expand_dims(labels, 0) if unbatched else labels,
                                weight, order, self.compute_dtype)
            labels = ops.squeeze(labels, 0) if unbatched else labels
        return join_image_data(inputs, ops.squeeze(mixed, 0) if unbatched else mixed, labels)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format,
                "alpha": self.alpha, "seed": self.seed}


__all__ = ["MixUp", "join_image_data", "mix_labels", "sample_beta", "split_image_data"]
